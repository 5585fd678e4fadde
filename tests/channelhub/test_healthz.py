from unittest import mock

import pytest
from django.db import OperationalError, connection


def test_healthy_answers_200_with_db_ok_and_eager_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "broker": "eager"}


def test_database_down_answers_503(client, db):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["db"] == "unreachable"


def test_unreachable_broker_is_reported_but_not_fatal(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok", "broker": "unreachable"}


@pytest.mark.redis
def test_real_broker_answers_ok(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.json() == {"db": "ok", "broker": "ok"}


def test_healthz_needs_no_login_and_only_reads(client, db):
    assert client.get("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
