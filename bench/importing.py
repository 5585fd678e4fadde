"""Importing 100,000 sales rows from CSV through the product's importer, against PostgreSQL ``COPY``.

The file is in the import format of ``kpi.imports`` (``reference, date, dealer_code, rep, amount,
category, ship_to, note``), for the month before the data set's first month (a month no other part of
the bench uses; the dealers' agreements cover it, so no row is a channel conflict), references
``BI…``. The 100,000 rows go in as one file (``kpi.imports.MAX_ROWS`` is 200,000) through
``kpi.imports.fact_import`` — the function behind the import page and ``POST /api/v1/imports/`` — in
one call, not a dry run, as ``bench_finance``.

The floor is ``COPY … FROM STDIN (FORMAT csv, HEADER)`` of the same 100,000 rows (one file) into a
staging table with the file's columns typed as the facts' (a plain table, created and dropped in a
transaction that is rolled back). For the breakdown the bench also times ``COPY`` of the same rows,
already resolved to IDs, into ``kpi_salesrecord`` itself with its indexes and foreign keys checked
(``SET CONSTRAINTS ALL IMMEDIATE``, rolled back): what writing into the table costs whoever writes.
The imported rows are deleted afterwards, so a repeated ``make bench`` measures the same thing.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from channelhub.periods import Month

User = get_user_model()
ROWS = 100_000
STAGING = """
CREATE TABLE bench_import_staging (
    reference varchar(64) NOT NULL, date date NOT NULL, dealer_code varchar(32) NOT NULL, rep varchar(150),
    amount numeric(14, 2) NOT NULL, category varchar(32), ship_to varchar(32), note varchar(200)
)
"""


def import_month(first_month: Month) -> Month:
    return first_month.previous()


def csv_files(month: Month, rows: int, per_file: int) -> tuple[bytes, list[bytes]]:
    """The whole file, and the same rows cut into files of ``per_file`` rows (each with the header)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.code, u.username FROM partners_dealer d JOIN auth_user u ON u.id = d.owner_id "
            "WHERE u.username LIKE 'bench\\_rep\\_%%' ESCAPE '\\' ORDER BY d.code"
        )
        dealers = cursor.fetchall()
    rng = random.Random(f"channelhub-bench-import:{month}:{rows}")
    days = list(month.days())
    header = ["reference", "date", "dealer_code", "rep", "amount", "category", "ship_to", "note"]
    records = []
    code = f"{month.year}{month.month:02d}"
    for number in range(1, rows + 1):
        dealer, rep = rng.choice(dealers)
        records.append(
            [f"BI{code}-{number:06d}", rng.choice(days).isoformat(), dealer, rep, f"{rng.uniform(500, 20_000):.2f}",
             "", "", ""]
        )  # fmt: skip

    def as_csv(part: list[list[str]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(part)
        return out.getvalue().encode()

    return as_csv(records), [as_csv(records[start : start + per_file]) for start in range(0, rows, per_file)]


def resolved_rows(content: bytes, finance_id: int) -> bytes:
    """The rows of ``content`` as ``kpi_salesrecord`` columns (dealer and rep by ID, the dealer's
    territory as ship-to), CSV for ``COPY``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT d.code, d.id, d.territory_id FROM partners_dealer d")
        dealers = {code: (pk, territory) for code, pk, territory in cursor.fetchall()}
        cursor.execute("SELECT username, id FROM auth_user WHERE username LIKE 'bench\\_rep\\_%%' ESCAPE '\\'")
        reps = dict(cursor.fetchall())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for reference, day, dealer, rep, amount, *_rest in list(csv.reader(io.StringIO(content.decode())))[1:]:
        dealer_id, territory_id = dealers[dealer]
        writer.writerow([reference, day, amount, "", dealer_id, reps[rep], territory_id, "f", finance_id, "now"])
    return out.getvalue().encode()


TABLE_COLUMNS = (
    "reference, date, amount, note, dealer_id, rep_id, ship_to_territory_id, channel_conflict, created_by_id, "
    "created_at"
)


def copy_table_once(rows: bytes) -> tuple[float, float]:
    """``COPY`` of resolved rows into ``kpi_salesrecord``, rolled back: the seconds of the ``COPY``
    itself (rows, indexes, checks) and of its deferred foreign keys, checked right after."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            started = time.perf_counter()
            copy_sql = f"COPY kpi_salesrecord ({TABLE_COLUMNS}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL (note))"
            with cursor.cursor.copy(copy_sql) as copy:
                copy.write(rows)
            copied = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checked = time.perf_counter()
        transaction.set_rollback(True)
    return copied - started, checked - copied


def clean(month: Month) -> None:
    """Remove the imported sales, and take them out of the roll-ups (the product never deletes a fact)."""
    from kpi.models import SalesRecord
    from kpi.services.rollups import facts_rolled_up

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM kpi_salesrecord WHERE reference LIKE %s RETURNING rep_id, dealer_id, date, amount",
            [f"BI{month.year}{month.month:02d}-%"],
        )
        removed = [
            {"rep_id": rep_id, "dealer_id": dealer_id, "date": day, "amount": -amount}
            for rep_id, dealer_id, day, amount in cursor.fetchall()
        ]
        facts_rolled_up(SalesRecord, removed)


def product_once(content: bytes, expected: int) -> float:
    """One import of the whole file, as a user would send it."""
    from kpi.imports import fact_import

    finance = User.objects.get(username="bench_finance")
    started = time.perf_counter()
    report = fact_import(actor=finance, kind="sales", file=content, file_format="csv", dry_run=False)
    seconds = time.perf_counter() - started
    if not report.imported:
        raise RuntimeError(f"The bench import was refused: {report.as_dict()}")
    if report.new != expected:
        raise RuntimeError(f"The bench import recorded {report.new} rows of {expected}")
    return seconds


def copy_once(content: bytes, staging: str = STAGING, table: str = "bench_import_staging") -> float:
    """The floor: ``COPY`` of the CSV ``content`` into ``table``, created by ``staging`` in a rolled-back transaction."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(staging)
            started = time.perf_counter()
            with cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv, HEADER true)") as copy:
                copy.write(content)
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def measure(first_month: Month, *, product_repeats: int, copy_repeats: int, rows: int = ROWS, log=None) -> dict:
    say = log or (lambda message: None)
    month = import_month(first_month)
    whole, _files = csv_files(month, rows, rows)
    clean(month)
    product, floor = [], []
    # Back to back, so that a busy moment of a shared machine weighs on both alike.
    for index in range(max(product_repeats, copy_repeats)):
        if index < product_repeats:
            try:
                product.append(product_once(whole, rows))
            finally:
                clean(month)
        if index < copy_repeats:
            floor.append(copy_once(whole))
    say(f"  import: median {statistics.median(product):.2f} s of {[round(t, 2) for t in product]}")
    say(f"  COPY: median {statistics.median(floor):.3f} s of {[round(t, 3) for t in floor]}")
    resolved = resolved_rows(whole, User.objects.get(username="bench_finance").pk)
    parts = [copy_table_once(resolved) for _index in range(max(1, copy_repeats // 2))]
    table = [copy + keys for copy, keys in parts]
    say(
        f"  COPY into kpi_salesrecord: median {statistics.median(table):.2f} s of {[round(t, 2) for t in table]} "
        f"(foreign keys {[round(keys, 2) for _copy, keys in parts]})"
    )
    product_s, floor_s = statistics.median(product), statistics.median(floor)
    return {
        "period": str(month),
        "rows": rows,
        "files": 1,
        "file_bytes": len(whole),
        "product": {"times": product, "median_s": product_s, "rows_per_s": rows / product_s},
        "floor": {"times": floor, "median_s": floor_s, "rows_per_s": rows / floor_s},
        "table_floor": {
            "times": table,
            "median_s": statistics.median(table),
            "foreign_keys_s": [keys for _copy, keys in parts],
        },
        "ratio": product_s / floor_s,
    }
