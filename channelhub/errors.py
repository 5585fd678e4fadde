"""Domain errors. Services raise these; the API handler and the page middleware turn them into HTTP.

* API (``channelhub.api.exceptions``): ``{"detail": "…"}`` with ``status_code``.
* Pages (``channelhub.middleware.DomainErrorMiddleware``): an error message and a redirect back.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request that the rules refuse. ``status_code`` is what the API answers."""

    status_code = 400
    default_message = _("This request is not allowed.")

    def __init__(self, message: str | None = None, **extra: Any) -> None:
        self.message = str(message or self.default_message)
        #: Extra keys for the API body, next to ``detail``.
        self.extra = extra
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class Conflict(DomainError):
    """The request clashes with the current state of the data (409)."""

    status_code = 409
    default_message = _("This conflicts with the current state of the data.")


class TransitionNotAllowed(Conflict):
    """A state transition that is not allowed from the object's current state (409)."""

    default_message = _("This action is not allowed in the current state.")
