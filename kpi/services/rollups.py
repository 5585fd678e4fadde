"""Roll-ups of the facts: each rep's and each dealer's month of net sales, collections and expenses
(``RepMonthTotal``, ``DealerMonthTotal``), kept in the same transaction as the facts they sum.

Facts are only ever added (never changed or deleted: a correction is a new fact), and every fact is
added by ``kpi.services.facts.facts_record``, which calls ``facts_rolled_up`` with the rows it wrote:
their amounts are summed by key in Python and added to the roll-up rows in one upsert per table
(``channelhub.db.add_to_counters``: additions commute, so concurrent imports never lose each other's).
A sum in a roll-up is therefore the sum of the same facts a reader would sum from the fact tables —
``rollups_differences`` checks exactly that, and ``rollups_rebuild`` writes them again from the facts
(``manage.py rebuild_rollups``: after rows were written outside the product, the bench's data set, say).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from channelhub.db import add_to_counters, month_start_sql
from channelhub.fields import ZERO
from channelhub.formatting import round_cent
from kpi.models import Collection, DealerMonthTotal, Expense, Fact, RepMonthTotal, SalesRecord

#: The roll-up column each fact model adds to.
FIGURE_OF = {SalesRecord: "net_sales", Collection: "collections", Expense: "expenses"}
FIGURES = tuple(FIGURE_OF.values())


def _first_day(day: date) -> date:
    return day.replace(day=1)


def facts_rolled_up(model: type[Fact], rows: Iterable[Mapping]) -> None:
    """Add the facts ``rows`` (column values: ``rep_id``, ``dealer_id``, ``date``, ``amount``) of
    ``model``, just written, to the roll-ups — in the caller's transaction."""
    figure = FIGURE_OF[model]
    by_rep: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    by_dealer: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        month = _first_day(row["date"])
        by_rep[(row["rep_id"], month)] += row["amount"]
        by_dealer[(row["dealer_id"], month, row["rep_id"])] += row["amount"]

    def values(total: Decimal) -> tuple:
        return tuple((total if name == figure else ZERO) for name in FIGURES)

    add_to_counters(RepMonthTotal, ("rep", "month"), FIGURES, [(*key, *values(t)) for key, t in by_rep.items()])
    add_to_counters(
        DealerMonthTotal, ("dealer", "month", "rep"), FIGURES, [(*key, *values(t)) for key, t in by_dealer.items()]
    )


def _union_sql(keys: tuple[str, ...]) -> tuple[str, str]:
    """SQL of every fact as (keys…, month, net_sales, collections, expenses), and the key columns."""
    quote = connection.ops.quote_name
    parts = []
    for model, figure in FIGURE_OF.items():
        table = quote(model._meta.db_table)
        figures = ", ".join(("amount" if name == figure else "0") + f" AS {name}" for name in FIGURES)
        keys_sql = ", ".join(f"{key}_id" for key in keys)
        parts.append(f"SELECT {keys_sql}, {month_start_sql(quote('date'))} AS month, {figures} FROM {table}")
    return " UNION ALL ".join(parts), ", ".join(f"{key}_id" for key in keys)


def rollups_rebuild() -> dict[str, int]:
    """Write the fact roll-ups again from the facts, set-based (two ``INSERT … SELECT … GROUP BY``), in one
    transaction; answers the rows written per table."""
    written = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model, keys in ((RepMonthTotal, ("rep",)), (DealerMonthTotal, ("dealer", "rep"))):
            table = connection.ops.quote_name(model._meta.db_table)
            union, key_columns = _union_sql(keys)
            sums = ", ".join(f"SUM({name})" for name in FIGURES)
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(
                f"INSERT INTO {table} ({key_columns}, month, {', '.join(FIGURES)}) "
                f"SELECT {key_columns}, month, {sums} FROM ({union}) AS facts GROUP BY {key_columns}, month"
            )
            written[model._meta.model_name] = model.objects.count()
    return written


def recomputed() -> dict[str, dict[tuple, tuple[Decimal, ...]]]:
    """The roll-ups as the fact tables give them now, through the ORM (not the roll-ups' own SQL):
    ``{"repmonthtotal": {(rep ID, month): (net sales, collections, expenses)}, "dealermonthtotal": {(dealer ID,
    month, rep ID): …}}``, without rows of zeros only."""
    found: dict[str, dict[tuple, list[Decimal]]] = {"repmonthtotal": {}, "dealermonthtotal": {}}
    for model, figure in FIGURE_OF.items():
        index = FIGURES.index(figure)
        for name, keys in (("repmonthtotal", ("rep_id",)), ("dealermonthtotal", ("dealer_id", "rep_id"))):
            rows = (
                model.objects.annotate(month=TruncMonth("date"))
                .values(*keys, "month")
                .annotate(total=Sum("amount"))
                .order_by()
            )
            for row in rows:
                month = row["month"]
                key = (row[keys[0]], month) if len(keys) == 1 else (row["dealer_id"], month, row["rep_id"])
                found[name].setdefault(key, [ZERO] * len(FIGURES))[index] += row["total"]
    return {
        name: {key: tuple(round_cent(value) for value in values) for key, values in rows.items() if any(values)}
        for name, rows in found.items()
    }


def stored() -> dict[str, dict[tuple, tuple[Decimal, ...]]]:
    """The roll-up tables as they are (rows of zeros only left out), shaped like ``recomputed``."""
    rep = {
        (row.rep_id, row.month): tuple(round_cent(getattr(row, name)) for name in FIGURES)
        for row in RepMonthTotal.objects.all()
    }
    dealer = {
        (row.dealer_id, row.month, row.rep_id): tuple(round_cent(getattr(row, name)) for name in FIGURES)
        for row in DealerMonthTotal.objects.all()
    }
    return {
        "repmonthtotal": {key: values for key, values in rep.items() if any(values)},
        "dealermonthtotal": {key: values for key, values in dealer.items() if any(values)},
    }


def rollups_differences() -> dict[str, list[tuple]]:
    """Every key whose roll-up differs from the facts: ``{table: [(key, stored, recomputed)]}``, empty lists
    when they agree."""
    now, then = recomputed(), stored()
    return {
        name: [
            (key, then[name].get(key), now[name].get(key))
            for key in sorted(set(now[name]) | set(then[name]), key=str)
            if now[name].get(key) != then[name].get(key)
        ]
        for name in now
    }
