"""Tables people download (CSV and XLSX): one writer for every export of the product.

A table is its columns (``Column``: a key, the header people read, and the kind of value) and its rows
(dicts by key). The headers are rendered in the active language when the file is written (the API's
JSON keeps the keys). What every file gets:

* CSV in UTF-8 with a BOM (so that Excel reads Chinese), CRLF line ends; amounts as plain numbers with
  two decimals, dates ``YYYY-MM-DD``;
* XLSX with numbers as numbers (money with the ``#,##0.00`` format), dates as dates, a bold frozen
  header row;
* text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at the start) gets a
  leading apostrophe in CSV and stays text in XLSX; characters XLSX cannot hold are dropped;
* an optional total row at the end.

A file people change and import again is read back with ``header_codes`` (its headers in either
language, or the keys) and ``choice_codes`` (choices by code or by label in either language).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import tablib
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from import_export.formats.base_formats import CSV, XLSX

from channelhub.importing import FORMATS, FORMULA_STARTS, normalise_header

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MONEY_FORMAT = "#,##0.00"


def money_format() -> str:
    """The XLSX number format of an amount: the currency's symbol, thousands grouped, two decimals (the
    cell stays a number)."""
    from channelhub.formatting import currency_symbol

    return f'"{currency_symbol()}"{MONEY_FORMAT}'


#: Sheet titles hold at most 31 characters and none of these.
_SHEET_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation: rendered when the file is written
    kind: str = "text"  # text, money, number, date, datetime


def in_every_language(text) -> list[str]:
    """A lazy translation rendered in each language of the site (``settings.LANGUAGES``)."""
    rendered = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            rendered.append(str(text))
    return rendered


def header_codes(columns: Iterable[Column], aliases: Mapping[str, str] | None = None) -> dict[str, str]:
    """How an import reads the headers of a table written here: a normalised header → the column's key.

    Each column answers to its key (``dealer_code``, also ``dealer code``) and to its label in every
    language, so that a file exported in Chinese or in English — or written with the keys — imports;
    ``aliases`` add old names (``rep_username`` → ``rep``). A key always wins over another column's label.
    """
    columns = list(columns)
    codes = {normalise_header(column.key): column.key for column in columns}
    for column in columns:
        for name in (column.key.replace("_", " "), *in_every_language(column.label)):
            codes.setdefault(normalise_header(name), column.key)
    for alias, key in (aliases or {}).items():
        codes.setdefault(normalise_header(alias), key)
    return codes


def choice_codes(choices) -> dict[str, str]:
    """A choice's code, read from its code or its label in any language (lower case, ``_`` or space):
    ``{"retail_terminal": …, "retail terminal": …, "零售终端": …}`` → ``"retail_terminal"``."""
    codes = {}
    for code, label in choices:
        for name in (code, code.replace("_", " "), *in_every_language(label)):
            codes.setdefault(normalise_header(name), code)
    return codes


def yes_no(value: bool) -> str:
    """``yes``/``no`` in the reader's language (the imports read both languages back)."""
    return gettext("yes") if value else gettext("no")


def guard_formula(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (numbers and dates stay)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) and kind == "money":
        return f"{value:.2f}"
    if isinstance(value, str):
        return guard_formula(value)
    return str(value)


def table_csv(columns: Sequence[Column], rows: Iterable[Mapping], total: Mapping | None = None) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([str(column.label) for column in columns])
    for row in [*rows, *([total] if total else [])]:
        writer.writerow([_csv_cell(row.get(column.key), column.kind) for column in columns])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def table_xlsx(
    columns: Sequence[Column], rows: Iterable[Mapping], *, title: str = "", total: Mapping | None = None
) -> bytes:
    """Written cell by cell so that text starting with "=" stays text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = str(title).translate(_SHEET_FORBIDDEN)[:31]
    sheet.append([str(column.label) for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    every = [*rows, *([total] if total else [])]
    for row_number, row in enumerate(every, start=2):
        for column_number, column in enumerate(columns, start=1):
            value = row.get(column.key)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            elif isinstance(value, datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if cell.data_type == "f":
                cell.data_type = "s"
            if isinstance(value, Decimal | int | float) and column.kind == "money":
                cell.number_format = money_format()
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
        if total and row is total:
            for cell in sheet[row_number]:
                cell.font = Font(bold=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def write_table(
    columns: Sequence[Column],
    rows: Iterable[Mapping],
    file_format: str,
    *,
    title: str = "",
    total: Mapping | None = None,
) -> bytes:
    """``rows`` as ``csv`` or ``xlsx`` (``ValueError`` for anything else: callers check ``FORMATS``)."""
    if file_format not in FORMATS:
        raise ValueError(f"Not an export format: {file_format!r}")
    if file_format == "csv":
        return table_csv(columns, rows, total)
    return table_xlsx(columns, rows, title=title, total=total)


# --- the Django admin's import/export (django-import-export) ----------------------------------------------


#: The admin's import reads at most this many rows (the import page's cap for dealers).
ADMIN_IMPORT_MAX_ROWS = 20_000


def guarded_dataset(content: bytes, file_format: str):
    """A file for the admin's import, read through ``channelhub.importing`` (bombs, columns, rows and
    line lengths bounded, as the import pages read them); ``ValueError`` with the reason otherwise."""
    from contextlib import closing

    from channelhub.importing import UnreadableFile, iter_records, too_many_rows

    if isinstance(content, str):
        content = content.encode("utf-8")
    dataset = tablib.Dataset()
    try:
        with closing(iter_records(content, file_format)) as records:
            for _number, record in records:
                if dataset.headers is None:
                    dataset.headers = [str(cell if cell is not None else "") for cell in record]
                    continue
                if dataset.height >= ADMIN_IMPORT_MAX_ROWS:
                    raise too_many_rows(ADMIN_IMPORT_MAX_ROWS)
                width = len(dataset.headers)
                dataset.append((list(record) + [None] * width)[:width])
    except UnreadableFile as error:
        raise ValueError(str(error)) from None
    return dataset


class SafeCSV(CSV):
    """The admin's CSV: read with the import pages' guards; text cells a spreadsheet would run as
    formulas get the apostrophe on export, as ours do."""

    def create_dataset(self, in_stream, **kwargs):
        return guarded_dataset(in_stream, "csv")

    def export_data(self, dataset, **kwargs):
        guarded = tablib.Dataset(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            guarded.append([guard_formula(cell) for cell in row])
        return super().export_data(guarded, **kwargs)


class SafeXLSX(XLSX):
    """The admin's XLSX: read with the import pages' guards; written cell by cell, text stays text, never a
    formula (tablib writes "=…" as one)."""

    def create_dataset(self, in_stream, **kwargs):
        return guarded_dataset(in_stream, "xlsx")

    def export_data(self, dataset, **kwargs):
        columns = [Column(str(index), header) for index, header in enumerate(dataset.headers or [])]
        rows = [{str(index): value for index, value in enumerate(row)} for row in dataset]
        return table_xlsx(columns, rows, title=dataset.title or "")


#: ``formats`` of every ``ImportExportModelAdmin``: CSV and XLSX, guarded.
ADMIN_FORMATS = [SafeCSV, SafeXLSX]
