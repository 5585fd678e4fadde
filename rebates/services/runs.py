"""Rebate settlement runs (SPEC §15), like commission runs: a Celery pipeline of chunks of dealers.

    run_start ──on commit──▶ run_rebates ──▶ chord(compute_chunk × N) ──▶ finish_run
                                                    └── on error ──▶ fail_run

* **Who**: finance and admins, for every dealer whose signed agreement names a program of the period's
  frequency (``YYYY-Qn``: quarterly programs, ``YYYY``: annual ones) in force some day of the period. A period
  that has not ended is refused (the accruals estimate the open one).
* **Drafts only**: a chunk is written in one transaction and a fixed number of queries: the period's existing
  settlements of its dealers locked (``SELECT … FOR UPDATE``), drafts rewritten, submitted, approved and paid
  ones left as they are (``skipped``); missing ones inserted under the unique constraint (dealer, program,
  period). A chunk delivered twice, or a run run again after a crash, leaves one settlement per dealer,
  program and period.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channelhub.db import copy_rows, copy_rows_with_ids, insert_rows, supports_copy, update_rows
from channelhub.locking import KeySpace, hold_many
from channelhub.workflow.models import StateChange
from partners.selectors import rebate_agreements
from rebates.models import RebateLine, RebateProgram, RebateRun, RebateSettlement
from rebates.periods import RebatePeriod, period_of
from rebates.policies import may_start_runs
from rebates.services.compute import Computation, compute_many

logger = logging.getLogger(__name__)

#: Dealers per chunk task: enough that each chunk's aggregate queries are worth their round trip.
CHUNK_SIZE = 250
ERROR_MAX = 2000
#: The settlements of a period and dealer: one writer at a time (a chunk of a run).
SETTLEMENT_WRITES = KeySpace("rebate-settlement-writes")


def _period(period: str | RebatePeriod) -> RebatePeriod:
    return period if isinstance(period, RebatePeriod) else period_of(period)


def run_dealer_ids(period: RebatePeriod, *, until=None) -> list[int]:
    """The dealers a run of ``period`` computes: those with a signed agreement naming a program of the period's
    frequency, in force some day of it (up to ``until``, for an accrual) — ascending."""
    frequency = RebateProgram.Frequency.ANNUAL if period.is_year else RebateProgram.Frequency.QUARTERLY
    last = min(period.last_day, until) if until else period.last_day
    rows = rebate_agreements(period.first_day, last, program_filter={"frequency": frequency})
    return sorted({row["dealer_id"] for row in rows})


def chunks_of(ids: Sequence[int], size: int | None = None) -> list[list[int]]:
    size = size or CHUNK_SIZE
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]


def _refuse_unended(period: RebatePeriod) -> None:
    today = timezone.localdate()
    if period.last_day >= today:
        raise ValidationError(
            {
                "period": _(
                    "The period %(period)s has not ended yet; a settlement run is for a period that is over. "
                    "The dealer pages show the rebate accrued so far."
                )
                % {"period": period}
            }
        )


@transaction.atomic
def run_start(*, actor, period: str | RebatePeriod) -> RebateRun:
    """Queue a run of ``period``: 403 for roles other than finance and admins, 400 for a bad period or one that
    has not ended, 503 (nothing written) when the broker does not answer."""
    if not may_start_runs(actor):
        raise PermissionDenied(_("Only finance and administrators run rebate settlements."))
    found = _period(period)
    _refuse_unended(found)
    from channelhub.celery import require_broker

    require_broker(
        _(
            "The task queue (Redis) cannot be reached, so the settlement run was not started and nothing was "
            "saved. Try again in a few minutes; if it keeps happening, tell your administrator."
        )
    )
    run = RebateRun.objects.create(period=str(found), started_by=actor, total=len(run_dealer_ids(found)))
    transaction.on_commit(lambda: run_queue(run.pk))
    return run


def run_queue(run_id: int) -> None:
    from rebates.tasks import run_rebates

    try:
        run_rebates.delay(run_id)
    except Exception as error:
        logger.exception("Rebate run %s could not be queued", run_id)
        with translation.override(settings.LANGUAGE_CODE):
            run_fail(run_id=run_id, error=_("The run could not be queued: %(error)s") % {"error": error})


@dataclass(frozen=True)
class RunPlan:
    period: str
    chunks: list[list[int]]


@transaction.atomic
def run_begin(*, run_id: int) -> RunPlan | None:
    """Mark the run ``running`` and answer its chunks of dealer IDs (None: finished or failed already)."""
    run = RebateRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status in (RebateRun.Status.DONE, RebateRun.Status.FAILED):
        return None
    dealer_ids = run_dealer_ids(RebatePeriod.parse(run.period))
    run.status = RebateRun.Status.RUNNING
    run.started_at = run.started_at or timezone.now()
    run.total, run.done, run.skipped, run.error = len(dealer_ids), 0, 0, ""
    run.save(update_fields=["status", "started_at", "total", "done", "skipped", "error"])
    return RunPlan(period=run.period, chunks=chunks_of(dealer_ids))


def run_compute_chunk(*, run_id: int, dealer_ids: Iterable[int], period: str) -> dict[str, int]:
    """Compute ``dealer_ids`` for ``period`` and write their drafts with the run's progress, in one transaction."""
    run = RebateRun.objects.filter(pk=run_id).select_related("started_by").first()
    if run is None or run.status in (RebateRun.Status.DONE, RebateRun.Status.FAILED):
        return {"written": 0, "skipped": 0}
    dealer_ids = sorted(set(dealer_ids))
    computations = compute_many(dealer_ids, RebatePeriod.parse(period))
    with transaction.atomic():
        written, skipped = settlements_write_drafts(run=run, period=period, computations=computations)
        _count(run_id, done=len(dealer_ids), skipped=skipped)
    return {"written": written, "skipped": skipped}


def run_execute(run_id: int) -> RebateRun | None:
    """Carry the run out here, chunk by chunk (the demo and the benchmark; the workers do the same through
    ``rebates.tasks``). The task queued at commit then finds the run done and does nothing."""
    plan = run_begin(run_id=run_id)
    if plan is not None:
        for dealer_ids in plan.chunks:
            run_compute_chunk(run_id=run_id, dealer_ids=dealer_ids, period=plan.period)
    return run_finish(run_id=run_id)


def _count(run_id: int, *, done: int, skipped: int) -> None:
    changes = {"done": Least(F("done") + done, F("total"))}
    if skipped:
        changes["skipped"] = F("skipped") + skipped
    RebateRun.objects.filter(pk=run_id).update(**changes)


@transaction.atomic
def run_finish(*, run_id: int) -> RebateRun | None:
    run = RebateRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status == RebateRun.Status.FAILED:
        return run
    run.status = RebateRun.Status.DONE
    run.done = run.total
    run.finished_at = run.finished_at or timezone.now()
    run.save(update_fields=["status", "done", "finished_at"])
    return run


def run_fail(*, run_id: int, error: str) -> None:
    with transaction.atomic():
        run = RebateRun.objects.select_for_update().filter(pk=run_id).first()
        if run is not None and run.status in (RebateRun.Status.QUEUED, RebateRun.Status.RUNNING):
            run.status = RebateRun.Status.FAILED
            run.error = (error or _("The run failed.")).strip()[:ERROR_MAX]
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "error", "finished_at"])


# --- a chunk's drafts --------------------------------------------------------------------------------------


def _lock(period: str, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], RebateSettlement]:
    keys = set(keys)
    dealer_ids = sorted({dealer_id for dealer_id, _program in keys})
    rows = (
        RebateSettlement.objects.select_for_update()
        .filter(period=period, dealer_id__in=dealer_ids)
        .order_by("dealer_id", "program_id")
    )
    return {(s.dealer_id, s.program_id): s for s in rows if (s.dealer_id, s.program_id) in keys}


def _history_entries(settlements: Sequence[RebateSettlement], kind: str, *, now, by) -> list:
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    history = RebateSettlement.history.model
    return [
        history(
            history_date=now,
            history_user_id=by.pk if by is not None else None,
            history_change_reason="",
            history_type=kind,
            **{field.attname: getattr(settlement, field.attname) for field in history.tracked_fields},
        )
        for settlement in settlements
    ]


def settlements_write_drafts(
    *, run: RebateRun | None, period: str, computations: Sequence[Computation]
) -> tuple[int, int]:
    """Write ``computations`` as drafts of ``period`` (in the caller's transaction, a fixed number of queries);
    answers ``(written, skipped)``: a settlement submitted, approved or paid is left as it is."""
    now = timezone.now()
    by = run.started_by if run is not None else None
    found = {(c.dealer_id, c.program_id): c for c in computations}
    if not found:
        return 0, 0
    # Two runs writing the same dealers' settlements of the period take turns (PostgreSQL advisory locks,
    # ascending): whoever holds them inserts the missing rows without racing anyone.
    hold_many(SETTLEMENT_WRITES, [(period, dealer_id) for dealer_id in sorted({key[0] for key in found})])
    existing = _lock(period, found)
    skipped = [key for key, s in existing.items() if s.status != RebateSettlement.Status.DRAFT]
    writable = [key for key in sorted(found) if key not in skipped]
    missing = [key for key in writable if key not in existing]

    period_end = RebatePeriod.parse(period).last_day

    def values(key) -> dict:
        return {**found[key].amounts(), "run": run, "computed_at": now, "period_end": period_end}

    created = []
    if missing and supports_copy():
        created = copy_rows_with_ids(
            RebateSettlement,
            [RebateSettlement(dealer_id=d, program_id=p, period=period, **values((d, p))) for d, p in missing],
        )
    elif missing:
        RebateSettlement.objects.bulk_create(
            [RebateSettlement(dealer_id=d, program_id=p, period=period, **values((d, p))) for d, p in missing],
            ignore_conflicts=True,
        )
        inserted = _lock(period, missing)
        if len(inserted) < len(missing):
            raise IntegrityError(f"Rebate settlements of {period} could not be inserted")
        for key, settlement in inserted.items():
            if settlement.computed_at == now and settlement.status == RebateSettlement.Status.DRAFT:
                created.append(settlement)
            else:  # another writer's, a moment ago
                existing[key] = settlement
    new = {(s.dealer_id, s.program_id) for s in created}
    updated = [
        existing[key] for key in writable if key not in new and existing[key].status == RebateSettlement.Status.DRAFT
    ]
    for settlement in updated:
        for name, value in values((settlement.dealer_id, settlement.program_id)).items():
            setattr(settlement, name, value)
        settlement.updated_at = now
    if updated:
        update_rows(RebateSettlement, updated, [*RebateSettlement.AMOUNT_FIELDS, "run", "computed_at", "updated_at"])
    insert_rows(
        RebateSettlement.history.model,
        _history_entries(created, "+", now=now, by=by) + _history_entries(updated, "~", now=now, by=by),
    )
    insert_rows(
        StateChange,
        RebateSettlement.workflow.creation_entries(
            created, by=by, note="rebate_run_computed", note_params={"run": run.pk if run is not None else None}
        ),
    )
    written = created + updated
    _replace_lines(written, found)
    return len(written), len(skipped)


def _replace_lines(settlements: Sequence[RebateSettlement], found: dict) -> None:
    ids = [s.pk for s in settlements]
    if not ids:
        return
    RebateLine.objects.filter(settlement_id__in=ids).delete()
    rows = [
        (s.pk, position, line.step, line.inputs, line.amount, line.clawed_from)
        for s in settlements
        for position, line in enumerate(found[(s.dealer_id, s.program_id)].lines, start=1)
    ]
    if supports_copy():
        copy_rows(
            RebateLine._meta.db_table,
            ("settlement_id", "position", "step", "inputs", "amount", "clawed_from_id"),
            ((sid, pos, step, json.dumps(inputs), amount, clawed) for sid, pos, step, inputs, amount, clawed in rows),
        )
        return
    RebateLine.objects.bulk_create(
        RebateLine(settlement_id=sid, position=pos, step=step, inputs=inputs, amount=amount, clawed_from_id=clawed)
        for sid, pos, step, inputs, amount, clawed in rows
    )


def default_period(today=None) -> str:
    """The quarter a run is usually for: the last one that has ended."""
    today = today or timezone.localdate()
    return str(RebatePeriod.containing(today, annual=False).previous())
