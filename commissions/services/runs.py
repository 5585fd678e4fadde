"""Commission runs (SPEC §6): who may start one, which reps it computes, and how each rep's draft
statement is written. The Celery pipeline that calls these lives in ``commissions.tasks``.

A run computes the statements of one period for a set of reps, in chunks spread over the workers:

    run_start ──on commit──▶ run_commissions ──▶ chord(compute_chunk × N) ──▶ finish_run
                                                        └── on error ──▶ fail_run

* **Who**: a channel manager runs their team's reps; finance, admins and the monthly schedule
  (``started_by`` empty: the system) run every rep with a plan on the month's last day (the plan that
  pays the month, ``commissions.services.plans.plans_for``).
* **Drafts only, a chunk at a time**: a chunk is written in one transaction and a fixed number of
  queries (``statements_write_drafts``): its reps locked in ascending order, their statements of the period locked
  (``SELECT … FOR UPDATE``); anything but a ``draft`` is left as it is and counted ``skipped``. The first
  statement of a rep and period is inserted under the database's unique constraint (rep, period, kind):
  two chunks or two runs racing both end on the one row.
* **Idempotent**: a chunk delivered twice, or a run run again after a crash, recomputes the drafts and
  leaves exactly one statement per rep and period.
* **Counts**: ``done`` counts every rep handled (written or skipped), so ``progress`` reaches 100 %;
  ``skipped`` is the part of them left untouched. They advance by chunk, with the chunk's transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channelhub.db import copy_rows, delete_where_in, insert_rows, supports_copy
from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import team_ids
from channelhub.workflow.models import StateChange
from commissions.models import CommissionRun, Dispute, RunProblem, Statement, StatementLine
from commissions.policies import may_start_runs
from commissions.selectors import reps_with_plan
from commissions.services.closing import period_hold_open
from kpi.services.periods import PeriodClosed, check_open, periods_ensure

logger = logging.getLogger(__name__)
User = get_user_model()

#: Reps per chunk task: small enough to spread a run over the workers and show progress, large
#: enough that each chunk's aggregate queries are worth their round trip.
CHUNK_SIZE = 50
#: A run's error text is kept to this length (the traceback goes to the worker's log).
ERROR_MAX = 2000


# --- who may start a run, and for whom ---------------------------------------------------------------


def runs_everyone(user) -> bool:
    """A run started by ``user`` covers every rep (None: the system's monthly run)."""
    return user is None or has_role(user, Role.FINANCE, Role.ADMIN)


def run_rep_ids(*, started_by, month: Month) -> list[int]:
    """IDs of the reps a run by ``started_by`` computes for ``month``, in a stable order."""
    reps = reps_with_plan(month)
    if not runs_everyone(started_by):
        reps = reps.filter(pk__in=team_ids(started_by))
    return list(reps.order_by("pk").values_list("pk", flat=True))


def chunks_of(rep_ids: Sequence[int], size: int | None = None) -> list[list[int]]:
    size = size or CHUNK_SIZE
    return [list(rep_ids[start : start + size]) for start in range(0, len(rep_ids), size)]


def _month(period: str | Month) -> Month:
    if isinstance(period, Month):
        return period
    try:
        return Month.parse(period)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None


def _refuse_closed(month: Month) -> None:
    try:
        check_open([month.first_day])
    except PeriodClosed as closed:
        raise PeriodClosed(
            _("The period %(period)s is closed; no commission run can be started for it.") % {"period": month},
            periods=[str(month)],
        ) from closed


def _refuse_unended(month: Month) -> None:
    """A month is paid once it is over: the current month, or a later one, is refused (400)."""
    current = Month.current()
    if month >= current:
        raise ValidationError(
            {
                "period": _(
                    "The period %(period)s has not ended yet; a commission run is for a month that is over "
                    "(the latest is %(latest)s)."
                )
                % {"period": month, "latest": current.previous()}
            }
        )


# --- starting ----------------------------------------------------------------------------------------


def _create_run(*, month: Month, started_by) -> CommissionRun:
    periods_ensure([month.first_day])
    run = CommissionRun.objects.create(
        period=str(month),
        started_by=started_by,
        total=len(run_rep_ids(started_by=started_by, month=month)),
    )
    # A worker must find the run's row: the task is queued once this transaction has committed.
    transaction.on_commit(lambda: run_queue(run.pk))
    return run


def run_queue(run_id: int) -> None:
    """Send the run to the workers (or, without a broker, carry it out here). The broker was checked
    before the run was written (``run_start``); should it fall over in between, the run fails saying so
    rather than the page or API call that started it: the run was committed, so the caller sees it and
    may start another."""
    from commissions.tasks import run_commissions

    try:
        run_commissions.delay(run_id)
    except Exception as error:
        logger.exception("Commission run %s could not be queued", run_id)
        with translation.override(settings.LANGUAGE_CODE):
            run_fail(run_id=run_id, error=_("The run could not be queued: %(error)s") % {"error": error})


@transaction.atomic
def run_start(*, actor, period: str | Month) -> CommissionRun:
    """Queue a run of ``period`` (``YYYY-MM``): a manager's team, or every rep with a plan for finance
    and admins. 403 for other roles, 400 for a bad period or one that has not ended (the current month
    or later), 409 when the period is closed, 503
    (``BrokerUnavailable``, nothing written) when the broker does not answer."""
    if not may_start_runs(actor):
        raise PermissionDenied(_("Only channel managers, finance and administrators start commission runs."))
    month = _month(period)
    _refuse_unended(month)
    _refuse_closed(month)
    from channelhub.celery import require_broker

    # Before anything is written: with the broker down the caller gets 503 and nothing is saved.
    require_broker(
        _(
            "The task queue (Redis) cannot be reached, so the commission run was not started and nothing was "
            "saved. Try again in a few minutes; if it keeps happening, tell your administrator."
        )
    )
    return _create_run(month=month, started_by=actor)


@transaction.atomic
def run_start_scheduled(*, period: str | Month) -> CommissionRun | None:
    """The monthly schedule's run (``started_by`` empty), every rep with a plan. None when the period
    is closed; the system's run already made for the period (a re-delivered schedule) when there is one.
    A broker that does not answer raises kombu's ``OperationalError`` before anything is written: the
    schedule's task is retried with backoff."""
    month = _month(period)
    try:
        _refuse_unended(month)
        _refuse_closed(month)
    except PeriodClosed:
        logger.info("Scheduled commission run skipped: %s is closed", month)
        return None
    except ValidationError:
        logger.info("Scheduled commission run skipped: %s has not ended", month)
        return None
    earlier = (
        CommissionRun.objects.filter(period=str(month), started_by__isnull=True)
        .exclude(status=CommissionRun.Status.FAILED)
        .first()
    )
    if earlier is not None:
        return earlier
    from channelhub.celery import app, check_broker

    if not app.conf.task_always_eager:
        check_broker()
    return _create_run(month=month, started_by=None)


# --- the pipeline's steps (called by commissions.tasks) -----------------------------------------------------


@dataclass(frozen=True)
class RunPlan:
    period: str
    chunks: list[list[int]]


@transaction.atomic
def run_begin(*, run_id: int) -> RunPlan | None:
    """Mark the run ``running`` and answer its chunks of rep IDs; None when there is nothing to do
    (the run is finished already, or its period has been closed since: the run fails saying so).

    A re-delivered start recounts from zero: the chunks it launches again rewrite only drafts.
    """
    run = CommissionRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status in (CommissionRun.Status.DONE, CommissionRun.Status.FAILED):
        return None
    month = Month.parse(run.period)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _refuse_closed(month)
    except PeriodClosed as closed:
        _fail(run, str(closed))
        return None
    rep_ids = run_rep_ids(started_by=run.started_by, month=month)
    run.status = CommissionRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.total, run.done, run.skipped, run.error = len(rep_ids), 0, 0, ""
    run.save(update_fields=["status", "started_at", "total", "done", "skipped", "error"])
    run.problems.all().delete()  # a re-delivered start reports afresh
    return RunPlan(period=run.period, chunks=chunks_of(rep_ids))


def run_compute_chunk(*, run_id: int, rep_ids: Iterable[int], period: str) -> dict[str, int]:
    """Compute ``rep_ids`` for ``period`` and write their drafts, the whole chunk in one transaction
    (``statements_write_drafts``) with its progress; answers the counts ``{"written", "skipped"}``. A finished or
    failed run computes nothing more. A fixed number of queries whatever the number of reps."""
    from commissions.services.commission import compute_many

    run = CommissionRun.objects.filter(pk=run_id).select_related("started_by").first()
    if run is None or run.status in (CommissionRun.Status.DONE, CommissionRun.Status.FAILED):
        return {"written": 0, "skipped": 0}
    rep_ids = sorted(set(rep_ids))
    # The lines' texts (and a refusal kept as the run's error) are stored once, for everyone.
    with translation.override(settings.LANGUAGE_CODE):
        computations = compute_many(rep_ids, Month.parse(period))
        with transaction.atomic():
            written = statements_write_drafts(
                run=run,
                period=period,
                computations={rep_id: found for rep_id, found in computations.items() if found is not None},
                savepoint=False,  # the chunk's transaction, just opened: a failure rolls back all of it
            )
            counts = {"written": len(written), "skipped": len(rep_ids) - len(written)}
            # Counted with the drafts (same transaction): a chunk that fails counts nothing.
            _count(run_id, done=len(rep_ids), skipped=counts["skipped"])
    return counts


def _count(run_id: int, *, done: int, skipped: int) -> None:
    """``done`` more reps handled (progress), ``skipped`` of them left untouched. Capped at the total: a
    chunk delivered twice counts twice."""
    changes = {"done": Least(F("done") + done, F("total"))}
    if skipped:
        changes["skipped"] = Least(F("skipped") + skipped, F("total"))
    CommissionRun.objects.filter(pk=run_id).update(**changes)


@transaction.atomic
def run_finish(*, run_id: int) -> CommissionRun | None:
    """Every chunk succeeded: ``done`` (a run already failed stays failed)."""
    run = CommissionRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status == CommissionRun.Status.FAILED:
        return run
    run.status = CommissionRun.Status.DONE
    run.done = run.total
    run.skipped = min(run.skipped, run.total)
    run.finished_at = run.finished_at or timezone.now()
    run.save(update_fields=["status", "done", "skipped", "finished_at"])
    return run


def run_fail(*, run_id: int, error: str) -> None:
    """Mark the run failed with ``error`` (the first error wins; a finished run is left as it is)."""
    with transaction.atomic():
        run = CommissionRun.objects.select_for_update().filter(pk=run_id).first()
        if run is not None and run.status in (CommissionRun.Status.QUEUED, CommissionRun.Status.RUNNING):
            _fail(run, error)


def _fail(run: CommissionRun, error: str) -> None:
    run.status = CommissionRun.Status.FAILED
    run.error = (error or _("The run failed.")).strip()[:ERROR_MAX]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


# --- a chunk's drafts --------------------------------------------------------------------------------


def statement_lock_or_create(*, rep_id: int, period: str, kind: str, values: dict) -> tuple[Statement, bool]:
    """The rep's statement of ``period`` and ``kind``, locked for this transaction, or a new one made with
    ``values``; ``(statement, created)``. Two writers racing both end on the one row (unique constraint)."""
    existing = Statement.objects.select_for_update().filter(rep_id=rep_id, period=period, kind=kind)
    statement = existing.first()
    if statement is not None:
        return statement, False
    try:
        with transaction.atomic():  # a savepoint: the insert may lose the race to another writer
            return Statement.objects.create(rep_id=rep_id, period=period, kind=kind, **values), True
    except IntegrityError:
        return existing.get(), False


def statement_replace_lines(statement: Statement, drafts: Sequence) -> list[StatementLine]:
    """Give ``statement`` exactly the lines ``drafts`` (``step``, ``inputs``, ``amount``),
    numbered from 1.

    A dispute keeps pointing at the new line of its line's step (its line is protected from deletion);
    an accepted dispute's adjustment line is let go (the run adds it again with the draft's lines).
    ``statements_write_drafts`` writes the lines of a whole chunk at once through ``_write_lines``.
    """
    return _write_lines([(statement, list(drafts))], want_ids=True)[statement.pk]


def _write_lines(
    pairs: Sequence[tuple[Statement, list]],
    settles: dict | None = None,
    *,
    want_ids: bool = False,
    fresh: Iterable[int] = (),
) -> dict[int, list]:
    """``statement_replace_lines`` for several statements at once, in a fixed number of queries: the disputes
    attached to their lines, the old lines deleted, the new ones inserted (and, only when disputes point
    at the old lines, the disputes moved and the new lines renumbered). ``settles`` maps ``id(draft)`` of
    an adjustment draft to the accepted dispute it settles: the dispute then points at the new line.
    Answers the new lines by statement ID. When no line ID is wanted back (not ``want_ids``, no dispute
    to point at them) PostgreSQL gets them with ``COPY`` and the answer's lists are empty."""
    settles, fresh = settles or {}, set(fresh)
    ids = [statement.pk for statement, _drafts in pairs]
    if not ids:
        return {}
    # Statements inserted in this transaction (``fresh``) have no lines yet, so nothing points at them.
    old = [pk for pk in ids if pk not in fresh]
    attached = []
    if old:
        attached = list(
            Dispute.objects.filter(Q(line__statement_id__in=old) | Q(adjustment_line__statement_id__in=old)).values(
                "pk", "line__statement_id", "line__step", "adjustment_line__statement_id"
            )
        )
    wanted = set(old)
    if any(row["adjustment_line__statement_id"] in wanted for row in attached):
        Dispute.objects.filter(adjustment_line__statement_id__in=old).update(adjustment_line=None)
    disputed: dict[int, list[dict]] = {}
    for row in attached:
        if row["line__statement_id"] in wanted:
            disputed.setdefault(row["line__statement_id"], []).append(row)
    # Without disputes the old lines go first; with them, the new lines are made first (clear of the old
    # positions) so that the disputes can be moved onto them before the old lines go. No dispute points at
    # the lines deleted here (moved or let go just above): they go without Django's collector.
    clear = [pk for pk in old if pk not in disputed]
    if clear:
        delete_where_in(StatementLine, "statement_id", clear)
    rows, sources = [], []
    for statement, drafts in pairs:
        offset = 1000 + len(drafts) if statement.pk in disputed and drafts else 0
        for number, draft in enumerate(drafts, start=1):
            # no sentence is stored: the line's text is rendered from its step and inputs when it is read
            rows.append((statement, offset + number, draft.step, "", draft.inputs or {}))
            sources.append(draft)
    lines: dict[int, list[StatementLine]] = {pk: [] for pk in ids}
    if not (settles or disputed or want_ids) and supports_copy():
        # Nothing refers to the new lines (no ID wanted back): straight in with COPY, no model objects.
        copy_rows(
            StatementLine._meta.db_table,
            ("statement_id", "position", "step", "description", "inputs", "amount", "carried_from_id"),
            (
                (statement.pk, position, step, description, json.dumps(inputs), draft.amount, _source(draft))
                for (statement, position, step, description, inputs), draft in zip(rows, sources, strict=True)
            ),
        )
        return lines
    created = StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=position,
            step=step,
            description=description,
            inputs=inputs,
            amount=d.amount,
            carried_from_id=_source(d),
        )
        for (statement, position, step, description, inputs), d in zip(rows, sources, strict=True)
    )
    for line in created:
        lines[line.statement_id].append(line)
    settled = []
    for line, draft in zip(created, sources, strict=True):
        dispute = settles.get(id(draft))
        if dispute is not None:
            dispute.adjustment_line = line
            settled.append(dispute)
    moved, renumbered = [], []
    for statement_id, attached_rows in disputed.items():
        new = lines[statement_id]
        if not new:
            continue
        by_step: dict[str, StatementLine] = {}
        for line in new:
            by_step.setdefault(line.step, line)
        fallback = by_step.get(StatementLine.Step.NET, new[-1])
        moved.extend(Dispute(pk=row["pk"], line=by_step.get(row["line__step"], fallback)) for row in attached_rows)
        for number, line in enumerate(new, start=1):
            line.position = number
            renumbered.append(line)
    if moved:
        Dispute.objects.bulk_update(moved, ["line"])
        StatementLine.objects.filter(statement_id__in=list(disputed)).exclude(
            pk__in=[line.pk for line in renumbered]
        ).delete()
        StatementLine.objects.bulk_update(renumbered, ["position"])
    if settled:
        Dispute.objects.bulk_update(settled, ["adjustment_line"])
    return lines


def _source(draft) -> int | None:
    """The statement a carry-forward draft carries (``LineDraft.carried_from``); None for other lines."""
    return getattr(draft, "carried_from", None)


def _history_entries(statements: Sequence[Statement], kind: str, *, now, by) -> list:
    """A history row (``+`` created, ``~`` changed) of each of ``statements``, by ``by``, at ``now``."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    history = Statement.history.model
    return [
        history(
            history_date=now,
            history_user_id=by.pk if by is not None else None,
            history_change_reason="",
            history_type=kind,
            **{field.attname: getattr(statement, field.attname) for field in history.tracked_fields},
        )
        for statement in statements
    ]


def _lock_statements(rep_ids: Sequence[int], period: str) -> dict[int, Statement]:
    """The monthly statements of ``period`` of ``rep_ids`` that exist, locked in rep order, by rep."""
    statements = (
        Statement.objects.select_for_update()
        .filter(rep_id__in=list(rep_ids), period=period, kind=Statement.Kind.MONTHLY)
        .order_by("rep_id")
    )
    return {statement.rep_id: statement for statement in statements}


def statements_write_drafts(
    *, run: CommissionRun, period: str, computations: Mapping[int, Any], savepoint: bool = True
) -> set[int]:
    """Write each ``computations[rep_id]`` as the rep's monthly draft of ``period``, all in one transaction
    and a fixed number of queries whatever the number of reps; answers the reps written. A rep whose
    statement is submitted, approved, rejected or paid is left untouched (not in the answer).

    1. The period is held open (``PeriodClosed`` when it has been closed meanwhile: the run fails) and the
       reps are serialised in ascending order (``disputes.reps_hold``, PostgreSQL advisory locks: two
       chunks or runs writing the same reps wait for each other, and so does a dispute being accepted).
    2. Their existing statements are locked (``SELECT … FOR UPDATE``, rep order); drafts are rewritten,
       anything else is skipped. The missing ones are inserted (``ON CONFLICT DO NOTHING`` under the
       unique constraint) and read back locked.
    3. The accepted disputes the drafts must carry become adjustment lines (``pending_adjustments``),
       before net, retained and payable, which are recomputed (``Computation.add_adjustment``); the
       approved negative months not carried yet become the drafts' first lines (``pending_carries``).
    4. Amounts, plan, run and ``computed_at`` written; a history row per draft (``+`` created, ``~``
       recomputed, by the run's starter); a state-log row (``create``) per new statement; the lines
       replaced (``statement_replace_lines``) and the disputes pointed at their new lines.
    """
    from commissions.services.carry_forward import carry_line_of, pending_carries
    from commissions.services.commission import MAX_MONEY, overflowing
    from commissions.services.disputes import adjustment_line_of, pending_adjustments, reps_hold

    rep_ids = sorted(computations)
    now = timezone.now()
    with transaction.atomic(savepoint=savepoint), translation.override(settings.LANGUAGE_CODE):
        if not rep_ids:
            return set()
        period_hold_open(period)
        reps_hold(rep_ids)
        existing = _lock_statements(rep_ids, period)
        writable = [
            rep_id for rep_id in rep_ids if rep_id not in existing or existing[rep_id].status == Statement.Status.DRAFT
        ]
        drafts = [existing[rep_id].pk for rep_id in writable if rep_id in existing]
        pending = pending_adjustments(writable, period=period, drafts=drafts)
        carries = pending_carries(writable, period=period, drafts=drafts)
        finals, settles = {}, {}
        for rep_id in writable:
            computation = replace(
                computations[rep_id],
                adjustments=list(computations[rep_id].adjustments),
                carried=list(computations[rep_id].carried),
            )
            for source in carries.get(rep_id, ()):
                computation.add_carried(*carry_line_of(source))
            for dispute in pending.get(rep_id, ()):
                settles[id(computation.add_adjustment(*adjustment_line_of(dispute)))] = dispute
            finals[rep_id] = computation
        # a month beyond what a statement holds: that rep is reported on the run, the others written
        problems = []
        for rep_id in list(writable):
            if found := overflowing(finals[rep_id]):
                figure, amount = found
                problems.append(
                    RunProblem(
                        run=run,
                        rep_id=rep_id,
                        code=RunProblem.Code.OVERFLOW,
                        params={"figure": figure, "amount": f"{amount:.2f}", "limit": f"{MAX_MONEY:.2f}"},
                    )
                )
                writable.remove(rep_id)
        RunProblem.objects.bulk_create(problems, ignore_conflicts=True)

        def values(rep_id: int) -> dict:
            computation = finals[rep_id]
            found = {name: getattr(computation, name) for name in Statement.AMOUNT_FIELDS}
            found.update(plan=_plan_of(computation, rep_id, period), run=run, computed_at=now)
            return found

        missing = [rep_id for rep_id in writable if rep_id not in existing]
        created = []
        if missing:
            Statement.objects.bulk_create(
                [
                    Statement(rep_id=rep_id, period=period, kind=Statement.Kind.MONTHLY, **values(rep_id))
                    for rep_id in missing
                ],
                ignore_conflicts=True,
            )
            inserted = _lock_statements(missing, period)
            if len(inserted) < len(missing):
                raise IntegrityError(
                    f"Statements of {period} could not be inserted for reps {sorted(set(missing) - set(inserted))}"
                )
            for rep_id, statement in inserted.items():
                # Ours unless another writer (not holding the reps) inserted it between the lock and the insert.
                if (
                    statement.run_id == run.pk
                    and statement.computed_at == now
                    and statement.status == Statement.Status.DRAFT
                ):
                    created.append(statement)
                else:
                    existing[rep_id] = statement
        new = {statement.rep_id for statement in created}
        writable = [rep_id for rep_id in writable if rep_id in new or existing[rep_id].status == Statement.Status.DRAFT]
        statements = {**existing, **{statement.rep_id: statement for statement in created}}
        updated = [statements[rep_id] for rep_id in writable if rep_id not in new]
        for statement in updated:
            for name, value in values(statement.rep_id).items():
                setattr(statement, name, value)
            statement.updated_at = now
        if updated:
            Statement.objects.bulk_update(
                updated, [*Statement.AMOUNT_FIELDS, "plan", "run", "computed_at", "updated_at"]
            )
        # The rows simple-history's bulk_history_create and the state machine's record_creation would make.
        entries = _history_entries(created, "+", now=now, by=run.started_by)
        entries += _history_entries(updated, "~", now=now, by=run.started_by)
        insert_rows(Statement.history.model, entries)
        entries = Statement.workflow.creation_entries(
            created, by=run.started_by, note="run_computed", note_params={"run": run.pk}
        )
        insert_rows(StateChange, entries)
        # every draft's lines in a fixed number of queries, whatever the number of reps
        batch = [(statements[rep_id], list(finals[rep_id].lines)) for rep_id in writable]
        _write_lines(batch, settles, fresh=[statement.pk for statement in created])
    return set(writable)


def statement_write_draft(*, run: CommissionRun, rep_id: int, period: str, computation) -> bool:
    """Write ``computation`` as the rep's monthly draft of ``period`` (``statements_write_drafts`` for one rep): True
    when written, False when the statement is submitted, approved, rejected or paid (left untouched).

    Refused with ``PeriodClosed`` when the period has been closed meanwhile (the run then fails)."""
    return rep_id in statements_write_drafts(run=run, period=period, computations={rep_id: computation})


def _plan_of(computation, rep_id: int, period: str):
    plan = getattr(computation, "plan", None)
    if plan is None:
        from commissions.selectors import plan_for

        plan = plan_for(rep_id, period)
    return plan


# --- reads -------------------------------------------------------------------------------------------


def default_period(today: date | None = None) -> str:
    """The month a run is usually for: the previous one."""
    return str(Month.of(today or timezone.localdate()).previous())
