"""The project's shape (SPEC §1): the files a newcomer and the deployment rely on."""

from pathlib import Path

import yaml
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parents[1]


def test_top_level_layout_of_spec_section_1():
    for name in [
        "manage.py",
        "channelhub/settings/base.py",
        "channelhub/settings/local.py",
        "channelhub/settings/production.py",
        "channelhub/settings/test.py",
        "channelhub/urls.py",
        "channelhub/celery.py",
        "channelhub/wsgi.py",
        "channelhub/asgi.py",
        "partners/apps.py",
        "visits/apps.py",
        "kpi/apps.py",
        "templates/base.html",
        "static/css/channelhub.css",
        "requirements.txt",
        "requirements-dev.txt",
        "docker-compose.yml",
        "Dockerfile",
        "README.md",
        "Makefile",
        ".ci/run",
    ]:
        assert (BASE_DIR / name).exists(), name


def test_readme_starts_with_the_two_commands():
    head = (BASE_DIR / "README.md").read_text()[:1500]
    assert "make run" in head and "make test" in head


def test_requirements_are_pinned():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (BASE_DIR / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert "==" in line, f"{name}: {line} is not pinned"


def test_docker_compose_has_the_production_shape():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert env["SECRET_KEY"] == "${SECRET_KEY:-}"  # never a default key in the file


def test_no_model_change_lacks_a_migration(db):
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
