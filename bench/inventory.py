"""Dealer stock at scale (SPEC §16): importing 100,000 stock lines, and the stock health list at 10,000 dealers.

* ``prepare(month)`` gives each of the 10,000 bench dealers a report of ``month`` for each of two product lines
  (``bench-a``, ``bench-b``; made if missing; the import uses ``bench-c`` and ``bench-d``) — 20,000 rows written by ``COPY`` with their derived figures
  (about 5 % overstocked, 2 % out of stock, 3 % slow moving), submitted by the dealer's rep: the rows the
  stock health page (a probe of ``bench.pages``) lists for managers and finance. Once written, left as they are.
* ``measure(first_month)`` imports one CSV file of 100,000 lines — 10,000 dealers × 2 lines × 5 months, each
  line's months opening from the month before — through ``inventory.imports.report_import`` (the function
  behind the import page and ``POST /api/v1/stock-reports/import/``), in one call, not a dry run, as
  ``bench_admin``; the months are the five before the month the fact import uses (no other part uses them).
  The floor is ``COPY … FROM STDIN (FORMAT csv, HEADER)`` of the same file into a staging table with the file's
  columns typed (created and dropped in a rolled-back transaction), as for the fact import; the goal is the
  fact import's (the product within ``import_ratio`` of its floor). The imported rows are deleted afterwards.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from bench import importing
from channelhub.db import insert_rows
from channelhub.periods import Month
from inventory.models import StockReport
from partners.models import Dealer, ProductLine

User = get_user_model()
ROWS = 100_000
MONTHS = 5
#: The lines of the health page's month, and the lines of the import: apart, so that the import's months never
#: meet the rules of a later month of the same line.
HEALTH_LINES = ("bench-a", "bench-b")
LINES = ("bench-c", "bench-d")
STAGING = """
CREATE TABLE bench_stock_staging (
    dealer varchar(32) NOT NULL, period varchar(7) NOT NULL, product_line varchar(32) NOT NULL,
    opening_qty numeric(14, 2), received_qty numeric(14, 2), sold_qty numeric(14, 2), adjustment_qty numeric(14, 2),
    closing_qty numeric(14, 2), opening_amount numeric(14, 2), received_amount numeric(14, 2),
    sold_amount numeric(14, 2), adjustment_amount numeric(14, 2), closing_amount numeric(14, 2),
    adjustment_reason varchar(24), adjustment_note varchar(300)
)
"""
HEADER = [
    "dealer", "period", "product_line", "opening_qty", "received_qty", "sold_qty", "adjustment_qty", "closing_qty",
    "opening_amount", "received_amount", "sold_amount", "adjustment_amount", "closing_amount", "adjustment_reason",
    "adjustment_note",
]  # fmt: skip


def product_lines(codes=LINES) -> list[ProductLine]:
    return [ProductLine.objects.get_or_create(code=code, defaults={"name": code})[0] for code in codes]


def _bench_dealers() -> list[tuple[int, str, int | None]]:
    return list(Dealer.objects.filter(code__startswith="B").order_by("code").values_list("id", "code", "owner_id"))


def prepare(month: Month, log=None) -> dict:
    """The health page's rows: a report of ``month`` per bench dealer and line (see the module's docstring)."""
    say = log or (lambda message: None)
    lines = product_lines(HEALTH_LINES)
    if StockReport.objects.filter(period=str(month), product_line__in=lines).exists():
        count = StockReport.objects.filter(period=str(month)).count()
        say(f"  {count} stock reports of {month} already there")
        return {"period": str(month), "reports": count}
    rng = random.Random(f"channelhub-bench-stock:{month}")
    now = timezone.now()
    reports = []
    for dealer_id, _code, owner_id in _bench_dealers():
        for line in lines:
            opening = rng.randint(20, 200)
            received = rng.randint(0, 150)
            roll = rng.random()
            if roll < 0.02:
                sold = opening + received  # out of stock
            elif roll < 0.05:
                sold = 0  # slow moving, when the month before sold nothing either
            else:
                sold = rng.randint(0, opening + received)
            closing = opening + received - sold
            days = None if not sold else round(closing * 30 / sold, 1)
            reports.append(
                StockReport(
                    dealer_id=dealer_id,
                    period=str(month),
                    product_line=line,
                    opening_qty=opening,
                    received_qty=received,
                    sold_qty=sold,
                    closing_qty=closing,
                    opening_amount=opening * 100,
                    received_amount=received * 100,
                    sold_amount=sold * 100,
                    closing_amount=closing * 100,
                    expected_received_amount=received * 100,
                    days_of_stock=days,
                    overstock=days is not None and days > 60,
                    stockout=closing == 0 and sold > 0,
                    slow_moving=sold == 0 and closing > 0 and roll < 0.05,
                    submitted_by_id=owner_id,
                    submitted_at=now,
                )
            )
    with transaction.atomic():
        insert_rows(StockReport, reports)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_stockreport")
    say(f"  {len(reports)} stock reports of {month} written")
    return {"period": str(month), "reports": len(reports)}


def import_months(first_month: Month) -> list[Month]:
    """The five months before the fact import's month (``first_month`` − 1)."""
    month = first_month.previous()
    months = []
    for _index in range(MONTHS):
        month = month.previous()
        months.append(month)
    return list(reversed(months))


def csv_file(months: list[Month], rows: int = ROWS) -> bytes:
    dealers = _bench_dealers()
    per_dealer = len(LINES) * len(months)
    rng = random.Random(f"channelhub-bench-stock-import:{months[0]}:{rows}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    written = 0
    for _dealer_id, code, _owner in dealers[: rows // per_dealer]:
        for line in LINES:
            closing = rng.randint(10, 100)
            for month in months:
                opening, received = closing, rng.randint(0, 80)
                sold = rng.randint(0, opening + received)
                closing = opening + received - sold
                figures = [opening, received, sold, 0, closing]
                amounts = [f"{value * 25:.2f}" for value in figures]
                writer.writerow([code, str(month), line, *figures, *amounts, "", ""])
                written += 1
    if written != rows:
        raise RuntimeError(f"The bench has {len(dealers)} dealers: {written} stock lines, not {rows}")
    return out.getvalue().encode()


def clean(months: list[Month]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM inventory_stockreport WHERE period = ANY(%s) AND product_line_id IN "
            "(SELECT id FROM partners_productline WHERE code = ANY(%s))",
            [[str(m) for m in months], list(LINES)],
        )
        cursor.execute(
            "DELETE FROM workflow_statechange WHERE content_type_id IN (SELECT id FROM django_content_type "
            "WHERE app_label = 'inventory') AND object_id NOT IN (SELECT id FROM inventory_stockreport)"
        )


def product_once(content: bytes, expected: int) -> float:
    from inventory.imports import report_import

    admin = User.objects.get(username="bench_admin")
    started = time.perf_counter()
    report = report_import(actor=admin, file=content, file_format="csv", dry_run=False)
    seconds = time.perf_counter() - started
    if not report.imported:
        raise RuntimeError(f"The bench stock import was refused: {str(report.as_dict())[:2000]}")
    if report.new != expected:
        raise RuntimeError(f"The bench stock import wrote {report.new} rows of {expected}")
    return seconds


def copy_once(content: bytes) -> float:
    return importing.copy_once(content, STAGING, "bench_stock_staging")


def measure(first_month: Month, *, repeats: int, log=None, rows: int = ROWS) -> dict:
    say = log or (lambda message: None)
    product_lines()
    months = import_months(first_month)
    content = csv_file(months, rows)
    clean(months)
    product, floor = [], []
    for _index in range(max(1, repeats // 2)):
        try:
            product.append(product_once(content, rows))
        finally:
            clean(months)
        floor.append(copy_once(content))
    say(f"  stock import: median {statistics.median(product):.2f} s of {[round(t, 2) for t in product]}")
    say(f"  COPY: median {statistics.median(floor):.3f} s of {[round(t, 3) for t in floor]}")
    product_s, floor_s = statistics.median(product), statistics.median(floor)
    return {
        "months": [str(m) for m in months],
        "rows": rows,
        "file_bytes": len(content),
        "product": {"times": product, "median_s": product_s, "rows_per_s": rows / product_s},
        "floor": {"times": floor, "median_s": floor_s, "rows_per_s": rows / floor_s},
        "ratio": product_s / floor_s,
    }
