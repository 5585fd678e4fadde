"""KPI lists people download (``channelhub.exports`` writes every file): the sales, collections and
expenses lists, and the measures table. Each export holds exactly the rows its page shows the user —
the caller passes the same scoped, filtered rows (every page of them) — in a fixed number of queries,
headers and choices in the reader's language, with a total row.

A fact list is written in the fact file's columns (``kpi.imports.FILE_COLUMNS``), so that it imports
again unchanged: the rep by login, codes for dealers, product lines and territories.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from channelhub.accounts.selectors import display_name, employee_no
from channelhub.exports import Column, write_table, yes_no
from kpi.imports import FILE_COLUMNS, TOTAL
from kpi.models import Fact
from kpi.selectors.measures import Measures, MeasuresTable

ZERO = Decimal("0.00")


# --- sales, collections, expenses --------------------------------------------------------------------


def fact_rows(facts: Iterable[Fact], kind: str) -> list[dict]:
    """``facts`` read with their dealer and rep (and, for sales, product line and ship-to) joined in."""
    rows = []
    for fact in facts:
        row = {
            "date": fact.date,
            "reference": fact.reference,
            "dealer_code": fact.dealer.code,
            "dealer_name": fact.dealer.name,
            "rep": fact.rep.get_username(),
            "rep_name": display_name(fact.rep),
            "amount": fact.amount,
            "note": fact.note,
        }
        if kind == "sales":
            row["category"] = fact.category.code if fact.category_id else ""
            row["ship_to"] = fact.ship_to_territory.code if fact.ship_to_territory_id else ""
            row["channel_conflict"] = yes_no(fact.channel_conflict)
            row["over_credit"] = yes_no(fact.over_credit)
        elif kind == "expenses":
            row["category"] = fact.get_category_display()
        rows.append(row)
    return rows


def fact_export(*, facts: QuerySet[Fact], kind: str, file_format: str) -> bytes:
    """``facts`` (scoped and filtered by the caller: the list's rows, every page) as CSV or XLSX, with
    a total row (how many rows, their amount). One query."""
    rows = fact_rows(facts.iterator(chunk_size=2000), kind)
    total = {
        "date": str(TOTAL),
        "dealer_name": ngettext("%(count)d row", "%(count)d rows", len(rows)) % {"count": len(rows)},
        "amount": sum((row["amount"] for row in rows), ZERO),
    }
    titles = {"sales": _("Sales"), "collections": _("Collections"), "expenses": _("Expenses")}
    return write_table(FILE_COLUMNS[kind], rows, file_format, title=titles[kind], total=total)


def fact_filename(kind: str, dates: dict, file_format: str) -> str:
    """``sales-2026-11-01-2026-11-30.xlsx`` from the list's checked dates (never the raw query)."""
    days = [dates[name].isoformat() for name in ("date_from", "date_to") if dates.get(name)]
    return "-".join([kind, *days]) + f".{file_format}"


# --- measures ------------------------------------------------------------------------------------------

MEASURES_COLUMNS = (
    Column("rep", gettext_lazy("Field rep")),
    Column("employee_no", gettext_lazy("Employee number")),
    Column("period", gettext_lazy("Period")),
    Column("net_sales", gettext_lazy("Net sales"), "money"),
    Column("sales_target", gettext_lazy("Sales target"), "money"),
    Column("sales_achievement", gettext_lazy("Achievement (%)"), "number"),
    Column("collections", gettext_lazy("Collections"), "money"),
    Column("collection_rate", gettext_lazy("Collection rate (%)"), "number"),
    Column("collection_rate_target", gettext_lazy("Collection rate target (%)"), "number"),
    Column("expenses", gettext_lazy("Expenses"), "money"),
    Column("expense_rate", gettext_lazy("Expense rate (%)"), "number"),
    Column("expense_rate_target", gettext_lazy("Expense rate target (%)"), "number"),
)


def _measures_row(measures: Measures, rep_label: str, employee_number: str = "") -> dict:
    """Undefined rates and missing targets stay empty cells ("—" on the page)."""
    return {
        "rep": rep_label,
        "employee_no": employee_number,
        "period": measures.period,
        "net_sales": measures.net_sales,
        "sales_target": measures.sales_target,
        "sales_achievement": measures.sales_achievement,
        "collections": measures.collections,
        "collection_rate": measures.collection_rate,
        "collection_rate_target": measures.collection_rate_target,
        "expenses": measures.expenses,
        "expense_rate": measures.expense_rate,
        "expense_rate_target": measures.expense_rate_target,
    }


def measures_export(*, table: MeasuresTable, file_format: str, total_label: str | None) -> bytes:
    """The measures table as the page shows it: a row per rep (reps read with their profile), and the
    total of the reps shown under ``total_label`` (``None``: no total row, as for a rep alone)."""
    rows = [_measures_row(row, display_name(row.rep), employee_no(row.rep)) for row in table.rows]
    total = _measures_row(table.total, total_label) if total_label is not None else None
    title = _("Measures") + f" {table.period}"
    return write_table(MEASURES_COLUMNS, rows, file_format, title=title, total=total)
