import pytest
from django.conf import settings
from django.db import OperationalError

from channelhub.celery import app
from channelhub.tasks import enqueue_on_commit, ping, reliable_task

attempts = {"flaky": 0}


@reliable_task(name="tests.flaky", retry_backoff=False, max_retries=3)
def flaky():
    attempts["flaky"] += 1
    if attempts["flaky"] < 3:
        raise OperationalError("database went away")
    return attempts["flaky"]


def test_tasks_run_eagerly_in_the_test_settings():
    assert app.conf.task_always_eager is True
    assert ping.delay().get() == "pong"


def test_reliable_task_retries_database_errors():
    attempts["flaky"] = 0
    # Eager retries re-run in place; propagation would stop them after the first.
    app.conf.task_eager_propagates = False
    try:
        result = flaky.apply(throw=False)
    finally:
        app.conf.task_eager_propagates = True
    assert (result.state, result.result, attempts["flaky"]) == ("SUCCESS", 3, 3)


def test_reliable_task_defaults():
    assert ping.acks_late is True
    assert ping.reject_on_worker_lost is True
    assert OperationalError in ping.autoretry_for
    assert ping.retry_backoff is True


def test_enqueue_on_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit(ping)
    assert len(callbacks) == 1


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_clear_expired_sessions_runs(db):
    from channelhub.tasks import clear_expired_sessions

    clear_expired_sessions.delay().get()


@pytest.mark.redis
def test_a_real_worker_runs_tasks_through_the_broker():
    from celery.contrib.testing.worker import start_worker

    app.conf.update(task_always_eager=False, result_backend=settings.CELERY_BROKER_URL)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert ping.delay().get(timeout=20) == "pong"
    finally:
        app.conf.update(task_always_eager=True)
