"""What waits in commissions (the dashboards' to-do counts, ``channelhub.todos``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from channelhub.periods import Month
from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def _to_pay(user):
    from commissions.models import Statement
    from commissions.selectors import statement_list

    return statement_list(user).filter(status=Statement.Status.APPROVED, payable_amount__gt=0)


def _payout_url(user) -> str:
    oldest = _to_pay(user).order_by("period").values_list("period", flat=True).first()
    period = oldest or str(Month.current().previous())
    return f"{reverse('commissions:payout-export')}?period={period}"


def register_todos() -> None:
    from commissions.models import Dispute, Statement
    from commissions.selectors import approval_queue, dispute_list, statement_list

    register_todo(
        "statements-to-approve",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("commission statements to approve"),
        rows=approval_queue,
        url=queue_url("commissions:approval-queue"),
    )
    register_todo(
        "statements-to-pay",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("approved statements to pay"),
        rows=_to_pay,
        url=_payout_url,
    )
    register_todo(
        "statements-to-submit",
        roles=[Role.CHANNEL_MANAGER],
        label=_("draft statements to submit"),
        rows=lambda user: (
            statement_list(user)
            .filter(status=Statement.Status.DRAFT, period__lt=str(Month.current()))
            .exclude(rep=user)
        ),
        url=queue_url("commissions:statement-list", status="draft"),
    )
    register_todo(
        "disputes-to-answer",
        roles=[Role.CHANNEL_MANAGER, Role.ADMIN],
        label=_("disputes to answer"),
        rows=lambda user: dispute_list(user).filter(status=Dispute.Status.OPEN).exclude(rep=user),
        url=queue_url("commissions:dispute-list", status="open"),
    )
