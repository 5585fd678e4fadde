"""Stock report import (CSV and XLSX, SPEC §16 with the rules of §5): the service behind the import page
(``inventory:import``) and ``POST /api/v1/stock-reports/import/``. Every row goes to
``inventory.services.reports.reports_write`` in one transaction, so the rules are those of the form and the API:

* all or nothing: a file with any bad row writes nothing and reports every bad row with its row number (the
  header is row 1), its column and the reason — a cell that cannot be read (an unknown dealer or line, a month
  that is not ``YYYY-MM``, a figure that is not a number with at most two decimals), or a rule the service
  refuses (a closing that does not balance, an opening that is not last month's closing, negative stock, an
  adjustment without a reason, a confirmed month changed, a month not begun, a line twice);
* re-importing the same file adds nothing: rows equal to the stored reports are counted unchanged;
* a dry run checks and counts (new, updated, unchanged) without saving anything.

Columns (row 1), in any order; unknown columns are ignored and listed: ``dealer`` (its code), ``period``
(``YYYY-MM``), ``product_line`` (its code), ``opening_qty``, ``received_qty``, ``sold_qty``, ``adjustment_qty``,
``closing_qty``, the same five ``*_amount``, ``adjustment_reason`` (a code or its label in either language) and
``adjustment_note``. A column is also named by its label (``FILE_COLUMNS``) in Chinese or English, or by the
usual Chinese 进销存 header (``COLUMN_ALIASES``: 期初数量, 进货数量, …). An empty figure is 0. The columns an
export of the list adds (names, status, days of stock, flags) are skipped, so an exported list imports again
unchanged.

A dealer the user does not see reads exactly like one that does not exist (``Unknown dealer``). The rows of a
dealer and line that has a row with a cell that cannot be read are checked against the rules once that row is
corrected (checked without it, a later month would be measured against the wrong opening).

Speed and memory: the dealers and lines of the whole file are read with one query each (in slices of what one
``IN`` may carry); the rows go to ``reports_write`` a group of whole dealers at a time (``CHUNK_ROWS``; its rules
never look across dealers), each call reading what it needs in a fixed number of queries — no query per row, and
what one call holds stays bounded. Every group is checked before anything is kept: one refused row rolls all of
them back. 100,000 rows take about 20 s on PostgreSQL and 35 s on SQLite (most of it in the service's checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channelhub.db import rows_where
from channelhub.exports import Column, choice_codes, header_codes
from channelhub.importing import RowError, UpdatingImportReport, cell_text, file_content, normalise_header, read_table
from channelhub.periods import Month
from channelhub.scoping import scope
from inventory import policies
from inventory.models import QUANTITY, StockReport
from inventory.services.reports import AMOUNTS, FIGURES, QUANTITIES, ReportErrors, ReportInput
from inventory.services.reports import reports_write as write_reports
from partners.models import Dealer, ProductLine

#: A 100,000-row file is about 10 MB as CSV; larger files are refused with "split it".
MAX_ROWS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024
#: What a workbook may unpack to: 100,000 rows of the sixteen columns unpack to about 90 MB.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024

COLUMNS = ("dealer", "period", "product_line", *FIGURES, "adjustment_reason", "adjustment_note")
REQUIRED_COLUMNS = ("dealer", "period", "product_line", "closing_qty", "closing_amount")
#: Written by an export of the list, skipped by an import.
EXPORT_ONLY_COLUMNS = (
    "dealer_name",
    "product_line_name",
    "status",
    "days_of_stock",
    "overstock",
    "stockout",
    "slow_moving",
    "receipt_mismatch",
)
FIGURE_LABELS = {
    "opening_qty": gettext_lazy("Opening quantity"),
    "received_qty": gettext_lazy("Received quantity"),
    "sold_qty": gettext_lazy("Sold quantity"),
    "adjustment_qty": gettext_lazy("Adjustment quantity"),
    "closing_qty": gettext_lazy("Closing quantity"),
    "opening_amount": gettext_lazy("Opening amount"),
    "received_amount": gettext_lazy("Received amount"),
    "sold_amount": gettext_lazy("Sold amount"),
    "adjustment_amount": gettext_lazy("Adjustment amount"),
    "closing_amount": gettext_lazy("Closing amount"),
}
#: The file with the headers people read (``channelhub.exports``), in the order an export writes them.
FILE_COLUMNS = (
    Column("dealer", gettext_lazy("Dealer code")),
    # not "Dealer": a header that reads as the key ``dealer`` would name the code column twice
    Column("dealer_name", gettext_lazy("Dealer name")),
    Column("period", gettext_lazy("Period")),
    Column("product_line", gettext_lazy("Product line")),
    Column("product_line_name", gettext_lazy("Product line name")),
    *(Column(name, FIGURE_LABELS[name], "number") for name in QUANTITIES),
    *(Column(name, FIGURE_LABELS[name], "money") for name in AMOUNTS),
    Column("adjustment_reason", gettext_lazy("Adjustment reason")),
    Column("adjustment_note", gettext_lazy("Adjustment note")),
    Column("status", gettext_lazy("Status")),
    Column("days_of_stock", gettext_lazy("Days of stock"), "number"),
    Column("overstock", gettext_lazy("Overstock")),
    Column("stockout", gettext_lazy("Stockout")),
    Column("slow_moving", gettext_lazy("Slow moving")),
    Column("receipt_mismatch", gettext_lazy("Receipt mismatch")),
)
#: The headers of a dealer's own 进销存 sheet, and other names of the columns.
COLUMN_ALIASES = {
    "dealer_code": "dealer",
    "月份": "period",
    "product_line_code": "product_line",
    "期初数量": "opening_qty",
    "进货数量": "received_qty",
    "销售数量": "sold_qty",
    "调整数量": "adjustment_qty",
    "期末数量": "closing_qty",
    "期初金额": "opening_amount",
    "进货金额": "received_amount",
    "销售金额": "sold_amount",
    "调整金额": "adjustment_amount",
    "期末金额": "closing_amount",
    "调整原因": "adjustment_reason",
    "调整说明": "adjustment_note",
}
NOTE_MAX = StockReport._meta.get_field("adjustment_note").max_length
#: A figure holds at most this many digits before the point (the columns' ``max_digits`` less the decimals).
INTEGER_DIGITS = QUANTITY["max_digits"] - QUANTITY["decimal_places"]
CENT = Decimal("0.01")
#: Rows one ``reports_write`` call checks and writes (whole dealers: a little more where a dealer's rows cross it).
CHUNK_ROWS = 5_000


class StockImportReport(UpdatingImportReport):
    """The report of this import (``channelhub.importing.UpdatingImportReport``)."""


@dataclass
class _Written:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


class _Rollback(Exception):
    """Leave what a dry run (or a file with errors) wrote unsaved."""


# --- cells -----------------------------------------------------------------------------------------------


def figure(value: Any) -> Decimal:
    """A figure cell: a spreadsheet's number or text, at most two decimals and ``INTEGER_DIGITS`` before the
    point; empty is 0. ``ValueError`` with the reason otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0")
    if isinstance(value, bool):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    if isinstance(value, float):
        number = Decimal(repr(value))
        rounded = number.quantize(CENT) if number.is_finite() else number
        # a spreadsheet's binary fraction (0.1 + 0.2 = 0.30000000000000004) is the two-decimal figure it shows
        if number.is_finite() and abs(number - rounded) < Decimal("1e-9"):
            number = rounded
    else:
        text = cell_text(value).replace(",", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": cell_text(value)}) from None
    if not number.is_finite():
        raise ValueError(_("“%(value)s” is not a number.") % {"value": cell_text(value)})
    if abs(number) >= 10**INTEGER_DIGITS:
        raise ValueError(_("A figure has at most %(digits)d digits before the point.") % {"digits": INTEGER_DIGITS})
    if number != number.quantize(CENT):
        raise ValueError(_("Write at most two decimals."))
    return number.quantize(CENT)


def month(value: Any) -> Month:
    """A period cell: ``YYYY-MM``, or a date a spreadsheet made of it (its month)."""
    if isinstance(value, datetime):
        return Month.of(value.date())
    if isinstance(value, date):
        return Month.of(value)
    try:
        return Month.parse(cell_text(value))
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None


@dataclass
class _Lookups:
    dealers: dict[str, Dealer]
    lines: dict[str, ProductLine]
    reasons: dict[str, str]


def _lookups(actor, rows: list[tuple[int, dict[str, Any]]]) -> _Lookups:
    """The dealers ``user`` sees and the lines the file names, by code: one query each (a slice per ``IN``)."""
    dealer_codes = {cell_text(cells.get("dealer")) for _n, cells in rows} - {""}
    line_codes = {cell_text(cells.get("product_line")) for _n, cells in rows} - {""}
    dealers = rows_where(scope(actor, Dealer).order_by(), "code", dealer_codes) if dealer_codes else []
    lines = rows_where(ProductLine.objects.order_by(), "code", line_codes) if line_codes else []
    return _Lookups(
        dealers={dealer.code: dealer for dealer in dealers},
        lines={line.code: line for line in lines},
        reasons=choice_codes(StockReport.AdjustmentReason.choices),
    )


def _row_input(actor, cells: Mapping[str, Any], lookups: _Lookups) -> tuple[ReportInput | None, dict, tuple | None]:
    """One file row as a ``ReportInput``, or its cells' errors (column → message); and the dealer and line it
    names where both are known (its key, even when another cell is bad)."""
    errors: dict[str, str] = {}
    code = cell_text(cells.get("dealer"))
    dealer = lookups.dealers.get(code)
    if not code:
        errors["dealer"] = _("A dealer code is required.")
    elif dealer is None:
        errors["dealer"] = _("Unknown dealer “%(code)s”.") % {"code": code}
    elif not policies.may_report_for(actor, dealer):
        errors["dealer"] = _("Only the dealer's rep or an admin enters its stock reports.")
    line_code = cell_text(cells.get("product_line"))
    line = lookups.lines.get(line_code)
    if not line_code:
        errors["product_line"] = _("A product line code is required.")
    elif line is None:
        errors["product_line"] = _("Unknown product line “%(code)s”.") % {"code": line_code}
    period = None
    try:
        period = month(cells.get("period"))
    except ValueError as error:
        errors["period"] = str(error)
    figures = {}
    for name in FIGURES:
        try:
            figures[name] = figure(cells.get(name))
        except ValueError as error:
            errors[name] = str(error)
    reason = cell_text(cells.get("adjustment_reason"))
    note = cell_text(cells.get("adjustment_note"))
    if len(note) > NOTE_MAX:
        errors["adjustment_note"] = _("At most %(max)d characters.") % {"max": NOTE_MAX}
    key = (dealer.pk, line.pk) if dealer is not None and line is not None else None
    if errors:
        return None, errors, key
    row = ReportInput(
        dealer=dealer,
        period=period,
        product_line=line,
        figures=figures,
        adjustment_reason=lookups.reasons.get(normalise_header(reason), reason),
        adjustment_note=note,
    )
    return row, errors, key


# --- the service -----------------------------------------------------------------------------------------


def report_import(*, actor, file: bytes | IO[bytes], file_format: str, dry_run: bool = False) -> StockImportReport:
    """Write the stock reports of a CSV or XLSX file, all rows or none (see the module's docstring). The
    dealers' reps and admins (403 otherwise)."""
    policies.require(policies.may_report(actor), _("Only reps and admins import stock reports."))
    report = StockImportReport(dry_run=dry_run)
    table = read_table(
        file_content(file),
        file_format,
        columns=COLUMNS + EXPORT_ONLY_COLUMNS,
        required=REQUIRED_COLUMNS,
        max_rows=MAX_ROWS,
        errors=report.file_errors,
        max_bytes=MAX_FILE_BYTES,
        max_unpacked_bytes=MAX_UNPACKED_BYTES,
        header_codes=header_codes(FILE_COLUMNS, COLUMN_ALIASES),
    )
    if table is None:
        return report
    report.ignored_columns = table.ignored_columns
    report.total_rows = len(table.rows)
    report.errors = [RowError.of(bad) for bad in table.bad_cells]
    blanked = {(bad.row, bad.column) for bad in table.bad_cells}
    lookups = _lookups(actor, table.rows)
    rows: list[ReportInput] = []
    numbers: list[int] = []
    unreadable_keys: set[tuple] = set()
    # each file row is let go once read: the file's cells and the typed rows are not held both at once
    pending, table.rows = table.rows, []
    for position, (number, cells) in enumerate(pending):
        pending[position] = None
        row, errors, key = _row_input(actor, cells, lookups)
        for column, message in errors.items():
            if (number, column) not in blanked:  # not about the blank a bad cell reads as: that one is reported
                report.errors.append(RowError(number, column, message, cell_text(cells.get(column))))
        if row is None or any((number, column) in blanked for column in COLUMNS):
            unreadable_keys.add(key)
            continue
        rows.append(row)
        numbers.append(number)
    del pending
    checked = [(row, n) for row, n in zip(rows, numbers, strict=True) if row.key not in unreadable_keys]
    result = _write(actor, [row for row, _n in checked], dry_run=dry_run or bool(report.errors))
    if isinstance(result, ReportErrors):
        for index, fields in result.by_row.items():
            row, number = checked[index]
            for column, messages in fields.items():
                report.errors.extend(
                    RowError(number, column, str(message), _shown(row, column)) for message in messages
                )
    order = {name: position for position, name in enumerate(COLUMNS)}
    report.errors.sort(key=lambda error: (error.row, order.get(error.column, -1)))
    if report.errors or result is None or isinstance(result, ReportErrors):
        return report
    report.new, report.updated, report.unchanged = result.new, result.updated, result.unchanged
    return report


def _shown(row: ReportInput, column: str) -> str:
    """The cell a rule refused, as the row read it (the figure with its two decimals, the codes)."""
    if column in row.figures:
        return f"{row.figures[column]:.2f}"
    shown = {
        "dealer": row.dealer.code,
        "period": str(row.period),
        "product_line": row.product_line.code,
        "adjustment_reason": row.adjustment_reason,
        "adjustment_note": row.adjustment_note,
    }
    return shown.get(column, "")


def _chunks(rows: list[ReportInput]) -> list[list[int]]:
    """The rows' positions in groups of whole dealers (every row of a dealer in one group, the rules never look
    across dealers), each of about ``CHUNK_ROWS``."""
    by_dealer: dict[int, list[int]] = {}
    for position, row in enumerate(rows):
        by_dealer.setdefault(row.dealer.pk, []).append(position)
    chunks: list[list[int]] = [[]]
    for positions in by_dealer.values():
        if chunks[-1] and len(chunks[-1]) + len(positions) > CHUNK_ROWS:
            chunks.append([])
        chunks[-1].extend(positions)
    return [chunk for chunk in chunks if chunk]


def _write(actor, rows: list[ReportInput], *, dry_run: bool) -> _Written | ReportErrors | None:
    """``reports_write`` of the rows, a group of dealers at a time (what one call holds in memory stays bounded,
    and each call reads in a fixed number of queries), in one transaction: every group is checked, and any
    refusal — or a dry run — rolls all of them back. The counts, or every row refused (positions in ``rows``)."""
    if not rows:
        return None
    written, refused = _Written(), {}
    try:
        with transaction.atomic():
            for chunk in _chunks(rows):
                try:
                    result = write_reports(
                        actor=actor, rows=[rows[position] for position in chunk], source=StockReport.Source.IMPORT
                    )
                except ReportErrors as rejected:
                    refused.update({chunk[index]: fields for index, fields in rejected.by_row.items()})
                    continue
                written.new += len(result.created)
                written.updated += len(result.updated)
                written.unchanged += len(result.unchanged)
            if refused or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return ReportErrors(refused) if refused else written
