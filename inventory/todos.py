"""What waits in dealer stock (the dashboards' to-do counts, ``channelhub.todos``): each next actor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from inventory import selectors

    register_todo(
        "stock-reports-to-confirm",
        roles=[Role.CHANNEL_MANAGER],
        label=_("stock reports to confirm"),
        rows=selectors.reports_to_confirm,
        url=queue_url("inventory:health", status="submitted"),
    )
    register_todo(
        "stock-reports-returned",
        roles=[Role.FIELD_REP],
        label=_("returned stock reports to correct"),
        rows=selectors.reports_returned,
        url=queue_url("inventory:health", status="returned"),
    )
