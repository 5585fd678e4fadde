"""Task conventions (SPEC §9) and the housekeeping tasks.

* ``reliable_task`` — a shared task that retries with exponential backoff on database or broker
  errors and is acknowledged late (re-delivered if its worker dies). Use it only for tasks that
  are safe to run twice (idempotent), which every channelhub task must be.
* ``enqueue_on_commit`` — queue a task once the surrounding transaction has committed, so a
  worker never looks for rows that are not there yet.
"""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerOperationalError

RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, ConnectionError, TimeoutError)


def reliable_task(*args, **options):
    defaults = {
        "autoretry_for": RETRY_ON,
        "retry_backoff": True,
        "retry_backoff_max": 600,
        "retry_jitter": True,
        "max_retries": 6,
        "acks_late": True,
        "reject_on_worker_lost": True,
    }
    return shared_task(*args, **{**defaults, **options})


def enqueue_on_commit(task, *args, **kwargs) -> None:
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


@reliable_task(name="channelhub.ping")
def ping() -> str:
    """Answer ``pong``: proves a worker picks up and runs tasks (used by the tests and operators)."""
    return "pong"


@reliable_task(name="channelhub.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Daily: drop expired sessions (idempotent)."""
    call_command("clearsessions")
