"""The environment decides: each case starts a fresh Python with only the variables it names."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

READ_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "debug": settings.DEBUG,
    "time_zone": settings.TIME_ZONE,
    "language": settings.LANGUAGE_CODE,
    "currency": settings.CURRENCY,
}))
"""


def run_python(code: str, settings_module: str = "channelhub.settings.local", **variables: str):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "PYTHONPATH": str(BASE_DIR),
        "DJANGO_SETTINGS_MODULE": settings_module,
        **variables,
    }
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=BASE_DIR, capture_output=True, text=True)


def read_settings(settings_module: str = "channelhub.settings.local", **variables: str) -> dict:
    result = run_python(READ_SETTINGS, settings_module, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_are_sqlite_eager_tasks_shanghai_chinese_cny():
    values = read_settings()
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert (values["time_zone"], values["language"], values["currency"]) == ("Asia/Shanghai", "zh-hans", "CNY")


def test_database_url_switches_to_postgresql():
    values = read_settings(DATABASE_URL="postgres://postgres@db.example:5432/channelhub")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "channelhub"


def test_broker_url_turns_off_eager_tasks():
    values = read_settings(CELERY_BROKER_URL="redis://redis.example:6379/0")
    assert values["eager"] is False
    assert values["broker"] == "redis://redis.example:6379/0"


def test_environment_overrides_locale_and_currency():
    values = read_settings(TIME_ZONE="Europe/Berlin", LANGUAGE_CODE="en", CURRENCY="EUR")
    assert (values["time_zone"], values["language"], values["currency"]) == ("Europe/Berlin", "en", "EUR")


@pytest.mark.parametrize(
    ("name", "value"),
    [("DEBUG", "maybe"), ("TIME_ZONE", "Mars/Olympus"), ("LANGUAGE_CODE", "fr"), ("CONN_MAX_AGE", "soon")],
)
def test_a_bad_value_stops_the_start(name, value):
    variables = {name: value}
    if name == "CONN_MAX_AGE":
        variables["DATABASE_URL"] = "postgres://postgres@db.example:5432/channelhub"
    result = run_python(READ_SETTINGS, **variables)
    assert result.returncode != 0
    assert name in result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = run_python(READ_SETTINGS, "channelhub.settings.production", ALLOWED_HOSTS="channelhub.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_passes_the_deployment_check_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "channelhub.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "channelhub.example.com",
            "DATABASE_URL": "postgres://channelhub@db:5432/channelhub",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout
