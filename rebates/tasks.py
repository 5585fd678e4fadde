"""The rebate run's Celery pipeline (SPEC §15, §9), like the commission run's: tasks take IDs and call
``rebates.services.runs``; each is a ``reliable_task`` safe to run twice.

    run_rebates(run_id)
        └─ chord( group(compute_chunk(run_id, dealer_ids, period) for each chunk),
                  finish_run(run_id) )   — on a chunk's failure: fail_run(run_id)
"""

from __future__ import annotations

import logging

from celery import chord, group

from channelhub.tasks import RETRY_ON, reliable_task
from rebates.services import runs

logger = logging.getLogger(__name__)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


@reliable_task(name="rebates.run_rebates", bind=True)
def run_rebates(self, run_id: int) -> None:
    plan = runs.run_begin(run_id=run_id)
    if plan is None:
        return
    if not plan.chunks:
        runs.run_finish(run_id=run_id)
        return
    header = group(compute_chunk.s(run_id, dealer_ids, plan.period) for dealer_ids in plan.chunks)
    body = finish_run.s(run_id).on_error(fail_run.s(run_id=run_id))
    try:
        chord(header, body).apply_async()
    except RETRY_ON:
        raise
    except Exception as error:
        if not self.request.is_eager:
            raise
        logger.exception("Rebate run %s failed", run_id)
        runs.run_fail(run_id=run_id, error=_describe(error))


@reliable_task(name="rebates.compute_chunk")
def compute_chunk(run_id: int, dealer_ids: list[int], period: str) -> dict[str, int]:
    try:
        return runs.run_compute_chunk(run_id=run_id, dealer_ids=dealer_ids, period=period)
    except RETRY_ON:
        raise
    except Exception as error:
        runs.run_fail(run_id=run_id, error=_describe(error))
        raise


@reliable_task(name="rebates.finish_run")
def finish_run(chunk_counts: list, run_id: int) -> None:
    runs.run_finish(run_id=run_id)


@reliable_task(name="rebates.fail_run")
def fail_run(request, exc, traceback, run_id: int) -> None:
    runs.run_fail(run_id=run_id, error=_describe(exc) if exc is not None else "")


@reliable_task(name="rebates.monthly_accruals")
def monthly_accruals() -> int:
    """Day 1 at 03:00 (beat): the accruals of the month that has just ended, for every dealer with a program."""
    from channelhub.periods import Month
    from rebates.services.accruals import accruals_compute

    return accruals_compute(Month.current().previous())
