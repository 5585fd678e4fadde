"""One place that turns domain and Django errors into JSON answers.

* 400 — ``{"field": ["message", …], "non_field_errors": […]}`` for bad input (DRF and Django
  ``ValidationError`` alike);
* 401/403 — ``{"detail": …}`` (not authenticated / not allowed, including segregation of duties);
* 404 — ``{"detail": …}`` for unknown or out-of-scope objects;
* 409 — ``{"detail": …, "current_state": …}`` for ``TransitionNotAllowed`` and other conflicts;
* 503 — ``{"detail": …}`` with ``Retry-After`` when a service the request needs is down (the broker:
  ``channelhub.celery.BrokerUnavailable``); nothing was written.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from channelhub.errors import DomainError

#: What a 503 asks the client to wait before trying again.
RETRY_AFTER_SECONDS = 30


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if exc.status_code == 503 else None
        return Response({"detail": str(exc), **exc.extra}, status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=as_serializer_error(exc))
    return drf_exception_handler(exc, context)
