"""The commission run's Celery pipeline (SPEC §6, §9). Tasks take IDs and call ``commissions.services.runs``.

    run_commissions(run_id)
        └─ chord( group(compute_chunk(run_id, rep_ids, period) for each chunk of reps),
                  finish_run(run_id) )   — on a chunk's failure: fail_run(run_id)

Every task is a ``reliable_task``: retried with backoff on database and broker errors, acknowledged
late (re-delivered when its worker dies) and safe to run twice — a chunk run again rewrites the same
drafts and nothing else. Any other error fails the run with the error's text; starting the period
again recomputes the drafts (one statement per rep and period whatever happened before).

Without a broker (tests, ``make run``) the chord runs in the calling process with the same result.
"""

from __future__ import annotations

import logging

from celery import chord, group

from channelhub.periods import Month
from channelhub.tasks import RETRY_ON, reliable_task
from commissions.services import runs

logger = logging.getLogger(__name__)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


@reliable_task(name="kpi.run_commissions", bind=True)
def run_commissions(self, run_id: int) -> None:
    """Mark the run running and spread its reps over the workers in chunks."""
    plan = runs.run_begin(run_id=run_id)
    if plan is None:
        return
    if not plan.chunks:
        runs.run_finish(run_id=run_id)
        return
    header = group(compute_chunk.s(run_id, rep_ids, plan.period) for rep_ids in plan.chunks)
    body = finish_run.s(run_id).on_error(fail_run.s(run_id=run_id))
    try:
        chord(header, body).apply_async()
    except RETRY_ON:
        raise
    except Exception as error:
        # Only in eager mode does a chunk's error come back here (with a broker, the chord's error
        # callback reports it). The run is marked failed; the caller — a page, the API — is not broken.
        if not self.request.is_eager:
            raise
        logger.exception("Commission run %s failed", run_id)
        runs.run_fail(run_id=run_id, error=_describe(error))


@reliable_task(name="kpi.compute_chunk")
def compute_chunk(run_id: int, rep_ids: list[int], period: str) -> dict[str, int]:
    """Compute one chunk of reps and write their drafts; any error but an operational one fails the run."""
    try:
        return runs.run_compute_chunk(run_id=run_id, rep_ids=rep_ids, period=period)
    except RETRY_ON:
        raise  # retried with backoff (reliable_task); the chord's error callback reports a final failure
    except Exception as error:
        runs.run_fail(run_id=run_id, error=_describe(error))
        raise


@reliable_task(name="kpi.finish_run")
def finish_run(chunk_counts: list, run_id: int) -> None:
    """Every chunk succeeded: the run is done."""
    runs.run_finish(run_id=run_id)


@reliable_task(name="kpi.fail_run")
def fail_run(request, exc, traceback, run_id: int) -> None:
    """The chord's error callback (called with the failed task's request, exception and traceback)."""
    runs.run_fail(run_id=run_id, error=_describe(exc) if exc is not None else "")


@reliable_task(name="kpi.monthly_commission_run")
def monthly_commission_run() -> int | None:
    """Day 1 at 02:00 (beat): run the previous month for every rep with a plan, as the system
    (``started_by`` empty). A closed month is skipped; a re-delivery does not start a second run."""
    run = runs.run_start_scheduled(period=Month.current().previous())
    return run.pk if run is not None else None
