"""Fact import (CSV and XLSX): the service behind ``/kpi/imports/``, ``POST /api/v1/imports/`` and the
admin's import pages. One file holds one kind of fact; its rows go to ``kpi.services.facts.facts_record``
as one batch, so the rules are those of the form and the API:

* all or nothing: a file with any bad row records nothing and reports every bad row with its row
  number (the header is row 1), its column and the reason;
* re-importing the same file adds nothing (rows whose reference is recorded with the same values are
  counted as unchanged);
* a new fact dated in a closed period refuses the whole file, naming the period;
* a dry run checks and counts without saving anything.

Columns (row 1), in any order; unknown columns are ignored and listed:

* sales: ``reference, date, dealer_code, rep, amount, category, ship_to, note``
* collections: ``reference, date, dealer_code, rep, amount, note``
* expenses: ``reference, date, dealer_code, rep, amount, category, note``

``rep`` is a username (empty: the dealer's owner), ``category`` a product line code for sales and one of
the expense categories for expenses, ``ship_to`` a territory code (empty: the dealer's territory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from channelhub.importing import cell_text, file_content, read_table
from kpi.services.facts import FactsRejected, facts_record, require_recorder
from kpi.services.periods import PeriodClosed

#: The caps of one file. A 100,000-row sales file is about 6 MB and imports in a few seconds
#: (``COPY`` on PostgreSQL); larger files are refused with "split it". The import page keeps the file in
#: the session between preview and confirm, so its form stops at ``channelhub.importing.MAX_FILE_BYTES``.
MAX_ROWS = 200_000
MAX_FILE_BYTES = 50 * 1024 * 1024
#: What a workbook may unpack to: 200,000 rows of the eight sales columns unpack to about 90 MB.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
#: New rows shown by a preview.
PREVIEW_ROWS = 200

COLUMNS = {
    "sales": ("reference", "date", "dealer_code", "rep", "amount", "category", "ship_to", "note"),
    "collections": ("reference", "date", "dealer_code", "rep", "amount", "note"),
    "expenses": ("reference", "date", "dealer_code", "rep", "amount", "category", "note"),
}
REQUIRED_COLUMNS = ("reference", "date", "dealer_code", "amount")
#: Item keys of the service → file columns.
_COLUMN_OF = {"rep_username": "rep", "dealer": "dealer_code"}


@dataclass(frozen=True)
class RowError:
    row: int  #: as the spreadsheet numbers it: the header is row 1, the first fact row 2
    column: str  #: "" when the reason concerns the whole row
    message: str
    value: str = ""


@dataclass(frozen=True)
class PreviewRow:
    row: int
    reference: str
    date: Any
    dealer: str
    rep: str
    amount: Any
    channel_conflict: bool


@dataclass
class FactImportReport:
    kind: str
    dry_run: bool
    total_rows: int = 0
    new: int = 0
    unchanged: int = 0
    #: New sales flagged as channel conflicts.
    conflicts: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    #: Set when a closed period refused the file (409): the message and the periods.
    refusal: str = ""
    closed_periods: list[str] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors and not self.refusal

    @property
    def imported(self) -> bool:
        """True when the facts were saved (not a dry run, no error)."""
        return self.ok and not self.dry_run

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})

    def as_dict(self) -> dict:
        """The report as the API answers it."""
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "total_rows": self.total_rows,
            "new": self.new,
            "unchanged": self.unchanged,
            "channel_conflicts": self.conflicts,
            "errors": [{"row": e.row, "column": e.column, "message": e.message, "value": e.value} for e in self.errors],
            "file_errors": list(self.file_errors),
            "ignored_columns": list(self.ignored_columns),
        }


def fact_import(*, actor, kind: str, file: bytes | IO[bytes], file_format: str, dry_run: bool) -> FactImportReport:
    """Record the facts of a CSV or XLSX file, all rows or none (finance and admins only)."""
    require_recorder(actor)
    if kind not in COLUMNS:
        raise ValueError(f"Unknown kind of fact {kind!r}")
    report = FactImportReport(kind=kind, dry_run=dry_run)
    table = read_table(
        file_content(file),
        file_format,
        columns=COLUMNS[kind],
        required=REQUIRED_COLUMNS,
        max_rows=MAX_ROWS,
        errors=report.file_errors,
        max_bytes=MAX_FILE_BYTES,
        max_unpacked_bytes=MAX_UNPACKED_BYTES,
    )
    if table is None:
        return report
    report.ignored_columns = table.ignored_columns
    report.total_rows = len(table.rows)
    numbers = [number for number, _cells in table.rows]
    items = [_item(kind, cells) for _number, cells in table.rows]
    # A cell with a control character reads as blank: its row is checked for everything else, and the
    # file is not saved (a dry run), so that every bad row is reported at once.
    report.errors = [RowError(bad.row, bad.column, bad.message, bad.value) for bad in table.bad_cells]
    blanked = {(bad.row, bad.column) for bad in table.bad_cells}
    try:
        batch = facts_record(
            actor=actor,
            kind=kind,
            items=items,
            dry_run=dry_run or bool(blanked),
            max_items=MAX_ROWS,
            describe=lambda index: _("row %(row)d") % {"row": numbers[index]},
            returning=False,
        )
    except FactsRejected as rejected:
        found = (
            RowError(numbers[error.index], _COLUMN_OF.get(error.field, error.field), error.message, error.value)
            for error in rejected.errors
        )
        report.errors.extend(error for error in found if (error.row, error.column) not in blanked)
        report.errors.sort(key=lambda error: error.row)  # stable: a row's bad cells first, then the rest
        return report
    except PeriodClosed as closed:
        report.refusal = str(closed)
        report.closed_periods = list(closed.extra.get("periods", []))
        return report
    except ValidationError as error:  # the batch as a whole (too many rows)
        report.file_errors.extend(error.messages)
        return report
    if report.errors:
        return report
    report.new = len(batch.new_rows)
    report.unchanged = len(batch.unchanged)
    report.conflicts = batch.conflicts
    report.preview = [
        PreviewRow(
            row=numbers[index],
            reference=fact.reference,
            date=fact.date,
            dealer=f"{fact.dealer.name} ({fact.dealer.code})",
            rep=fact.rep.get_full_name() or fact.rep.username,
            amount=fact.amount,
            channel_conflict=getattr(fact, "channel_conflict", False),
        )
        for index, fact in batch.new_facts(PREVIEW_ROWS)
    ]
    return report


def _item(kind: str, cells: dict[str, Any]) -> dict[str, Any]:
    """A file row as an item of ``facts_record``: dates and amounts as the cell holds them (a
    spreadsheet's date or number), the rest as text."""
    day, amount = cells.get("date"), cells.get("amount")
    item = {
        "reference": cell_text(cells.get("reference")),
        "date": cell_text(day) if isinstance(day, str) else day,
        "dealer_code": cell_text(cells.get("dealer_code")),
        "rep_username": cell_text(cells.get("rep")),
        "amount": cell_text(amount) if isinstance(amount, str) else amount,
        "note": cell_text(cells.get("note")),
    }
    if kind in ("sales", "expenses"):
        item["category"] = cell_text(cells.get("category"))
    if kind == "sales":
        item["ship_to"] = cell_text(cells.get("ship_to"))
    return item
