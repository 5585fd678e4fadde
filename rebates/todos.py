"""What waits in rebates (the dashboards' to-do counts, ``channelhub.todos``): each next actor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from rebates import selectors

    register_todo(
        "rebate-settlements-to-submit",
        roles=[Role.CHANNEL_MANAGER],
        label=_("rebate settlements to submit"),
        rows=selectors.settlements_to_submit,
        url=queue_url("rebates:settlement-list", status="draft"),
    )
    register_todo(
        "rebate-settlements-to-approve",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("rebate settlements to approve"),
        rows=selectors.settlements_to_approve,
        url=queue_url("rebates:settlement-list", status="submitted"),
    )
    register_todo(
        "rebate-settlements-to-pay",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("approved rebate settlements to pay"),
        rows=selectors.settlements_to_pay,
        url=queue_url("rebates:settlement-list", status="approved"),
    )
