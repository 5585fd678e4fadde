"""The visits' roll-up: each rep's visits at each dealer in a month, counted by status (``VisitMonth``),
kept in the same transaction as the visits it counts.

Three things move a visit between counters, and each calls ``visits_moved`` with what the visit was and
what it is now: logging it (nothing → submitted), the rep's correction (another dealer or day) and a
review (submitted → confirmed, false report or fabricated); the admin's change goes through the same.
The counters change by ±1 in one upsert (``channelhub.db.add_to_counters``), so two reviews at once
never lose one. ``visit_rollups_rebuild`` writes the table again from the visits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from channelhub.db import add_to_counters, month_start_sql
from visits.models import Visit, VisitMonth

STATUSES = tuple(status.value for status in Visit.Status)


class Counted(NamedTuple):
    """Where a visit is counted: its rep, dealer, day and status."""

    rep_id: int
    dealer_id: int
    visited_on: date
    status: str

    @classmethod
    def of(cls, visit: Visit) -> Counted:
        return cls(visit.rep_id, visit.dealer_id, visit.visited_on, visit.status)

    @classmethod
    def locked(cls, pk: int) -> Counted | None:
        """Where the visit ``pk`` is counted, as the database has it, its row locked until the transaction
        ends (a review or a correction at the same moment waits): ``None`` when it is not there."""
        row = (
            Visit.objects.select_for_update()
            .filter(pk=pk)
            .values_list("rep_id", "dealer_id", "visited_on", "status")
            .first()
        )
        return None if row is None else cls(*row)


def visits_moved(*moves: tuple[Counted | None, Counted | None]) -> None:
    """Each ``(before, after)``: a visit counted at ``before`` (``None``: it was not there) is now counted
    at ``after`` (``None``: gone). In the caller's transaction; nothing is written when nothing moved."""
    deltas: dict[tuple, Counter] = defaultdict(Counter)
    for before, after in moves:
        if before == after:
            continue
        for where, step in ((before, -1), (after, 1)):
            if where is not None:
                deltas[(where.rep_id, where.visited_on.replace(day=1), where.dealer_id)][where.status] += step
    rows = [(*key, *(counts[status] for status in STATUSES)) for key, counts in deltas.items() if any(counts.values())]
    add_to_counters(VisitMonth, ("rep", "month", "dealer"), STATUSES, rows)


def visit_rollups_rebuild() -> int:
    """Write the visits' roll-up again from the visits (one ``INSERT … SELECT … GROUP BY``), in one
    transaction; answers the rows written."""
    quote = connection.ops.quote_name
    table, visits = quote(VisitMonth._meta.db_table), quote(Visit._meta.db_table)
    counts = ", ".join("SUM(CASE WHEN status = %s THEN 1 ELSE 0 END)" for _status in STATUSES)
    month = month_start_sql(quote("visited_on"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"INSERT INTO {table} (rep_id, month, dealer_id, {', '.join(STATUSES)}) "
            f"SELECT rep_id, {month}, dealer_id, {counts} FROM {visits} GROUP BY rep_id, {month}, dealer_id",
            list(STATUSES),
        )
    return VisitMonth.objects.count()


def recomputed() -> dict[tuple, tuple[int, ...]]:
    """The roll-up as the visits give it now, through the ORM: ``{(rep ID, month, dealer ID): counts by
    status}``, keys without visits left out."""
    found: dict[tuple, list[int]] = {}
    rows = (
        Visit.objects.annotate(month=TruncMonth("visited_on"))
        .values("rep_id", "month", "dealer_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        key = (row["rep_id"], row["month"], row["dealer_id"])
        found.setdefault(key, [0] * len(STATUSES))[STATUSES.index(row["status"])] += row["count"]
    return {key: tuple(counts) for key, counts in found.items()}


def stored() -> dict[tuple, tuple[int, ...]]:
    """The roll-up table as it is, rows of zeros left out, shaped like ``recomputed``."""
    rows = {
        (row.rep_id, row.month, row.dealer_id): tuple(getattr(row, status) for status in STATUSES)
        for row in VisitMonth.objects.all()
    }
    return {key: counts for key, counts in rows.items() if any(counts)}


def visit_rollups_differences() -> list[tuple]:
    """Every key whose counters differ from the visits: ``[(key, stored, recomputed)]``."""
    now, then = recomputed(), stored()
    keys = sorted(set(now) | set(then), key=str)
    return [(key, then.get(key), now.get(key)) for key in keys if now.get(key) != then.get(key)]
