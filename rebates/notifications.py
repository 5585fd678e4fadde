"""The notifications of rebate settlements, each to the next actor, rendered in the reader's language from
their figures. Registered when the app loads (``RebatesConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from channelhub.formatting import money
from channelhub.notifications.services import notify, notify_role
from channelhub.notifications.types import register, written
from channelhub.roles import Role


def _amount(params) -> str:
    return _("%(dealer)s, %(period)s: %(amount)s.") % {
        "dealer": params.get("dealer", ""),
        "period": params.get("period", ""),
        "amount": money(params.get("amount")),
    }


def register_kinds() -> None:
    register(
        "rebate_settlement.submitted",
        title=lambda p: _("The rebate settlement of %(dealer)s for %(period)s waits for your approval") % p,
        body=_amount,
    )
    register(
        "rebate_settlement.approved",
        title=lambda p: _("The rebate settlement of %(dealer)s for %(period)s was approved") % p,
        body=_amount,
    )
    register(
        "rebate_settlement.rejected",
        title=lambda p: _("The rebate settlement of %(dealer)s for %(period)s was rejected") % p,
        body=written("reason"),
    )
    register(
        "rebate_settlement.paid",
        title=lambda p: _("The rebate settlement of %(dealer)s for %(period)s was paid") % p,
        body=_amount,
    )


def _url(settlement) -> str:
    return reverse("rebates:settlement-detail", args=[settlement.pk])


def _params(settlement, **extra) -> dict:
    return {
        "dealer": settlement.dealer.name,
        "period": settlement.period,
        "amount": f"{settlement.net_amount:.2f}",
        **extra,
    }


def settlement_submitted(settlement) -> int:
    return notify_role(
        Role.FINANCE,
        key=f"rebate-settlement-{settlement.pk}-submitted-{settlement.submitted_at:%Y%m%d%H%M%S%f}",
        kind="rebate_settlement.submitted",
        params=_params(settlement),
        url=_url(settlement),
        exclude=[settlement.submitted_by_id],
    )


def settlement_decided(settlement, *, approved: bool) -> None:
    if settlement.submitted_by is None:
        return
    kind = "rebate_settlement.approved" if approved else "rebate_settlement.rejected"
    notify(
        recipient=settlement.submitted_by,
        key=f"rebate-settlement-{settlement.pk}-{kind}-{settlement.submitted_at:%Y%m%d%H%M%S%f}",
        kind=kind,
        params=_params(settlement, reason=settlement.rejection_reason),
        url=_url(settlement),
    )


def settlement_paid(settlement) -> None:
    if settlement.submitted_by is None:
        return
    notify(
        recipient=settlement.submitted_by,
        key=f"rebate-settlement-{settlement.pk}-paid",
        kind="rebate_settlement.paid",
        params=_params(settlement),
        url=_url(settlement),
    )
