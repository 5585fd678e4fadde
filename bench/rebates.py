"""The quarterly rebate settlement on the bench data set, against its floor (SPEC §15, issue 18).

* **Set-up** (untimed): a four-band program (0 % → 0 %, 80 % → 1 %, 100 % → 2 %, 120 % → 3 %; 50 % collection
  gate; 10 % per flagged sale) named by every bench agreement that names none.
* **The product**: ``rebates.services.runs.run_start`` by ``bench_finance`` for the last quarter that has ended
  inside the data set — what ``POST /api/v1/rebate-runs/`` does — with the tasks eager: ``run_rebates`` → the
  chunks (250 dealers each) → ``finish_run``, in this process. Before each repetition the period's draft
  settlements (lines, state log, history) and the bench runs are deleted, untimed.
* **The floor**: in one transaction, rolled back: the same aggregates in plain SQL (the agreements naming a
  program in force in the quarter; sales by dealer, day, product line and conflict flag; collections by dealer
  and day; the previous period's settled settlements; the programs' bands), then ``COPY`` of as many settlement
  and line rows as the product wrote, with the product's own figures (read beforehand, untimed).

Wall times are the median of the repetitions; the ratio is product / floor (goal ≤ 3).
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from rebates.models import RebateProgram, RebateRun, RebateSettlement, RebateTier
from rebates.periods import RebatePeriod

User = get_user_model()
PROGRAM = "bench-tiered"
BENCH_DEALERS = "SELECT id FROM partners_dealer WHERE code LIKE 'B%%'"
GOAL = 3.0


def _execute(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def quarter_of(run_month) -> RebatePeriod:
    """The last quarter that has ended by the run month's end (the data set's months hold it whole)."""
    return RebatePeriod.containing(run_month.first_day, annual=False).previous()


def prepare() -> RebateProgram:
    program, created = RebateProgram.objects.get_or_create(
        name=PROGRAM, defaults={"min_collection_rate": Decimal("50"), "conflict_penalty": Decimal("10")}
    )
    if created:
        RebateTier.objects.bulk_create(
            RebateTier(program=program, from_attainment=Decimal(edge), rate=Decimal(rate))
            for edge, rate in (("0", "0"), ("80", "1"), ("100", "2"), ("120", "3"))
        )
    _execute(
        f"UPDATE partners_agreement SET rebate_program_id = %s WHERE rebate_program_id IS NULL "
        f"AND dealer_id IN ({BENCH_DEALERS})",
        [program.pk],
    )
    return program


def clear_drafts(period: str) -> None:
    kind = ContentType.objects.get_for_model(RebateSettlement).pk
    drafts = f"SELECT id FROM rebates_rebatesettlement WHERE period = %s AND status = 'draft' AND dealer_id IN ({BENCH_DEALERS})"
    with transaction.atomic():
        _execute(f"DELETE FROM rebates_rebateline WHERE settlement_id IN ({drafts})", [period])
        _execute(
            f"DELETE FROM workflow_statechange WHERE content_type_id = %s AND object_id IN ({drafts})", [kind, period]
        )
        _execute(f"DELETE FROM rebates_historicalrebatesettlement WHERE id IN ({drafts})", [period])
        _execute(f"DELETE FROM rebates_rebatesettlement WHERE id IN ({drafts})", [period])
        RebateRun.objects.filter(period=period).exclude(settlements__isnull=False).delete()


def _settlements(period: str):
    return RebateSettlement.objects.filter(period=period, dealer__code__startswith="B")


def run_once(period: str) -> tuple[float, RebateRun]:
    from rebates.services.runs import run_start

    finance = User.objects.get(username="bench_finance")
    started = time.perf_counter()
    run = run_start(actor=finance, period=period)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    if run.status != RebateRun.Status.DONE:
        raise RuntimeError(f"The bench rebate run {run.pk} ended {run.status}: {run.error}")
    return seconds, run


def measure_product(period: str, repeats: int) -> dict:
    times, written = [], 0
    for _index in range(repeats):
        clear_drafts(period)
        seconds, run = run_once(period)
        written = _settlements(period).filter(run=run).count()
        times.append(seconds)
    lines = _execute(
        "SELECT COUNT(*) FROM rebates_rebateline WHERE settlement_id IN "
        f"(SELECT id FROM rebates_rebatesettlement WHERE period = %s AND dealer_id IN ({BENCH_DEALERS}))",
        [period],
    )[0][0]
    return {"times": times, "median_s": statistics.median(times), "settlements": written, "lines": lines}


AGGREGATES = (
    """SELECT a.id, a.dealer_id, a.rebate_program_id, a.start_date, a.end_date, a.annual_sales_target
       FROM partners_agreement a JOIN rebates_rebateprogram p ON p.id = a.rebate_program_id
       WHERE a.status = 'signed' AND a.start_date <= %(last)s AND a.end_date >= %(first)s AND p.frequency = 'quarterly'
       ORDER BY a.dealer_id, a.start_date""",
    """SELECT dealer_id, date, category_id, channel_conflict, SUM(amount),
              SUM(amount) FILTER (WHERE amount < 0), COUNT(*)
       FROM kpi_salesrecord WHERE date BETWEEN %(first)s AND %(last)s AND dealer_id IN (
           SELECT dealer_id FROM partners_agreement WHERE status = 'signed' AND rebate_program_id IS NOT NULL
           AND start_date <= %(last)s AND end_date >= %(first)s)
       GROUP BY dealer_id, date, category_id, channel_conflict""",
    """SELECT dealer_id, date, SUM(amount) FROM kpi_collection WHERE date BETWEEN %(first)s AND %(last)s
       AND dealer_id IN (SELECT dealer_id FROM partners_agreement WHERE status = 'signed'
           AND rebate_program_id IS NOT NULL AND start_date <= %(last)s AND end_date >= %(first)s)
       GROUP BY dealer_id, date""",
    """SELECT id, dealer_id, program_id, basis_amount, net_amount FROM rebates_rebatesettlement
       WHERE period = %(previous)s AND status IN ('approved', 'paid')""",
    "SELECT program_id, from_attainment, rate FROM rebates_rebatetier ORDER BY program_id, from_attainment",
)
SETTLEMENT_COLUMNS = (
    "id", "period", "period_end", "status", "basis_amount", "target_amount", "attainment", "rate", "collection_rate",
    "conflict_count", "gross_amount", "penalty_amount", "clawback_amount", "net_amount", "computed_at",
    "rejection_reason", "payment_reference", "created_at", "updated_at", "dealer_id", "program_id", "run_id",
)  # fmt: skip
LINE_COLUMNS = ("settlement_id", "position", "step", "inputs", "amount")


def capture(period: str) -> list[dict]:
    return [
        {
            "dealer_id": s.dealer_id,
            "program_id": s.program_id,
            "amounts": [getattr(s, name) for name in RebateSettlement.AMOUNT_FIELDS],
            "lines": [(line.position, line.step, json.dumps(line.inputs), line.amount) for line in s.lines.all()],
        }
        for s in _settlements(period).prefetch_related("lines")
    ]


def floor_once(period: RebatePeriod, captured: list[dict], run_id: int) -> float:
    params = {"first": period.first_day, "last": period.last_day, "previous": str(period.previous())}
    with transaction.atomic():
        started = time.perf_counter()
        for sql in AGGREGATES:
            _execute(sql, params)
        ids = [
            row[0]
            for row in _execute(
                "SELECT nextval(pg_get_serial_sequence('rebates_rebatesettlement', 'id')) FROM generate_series(1, %s)",
                [len(captured)],
            )
        ]
        now = timezone.now()
        settlement_rows, line_rows = [], []
        for settlement_id, product in zip(ids, captured, strict=True):
            settlement_rows.append(
                (settlement_id, str(period), period.last_day, "draft", *product["amounts"], now, "", "", now, now,
                 product["dealer_id"], product["program_id"], run_id)
            )  # fmt: skip
            line_rows.extend((settlement_id, *line) for line in product["lines"])
        with connection.cursor() as cursor:
            columns = ", ".join(SETTLEMENT_COLUMNS)
            with cursor.cursor.copy(f"COPY rebates_rebatesettlement ({columns}) FROM STDIN") as copy:
                for row in settlement_rows:
                    copy.write_row(row)
            with cursor.cursor.copy(f"COPY rebates_rebateline ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
                for row in line_rows:
                    copy.write_row(row)
        _execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def measure_floor(period: str, repeats: int) -> dict:
    captured = capture(period)
    clear_drafts(period)
    run_id = RebateRun.objects.create(period=period, status=RebateRun.Status.DONE).pk
    times = [floor_once(RebatePeriod.parse(period), captured, run_id) for _index in range(repeats)]
    return {"times": times, "median_s": statistics.median(times), "settlements": len(captured)}


def measure(run_month, *, repeats: int, log=None) -> dict:
    say = log or (lambda message: None)
    prepare()
    period = str(quarter_of(run_month))
    # A first run, untimed, then fresh statistics: a deployment's tables are analysed as they grow (autovacuum);
    # right after their creation the planner takes them for empty and checks each foreign key by a scan.
    clear_drafts(period)
    run_once(period)
    _execute(
        "ANALYZE rebates_rebatesettlement, rebates_rebateline, rebates_historicalrebatesettlement, workflow_statechange"
    )
    product = measure_product(period, repeats)
    say(f"  rebate run {period}: median {product['median_s']:.2f} s of {[round(t, 2) for t in product['times']]}")
    floor = measure_floor(period, repeats)
    say(f"  floor: median {floor['median_s']:.2f} s of {[round(t, 2) for t in floor['times']]}")
    run_once(period)  # leave the quarter computed, as a run leaves it (the pages show settlements)
    return {
        "period": period,
        "settlements": product["settlements"],
        "lines": product["lines"],
        "product": product,
        "floor": floor,
        "ratio": product["median_s"] / floor["median_s"],
        "measured_at": datetime.now(tz=timezone.get_default_timezone()).isoformat(timespec="seconds"),
    }
