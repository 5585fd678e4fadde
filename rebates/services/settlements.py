"""The life cycle of a rebate settlement (SPEC §15): ``draft → submitted`` (the dealer's manager) ``→ approved``
(finance, not the submitter) ``→ paid`` (finance, with the credit note number or payment reference);
``submitted → draft`` when finance rejects it with a reason (the next run recomputes it).

Each transition locks the row: two approvals at the same moment give one approval and one 409.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.fields import validate_year
from rebates import notifications, policies
from rebates.models import RebateSettlement


def _locked(settlement: RebateSettlement) -> RebateSettlement:
    return (
        RebateSettlement.objects.select_for_update(of=("self",))
        .select_related("dealer", "dealer__territory")
        .get(pk=settlement.pk)
    )


@transaction.atomic
def settlement_submit(*, actor, settlement: RebateSettlement, comment: str = "") -> RebateSettlement:
    locked = _locked(settlement)
    policies.require(
        policies.submits_for(actor, locked.dealer),
        _("Only the dealer's channel manager submits its rebate settlement."),
    )
    RebateSettlement.workflow.apply(
        locked,
        "submit",
        by=actor,
        comment=comment,
        changes={"submitted_by": actor, "submitted_at": timezone.now(), "rejection_reason": ""},
    )
    notifications.settlement_submitted(locked)
    return locked


def _require_decider(actor, locked: RebateSettlement) -> None:
    """Finance, and (while it is submitted) not the one who submitted it: 403 otherwise."""
    policies.require(policies.is_finance(actor), _("Only finance approves or rejects a rebate settlement."))
    if locked.status == RebateSettlement.Status.SUBMITTED:
        refusal = policies.decision_refusal(actor, locked)
        policies.require(refusal is None, refusal)


@transaction.atomic
def settlement_approve(*, actor, settlement: RebateSettlement, comment: str = "") -> RebateSettlement:
    locked = _locked(settlement)
    _require_decider(actor, locked)
    RebateSettlement.workflow.apply(
        locked, "approve", by=actor, comment=comment, changes={"approved_by": actor, "approved_at": timezone.now()}
    )
    notifications.settlement_decided(locked, approved=True)
    return locked


@transaction.atomic
def settlement_reject(*, actor, settlement: RebateSettlement, reason: Any) -> RebateSettlement:
    """submitted → draft with a reason (finance, not the submitter). The role and the state are checked before
    the reason: 403, then 409, then 400 without one."""
    locked = _locked(settlement)
    _require_decider(actor, locked)
    reason = str(reason or "").strip()
    if not reason and RebateSettlement.workflow.can(locked, "reject"):
        raise ValidationError({"reason": _("Say why the settlement is rejected.")})
    RebateSettlement.workflow.apply(locked, "reject", by=actor, comment=reason, changes={"rejection_reason": reason})
    notifications.settlement_decided(locked, approved=False)
    return locked


def _paid_on(value: Any, approved_at) -> date:
    if value in (None, ""):
        return timezone.localdate()
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError({"paid_on": _("Enter a date as YYYY-MM-DD.")}) from None
    try:
        validate_year(day)
    except ValidationError as error:
        raise ValidationError({"paid_on": error.messages}) from None
    if day > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    if approved_at is not None and day < timezone.localtime(approved_at).date():
        raise ValidationError(
            {
                "paid_on": _("The payment date cannot be before the approval (%(day)s).")
                % {"day": timezone.localtime(approved_at).date().isoformat()}
            }
        )
    return day


@transaction.atomic
def settlement_mark_paid(
    *, actor, settlement: RebateSettlement, payment_reference: Any, paid_on: Any = None, comment: str = ""
) -> RebateSettlement:
    """Paid by a credit note (its number) or in cash (the payment reference), on ``paid_on`` (today by default;
    not in the future, not before the approval). The role and the state are checked before the input: 403,
    then 409, then 400."""
    locked = _locked(settlement)
    policies.require(policies.is_finance(actor), _("Only finance marks a rebate settlement paid."))
    reference, day = "", None
    if RebateSettlement.workflow.can(locked, "mark_paid"):
        reference = str(payment_reference or "").strip()
        if not reference:
            raise ValidationError({"payment_reference": _("Enter the credit note number or the payment reference.")})
        if len(reference) > 64:
            raise ValidationError({"payment_reference": _("At most 64 characters.")})
        day = _paid_on(paid_on, locked.approved_at)
    RebateSettlement.workflow.apply(
        locked,
        "mark_paid",
        by=actor,
        comment=comment,
        changes={"payment_reference": reference, "paid_on": day, "paid_by": actor},
    )
    notifications.settlement_paid(locked)
    return locked
