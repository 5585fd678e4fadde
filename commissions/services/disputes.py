"""Disputes (申诉, SPEC §6): a rep disagrees with one line of a submitted or approved statement.

* *open* — the statement's rep, on a line of their own ``submitted`` or ``approved`` statement whose
  amount passes straight into the net (``disputable_line_ids``): the commission line the deductions are
  taken from (the last of tiers, gate and scorecard factor), a deduction, an adjustment or a released
  retention — not the base, an intermediate commission step, net, retained or payable, which follow from
  the others; with the amount they expected and why. One open dispute per line, and none on a line an
  accepted dispute already settled. The rep's manager is told.
* *accept* / *reject* — the rep's manager or an admin (never the rep), with an answer (required to
  reject). The rep is told.

An accepted dispute never changes the statement it is about: it becomes an **adjustment line** in the
rep's next open statement, signed in the rep's favour (``adjustment_of``): expected − line amount, and
line amount − expected for a deduction (deduction lines hold positive amounts). It goes into the rep's
next open statement — the earliest ``draft`` monthly statement of
a later period — whether the disputed statement was submitted or approved (one rule for both; see
docs/commissions/statements.md). If that draft exists when the dispute is accepted, the line is added at once;
otherwise the run that writes the next draft adds it (``pending_adjustments``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.formatting import as_decimal
from channelhub.locking import KeySpace, hold, hold_many
from channelhub.notifications.services import notify
from channelhub.scoping import SegregationOfDutiesError
from commissions.models import Dispute, Statement, StatementLine
from commissions.policies import (
    DEDUCTION_STEPS,
    DISPUTABLE_STATES,
    disputable_line_ids,
    is_answerer,
)
from commissions.selectors import next_open_statement

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_MONEY = Decimal("999999999999.99")
Step = StatementLine.Step

#: Lines recomputed when adjustments join a draft; adjustment lines go just before the first of them.
SUMMARY_STEPS = (Step.NET, Step.RETAINED, Step.PAYABLE)
#: Added to positions while lines are moved down, so that no two lines share one on the way.
_SHIFT = 10_000
#: The advisory locks that serialise a rep's adjustments and runs (keyed by the rep's ID).
REP_ADJUSTMENTS = KeySpace("rep-adjustments")


# --- who may do what -----------------------------------------------------------------------------


def adjustment_of(dispute: Dispute) -> Decimal:
    """What an accepted dispute adds to the rep's net (positive in the rep's favour): expected − the line's
    amount; for a deduction, which is stored positive, the line's amount − expected."""
    difference = dispute.expected_amount - dispute.line.amount
    return -difference if dispute.line.step in DEDUCTION_STEPS else difference


# --- open and answer -------------------------------------------------------------------------------


def _amount(value: Any) -> Decimal | None:
    number = as_decimal(value)
    if number is None:
        return None
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    return number if -MAX_MONEY <= number <= MAX_MONEY else None


def _statement_url(statement_id: int) -> str:
    return reverse("commissions:statement-detail", args=[statement_id])


@transaction.atomic
def dispute_open(*, actor, line: StatementLine, expected_amount: Decimal | str, justification: str) -> Dispute:
    """The rep disputes ``line`` of their submitted or approved statement.

    403 for anyone but the statement's rep; 409 when the statement is in another state or the line
    already has an open or accepted dispute; 400 for a line that cannot be disputed, a missing
    justification, or an expected amount equal to the line's.
    """
    # The line's row is locked, so two disputes opened at the same moment on one line give one dispute.
    line = StatementLine.objects.select_for_update(of=("self",)).select_related("statement").get(pk=line.pk)
    statement = line.statement
    if statement.rep_id != actor.pk:
        raise PermissionDenied(_("Only the rep whose statement it is may dispute it."))
    if statement.status not in DISPUTABLE_STATES:
        raise Conflict(
            _("This statement is “%(state)s”; only a submitted or approved statement can be disputed.")
            % {"state": statement.get_status_display()},
            current_state=statement.status,
        )
    taken = line.disputes.filter(status__in=[Dispute.Status.OPEN, Dispute.Status.ACCEPTED]).first()
    if taken is not None:
        message = (
            _("This line already has an open dispute.")
            if taken.status == Dispute.Status.OPEN
            else _("An accepted dispute already settled this line.")
        )
        raise Conflict(message, current_state=taken.status)
    errors = {}
    if line.pk not in disputable_line_ids(statement.lines.all()):
        errors["line"] = _(
            "The “%(step)s” line follows from other lines: dispute the commission line the deductions are "
            "taken from, a deduction or an adjustment."
        ) % {"step": line.get_step_display()}
    expected = _amount(expected_amount)
    if expected is None:
        errors["expected_amount"] = _("Enter the amount you expected, e.g. 1250.00.")
    elif expected == line.amount:
        errors["expected_amount"] = _("This is the line's amount; enter the amount you expected instead.")
    justification = (justification or "").strip()
    if not justification:
        errors["justification"] = _("Say why you expected another amount.")
    if errors:
        raise ValidationError(errors)
    dispute = Dispute.objects.create(
        line=line, rep_id=statement.rep_id, expected_amount=expected, justification=justification
    )
    Dispute.workflow.record_creation(dispute, by=actor, comment=justification)
    manager = getattr(getattr(actor, "profile", None), "manager", None)
    if manager is not None:
        notify(
            recipient=manager,
            key=f"dispute-opened:{dispute.pk}",
            kind="dispute.opened",
            params={
                "rep": actor.get_full_name() or actor.get_username(),
                "period": statement.period,
                "justification": justification,
            },
            url=_statement_url(statement.pk),
        )
    return dispute


def _check_answerer(actor, dispute: Dispute) -> None:
    if dispute.rep_id == actor.pk:
        raise SegregationOfDutiesError(_("You cannot answer your own dispute."))
    if not is_answerer(actor, dispute):
        raise PermissionDenied(_("Only the rep's manager or an administrator answers a dispute."))


def _answered(dispute: Dispute, actor, verdict: str) -> None:
    statement = dispute.line.statement
    notify(
        recipient=dispute.rep,
        key=f"dispute-answered:{dispute.pk}",
        kind="dispute.answered",
        params={"period": statement.period, "verdict": verdict, "answer": dispute.answer},
        url=_statement_url(statement.pk),
    )


@transaction.atomic
def dispute_accept(*, actor, dispute: Dispute, answer: str = "", now=None) -> Dispute:
    """open → accepted: the difference becomes an adjustment line in the rep's next open statement
    (at once when that draft exists, else when the next run writes it)."""
    _check_answerer(actor, dispute)
    answer = (answer or "").strip()
    changes = {"answer": answer, "answered_by": actor, "answered_at": now or timezone.now()}
    Dispute.workflow.apply(dispute, "accept", by=actor, comment=answer, changes=changes)
    # Taken before looking for the draft: a run writing that draft right now either finishes first (and
    # its draft is found here) or waits and then finds this acceptance.
    _serialise_rep(dispute.rep_id)
    dispute = Dispute.objects.select_related("rep", "line", "line__statement").get(pk=dispute.pk)
    draft = next_open_statement(dispute.rep_id, after=dispute.line.statement.period)
    if draft is not None:
        statement_apply_adjustments(draft)
        dispute.refresh_from_db(fields=["adjustment_line"])
    _answered(dispute, actor, "accepted")
    return dispute


@transaction.atomic
def dispute_reject(*, actor, dispute: Dispute, answer: str, now=None) -> Dispute:
    """open → rejected, with the answer the rep reads (400 without one)."""
    _check_answerer(actor, dispute)
    answer = (answer or "").strip()
    if not answer and Dispute.workflow.can(dispute, "reject"):
        raise ValidationError({"answer": _("Tell the rep why the dispute is rejected.")})
    changes = {"answer": answer, "answered_by": actor, "answered_at": now or timezone.now()}
    Dispute.workflow.apply(dispute, "reject", by=actor, comment=answer, changes=changes)
    dispute = Dispute.objects.select_related("rep", "line", "line__statement").get(pk=dispute.pk)
    _answered(dispute, actor, "rejected")
    return dispute


# --- adjustments -----------------------------------------------------------------------------------


def _serialise_rep(rep_id: int) -> None:
    """An acceptance and a run writing the rep's next draft must not miss each other: both take this lock
    before looking for the other's rows (``channelhub.locking``; SQLite runs one writer at a time)."""
    hold(REP_ADJUSTMENTS, rep_id)


def reps_hold(rep_ids) -> None:
    """``_serialise_rep`` for several reps in one query, in one order for every writer, so that two
    writers of overlapping sets of reps (two chunks, two runs) wait for each other instead of
    deadlocking. A run holds them for the whole of its chunk's transaction: statements, lines and
    adjustments."""
    hold_many(REP_ADJUSTMENTS, set(rep_ids))


def pending_adjustments(rep_ids, *, period: str, drafts=()) -> dict[int, list[Dispute]]:
    """The accepted disputes that the drafts of ``period`` of ``rep_ids`` (being rewritten by a run) must
    carry as adjustment lines, by rep, in the order they were answered (one query, the disputes locked):
    those from statements of earlier periods without an adjustment line yet, and those whose adjustment
    line is on one of ``drafts`` (statement IDs; the line is replaced with the draft's lines). Call it
    with ``reps_hold`` held, as ``statement_apply_adjustments`` does with ``_serialise_rep``."""
    disputes = (
        Dispute.objects.select_for_update(of=("self",))
        .filter(rep_id__in=list(rep_ids), status=Dispute.Status.ACCEPTED, line__statement__period__lt=period)
        .filter(Q(adjustment_line__isnull=True) | Q(adjustment_line__statement_id__in=list(drafts)))
        .select_related("line", "line__statement")
        .order_by("answered_at", "pk")
    )
    found: dict[int, list[Dispute]] = {}
    for dispute in disputes:
        found.setdefault(dispute.rep_id, []).append(dispute)
    return found


def adjustment_line_of(dispute: Dispute) -> tuple[dict[str, Any], Decimal]:
    """The adjustment line an accepted dispute becomes: (inputs, signed amount), for
    ``Computation.add_adjustment``; its sentence is rendered from the inputs when read."""
    return _inputs(dispute), adjustment_of(dispute)


@transaction.atomic
def statement_apply_adjustments(statement: Statement) -> list[StatementLine]:
    """Add to the draft monthly ``statement`` what its rep's earlier statements left for it: one
    carry-forward line (first) per approved negative month not carried yet (``carry_forward``), and one
    adjustment line per accepted dispute that has none yet; then recompute net, retained and payable with
    their lines. Returns the lines added.

    Called by ``dispute_accept`` and by the approval of a negative statement (a run adds the same lines
    to the drafts it writes, set-based: ``pending_adjustments``, ``pending_carries``,
    ``runs.statements_write_drafts``). Anything but a draft monthly statement is left alone (an empty list).
    Idempotent: a dispute gets one adjustment line, a negative month one carry-forward line, ever.
    Net, retained and payable follow the computation's own rules (``Computation``: net = carried +
    gross − deductions + adjustments; retained = retention % × net when net > 0, 0.01 half up;
    payable = net − retained, or 0.00 with the net carried forward when it is negative), with the
    retention of the statement's plan.
    """
    from commissions.services.carry_forward import carry_line_of, pending_carries

    if statement.kind != Statement.Kind.MONTHLY:
        return []
    _serialise_rep(statement.rep_id)
    statement = Statement.objects.select_for_update(of=("self",)).select_related("plan").get(pk=statement.pk)
    if statement.status != Statement.Status.DRAFT:
        return []
    disputes = list(
        Dispute.objects.select_for_update(of=("self",))
        .filter(
            rep_id=statement.rep_id,
            status=Dispute.Status.ACCEPTED,
            adjustment_line__isnull=True,
            line__statement__period__lt=statement.period,
        )
        .select_related("line", "line__statement")
        .order_by("answered_at", "pk")
    )
    carries = pending_carries([statement.rep_id], period=statement.period).get(statement.rep_id, [])
    if not disputes and not carries:
        return []
    lines = list(statement.lines.order_by("position"))
    computation = _computation(statement, lines)
    carried = [computation.add_carried(*carry_line_of(source)) for source in carries]
    drafts = [computation.add_adjustment(*adjustment_line_of(dispute)) for dispute in disputes]
    added = []
    if carried:  # the statement starts with them
        _make_room(statement, 1, len(carried))
        added += StatementLine.objects.bulk_create(
            StatementLine(
                statement=statement,
                position=1 + offset,
                step=draft.step,
                description="",
                inputs=draft.inputs,
                amount=draft.amount,
                carried_from_id=draft.carried_from,
            )
            for offset, draft in enumerate(carried)
        )
    tail = [line for line in lines if line.step in SUMMARY_STEPS]
    first = (tail[0].position if tail else (lines[-1].position + 1 if lines else 1)) + len(carried)
    if drafts:
        _make_room(statement, first, len(drafts))
    adjustments = StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=first + offset,
            step=draft.step,
            description="",
            inputs=draft.inputs,
            amount=draft.amount,
        )
        for offset, draft in enumerate(drafts)
    )
    for dispute, line in zip(disputes, adjustments, strict=True):
        dispute.adjustment_line = line
        dispute.save(update_fields=["adjustment_line"])
    _write_tail(statement, computation, first + len(drafts))
    return added + adjustments


def _inputs(dispute: Dispute) -> dict[str, Any]:
    line = dispute.line
    return {
        "dispute": dispute.pk,
        "statement": line.statement_id,
        "period": line.statement.period,
        "line": line.pk,
        "step": line.step,
        "line_amount": f"{line.amount:.2f}",
        "expected_amount": f"{dispute.expected_amount:.2f}",
    }


def _computation(statement: Statement, lines: list[StatementLine]):
    """The statement's figures as a ``Computation`` with the adjustments it already has, so that adding
    more recomputes net, retained and payable exactly as a run would."""
    from commissions.services.commission import Computation

    computation = Computation(
        rep_id=statement.rep_id,
        period=statement.period,
        plan=statement.plan,
        base_amount=statement.base_amount,
        gross_amount=statement.gross_amount,
        deductions_amount=statement.deductions_amount,
        retention=statement.plan.retention if statement.plan_id else ZERO,
        head=[],
    )
    for line in lines:  # already stored: their amounts count, their rows stay
        if line.step == Step.ADJUSTMENT:
            computation.adjustments.append(line)
        elif line.step == Step.CARRY_FORWARD:
            computation.carried.append(line)
    computation._close()
    return computation


def _make_room(statement: Statement, first: int, count: int) -> None:
    """Move the lines from ``first`` on down by ``count`` positions (two steps: positions are unique)."""
    StatementLine.objects.filter(statement=statement, position__gte=first).update(position=F("position") + _SHIFT)
    StatementLine.objects.filter(statement=statement, position__gte=_SHIFT).update(
        position=F("position") - _SHIFT + count
    )


def _write_tail(statement: Statement, computation, first: int) -> None:
    """Net, retained and payable: the statement's amounts and its summary lines, from ``computation``."""
    statement.net_amount = computation.net_amount
    statement.retained_amount = computation.retained_amount
    statement.payable_amount = computation.payable_amount
    statement.carried_forward = computation.carried_forward
    statement.save(update_fields=["net_amount", "retained_amount", "payable_amount", "carried_forward", "updated_at"])
    existing = {line.step: line for line in statement.lines.filter(step__in=SUMMARY_STEPS)}
    drafts = list(computation.tail)
    # the summary lines are rewritten in place (same rows), in the computation's order after the adjustments
    StatementLine.objects.filter(pk__in=[line.pk for line in existing.values()]).update(position=F("position") + _SHIFT)
    position = first
    for draft in drafts:
        line = existing.pop(draft.step, None) or StatementLine(statement=statement, step=draft.step)
        line.position, line.description, line.inputs, line.amount = (
            position,
            "",
            draft.inputs,
            draft.amount,
        )
        line.save()
        position += 1
    for line in existing.values():  # a summary step the plan no longer has (none in practice)
        line.delete()


@transaction.atomic
def statement_release_adjustments(statement: Statement) -> int:
    """Unlink the disputes settled by the adjustment lines of the draft ``statement`` (before a run
    replaces its lines); ``statement_apply_adjustments`` adds them again to the new lines. Returns how many."""
    if statement.status != Statement.Status.DRAFT:
        raise Conflict(
            _("This statement is “%(state)s”; only a draft's lines are replaced.")
            % {"state": statement.get_status_display()},
            current_state=statement.status,
        )
    return Dispute.objects.filter(adjustment_line__statement=statement).update(adjustment_line=None)


# --- reads -----------------------------------------------------------------------------------------
