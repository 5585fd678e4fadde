"""The one Celery app. Configuration comes from Django settings (``CELERY_*``).

* ``check_broker`` — does the broker answer within a few seconds? Raises kombu's ``OperationalError`` if not.
* ``require_broker`` — the same for a request about to queue work: ``BrokerUnavailable`` (503, a clear
  message) when the broker does not answer, so that the request writes nothing; nothing is checked
  when tasks run eagerly (no broker configured).

The settings give a sending process (the web) little patience with a broker that is down: a request
answers within a few seconds. A worker is more patient (``WORKER_RETRY_POLICY``): a task that is
finishing waits out a broker restart rather than failing.
"""

from __future__ import annotations

import logging
import os

from celery import Celery, signals
from django.utils.translation import gettext_lazy as _

from channelhub.errors import DomainError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "channelhub.settings.local")

app = Celery("channelhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger(__name__)

#: Seconds the reachability check may take in all (two attempts, each giving up on connecting after
#: ``CELERY_BROKER_CONNECTION_TIMEOUT``).
BROKER_CHECK_TIMEOUT = 3
#: A worker's patience with the broker and the result store: up to 20 attempts over about a minute.
WORKER_RETRY_POLICY = {"max_retries": 20, "interval_start": 0, "interval_step": 1, "interval_max": 5}


class BrokerUnavailable(DomainError):
    """The broker (Redis) does not answer: the work cannot be queued, so nothing was done (503)."""

    status_code = 503
    default_message = _("The task queue (Redis) cannot be reached; nothing was done. Try again in a few minutes.")


def check_broker(url: str | None = None) -> None:
    """Connect to the broker (``url``, or the configured one) within ``BROKER_CHECK_TIMEOUT`` seconds,
    one retry; kombu's ``OperationalError`` when it does not answer."""
    with app.connection_for_write(url) as connection:
        connection.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0.5, interval_max=0.5, timeout=BROKER_CHECK_TIMEOUT
        )


def require_broker(message: str | None = None) -> None:
    """Before writing what a task will carry out: ``BrokerUnavailable`` (with ``message``) unless the
    broker answers. Nothing is checked when tasks run eagerly (they need no broker)."""
    if app.conf.task_always_eager:
        return
    try:
        check_broker()
    except Exception as error:  # kombu raises many transport-specific errors; any of them means "down"
        log.warning("Broker unreachable: %s", error)
        raise BrokerUnavailable(message) from error


@signals.celeryd_init.connect
def _patient_worker(sender=None, conf=None, **kwargs) -> None:
    """In a worker, retry publishing and the result store for about a minute (the settings' short
    policies are for requests, which must answer quickly)."""
    conf = conf or app.conf
    conf.task_publish_retry_policy = WORKER_RETRY_POLICY
    conf.result_backend_transport_options = {
        **(conf.result_backend_transport_options or {}),
        "retry_policy": WORKER_RETRY_POLICY,
    }
