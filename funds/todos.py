"""What waits in channel funds (the dashboards' to-do counts, ``channelhub.todos``): each next actor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from funds import selectors

    register_todo(
        "fund-requests-to-approve",
        roles=[Role.CHANNEL_MANAGER, Role.ADMIN],
        label=_("fund requests to approve"),
        rows=selectors.manager_queue,
        url=queue_url("funds:approvals"),
    )
    register_todo(
        "fund-claims-to-check",
        roles=[Role.CHANNEL_MANAGER, Role.ADMIN],
        label=_("fund claims to check"),
        rows=selectors.claims_to_check,
        url=queue_url("funds:approvals"),
    )
    register_todo(
        "fund-requests-finance",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("fund requests for finance's approval"),
        rows=selectors.finance_queue,
        url=queue_url("funds:approvals"),
    )
    register_todo(
        "fund-claims-to-settle",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("fund claims to settle"),
        rows=selectors.claims_to_settle,
        url=queue_url("funds:approvals"),
    )
    register_todo(
        "deposit-refunds-to-decide",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("deposit refunds to decide"),
        rows=selectors.refunds_to_decide,
        url=queue_url("funds:deposit-list"),
    )
    register_todo(
        "fund-requests-to-claim",
        roles=[Role.FIELD_REP],
        label=_("approved fund requests to claim"),
        rows=selectors.requests_to_claim,
        url=queue_url("funds:request-list", status="approved"),
    )
