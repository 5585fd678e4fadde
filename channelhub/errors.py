"""Domain errors. Services raise these; the API handler and the page middleware turn them into HTTP.

* API (``channelhub.api.exceptions``): ``{"detail": "…"}`` with ``status_code``.
* Pages (``channelhub.middleware.DomainErrorMiddleware``): an error message and a redirect back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
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


class RowErrors(ValidationError):
    """Rows of a list written all or nothing that break the rules: ``by_row[index][field]`` the messages of that
    row's field (``index`` in the order the rows were given). A form puts them on its lines, the API answers them
    per item (``per_item``), an import reports them with the file's row numbers."""

    def __init__(self, by_row: Mapping[int, Mapping[str, list[str]]]) -> None:
        self.by_row = {index: dict(fields) for index, fields in sorted(by_row.items())}
        super().__init__(
            [f"{index}: {message}" for index, fields in self.by_row.items() for m in fields.values() for message in m]
        )

    def per_item(self, count: int) -> list[dict[str, list[str]]]:
        """The errors of each of ``count`` items, ``{}`` for a good one (the API's list answer)."""
        return [{field: list(messages) for field, messages in self.by_row.get(i, {}).items()} for i in range(count)]
