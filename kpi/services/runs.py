"""Commission runs (SPEC §6): who may start one, which reps it computes, and how each rep's draft
statement is written. The Celery pipeline that calls these lives in ``kpi.tasks``.

A run computes the statements of one period for a set of reps, in chunks spread over the workers:

    start_run ──on commit──▶ run_commissions ──▶ chord(compute_chunk × N) ──▶ finish_run
                                                        └── on error ──▶ fail_run

* **Who**: a channel manager runs their team's reps; finance, admins and the monthly schedule
  (``started_by`` empty: the system) run every rep with a plan on the month's last day (the plan that
  pays the month, ``kpi.services.plans.plans_for``).
* **Drafts only**: each rep is written in its own transaction that locks the rep's statement of the
  period (``SELECT … FOR UPDATE``); anything but a ``draft`` is left as it is and counted ``skipped``.
  The first statement of a rep and period is inserted under the database's unique constraint (rep,
  period, kind): two chunks or two runs racing both end on the one row.
* **Idempotent**: a chunk delivered twice, or a run run again after a crash, recomputes the drafts and
  leaves exactly one statement per rep and period.
* **Counts**: ``done`` counts every rep handled (written or skipped), so ``progress`` reaches 100 %;
  ``skipped`` is the part of them left untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Least
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import scope, team_ids
from kpi.models import CommissionRun, Dispute, PlanAssignment, Statement, StatementLine
from kpi.services.closing import hold_period_open
from kpi.services.periods import PeriodClosed, check_open, ensure_periods

logger = logging.getLogger(__name__)
User = get_user_model()

#: Reps per chunk task: small enough to spread a run over the workers and show progress, large
#: enough that each chunk's aggregate queries are worth their round trip.
CHUNK_SIZE = 50
#: The amounts a computation gives a statement.
AMOUNTS = (
    "base_amount",
    "gross_amount",
    "deductions_amount",
    "net_amount",
    "retained_amount",
    "payable_amount",
)
#: A run's error text is kept to this length (the traceback goes to the worker's log).
ERROR_MAX = 2000


# --- who may start a run, and for whom ---------------------------------------------------------------


def may_start_runs(user) -> bool:
    return has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)


def runs_everyone(user) -> bool:
    """A run started by ``user`` covers every rep (None: the system's monthly run)."""
    return user is None or has_role(user, Role.FINANCE, Role.ADMIN)


def reps_with_plan(month: Month) -> QuerySet:
    """Reps with a plan assigned on ``month``'s last day (the plan that pays the month)."""
    day = month.last_day
    assigned = PlanAssignment.objects.filter(start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )
    return User.objects.filter(pk__in=assigned.values("rep_id"))


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


# --- starting ----------------------------------------------------------------------------------------


def _create_run(*, month: Month, started_by) -> CommissionRun:
    ensure_periods([month.first_day])
    run = CommissionRun.objects.create(
        period=str(month),
        started_by=started_by,
        total=len(run_rep_ids(started_by=started_by, month=month)),
    )
    # A worker must find the run's row: the task is queued once this transaction has committed.
    transaction.on_commit(lambda: queue_run(run.pk))
    return run


def queue_run(run_id: int) -> None:
    """Send the run to the workers (or, without a broker, carry it out here). A broker that cannot be
    reached fails the run saying so, rather than the page or API call that started it: the run was
    committed, so the caller sees it and may start another."""
    from kpi.tasks import run_commissions

    try:
        run_commissions.delay(run_id)
    except Exception as error:
        logger.exception("Commission run %s could not be queued", run_id)
        with translation.override(settings.LANGUAGE_CODE):
            run_fail(run_id=run_id, error=_("The run could not be queued: %(error)s") % {"error": error})


@transaction.atomic
def start_run(*, actor, period: str | Month) -> CommissionRun:
    """Queue a run of ``period`` (``YYYY-MM``): a manager's team, or every rep with a plan for finance
    and admins. 403 for other roles, 400 for a bad period, 409 when the period is closed."""
    if not may_start_runs(actor):
        raise PermissionDenied(_("Only channel managers, finance and administrators start commission runs."))
    month = _month(period)
    _refuse_closed(month)
    return _create_run(month=month, started_by=actor)


@transaction.atomic
def start_scheduled_run(*, period: str | Month) -> CommissionRun | None:
    """The monthly schedule's run (``started_by`` empty), every rep with a plan. None when the period
    is closed; the system's run already made for the period (a re-delivered schedule) when there is one."""
    month = _month(period)
    try:
        _refuse_closed(month)
    except PeriodClosed:
        logger.info("Scheduled commission run skipped: %s is closed", month)
        return None
    earlier = (
        CommissionRun.objects.filter(period=str(month), started_by__isnull=True)
        .exclude(status=CommissionRun.Status.FAILED)
        .first()
    )
    return earlier or _create_run(month=month, started_by=None)


# --- the pipeline's steps (called by kpi.tasks) -----------------------------------------------------


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
    return RunPlan(period=run.period, chunks=chunks_of(rep_ids))


def run_compute_chunk(*, run_id: int, rep_ids: Iterable[int], period: str) -> dict[str, int]:
    """Compute ``rep_ids`` for ``period`` and write their drafts, one transaction per rep; answers the
    counts ``{"written", "skipped"}``. A finished or failed run computes nothing more."""
    from kpi.services.commission import compute_many

    run = CommissionRun.objects.filter(pk=run_id).select_related("started_by").first()
    if run is None or run.status in (CommissionRun.Status.DONE, CommissionRun.Status.FAILED):
        return {"written": 0, "skipped": 0}
    rep_ids = sorted(set(rep_ids))
    counts = {"written": 0, "skipped": 0}
    # The lines' texts (and a refusal kept as the run's error) are stored once, for everyone.
    with translation.override(settings.LANGUAGE_CODE):
        computations = compute_many(rep_ids, Month.parse(period))
        for rep_id in rep_ids:
            computation = computations.get(rep_id)
            written = computation is not None and statement_write_draft(
                run=run, rep_id=rep_id, period=period, computation=computation
            )
            counts["written" if written else "skipped"] += 1
            _count(run_id, skipped=not written)
    return counts


def _count(run_id: int, *, skipped: bool) -> None:
    """One more rep handled (progress). Capped at the total: a chunk delivered twice counts twice."""
    changes = {"done": Least(F("done") + 1, F("total"))}
    if skipped:
        changes["skipped"] = Least(F("skipped") + 1, F("total"))
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


# --- one rep's draft ---------------------------------------------------------------------------------


def locked_statement(*, rep_id: int, period: str, kind: str, values: dict) -> tuple[Statement, bool]:
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


def replace_lines(statement: Statement, drafts: Sequence) -> list[StatementLine]:
    """Give ``statement`` exactly the lines ``drafts`` (``step``, ``description``, ``inputs``, ``amount``),
    numbered from 1.

    A dispute keeps pointing at the new line of its line's step (its line is protected from deletion);
    an accepted dispute's adjustment line is let go, so that ``apply_pending_adjustments`` adds it again.
    """
    attached = list(
        Dispute.objects.filter(Q(line__statement=statement) | Q(adjustment_line__statement=statement)).values(
            "pk", "line__statement_id", "line__step", "adjustment_line__statement_id"
        )
    )
    if any(row["adjustment_line__statement_id"] == statement.pk for row in attached):
        Dispute.objects.filter(adjustment_line__statement=statement).update(adjustment_line=None)
    disputed = [row for row in attached if row["line__statement_id"] == statement.pk]
    # Without disputes the old lines go first; with them, the new lines are made first (clear of the
    # old positions) so that the disputes can be moved onto them before the old lines go.
    offset = 1000 + len(drafts) if disputed and drafts else 0
    if not disputed:
        statement.lines.all().delete()
    lines = StatementLine.objects.bulk_create(
        StatementLine(
            statement=statement,
            position=offset + number,
            step=draft.step,
            description=str(draft.description)[:500],
            inputs=draft.inputs or {},
            amount=draft.amount,
        )
        for number, draft in enumerate(drafts, start=1)
    )
    if offset:
        by_step: dict[str, StatementLine] = {}
        for line in lines:
            by_step.setdefault(line.step, line)
        fallback = by_step.get(StatementLine.Step.NET, lines[-1])
        for row in disputed:
            Dispute.objects.filter(pk=row["pk"]).update(line=by_step.get(row["line__step"], fallback))
        statement.lines.exclude(pk__in=[line.pk for line in lines]).delete()
        for number, line in enumerate(lines, start=1):
            line.position = number
        StatementLine.objects.bulk_update(lines, ["position"])
    return lines


def _adjustments_hook():
    """``kpi.services.disputes.apply_pending_adjustments`` when that module provides it."""
    try:
        from kpi.services.disputes import apply_pending_adjustments
    except ImportError:
        return None
    return apply_pending_adjustments


def statement_write_draft(*, run: CommissionRun, rep_id: int, period: str, computation) -> bool:
    """Write ``computation`` as the rep's monthly draft of ``period``, in one transaction: True when
    written, False when the statement is submitted, approved, rejected or paid (left untouched).

    Refused with ``PeriodClosed`` when the period has been closed meanwhile (the run then fails)."""
    now = timezone.now()
    values = {name: getattr(computation, name) for name in AMOUNTS}
    values.update(plan=_plan_of(computation, rep_id, period), run=run, computed_at=now)
    with transaction.atomic():
        hold_period_open(period)
        statement, created = locked_statement(rep_id=rep_id, period=period, kind=Statement.Kind.MONTHLY, values=values)
        if statement.status != Statement.Status.DRAFT:
            return False
        if created:
            Statement.workflow.record_creation(
                statement, by=run.started_by, comment=_("Computed by run #%(run)s.") % {"run": run.pk}
            )
        else:
            for name, value in values.items():
                setattr(statement, name, value)
            statement._history_user = run.started_by
            statement.save()
        replace_lines(statement, list(computation.lines))
        hook = _adjustments_hook()
        if hook is not None:
            hook(statement)
    return True


def _plan_of(computation, rep_id: int, period: str):
    plan = getattr(computation, "plan", None)
    if plan is None:
        from kpi.services.plans import plan_for

        plan = plan_for(rep_id, period)
    return plan


# --- reads -------------------------------------------------------------------------------------------


def run_list(user) -> QuerySet[CommissionRun]:
    """The runs ``user`` may see (managers, finance and admins: all; reps none), newest first."""
    return scope(user, CommissionRun).select_related("started_by").order_by("-created_at", "-pk")


def default_period(today: date | None = None) -> str:
    """The month a run is usually for: the previous one."""
    return str(Month.of(today or timezone.localdate()).previous())
