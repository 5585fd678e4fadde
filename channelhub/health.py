"""``GET /healthz`` (SPEC §1): is the database reachable, and the broker (or are tasks eager)?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("healthz: database unreachable")
        return "unreachable"
    return "ok"


def broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "eager"
    from channelhub.celery import check_broker

    try:
        check_broker(settings.CELERY_BROKER_URL)  # within a few seconds, whatever the broker's state
    except Exception:  # kombu raises many transport-specific errors; any of them means "down"
        log.warning("healthz: broker unreachable", exc_info=True)
        return "unreachable"
    return "ok"


@never_cache
@require_GET
@login_not_required
def healthz(request):
    """200 when the database answers, 503 when it does not. The broker is reported but does not
    fail the check: pages keep working while the broker restarts, so the web stays in rotation."""
    body = {"db": database_status(), "broker": broker_status()}
    return JsonResponse(body, status=200 if body["db"] == "ok" else 503)
