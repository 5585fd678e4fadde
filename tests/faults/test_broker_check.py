"""A broker that cannot be reached (nothing listens on its port), without any server: runs on SQLite too.

* starting a run checks the broker before writing: the API answers 503 with ``detail``, the page shows
  the refusal, the monthly schedule's run raises the broker's error (its task retries) — nothing written;
* with tasks eager (no broker configured) nothing is checked;
* a dead broker answers within seconds: the check, and a task sent anyway (the settings' timeouts and
  publish/result-store retry policies); a worker keeps the patient policies.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from kombu.exceptions import OperationalError as BrokerDown

from channelhub import celery as channelhub_celery
from channelhub.celery import WORKER_RETRY_POLICY, BrokerUnavailable, require_broker
from channelhub.tasks import RETRY_ON
from commissions import tasks
from commissions.models import CommissionRun, Statement
from commissions.services import runs
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY
from tests.workers import celery_sends_to, free_port, new_queue

july = runs_world.july
run_now = runs_world.run_now
RUNS = "/api/v1/commission-runs/"
#: The check gives up within about 3 s (two attempts); a task sent anyway within about as long.
WITHIN_SECONDS = 4.0


@pytest.fixture
def broker_down():
    """This process sends tasks (not eagerly) to a Redis URL where nothing listens."""
    with celery_sends_to(f"redis://127.0.0.1:{free_port()}/0", new_queue()):
        yield


def test_the_api_answers_503_and_writes_nothing(july, broker_down, api_as, finance):
    started = time.monotonic()
    response = api_as(finance).post(RUNS, {"period": JULY}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert time.monotonic() - started < WITHIN_SECONDS
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "cannot be reached" in response.json()["detail"] and "nothing was saved" in response.json()["detail"]
    assert not CommissionRun.objects.exists() and not Statement.objects.exists()


def test_bad_input_is_still_answered_first(july, broker_down, api_as, finance, rep):
    assert api_as(finance).post(RUNS, {"period": "2026-13"}, format="json").status_code == 400
    assert api_as(rep).post(RUNS, {"period": JULY}, format="json").status_code == 403
    assert not CommissionRun.objects.exists()


def test_the_page_shows_the_refusal_and_writes_nothing(july, broker_down, client_as, manager, settings):
    settings.LANGUAGE_CODE = "en"
    page = client_as(manager).post("/kpi/runs/new/", {"period": JULY})
    assert page.status_code == 503
    assert "The task queue (Redis) cannot be reached" in page.content.decode()
    assert not CommissionRun.objects.exists()


def test_the_scheduled_run_raises_the_brokers_error_so_its_task_retries(july, broker_down):
    with pytest.raises(BrokerDown) as raised:
        runs.run_start_scheduled(period=JULY)
    assert isinstance(raised.value, RETRY_ON)  # reliable_task retries it with backoff
    assert not CommissionRun.objects.exists()


def test_with_tasks_eager_the_broker_is_not_checked(july, finance, run_now, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the broker was checked")

    monkeypatch.setattr(channelhub_celery, "check_broker", never)
    require_broker()
    assert run_now(finance).status == "done"


def test_a_dead_broker_answers_within_seconds(broker_down):
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable):
        require_broker()
    assert time.monotonic() - started < WITHIN_SECONDS

    # A task sent without the check (a notification's e-mail, a race) fails as quickly (Celery's
    # defaults would retry the result store for 20 s).
    started = time.monotonic()
    with pytest.raises(Exception):  # noqa: B017 - kombu or Celery's result store: either means "down"
        tasks.run_commissions.delay(0)
    assert time.monotonic() - started < WITHIN_SECONDS


def test_a_worker_is_patient_with_the_broker():
    conf = SimpleNamespace(task_publish_retry_policy={"max_retries": 2}, result_backend_transport_options={"a": 1})
    channelhub_celery._patient_worker(conf=conf)
    assert conf.task_publish_retry_policy == WORKER_RETRY_POLICY
    assert conf.result_backend_transport_options == {"a": 1, "retry_policy": WORKER_RETRY_POLICY}
    assert WORKER_RETRY_POLICY["max_retries"] >= 10
