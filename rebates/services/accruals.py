"""Monthly rebate accruals (预提, SPEC §15): at each month's end, the rebate each dealer has earned in its open
periods so far — the settlement computation cut short at the month's last day (the target prorated to it too).
Stored per dealer, program and month (``RebateAccrual``); the monthly task writes them, a re-run replaces them.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from channelhub.periods import Month
from rebates.models import RebateAccrual
from rebates.periods import RebatePeriod
from rebates.services.compute import Computation, compute_many
from rebates.services.runs import chunks_of, run_dealer_ids


def open_periods(day: date) -> list[RebatePeriod]:
    """The periods a day falls in: its quarter (quarterly programs) and its year (annual ones)."""
    return [RebatePeriod.containing(day, annual=False), RebatePeriod.containing(day, annual=True)]


def estimate(dealer_ids, day: date) -> list[Computation]:
    """The rebates of ``dealer_ids`` earned in their open periods up to ``day`` (nothing stored)."""
    found = []
    for period in open_periods(day):
        found += compute_many(dealer_ids, period, until=day)
    return found


def accruals_compute(month: Month | str) -> int:
    """Write the accruals of ``month`` for every dealer with a program; answers how many were written."""
    month = month if isinstance(month, Month) else Month.parse(month)
    day = month.last_day
    written = 0
    for period in open_periods(day):
        for chunk in chunks_of(run_dealer_ids(period, until=day)):
            computations = compute_many(chunk, period, until=day)
            with transaction.atomic():
                RebateAccrual.objects.filter(month=str(month), period=str(period), dealer_id__in=chunk).delete()
                RebateAccrual.objects.bulk_create(
                    RebateAccrual(
                        dealer_id=c.dealer_id,
                        program_id=c.program_id,
                        month=str(month),
                        period=str(period),
                        basis_amount=c.basis_amount,
                        amount=c.net_amount,
                    )
                    for c in computations
                )
            written += len(computations)
    return written
