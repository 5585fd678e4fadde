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

A column is named by its key or by the header an export of the list writes (``FILE_COLUMNS``), in
Chinese or in English; the export's own columns (dealer name, rep name, channel conflict) and the total
row it ends with are skipped, so that an exported list imports again unchanged.

``rep`` is a login or an employee number (empty: the dealer's owner; the old column ``rep_username``
still reads), ``category`` a product line code for sales and one of the expense categories (its code or
its label in either language) for expenses, ``ship_to`` a territory code (empty: the dealer's territory).

``fact_template`` writes a kind's columns, headers in the reader's language, with one example row made
of what the user may record (a dealer they see, its owner by employee number), to start a file from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channelhub.accounts.selectors import person_identifier
from channelhub.exports import Column, choice_codes, header_codes, in_every_language, write_table
from channelhub.importing import FORMATS, ImportReport, RowError, cell_text, file_content, normalise_header, read_table
from channelhub.scoping import scope
from kpi.models import Expense
from kpi.policies import require_recorder
from kpi.services.facts import FactsRejected, facts_record
from kpi.services.periods import PeriodClosed
from partners.models import Dealer, ProductLine

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
#: Written by an export of the lists, skipped by an import.
EXPORT_ONLY_COLUMNS = {
    "sales": ("dealer_name", "rep_name", "channel_conflict", "over_credit"),
    "collections": ("dealer_name", "rep_name"),
    "expenses": ("dealer_name", "rep_name"),
}
#: Old names of columns.
COLUMN_ALIASES = {"rep_username": "rep"}
_DATE = Column("date", gettext_lazy("Date"), "date")
_REFERENCE = Column("reference", gettext_lazy("Reference"))
_DEALER = (Column("dealer_code", gettext_lazy("Dealer code")), Column("dealer_name", gettext_lazy("Dealer")))
_REP = (Column("rep", gettext_lazy("Rep")), Column("rep_name", gettext_lazy("Rep name")))
_AMOUNT = Column("amount", gettext_lazy("Amount"), "money")
_NOTE = Column("note", gettext_lazy("Note"))
#: Each kind's file with the headers people read (``channelhub.exports``), in the order an export writes
#: them: the import's columns (``COLUMNS``) and the export's own.
FILE_COLUMNS = {
    "sales": (
        _DATE,
        _REFERENCE,
        *_DEALER,
        *_REP,
        _AMOUNT,
        Column("category", gettext_lazy("Product line")),
        Column("ship_to", gettext_lazy("Shipped to")),
        Column("channel_conflict", gettext_lazy("Channel conflict")),
        Column("over_credit", gettext_lazy("Over credit")),
        _NOTE,
    ),
    "collections": (_DATE, _REFERENCE, *_DEALER, *_REP, _AMOUNT, _NOTE),
    "expenses": (_DATE, _REFERENCE, *_DEALER, *_REP, _AMOUNT, Column("category", gettext_lazy("Category")), _NOTE),
}
#: Item keys of the service → file columns.
_COLUMN_OF = {"rep_username": "rep", "dealer": "dealer_code"}


@dataclass(frozen=True)
class PreviewRow:
    row: int
    reference: str
    date: Any
    dealer: str
    rep: str
    amount: Any
    channel_conflict: bool


@dataclass(kw_only=True)
class FactImportReport(ImportReport):
    kind: str
    #: New sales flagged as channel conflicts.
    conflicts: int = 0
    #: Set when a closed period refused the file (409): the message and the periods.
    refusal: str = ""
    closed_periods: list[str] = field(default_factory=list)
    preview: list[PreviewRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return super().ok and not self.refusal

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
        columns=COLUMNS[kind] + EXPORT_ONLY_COLUMNS[kind],
        required=REQUIRED_COLUMNS,
        max_rows=MAX_ROWS,
        errors=report.file_errors,
        max_bytes=MAX_FILE_BYTES,
        max_unpacked_bytes=MAX_UNPACKED_BYTES,
        header_codes=header_codes(FILE_COLUMNS[kind], COLUMN_ALIASES),
    )
    if table is None:
        return report
    report.ignored_columns = table.ignored_columns
    totals = {normalise_header(label) for label in in_every_language(TOTAL)}
    table.rows = [(number, cells) for number, cells in table.rows if not _is_total_row(cells, totals)]
    report.total_rows = len(table.rows)
    numbers = [number for number, _cells in table.rows]
    categories = choice_codes(Expense.Category.choices) if kind == "expenses" else {}
    items = [_item(kind, cells, categories) for _number, cells in table.rows]
    # A cell with a control character reads as blank: its row is checked for everything else, and the
    # file is not saved (a dry run), so that every bad row is reported at once.
    report.errors = [RowError.of(bad) for bad in table.bad_cells]
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


#: The first cell of the total row an export of a list ends with.
TOTAL = gettext_lazy("Total")


def _is_total_row(cells: dict[str, Any], totals: set[str]) -> bool:
    """The total row of an exported list: "Total" (in either language) as the date, and no reference."""
    day = cells.get("date")
    return isinstance(day, str) and normalise_header(day) in totals and not cell_text(cells.get("reference"))


def _item(kind: str, cells: dict[str, Any], categories: dict[str, str]) -> dict[str, Any]:
    """A file row as an item of ``facts_record``: dates and amounts as the cell holds them (a
    spreadsheet's date or number), the rest as text; an expense category by its code or label."""
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
        category = cell_text(cells.get("category"))
        item["category"] = categories.get(normalise_header(category), category)
    if kind == "sales":
        item["ship_to"] = cell_text(cells.get("ship_to"))
    return item


# --- the template -----------------------------------------------------------------------------------


def fact_template(*, user, kind: str, file_format: str) -> bytes:
    """The columns of a ``kind`` file, headers in the reader's language, and one example row that
    ``user`` may record as it is (dated today, at the first dealer they see, attributed to its owner by
    employee number). Finance and admins (403 otherwise)."""
    require_recorder(user)
    if kind not in COLUMNS:
        raise ValueError(f"Unknown kind of fact {kind!r}")
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    dealer = scope(user, Dealer).select_related("territory", "owner__profile").order_by("code").first()
    owner = dealer.owner if dealer is not None else None
    example = {
        "reference": f"EXAMPLE-{kind.upper()}-0001",
        "date": timezone.localdate(),
        "dealer_code": dealer.code if dealer else "",
        "rep": person_identifier(owner),
        "amount": Decimal("100.00"),
        "note": _("Example: replace this row with your own."),
    }
    if kind == "sales":
        product_line = ProductLine.objects.order_by("code").first()
        example |= {
            "category": product_line.code if product_line else "",
            "ship_to": dealer.territory.code if dealer else "",
        }
    elif kind == "expenses":
        example["category"] = str(Expense.Category.TRAVEL.label)
    columns = [column for column in FILE_COLUMNS[kind] if column.key in COLUMNS[kind]]
    return write_table(columns, [example], file_format, title=_("Template"))


def template_filename(kind: str, file_format: str) -> str:
    return f"{kind}-import-template.{file_format}"
