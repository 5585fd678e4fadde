# channelhub — the two commands first: `make run` and `make test`. `make help` lists the rest.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
HOST   ?= 127.0.0.1
PORT   ?= 8000
SCALE  ?= 1
# The suite runs on every core (pytest-xdist); the broker's tests keep to one worker. TEST_WORKERS=0: in-process.
TEST_WORKERS ?= auto
XDIST  := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)
MO     := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint format worker beat install install-dev messages makemessages check clean bench load

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

run: install ## Serve the app with demo data on SQLite (tasks eager) at http://127.0.0.1:8000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  channelhub is starting at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev ## Run the whole test suite (PostgreSQL/Redis too when DATABASE_URL/CELERY_BROKER_URL are set)
	$(PY) -m pytest $(XDIST) --durations=15 $(PYTEST_ARGS)

test-fast: install-dev ## The suite without the slow tests (schemathesis, seed_demo, end-to-end, faults, browser)
	$(PY) -m pytest $(XDIST) -m "not slow" $(PYTEST_ARGS)

lint: install-dev ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install ## A Celery worker (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A channelhub worker --loglevel=INFO

beat: install ## Celery beat, the scheduler (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A channelhub beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

check: install-dev ## Django system checks and migrations check
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

load: install-dev ## Load test: Locust (30 users, 60 s) against gunicorn on PostgreSQL (LOAD_DATABASE_URL), demo + bench data
	$(PY) bench/load.py

bench: install-dev ## Build the large data set in PostgreSQL (BENCH_DATABASE_URL) and measure: run, import, pages → bench/results.json (SCALE=10: the ×10 tier)
	DJANGO_SETTINGS_MODULE=bench.settings BENCH_SCALE=$(SCALE) $(PY) -m bench

makemessages: install-dev ## Extract translatable strings into locale/*/LC_MESSAGES/django.po
	$(PY) manage.py makemessages --locale zh_Hans --locale en --no-obsolete --ignore 'node_modules/*' --ignore 'tests/*' --ignore 'staticfiles/*'

messages: $(MO) ## Compile the translation catalogs

install: $(VENV)/.runtime node_modules/.installed $(MO)
install-dev: $(VENV)/.dev node_modules/.installed $(MO)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

%.mo: %.po
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (apt-get install gettext)"; exit 1; }
	msgfmt --check-format -o $@ $<

clean: ## Remove the virtualenv, node_modules, compiled catalogs and the SQLite database
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 $(MO)
