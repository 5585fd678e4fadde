"""The notifications of commission statements and disputes, rendered in the reader's language from their
figures (``channelhub.notifications.types``). Registered when the app loads (``CommissionsConfig.ready``)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from channelhub.formatting import money
from channelhub.notifications.types import register, written


def _payable(params) -> str:
    return _("Payable: %(amount)s.") % {"amount": money(params.get("payable"))}


def _approved_body(params) -> str:
    carried = Decimal(params.get("carried_forward") or "0")
    if carried < 0:
        return _("Nothing payable: %(amount)s is carried forward into your next monthly statement.") % {
            "amount": money(carried)
        }
    return _payable(params)


def _verdict(params) -> str:
    return _("accepted") if params.get("verdict") == "accepted" else _("rejected")


def register_kinds() -> None:
    register(
        "statement.submitted",
        title=lambda p: _("%(rep)s's commission statement for %(period)s waits for approval") % p,
        body=_payable,
    )
    register(
        "statement.approved",
        title=lambda p: _("Your commission statement for %(period)s was approved") % p,
        body=_approved_body,
    )
    register(
        "statement.rejected",
        title=lambda p: _("The commission statement for %(period)s was rejected") % p,
        body=written("reason"),
    )
    register(
        "statement.paid",
        title=lambda p: _("Your commission for %(period)s was paid") % p,
        body=lambda p: (
            _("%(amount)s paid on %(day)s, reference %(reference)s.")
            % {"amount": money(p.get("payable")), "day": p.get("paid_on", ""), "reference": p.get("reference", "")}
        ),
    )
    register(
        "dispute.opened",
        title=lambda p: _("%(rep)s disputes the statement for %(period)s") % p,
        body=written("justification"),
    )
    register(
        "dispute.answered",
        title=lambda p: (
            _("Your dispute on the statement for %(period)s was %(verdict)s")
            % {"period": p.get("period", ""), "verdict": _verdict(p)}
        ),
        body=written("answer"),
    )
