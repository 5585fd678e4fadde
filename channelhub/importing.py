"""Reading spreadsheet files for the imports of every app (CSV and XLSX): the bytes of an upload, text
in the encodings Excel writes, the rows of the first sheet one at a time, and cells as the user typed them.

What a file must hold (its columns, its rules) belongs to each importer (``partners.imports`` for
dealers, ``kpi.imports`` for facts); what it takes to read one is here, once.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row 2. Blank rows are
skipped but keep their number, so a reported row is the one the user sees.

A hostile file costs no more than the largest file an importer accepts: a workbook is measured before
anything in it is unpacked (the number of its parts, what they unpack to and how tightly they are
packed), rows are read one at a time and reading stops at the importer's row cap, and a row wider than
``MAX_COLUMNS`` (or a CSV line longer than ``MAX_CSV_LINE_CHARS``) is refused as it is met.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import struct
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
#: Larger files belong in a management command or the admin, not in one web request.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: A spreadsheet treats a cell starting with one of these as a formula. Exports put an apostrophe in
#: front of such text in CSV files; imports take it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Every import reads a dozen columns or so; a row wider than this is refused as soon as it is met
#: (a header of 100,000 columns, a CSV line of commas) instead of being built cell by cell.
MAX_COLUMNS = 200
#: Excel's last row. A file with a row numbered beyond it (blank rows included) is refused, so that
#: even blank rows cannot keep the reader busy.
MAX_SHEET_ROWS = 1_048_576
#: A CSV line is refused beyond this length before the csv module splits it: a line of a million
#: separators would otherwise become a list of a million cells first. (A single field is held to
#: ``csv.field_size_limit()``, 131,072 characters unless something raised it.)
MAX_CSV_LINE_CHARS = 1_000_000

#: A workbook is a zip of XML parts. What they may unpack to, in all: 200,000 rows of eight columns
#: (the fact import's cap) unpack to about 90 MB, so the fact import passes its own, larger figure.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
#: Parts other than the worksheets (shared strings, styles, the workbook) are read whole into memory, so
#: each may unpack to at most this share of ``max_unpacked_bytes``.
WHOLE_PART_SHARE = 4
#: A workbook has a dozen parts; a few hundred with charts and many sheets.
MAX_PARTS = 1_000
#: Spreadsheet XML packs about 10:1; a bomb packs 1,000:1. Small parts are not worth measuring.
MAX_PACKING_RATIO = 100
PACKING_MEASURED_FROM = 256 * 1024
#: Elements one row may hold (cells, values, rich-text runs) before it is refused as no spreadsheet row.
_ELEMENTS_PER_CELL = 64

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = _MAIN_NS + "row", _MAIN_NS + "c"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
#: Parts openpyxl reads whole by their name, whatever the manifest calls them.
_READ_WHOLE = ("[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml")

#: Characters a cell may not hold: C0 controls and DEL. PostgreSQL cannot store NUL in text; the rest
#: are invisible, and no spreadsheet writes them into XLSX. Tab and line breaks are text.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_END = re.compile("\r\n?|\n")


class UnreadableFile(Exception):
    """The file as a whole cannot be read (not UTF-8/GBK text, not a workbook, broken CSV, too wide,
    too many rows, packed like a bomb)."""


def file_content(file: bytes | IO[bytes]) -> bytes:
    """The bytes of ``file``: bytes as they are, an ``UploadedFile`` by its chunks, else ``read()``."""
    if isinstance(file, bytes):
        return file
    if hasattr(file, "chunks"):
        return b"".join(file.chunks())
    return file.read()


def file_format_of(name: str) -> str:
    """``"sales.XLSX"`` → ``"xlsx"``; the extension in lower case, ``""`` without one."""
    return name.rsplit(".", 1)[-1].lower() if "." in (name or "") else ""


def decode_text(content: bytes) -> str:
    # Excel saves "CSV UTF-8" with a BOM and plain "CSV" in the Windows code page (GBK on Chinese systems).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file is neither UTF-8 nor GBK text; save it as “CSV UTF-8” and try again."))


def _not_a_workbook() -> UnreadableFile:
    return UnreadableFile(_("This is not an Excel workbook (.xlsx) that can be read."))


def _too_wide(row: int, max_columns: int) -> UnreadableFile:
    return UnreadableFile(
        _("Row %(row)d has more than %(max)d columns; delete the columns that are not needed and try again.")
        % {"row": row, "max": max_columns}
    )


def too_many_rows(max_rows: int) -> UnreadableFile:
    return UnreadableFile(_("The file has more than %(max)d rows; split it.") % {"max": max_rows})


def iter_records(
    content: bytes,
    file_format: str,
    *,
    max_columns: int = MAX_COLUMNS,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
) -> Iterator[tuple[int, list]]:
    """The rows of the file (the first sheet of a workbook), one at a time, each with its row number.

    Rows a workbook leaves out (blank ones) are not yielded; blank rows it or a CSV file holds are,
    but for the blank lines that end a CSV file.
    Raises ``UnreadableFile`` as soon as the file turns out unreadable, a row holds more than
    ``max_columns`` cells or is numbered beyond ``MAX_SHEET_ROWS``. Close the iterator when stopping
    early (``contextlib.closing``): a workbook stays open until then.
    """
    if file_format == "csv":
        return _csv_records(content, max_columns)
    return _xlsx_records(content, max_columns, max_unpacked_bytes)


def _csv_records(content: bytes, max_columns: int) -> Iterator[tuple[int, list]]:
    text = decode_text(content)
    try:
        for number, record in enumerate(csv.reader(_csv_lines(text)), start=1):
            if len(record) > max_columns:
                raise _too_wide(number, max_columns)
            if number > MAX_SHEET_ROWS:
                raise too_many_rows(MAX_SHEET_ROWS)
            yield number, record
    except csv.Error as error:
        raise UnreadableFile(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _csv_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, as ``io.StringIO(text, newline="")`` splits them (without
    copying the text into its buffer of four bytes a character), each refused beyond
    ``MAX_CSV_LINE_CHARS`` before it is copied. Blank lines at the end are left out: they are no rows."""
    end = _end_without_blank_lines(text)
    start = number = 0
    while start < end:
        number += 1
        line_end = _LINE_END.search(text, start, end)
        stop = line_end.end() if line_end else end
        if stop - start > MAX_CSV_LINE_CHARS:
            raise UnreadableFile(
                _("Line %(line)d of the file is longer than %(max)d characters; no spreadsheet row is that long.")
                % {"line": number, "max": MAX_CSV_LINE_CHARS}
            )
        yield text[start:stop]
        start = stop


def _end_without_blank_lines(text: str) -> int:
    end = len(text)
    while end:
        start = max(0, end - 65_536)
        kept = len(text[start:end].rstrip("\r\n"))
        if kept:
            return start + kept
        end = start
    return 0


# --- workbooks -------------------------------------------------------------------------------------


def _xlsx_records(content: bytes, max_columns: int, max_unpacked_bytes: int) -> Iterator[tuple[int, list]]:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    _check_central_directory(content)
    try:
        # What ``openpyxl.load_workbook(read_only=True)`` does, but for the first sheet only and with the
        # parts measured first (below); openpyxl's read-only sheet would also trust the sheet's own
        # dimension, pad every row to it, and fill in each missing row up to the last row number.
        reader = ExcelReader(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except Exception:  # zipfile raises several kinds for a file that is not a zip
        raise _not_a_workbook() from None
    try:
        _check_parts(reader.archive.infolist(), max_unpacked_bytes)
        try:
            _check_whole_parts(reader, max_unpacked_bytes)
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            sheet_path = next(
                rel.target
                for _sheet, rel in reader.parser.find_sheets()
                if "chartsheet" not in rel.Type and rel.target in reader.valid_files
            )
            workbook = reader.wb
            cells = WorkSheetParser(
                None,
                reader.shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            source = reader.archive.open(sheet_path)
        except UnreadableFile:
            raise
        except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a damaged or foreign file
            raise _not_a_workbook() from None
        with source:
            yield from _sheet_records(source, cells, max_columns)
    finally:
        reader.archive.close()


def _check_central_directory(content: bytes) -> None:
    """Refuse a zip whose directory lists more than ``MAX_PARTS`` entries before ``zipfile`` builds an
    object for each (a 5 MB directory lists 100,000)."""
    end = len(content) - 22
    if end < 0:
        raise _not_a_workbook()
    if content[end : end + 4] != b"PK\x05\x06":
        end = content.rfind(b"PK\x05\x06", max(0, end - 65_535), end)
        if end < 0:
            raise _not_a_workbook()
    entries, directory_bytes = struct.unpack_from("<HL", content, end + 10)
    # 46 bytes and a name per entry; 0xFFFF entries or 0xFFFFFFFF bytes mean a ZIP64 directory
    if entries > MAX_PARTS or directory_bytes > MAX_PARTS * (46 + 1024):
        raise UnreadableFile(_too_many_parts_message())


def _too_many_parts_message() -> str:
    return _("The workbook has more than %(max)d parts; copy the sheet into a new workbook or save it as CSV.") % {
        "max": MAX_PARTS
    }


def _check_parts(parts: list[zipfile.ZipInfo], max_unpacked_bytes: int) -> None:
    """What each part says it unpacks to, before anything is unpacked (``zipfile`` stops a part at its
    stated size and fails its checksum, so the statement holds)."""
    if len(parts) > MAX_PARTS:
        raise UnreadableFile(_too_many_parts_message())
    if sum(part.file_size for part in parts) > max_unpacked_bytes:
        raise UnreadableFile(
            _("The workbook unpacks to more than %(max)d MB; split it or save it as CSV.")
            % {"max": max_unpacked_bytes // (1024 * 1024)}
        )
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):  # Excel writes no other
            raise _not_a_workbook()
        if part.file_size > PACKING_MEASURED_FROM and part.file_size > MAX_PACKING_RATIO * part.compress_size:
            raise UnreadableFile(
                _("A part of the workbook unpacks to more than %(max)d times its size, which no spreadsheet does.")
                % {"max": MAX_PACKING_RATIO}
            )


def _check_whole_parts(reader, max_unpacked_bytes: int) -> None:
    """Read the manifest; every part but the worksheets is read whole, so each may unpack to a
    ``WHOLE_PART_SHARE`` of the whole. A part is a worksheet when the manifest calls it that and nothing
    else, and openpyxl does not read it by its name."""
    limit = max_unpacked_bytes // WHOLE_PART_SHARE

    def refuse_beyond(parts) -> None:
        if any(part.file_size > limit for part in parts):
            raise UnreadableFile(
                _("The workbook's texts or styles unpack to more than %(max)d MB; split it or save it as CSV.")
                % {"max": limit // (1024 * 1024)}
            )

    parts = reader.archive.infolist()
    refuse_beyond(part for part in parts if part.filename in _READ_WHOLE or part.filename.endswith(".rels"))
    reader.read_manifest()
    kinds: dict[str, set[str]] = {}
    for override in reader.package.Override:
        kinds.setdefault(override.PartName[1:], set()).add(override.ContentType)
    worksheets = {name for name, types in kinds.items() if types == {_WORKSHEET_TYPE}}
    refuse_beyond(part for part in parts if part.filename not in worksheets)


def _sheet_records(source: IO[bytes], cells, max_columns: int) -> Iterator[tuple[int, list]]:
    """The rows of a worksheet's XML, streamed: each ``<row>`` is turned into its values by openpyxl's
    ``parse_row`` once it ends, then dropped, as is everything else in the sheet. A row is counted
    while it is parsed, so a row of a million cells is refused at cell ``max_columns + 1``."""
    outside_rows: list = []  # the open elements around the current row (the sheet, its sheetData)
    row = None
    row_number = depth = width = elements = 0
    max_elements = max_columns * _ELEMENTS_PER_CELL
    try:
        for event, element in iterparse(source, events=("start", "end")):
            if row is not None:
                if event == "start":
                    if depth == 0:  # a cell of the row
                        width += 1
                        if width > max_columns:
                            raise _too_wide(row_number, max_columns)
                    depth += 1
                    elements += 1
                    if elements > max_elements:
                        raise _not_a_workbook()
                elif element is not row:
                    depth -= 1
                else:
                    row = None
                    number, parsed = cells.parse_row(element)
                    cells.row_dimensions.clear()  # openpyxl keeps a row's height and style; nothing here needs them
                    if outside_rows:
                        outside_rows[-1].remove(element)
                    if number > MAX_SHEET_ROWS:
                        raise too_many_rows(MAX_SHEET_ROWS)
                    record_width = max((cell["column"] for cell in parsed), default=0)
                    if record_width > max_columns:
                        raise _too_wide(number, max_columns)
                    record = [None] * record_width
                    for cell in parsed:
                        record[cell["column"] - 1] = cell["value"]
                    yield number, record
            elif event == "start":
                if element.tag == _ROW:
                    row, depth, width, elements = element, 0, 0, 0
                    number = element.get("r", "")
                    row_number = int(number) if number.isdigit() else cells.row_counter + 1
                else:
                    outside_rows.append(element)
            else:
                outside_rows.pop()
                if outside_rows:
                    outside_rows[-1].remove(element)  # read and done with: free it
    except UnreadableFile:
        raise
    except Exception:  # the sheet's XML is broken, or a cell cannot be read (a string index out of range)
        raise _not_a_workbook() from None


def normalise_header(value: Any) -> str:
    return str(value if value is not None else "").strip().lstrip("\ufeff").strip().lower()


def cell_text(value: Any) -> str:
    """A cell as text: numbers from spreadsheets without a trailing ``.0``, a formula guard removed."""
    if type(value) is str:
        text = value.strip()
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "yes" if value else "no"
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
    if text[:1] == "'" and len(text) > 1 and text[1] in FORMULA_STARTS:
        text = text[1:]
    return text


def duplicate_columns(headers: list[str]) -> list[str]:
    """The column names that appear more than once, sorted."""
    return sorted(name for name, count in Counter(headers).items() if name and count > 1)


@dataclass(frozen=True)
class BadCell:
    """A cell no importer may use as it is (it holds a control character); it reads as empty."""

    row: int
    column: str
    message: str
    value: str


@dataclass(frozen=True)
class RowError:
    """Why an importer refused a row of a file, or one of its cells."""

    row: int  #: as the spreadsheet numbers it: the header is row 1, the first data row 2
    column: str  #: "" when the reason concerns the whole row
    message: str
    value: str = ""

    @classmethod
    def of(cls, bad: BadCell) -> RowError:
        return cls(bad.row, bad.column, bad.message, bad.value)


@dataclass(kw_only=True)
class ImportReport:
    """What an import did, or would do on a dry run: the counts, every refused row and the file's own
    problems. An app's report adds what its rows need (``kind``, ``updated``, a preview …)."""

    dry_run: bool
    total_rows: int = 0
    new: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors

    @property
    def imported(self) -> bool:
        """True when the rows were saved (not a dry run, no error)."""
        return self.ok and not self.dry_run

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


@dataclass(kw_only=True)
class UpdatingImportReport(ImportReport):
    """The report of an import whose rows may also update stored rows (budgets, stock reports)."""

    updated: int = 0

    def as_dict(self) -> dict:
        """The report as the API answers it."""
        return {
            "dry_run": self.dry_run,
            "imported": self.imported,
            "total_rows": self.total_rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [{"row": e.row, "column": e.column, "message": e.message, "value": e.value} for e in self.errors],
            "file_errors": list(self.file_errors),
            "ignored_columns": list(self.ignored_columns),
        }


def bad_cell(row: int, column: str, value: Any) -> BadCell | None:
    """A ``BadCell`` when ``value`` is text holding a control character (NUL, ESC …), else ``None``."""
    if type(value) is not str or value.isprintable():  # isprintable: the common case, at C speed
        return None
    found = _CONTROL_CHARACTERS.search(value)
    if found is None:  # tab, line breaks, non-breaking spaces
        return None
    message = _("This cell holds a control character (%(character)s), which cannot be stored; delete it.") % {
        "character": f"U+{ord(found.group()):04X}"
    }
    shown = _CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", value)
    return BadCell(row, column, message, shown)


def _blank_csv_record(record: list[str]) -> bool:
    """A CSV row of nothing but spaces (its cells are always text)."""
    return not any(map(str.strip, record))


def _blank_record(record: list) -> bool:
    return all(cell_text(cell) == "" for cell in record)


# --- a table of named columns --------------------------------------------------------------------


@dataclass
class Table:
    """The data rows of a file under its known columns: ``rows`` pairs each row number with a dict of
    column → raw cell (``None`` for a column the file lacks). A cell in ``bad_cells`` reads as ``None``."""

    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    bad_cells: list[BadCell] = field(default_factory=list)


def read_table(
    content: bytes,
    file_format: str,
    *,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    max_rows: int,
    errors: list[str],
    max_bytes: int = MAX_FILE_BYTES,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    header_codes: Mapping[str, str] | None = None,
) -> Table | None:
    """The file's rows under ``columns``; ``None`` after adding the file-level problems to ``errors``
    (unknown format, unreadable, a required column missing or twice, no rows, too many rows or
    columns, more than ``max_bytes``, a workbook unpacking to more than ``max_unpacked_bytes``).
    Reading stops at row ``max_rows + 1``. ``header_codes`` reads other names of the columns (a
    normalised header → its column: the headers an export writes in either language)."""
    if file_format not in FORMATS:
        errors.append(_("Upload a .csv or .xlsx file."))
        return None
    if len(content) > max_bytes:
        if max_bytes == MAX_FILE_BYTES:
            errors.append(_("The file is larger than 5 MB; split it."))
        else:
            errors.append(_("The file is larger than %(max)d MB; split it.") % {"max": max_bytes // (1024 * 1024)})
        return None
    with closing(iter_records(content, file_format, max_unpacked_bytes=max_unpacked_bytes)) as records:
        try:
            return _read_table(records, file_format, columns, required, max_rows, errors, header_codes or {})
        except UnreadableFile as error:
            errors.append(str(error))
            return None


def _read_table(records, file_format, columns, required, max_rows, errors, header_codes) -> Table | None:
    first = next(records, None)
    if first is None:
        errors.append(_("The file is empty."))
        return None
    number, record = first
    if number == 1:
        headers = [header_codes.get(name, name) for name in map(normalise_header, record)]
    else:  # a workbook whose row 1 is blank: no column names
        headers, records = [], chain([first], records)
    twice = duplicate_columns(headers)
    if twice:
        errors.append(_("These columns appear more than once: %(columns)s.") % {"columns": ", ".join(twice)})
    missing = [name for name in required if name not in headers]
    if missing:
        errors.append(
            _("Row 1 must hold the column names, among them %(required)s; missing: %(missing)s.")
            % {"required": ", ".join(required), "missing": ", ".join(missing)}
        )
    if errors:
        return None
    table = Table(columns=list(columns), ignored_columns=[name for name in headers if name and name not in columns])
    positions = {name: index for index, name in enumerate(headers) if name in columns}
    width = max(positions.values(), default=-1) + 1
    absent = dict.fromkeys(name for name in columns if name not in positions)
    blank = _blank_csv_record if file_format == "csv" else _blank_record
    rows, bad_cells = table.rows, table.bad_cells
    for number, record in records:
        if blank(record):
            continue
        if len(rows) == max_rows:
            raise too_many_rows(max_rows)
        if len(record) < width:
            record = [*record, *([None] * (width - len(record)))]
        cells = {name: record[index] for name, index in positions.items()}
        for name, value in cells.items():
            if (bad := bad_cell(number, name, value)) is not None:
                bad_cells.append(bad)
                cells[name] = None
        if absent:
            cells.update(absent)
        rows.append((number, cells))
    if not rows:
        errors.append(_("The file has no rows below the column names."))
        return None
    return table


# --- an uploaded file between its preview and its confirmation -------------------------------------


def keep_for_confirmation(request, key: str, content: bytes, **details) -> str:
    """Keep an uploaded file in the session under ``key`` until the user confirms its preview.

    Returns the token the confirmation form sends back; ``details`` (name, format, kind …) come back
    with the content from ``take_pending``.
    """
    token = uuid.uuid4().hex
    request.session[key] = {
        **details,
        "token": token,
        "content": base64.b64encode(content).decode("ascii"),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    return token


def take_pending(request, key: str, token: str) -> dict | None:
    """The kept file for ``token`` (once: it is removed), or None if there is none or it was altered."""
    pending = request.session.get(key)
    if not pending or not token or pending.get("token") != token:
        return None
    del request.session[key]
    content = base64.b64decode(pending["content"])
    if hashlib.sha256(content).hexdigest() != pending["sha256"]:
        return None
    return {**pending, "content": content}
