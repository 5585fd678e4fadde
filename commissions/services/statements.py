"""Commission statements (提成单, SPEC §6): submit, approve, reject, reopen, mark paid.

Statements are written only by commission runs (``commissions.services.runs``); after that they move along
``Statement.workflow``:

    draft ──submit──▶ submitted ──approve──▶ approved ──mark_paid──▶ paid
                          │
                          └──reject──▶ rejected ──reopen──▶ draft (the next run recomputes it)

Who does what (SPEC §2 row "commission statements"; docs/commissions/statements.md):

* *submit* — the rep's manager or an admin, never for a statement of their own;
* *approve* — finance or an admin, never the one who submitted it nor its beneficiary (segregation of
  duties, 403); two approvals at the same moment give one approval and one 409 (the workflow locks the row);
* *reject* — finance or an admin (not its beneficiary), with a reason;
* *reopen* — the rep's manager or an admin, once the open disputes on it are answered;
* *mark paid* — finance or an admin (not its beneficiary), with the payment reference and the date, for a
  statement that pays something (a negative month pays 0.00: its net is carried forward, §6); a whole
  period's list at once through ``payouts.statements_mark_paid``.

Approved and paid statements never change (``check_not_final``, 409). Every transition is logged by the
workflow (who, when, from, to, comment); the rep is notified when their statement is approved, rejected
or paid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict
from channelhub.notifications.services import notify, notify_role
from channelhub.periods import local_date
from channelhub.roles import Role
from channelhub.scoping import SegregationOfDutiesError, check_segregation
from commissions.models import Dispute, Statement
from commissions.policies import (
    APPROVE_REFUSAL,
    OWN_REFUSALS,
    is_finance,
    is_submitter,
)

ZERO = Decimal("0.00")
#: ``Statement.payment_reference``'s length.
REFERENCE_MAX = 64


class StatementFinal(Conflict):
    """A change to an approved or paid statement (409): they never change again (SPEC §6)."""


def check_not_final(statement: Statement) -> None:
    """Refuse (409, naming the state) any change to an approved or paid statement."""
    if statement.status in Statement.FINAL:
        raise StatementFinal(
            _("This statement is “%(state)s”; approved and paid statements never change.")
            % {"state": statement.get_status_display()},
            current_state=statement.status,
        )


# --- who may do what (for a statement the user can already see) ------------------------------------


# --- the life cycle --------------------------------------------------------------------------------


def _locked(statement: Statement) -> Statement:
    """The statement's row, locked for this transaction and read afresh (who submitted it, its state)."""
    return Statement.objects.select_for_update().get(pk=statement.pk)


def _url(statement: Statement) -> str:
    return reverse("commissions:statement-detail", args=[statement.pk])


def _tell_rep(statement: Statement, event: str, **params: str) -> None:
    """Notify the rep that their statement was ``event`` (``approved``, ``paid``): the period, the amount
    payable and ``params``, once per statement and event."""
    notify(
        recipient=statement.rep,
        key=f"statement-{event}:{statement.pk}",
        kind=f"statement.{event}",
        params={"period": statement.period, "payable": f"{statement.payable_amount:.2f}", **params},
        url=_url(statement),
    )


@transaction.atomic
def statement_submit(*, actor, statement: Statement, comment: str = "", now=None) -> Statement:
    """draft → submitted, by the rep's manager or an admin (403 otherwise; 409 unless ``draft``)."""
    statement = _locked(statement)
    if statement.rep_id == actor.pk:
        raise SegregationOfDutiesError(OWN_REFUSALS["submit"])
    if not is_submitter(actor, statement):
        raise PermissionDenied(_("Only the rep's manager or an administrator submits a commission statement."))
    changes = {"submitted_by": actor, "submitted_at": now or timezone.now(), "rejection_reason": ""}
    change = Statement.workflow.apply(statement, "submit", by=actor, comment=comment, changes=changes)
    notify_role(
        Role.FINANCE,
        key=f"statement-submitted:{change.pk}",
        kind="statement.submitted",
        params={
            "rep": display_name(statement.rep),
            "period": statement.period,
            "payable": f"{statement.payable_amount:.2f}",
        },
        url=reverse("commissions:approval-queue"),
        exclude=[actor, statement.rep_id],
    )
    return statement


@transaction.atomic
def statement_approve(*, actor, statement: Statement, comment: str = "", now=None) -> Statement:
    """submitted → approved, by finance or an admin; never by its submitter nor its beneficiary (403).

    The row is locked before anything is checked, so of two approvals at the same moment the second
    waits, then finds the statement approved and is refused (409 naming the state).
    """
    statement = _locked(statement)
    check_segregation(
        actor=actor, submitted_by=statement.submitted_by, beneficiary=statement.rep, refusal=APPROVE_REFUSAL
    )
    if not is_finance(actor):
        raise PermissionDenied(_("Only finance or an administrator approves a commission statement."))
    changes = {"approved_by": actor, "approved_at": now or timezone.now()}
    Statement.workflow.apply(statement, "approve", by=actor, comment=comment, changes=changes)
    if statement.carried_forward < 0:
        statement_carry_into_next_draft(statement)
    _tell_rep(statement, "approved", carried_forward=f"{statement.carried_forward:.2f}")
    return statement


def statement_carry_into_next_draft(statement: Statement) -> None:
    """An approved negative month goes into the rep's next draft monthly statement at once when there is
    one (else the run that writes it adds the line)."""
    from commissions.selectors import next_open_statement
    from commissions.services.disputes import statement_apply_adjustments

    if statement.kind != Statement.Kind.MONTHLY:
        return
    following = next_open_statement(statement.rep_id, after=statement.period)
    if following is not None:
        statement_apply_adjustments(following)


@transaction.atomic
def statement_reject(*, actor, statement: Statement, reason: str) -> Statement:
    """submitted → rejected, by finance or an admin, with a reason (400 without one).

    The rep and the one who submitted it are told why; the manager reopens it (back to draft) and the
    next run recomputes it.
    """
    statement = _locked(statement)
    if statement.rep_id == actor.pk:
        raise SegregationOfDutiesError(OWN_REFUSALS["reject"])
    if not is_finance(actor):
        raise PermissionDenied(_("Only finance or an administrator rejects a commission statement."))
    reason = (reason or "").strip()
    if not reason and Statement.workflow.can(statement, "reject"):
        raise ValidationError({"reason": _("Say why the statement is rejected.")})
    change = Statement.workflow.apply(
        statement, "reject", by=actor, comment=reason, changes={"rejection_reason": reason}
    )
    recipients = {statement.rep_id: statement.rep}
    if statement.submitted_by_id:
        recipients.setdefault(statement.submitted_by_id, statement.submitted_by)
    for recipient in recipients.values():
        # one notification per rejection: a statement may be rejected again after it is resubmitted
        notify(
            recipient=recipient,
            key=f"statement-rejected:{change.pk}",
            kind="statement.rejected",
            params={"period": statement.period, "reason": reason},
            url=_url(statement),
        )
    return statement


@transaction.atomic
def statement_reopen(*, actor, statement: Statement, comment: str = "") -> Statement:
    """rejected → draft, by the rep's manager or an admin, so that the next run recomputes it.

    Refused (409) while a dispute on one of its lines is open: answer it first, since a recomputation
    replaces the lines.
    """
    statement = _locked(statement)
    if not is_submitter(actor, statement):
        raise PermissionDenied(_("Only the rep's manager or an administrator reopens a commission statement."))
    if Statement.workflow.can(statement, "reopen"):
        open_disputes = Dispute.objects.filter(line__statement=statement, status=Dispute.Status.OPEN).count()
        if open_disputes:
            raise Conflict(
                ngettext(
                    "%(count)d dispute on this statement is still open; answer it before reopening it.",
                    "%(count)d disputes on this statement are still open; answer them before reopening it.",
                    open_disputes,
                )
                % {"count": open_disputes},
                current_state=statement.status,
            )
    Statement.workflow.apply(statement, "reopen", by=actor, comment=comment)
    return statement


def payment_problems(payment_reference: str, paid_on: date | None) -> dict[str, str]:
    """What is wrong with the bank reference and the date of a payment, by field (empty: nothing)."""
    errors = {}
    reference = (payment_reference or "").strip()
    if not reference:
        errors["payment_reference"] = _("Enter the bank's payment reference.")
    elif len(reference) > REFERENCE_MAX:
        errors["payment_reference"] = _("At most %(max)d characters.") % {"max": REFERENCE_MAX}
    if not isinstance(paid_on, date):
        errors["paid_on"] = _("Enter the date the commission was paid.")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("The payment date cannot be in the future.")
    return errors


@transaction.atomic
def statement_mark_paid(
    *, actor, statement: Statement, payment_reference: str, paid_on: date | None, comment: str = ""
) -> Statement:
    """approved → paid, by finance or an admin (not the beneficiary), with the bank's payment reference
    and the date paid: not in the future, not before the approval (400 otherwise)."""
    statement = _locked(statement)
    if not is_finance(actor):
        raise PermissionDenied(_("Only finance or an administrator records a payment."))
    if statement.rep_id == actor.pk:
        raise SegregationOfDutiesError(OWN_REFUSALS["mark-paid"])
    if statement.payable_amount <= 0 and Statement.workflow.can(statement, "mark_paid"):
        raise Conflict(
            _("This statement pays nothing (%(amount)s payable); there is no payment to record.")
            % {"amount": statement.payable_amount},
            current_state=statement.status,
        )
    errors = payment_problems(payment_reference, paid_on)
    reference = (payment_reference or "").strip()
    if not errors and statement.approved_at and paid_on < local_date(statement.approved_at):
        errors["paid_on"] = _("The payment date cannot be before the approval (%(day)s).") % {
            "day": local_date(statement.approved_at).isoformat()
        }
    if errors and Statement.workflow.can(statement, "mark_paid"):
        raise ValidationError(errors)
    changes = {"payment_reference": reference, "paid_at": paid_on}
    Statement.workflow.apply(statement, "mark_paid", by=actor, comment=comment, changes=changes)
    _tell_rep(statement, "paid", paid_on=paid_on.isoformat(), reference=reference)
    return statement


# --- reads -----------------------------------------------------------------------------------------
