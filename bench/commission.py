"""The monthly commission run on the bench data set, against its floor (SPEC §11).

* **The product**: ``commissions.services.runs.run_start`` by ``bench_finance`` for the run month — what
  ``POST /api/v1/commission-runs/`` does — with the tasks eager (no broker): ``run_commissions`` → the
  chunks (``compute_chunk``, 50 reps each) → ``finish_run``, in this process. Before each repetition the
  month's draft statements of the bench reps (their lines, state log and history rows) and the earlier
  bench runs are deleted, untimed, so that every repetition computes and writes every statement from
  scratch, as the schedule's run on the 1st does.
* **The floor**: in one transaction, rolled back: the same per-rep aggregates in plain SQL (the plan
  on the month's last day, net sales, collections, expenses, the approved target's expense rate
  target, counted / false / fabricated visits against the monthly minimum — one query — and the plans'
  tiers — one more), then ``COPY`` of as many statement rows and line rows as the product wrote, with
  the product's own amounts, texts and inputs (read beforehand, untimed), into the real tables.

Wall times are the median of the repetitions; the ratio is product / floor.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from channelhub.periods import Month
from commissions.models import CommissionRun, Statement

User = get_user_model()
BENCH_REPS = "SELECT id FROM auth_user WHERE username LIKE 'bench\\_rep\\_%%' ESCAPE '\\'"


def _execute(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def clear_drafts(period: str) -> None:
    """Delete the bench reps' draft statements of ``period`` with their lines, state log and history,
    and the bench runs of the period (none of it is measured)."""
    statement_type = ContentType.objects.get_for_model(Statement).pk
    drafts = (
        f"SELECT id FROM kpi_statement WHERE period = %s AND kind = 'monthly' AND status = 'draft' "
        f"AND rep_id IN ({BENCH_REPS})"
    )
    with transaction.atomic():
        _execute(f"DELETE FROM kpi_statementline WHERE statement_id IN ({drafts})", [period])
        _execute(
            f"DELETE FROM workflow_statechange WHERE content_type_id = %s AND object_id IN ({drafts})",
            [statement_type, period],
        )
        _execute(f"DELETE FROM kpi_historicalstatement WHERE id IN ({drafts})", [period])
        _execute(f"DELETE FROM kpi_statement WHERE id IN ({drafts})", [period])
        finance = User.objects.get(username="bench_finance")
        CommissionRun.objects.filter(period=period, started_by=finance).exclude(statements__isnull=False).delete()


def _bench_statements(period: str):
    return Statement.objects.filter(period=period, kind=Statement.Kind.MONTHLY, rep__username__startswith="bench_rep_")


def run_once(period: str) -> tuple[float, CommissionRun]:
    """One run of ``period`` as the API starts it; answers (seconds, the run)."""
    from commissions.services.runs import run_start

    finance = User.objects.get(username="bench_finance")
    started = time.perf_counter()
    run = run_start(actor=finance, period=period)
    seconds = time.perf_counter() - started
    run.refresh_from_db()
    if run.status != CommissionRun.Status.DONE:
        raise RuntimeError(f"The bench run {run.pk} ended {run.status}: {run.error}")
    return seconds, run


def measure_product(period: str, repeats: int, reps: int) -> dict:
    times = []
    for _index in range(repeats):
        clear_drafts(period)
        seconds, run = run_once(period)
        written = _bench_statements(period).filter(run=run).count()
        if written != reps:
            raise RuntimeError(f"The bench run wrote {written} statements for {reps} reps")
        times.append(seconds)
    lines = _execute(
        f"SELECT COUNT(*) FROM kpi_statementline WHERE statement_id IN (SELECT id FROM kpi_statement "
        f"WHERE period = %s AND rep_id IN ({BENCH_REPS}))",
        [period],
    )[0][0]
    return {"times": times, "median_s": statistics.median(times), "statements": reps, "lines": lines}


# --- the floor -------------------------------------------------------------------------------------

AGGREGATES = f"""
WITH reps AS (
    SELECT rep_id, plan_id FROM kpi_planassignment
    WHERE start_date <= %(last)s AND (end_date IS NULL OR end_date >= %(last)s) AND rep_id IN ({BENCH_REPS})
), sales AS (
    SELECT rep_id, SUM(amount) AS total FROM kpi_salesrecord
    WHERE date BETWEEN %(first)s AND %(last)s AND rep_id IN (SELECT rep_id FROM reps) GROUP BY rep_id
), collections AS (
    SELECT rep_id, SUM(amount) AS total FROM kpi_collection
    WHERE date BETWEEN %(first)s AND %(last)s AND rep_id IN (SELECT rep_id FROM reps) GROUP BY rep_id
), expenses AS (
    SELECT rep_id, SUM(amount) AS total FROM kpi_expense
    WHERE date BETWEEN %(first)s AND %(last)s AND rep_id IN (SELECT rep_id FROM reps) GROUP BY rep_id
), visits AS (
    SELECT rep_id,
           COUNT(*) FILTER (WHERE status IN ('submitted', 'confirmed')) AS counted,
           COUNT(*) FILTER (WHERE status = 'false_report') AS false_reports,
           COUNT(*) FILTER (WHERE status = 'fabricated') AS fabricated
    FROM visits_visit
    WHERE visited_on BETWEEN %(first)s AND %(last)s AND rep_id IN (SELECT rep_id FROM reps) GROUP BY rep_id
)
SELECT reps.rep_id, reps.plan_id,
       COALESCE(sales.total, 0), COALESCE(collections.total, 0), COALESCE(expenses.total, 0),
       target.expense_rate_target,
       GREATEST(0, COALESCE(quota.monthly_min, %(monthly_min)s) - COALESCE(visits.counted, 0)),
       COALESCE(visits.false_reports, 0), COALESCE(visits.fabricated, 0)
FROM reps
LEFT JOIN sales ON sales.rep_id = reps.rep_id
LEFT JOIN collections ON collections.rep_id = reps.rep_id
LEFT JOIN expenses ON expenses.rep_id = reps.rep_id
LEFT JOIN visits ON visits.rep_id = reps.rep_id
LEFT JOIN kpi_target target
       ON target.rep_id = reps.rep_id AND target.period = %(period)s AND target.status IN ('approved', 'acknowledged')
LEFT JOIN visits_quota quota ON quota.rep_id = reps.rep_id
ORDER BY reps.rep_id
"""

STATEMENT_COLUMNS = (
    "id", "period", "kind", "status", "base_amount", "gross_amount", "deductions_amount", "net_amount",
    "retained_amount", "payable_amount", "carried_forward", "computed_at", "rejection_reason", "payment_reference", "created_at",
    "updated_at", "plan_id", "rep_id", "run_id",
)  # fmt: skip
LINE_COLUMNS = ("statement_id", "position", "step", "description", "inputs", "amount")


def capture(period: str) -> dict[int, dict]:
    """The product's statements of ``period`` by rep: amounts and lines, to write the same rows."""
    statements = {}
    for statement in _bench_statements(period).prefetch_related("lines"):
        statements[statement.rep_id] = {
            "amounts": [
                statement.base_amount,
                statement.gross_amount,
                statement.deductions_amount,
                statement.net_amount,
                statement.retained_amount,
                statement.payable_amount,
                statement.carried_forward,
            ],
            "lines": [
                (line.position, line.step, line.description, json.dumps(line.inputs), line.amount)
                for line in statement.lines.all()
            ],
        }
    return statements


def floor_once(period: str, captured: dict[int, dict], run_id: int) -> float:
    from django.conf import settings

    month = Month.parse(period)
    params = {
        "first": month.first_day,
        "last": month.last_day,
        "period": period,
        "monthly_min": settings.VISIT_QUOTA_MONTHLY_MIN,
    }
    with transaction.atomic():
        started = time.perf_counter()
        rows = _execute(AGGREGATES, params)
        plans = sorted({row[1] for row in rows})
        _execute("SELECT plan_id, from_amount, rate FROM kpi_commissiontier WHERE plan_id = ANY(%s)", [plans])
        ids = [
            row[0]
            for row in _execute(
                "SELECT nextval(pg_get_serial_sequence('kpi_statement', 'id')) FROM generate_series(1, %s)", [len(rows)]
            )
        ]
        now = timezone.now()
        statement_rows, line_rows = [], []
        for statement_id, row in zip(ids, rows, strict=True):
            rep_id, plan_id = row[0], row[1]
            product = captured[rep_id]
            statement_rows.append(
                (statement_id, period, "monthly", "draft", *product["amounts"], now, "", "", now, now, plan_id, rep_id,
                 run_id)
            )  # fmt: skip
            line_rows.extend((statement_id, *line) for line in product["lines"])
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY kpi_statement ({', '.join(STATEMENT_COLUMNS)}) FROM STDIN") as copy:
                for row in statement_rows:
                    copy.write_row(row)
            with cursor.cursor.copy(f"COPY kpi_statementline ({', '.join(LINE_COLUMNS)}) FROM STDIN") as copy:
                for row in line_rows:
                    copy.write_row(row)
        # The constraints are checked (deferred foreign keys too) before the time is taken.
        _execute("SET CONSTRAINTS ALL IMMEDIATE")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    if len(line_rows) != sum(len(p["lines"]) for p in captured.values()):
        raise RuntimeError("The floor wrote another number of lines")
    return seconds


def measure_floor(period: str, repeats: int) -> dict:
    captured = capture(period)
    run_id = _bench_statements(period).values_list("run_id", flat=True).first()
    clear_drafts(period)  # the floor writes the same rows: the product's must not be in the way
    # clear_drafts deleted the run only when it had no statement left; keep one for the foreign key
    if not CommissionRun.objects.filter(pk=run_id).exists():
        run_id = CommissionRun.objects.create(period=period, status=CommissionRun.Status.DONE).pk
    times = [floor_once(period, captured, run_id) for _index in range(repeats)]
    return {
        "times": times,
        "median_s": statistics.median(times),
        "statements": len(captured),
        "lines": sum(len(p["lines"]) for p in captured.values()),
    }


def measure(period: str, *, repeats: int, reps: int, log=None) -> dict:
    """The product's run and its floor for ``period`` (median of ``repeats`` each)."""
    say = log or (lambda message: None)
    product = measure_product(period, repeats, reps)
    say(f"  run: median {product['median_s']:.2f} s of {[round(t, 2) for t in product['times']]}")
    floor = measure_floor(period, repeats)
    say(f"  floor: median {floor['median_s']:.2f} s of {[round(t, 2) for t in floor['times']]}")
    # Leave the month computed, as a run leaves it (the pages show statements).
    run_once(period)
    return {
        "period": period,
        "reps": reps,
        "product": product,
        "floor": floor,
        "ratio": product["median_s"] / floor["median_s"],
        "measured_at": datetime.now(tz=timezone.get_default_timezone()).isoformat(timespec="seconds"),
    }
