"""Hostile files are refused before they cost anything (``channelhub.importing``, the one reader of CSV
and XLSX for every import): workbook bombs are measured before a byte is unpacked, rows are streamed and
reading stops at the row cap, a row is refused as soon as it is wider than ``MAX_COLUMNS``, a CSV line
as soon as it is longer than ``MAX_CSV_LINE_CHARS``, and a cell holding a control character is a row
error (never a 500 on PostgreSQL, which cannot store NUL).

The hostile workbooks are written here with ``zipfile``, part by part, so that each is a valid minimal
workbook but for its one hostile part (``test_the_minimal_workbook_reads_as_a_table`` shows the rest is
sound). Time and memory are measured: each refusal takes well under the seconds and megabytes that
reading the file naively would.
"""

from __future__ import annotations

import io
import os
import time
import tracemalloc
import zipfile
from collections.abc import Iterable
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from channelhub.importing import MAX_COLUMNS, RowError, duplicate_columns, read_table
from kpi.imports import MAX_FILE_BYTES as FACT_FILE_BYTES
from kpi.imports import MAX_UNPACKED_BYTES as FACT_UNPACKED_BYTES
from kpi.imports import fact_import
from kpi.models import Collection, SalesRecord
from partners.imports import dealer_import
from partners.models import Dealer
from tests.kpi.facts_world import csv_file, xlsx_file

MB = 1024 * 1024
COLUMNS = ("reference", "amount")
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SALES = ["reference", "date", "dealer_code", "rep", "amount", "category", "ship_to", "note"]
DEALERS = ["code", "name", "territory"]

TOO_MANY_ROWS = "The file has more than %d rows; split it."
TOO_WIDE = "Row %d has more than 200 columns; delete the columns that are not needed and try again."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- building workbooks part by part ---------------------------------------------------------------

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = f"""<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = f"""<workbook xmlns="{NS}" xmlns:r="{DOCUMENT}">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/></Relationships>"""
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>reference</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>amount</t></is></c><c r="C1"><v>7</v></c></row>'
)


def inline(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(
    rows: Iterable[bytes],
    *,
    shared_strings: Iterable[bytes] = (),
    compression: int = zipfile.ZIP_DEFLATED,
    extra_parts: int = 0,
    before_rows: str = "",
) -> bytes:
    """A minimal workbook whose first sheet holds ``rows`` (``<row>`` elements, written chunk by chunk so
    that a sheet of hundreds of MB is never held in memory) and whose shared strings are the ``<si>``
    elements of ``shared_strings``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", PACKAGE_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            package.writestr(name, text)
        for name, head, chunks, tail in (
            ("xl/sharedStrings.xml", f'<sst xmlns="{NS}">', shared_strings, "</sst>"),
            (
                "xl/worksheets/sheet1.xml",
                f'<worksheet xmlns="{NS}">{before_rows}<sheetData>',
                rows,
                "</sheetData></worksheet>",
            ),
        ):
            part = zipfile.ZipInfo(name)
            part.compress_type = compression
            with package.open(part, "w") as stream:
                stream.write(head.encode())
                for chunk in chunks:
                    stream.write(chunk)
                stream.write(tail.encode())
        for number in range(extra_parts):
            package.writestr(f"xl/media/part{number}.xml", "<x/>")
    return buffer.getvalue()


def table_of(content: bytes, file_format: str = "xlsx", **caps):
    errors: list[str] = []
    caps.setdefault("max_rows", 1_000)
    table = read_table(content, file_format, columns=COLUMNS, required=("reference",), errors=errors, **caps)
    return table, errors


@contextmanager
def measured():
    """Wall time (s) and peak memory newly allocated (MB) of the block: ``costs["seconds"]``, ``["mb"]``."""
    table_of(workbook([HEADER_ROW]))  # openpyxl's modules are imported before measuring, not during
    costs: dict[str, float] = {}
    tracemalloc.start()
    started = time.perf_counter()
    try:
        yield costs
    finally:
        costs["seconds"] = time.perf_counter() - started
        costs["mb"] = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()


def repeated(chunk: bytes, total_bytes: int) -> Iterable[bytes]:
    for _ in range(total_bytes // len(chunk)):
        yield chunk


def random_text(size: int, alphabet: bytes = b"ACGT") -> bytes:
    """``size`` characters of ``alphabet`` at random: packs about 4:1 like real data, not 1,000:1."""
    return os.urandom(size).translate(bytes(alphabet[byte % len(alphabet)] for byte in range(256)))


def test_the_minimal_workbook_reads_as_a_table():
    row = b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>12.5</v></c></row>'
    table, errors = table_of(workbook([HEADER_ROW, row], shared_strings=[b"<si><t>INV-1</t></si>"]))
    assert errors == []
    assert table.rows == [(2, {"reference": "INV-1", "amount": 12.5})]
    assert table.ignored_columns == ["7"]


# --- 1. workbook bombs, refused before anything is unpacked ----------------------------------------


@pytest.fixture(scope="module")
def shared_strings_bomb() -> bytes:
    """300 MB of shared strings packed into under a megabyte (about 400:1)."""
    return workbook([HEADER_ROW], shared_strings=repeated(b"<si><t>ABCDEFGHIJ</t></si>" * 40_000, 300 * MB))


def test_a_shared_strings_bomb_is_refused_at_once_without_unpacking_it(shared_strings_bomb):
    assert len(shared_strings_bomb) < MB
    with measured() as costs:
        table, errors = table_of(shared_strings_bomb)
    assert table is None
    assert errors == ["The workbook unpacks to more than 50 MB; split it or save it as CSV."]
    assert costs["seconds"] < 0.5 and costs["mb"] < 8, costs  # unpacked naively: 300 MB and more


def test_a_part_packed_more_tightly_than_any_spreadsheet_is_refused():
    bomb = workbook([HEADER_ROW], shared_strings=repeated(b"<si><t>ABCDEFGHIJ</t></si>" * 40_000, 30 * MB))
    with measured() as costs:
        table, errors = table_of(bomb)
    assert errors == ["A part of the workbook unpacks to more than 100 times its size, which no spreadsheet does."]
    assert costs["seconds"] < 0.5 and costs["mb"] < 8, costs


def test_shared_strings_are_read_whole_so_they_get_a_quarter_of_the_limit():
    """13 MB of shared strings packed 4:1 like real text: within the 50 MB a workbook may unpack to, but
    read whole into memory (as a million strings of a few letters, they would take 60 MB and 10 s)."""
    text = random_text(13 * MB)
    strings = (b"<si><t>" + text[start : start + 8192] + b"</t></si>" for start in range(0, len(text), 8192))
    content = workbook([HEADER_ROW], shared_strings=(b"".join(strings),))
    assert len(content) < 5 * MB
    table, errors = table_of(content)
    assert errors == ["The workbook's texts or styles unpack to more than 12 MB; split it or save it as CSV."]


def test_a_workbook_of_more_than_a_thousand_parts_is_refused():
    table, errors = table_of(workbook([HEADER_ROW], extra_parts=1_000))
    assert errors == ["The workbook has more than 1000 parts; copy the sheet into a new workbook or save it as CSV."]


def test_a_part_packed_in_a_way_excel_never_uses_is_refused():
    table, errors = table_of(workbook([HEADER_ROW], compression=zipfile.ZIP_BZIP2))
    assert errors == ["This is not an Excel workbook (.xlsx) that can be read."]


# --- 2. rows are streamed, and reading stops at the row cap ----------------------------------------


def three_million_rows() -> Iterable[bytes]:
    """3,000,000 rows in blocks of 10,000 with random references: a block is longer than deflate's
    window, so the sheet packs about 25:1 (81 MB into 3), not 1,000:1 like a bomb."""
    digits = random_text(20_000, b"0123")
    block = b"".join(b"<row><c><v>" + digits[n : n + 2] + b"</v></c></row>" for n in range(0, 20_000, 2))
    yield HEADER_ROW
    yield from repeated(block, 300 * len(block))


def test_a_three_million_row_workbook_is_refused_at_the_row_cap_in_bounded_time_and_memory():
    content = workbook(three_million_rows())
    with measured() as costs:
        table, errors = table_of(
            content, max_rows=20_000, max_bytes=FACT_FILE_BYTES, max_unpacked_bytes=FACT_UNPACKED_BYTES
        )
    assert table is None and errors == [TOO_MANY_ROWS % 20_000]
    # Read naively, the 3,000,001 rows took minutes and more than a GB; here 20,001 rows are read.
    assert costs["seconds"] < 5 and costs["mb"] < 16, costs
    # Under the limit of most imports (50 MB unpacked) it is refused before a row is read.
    with measured() as costs:
        table, errors = table_of(content, max_bytes=FACT_FILE_BYTES)
    assert errors == ["The workbook unpacks to more than 50 MB; split it or save it as CSV."]
    assert costs["seconds"] < 0.5, costs


def test_a_three_million_row_csv_is_refused_at_the_row_cap_in_bounded_time_and_memory():
    content = b"reference,amount\n" + b"R-1,1\n" * 3_000_000
    with measured() as costs:
        table, errors = table_of(content, "csv", max_rows=20_000, max_bytes=FACT_FILE_BYTES)
    assert table is None and errors == [TOO_MANY_ROWS % 20_000]
    # The decoded text (18 MB) is the whole cost: 3,000,001 rows as lists would take several hundred MB.
    assert costs["seconds"] < 3 and costs["mb"] < 2 * len(content) / MB, costs


def test_a_row_numbered_beyond_the_last_row_of_a_sheet_is_refused():
    """openpyxl's read-only sheet fills in every missing row up to a row's number: 100 billion here."""
    far = b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row>'
    with measured() as costs:
        table, errors = table_of(workbook([HEADER_ROW, far]))
    assert errors == [TOO_MANY_ROWS % 1_048_576]
    assert costs["seconds"] < 0.5, costs


def test_a_sheet_whose_dimension_is_wrong_is_read_row_by_row():
    """openpyxl's read-only sheet trusts ``<dimension>``: it stopped at the row it names (here row 1, so
    the file had "no rows") and would fill in empty rows up to the one it names."""
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>R-1</t></is></c></row>'
    table, errors = table_of(workbook([HEADER_ROW, row], before_rows='<dimension ref="A1"/>'))
    assert errors == [] and table.rows == [(2, {"reference": "R-1", "amount": None})]
    started = time.perf_counter()
    table, errors = table_of(workbook([HEADER_ROW, row], before_rows='<dimension ref="A1:B99999999999"/>'))
    assert errors == [] and table.rows == [(2, {"reference": "R-1", "amount": None})]
    assert time.perf_counter() - started < 0.5


# --- 3. a cap on columns; 4. duplicate columns in linear time ----------------------------------------


def wide_row(number: int, cells: int) -> bytes:
    values = random_text(cells * 4, b"1234")  # random values: the sheet packs like a real one, not 1,000:1
    cells_xml = b"".join(b"<c><v>" + values[n : n + 4] + b"</v></c>" for n in range(0, cells * 4, 4))
    return f'<row r="{number}">'.encode() + cells_xml + b"</row>"


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_header_of_100000_columns_is_refused_at_once(file_format):
    if file_format == "xlsx":
        content = workbook([wide_row(1, 100_000)])
    else:
        content = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\nR-1,1\n"
    with measured() as costs:
        table, errors = table_of(content, file_format)
    assert errors == [TOO_WIDE % 1]
    # Before, openpyxl built the 100,000 cells and the duplicate check compared each name with all the
    # others: 10 billion comparisons.
    assert costs["seconds"] < 1 and costs["mb"] < 16, costs


def test_a_data_row_of_100000_cells_is_refused_naming_it():
    table, errors = table_of(workbook([HEADER_ROW, wide_row(2, 100_000)]))
    assert errors == [TOO_WIDE % 2]
    table, errors = table_of(b"reference,amount\nR-1,1\n" + b"x," * 100_000 + b"\n", "csv")
    assert errors == [TOO_WIDE % 3]


def test_a_single_cell_far_to_the_right_makes_its_row_too_wide():
    """A cell's own address places it: column XFD is column 16,384."""
    table, errors = table_of(workbook([HEADER_ROW, b'<row r="2"><c r="XFD2"><v>1</v></c></row>']))
    assert errors == [TOO_WIDE % 2]


def test_rows_up_to_the_column_cap_are_read():
    header = ",".join(["reference", "amount", *(f"extra {n}" for n in range(MAX_COLUMNS - 2))])
    table, errors = table_of(f"{header}\nR-1,5{',' * (MAX_COLUMNS - 2)}\n".encode(), "csv")
    assert errors == [] and table.rows == [(2, {"reference": "R-1", "amount": "5"})]


def test_duplicate_columns_are_found_in_linear_time():
    names = [f"column {n % 100_000}" for n in range(200_000)]
    started = time.perf_counter()
    twice = duplicate_columns(names)
    assert time.perf_counter() - started < 0.5
    assert len(twice) == 100_000 and twice[:2] == ["column 0", "column 1"]
    table, errors = table_of(b"reference,amount,reference,note,note,\n", "csv")
    assert errors == ["These columns appear more than once: note, reference."]


# --- 6. pathological CSV ----------------------------------------------------------------------------


def test_a_csv_line_of_millions_of_separators_is_refused_before_it_is_split():
    content = b"reference,amount\n" + b"," * 4_000_000 + b"\n"
    with measured() as costs:
        table, errors = table_of(content, "csv")
    assert errors == ["Line 2 of the file is longer than 1000000 characters; no spreadsheet row is that long."]
    # Split first, the line was a list of 4 million cells (32 MB of pointers alone).
    assert costs["seconds"] < 1 and costs["mb"] < 3 * len(content) / MB, costs


def test_one_enormous_csv_field_is_refused_quickly():
    unquoted = b"reference,amount\n" + b"x" * 4_000_000 + b",1\n"
    quoted = b'reference,amount\n"' + b"many lines\n" * 400_000 + b'",1\n'
    with measured() as costs:
        assert table_of(unquoted, "csv")[1] == [
            "Line 2 of the file is longer than 1000000 characters; no spreadsheet row is that long."
        ]
        assert table_of(quoted, "csv")[1] == ["The CSV file cannot be read: field larger than field limit (131072)"]
    assert costs["seconds"] < 1, costs


def test_blank_lines_after_the_last_row_are_not_rows():
    content = b"reference,amount\nR-1,1\n" + b"\r\n" * 2_000_000
    table, errors = table_of(content, "csv", max_bytes=FACT_FILE_BYTES)
    assert errors == [] and table.rows == [(2, {"reference": "R-1", "amount": "1"})]


# --- 5. control characters: a row error, in the fact and the dealer import --------------------------


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_control_character_in_a_fact_file_is_a_row_error_naming_row_and_column(finance, d, dry_run):
    content = csv_file(
        SALES,
        [
            ["S-1", "2026-10-01", "A1", "", "100", "", "", "fine\tand\r\nwell"],  # row 2: tab and line breaks are text
            ["S-2", "2026-10-01", "A\x001", "", "100", "", "", "bell \x07"],  # row 3
            ["S-3", "2026-10-01", "A1", "", "12.345", "", "", ""],  # row 4: bad for another reason
            ["S-\x1b4", "2026-10-01", "A1", "nobody", "100", "", "", ""],  # row 5
        ],
    )
    report = fact_import(actor=finance, kind="sales", file=content, file_format="csv", dry_run=dry_run)
    assert not report.ok and not report.imported
    assert report.errors == [
        RowError(
            3,
            "dealer_code",
            "This cell holds a control character (U+0000), which cannot be stored; delete it.",
            "A\\x001",
        ),
        RowError(
            3, "note", "This cell holds a control character (U+0007), which cannot be stored; delete it.", "bell \\x07"
        ),
        RowError(4, "amount", "An amount has at most two decimals; it is never rounded.", "12.345"),
        RowError(
            5,
            "reference",
            "This cell holds a control character (U+001B), which cannot be stored; delete it.",
            "S-\\x1b4",
        ),
        RowError(5, "rep", "Unknown user.", "nobody"),
    ]
    assert SalesRecord.objects.count() == 0


def test_a_control_character_alone_still_saves_nothing(finance, d):
    content = csv_file(SALES, [["S-1", "2026-10-01", "A1", "", "100", "", "", "a\x00b"]])
    report = fact_import(actor=finance, kind="sales", file=content, file_format="csv", dry_run=False)
    assert [(error.row, error.column) for error in report.errors] == [(2, "note")]
    assert not report.imported and SalesRecord.objects.count() == 0
    fixed = csv_file(SALES, [["S-1", "2026-10-01", "A1", "", "100", "", "", "a\tb\nc"]])
    assert fact_import(actor=finance, kind="sales", file=fixed, file_format="csv", dry_run=False).imported
    assert SalesRecord.objects.get().note == "a\tb\nc"  # inner tab and line break kept, as before


def test_a_control_character_in_a_fact_workbook_is_a_row_error(finance, d):
    """XML keeps no C0 control in a workbook, but DEL it does."""
    content = xlsx_file(
        ["reference", "date", "dealer_code", "amount"],
        [["R-1", "2026-10-01", "A1", "5"], ["R\x7f2", "2026-10-01", "A1", "5"]],
    )
    report = fact_import(actor=finance, kind="collections", file=content, file_format="xlsx", dry_run=True)
    assert [(error.row, error.column, error.value) for error in report.errors] == [(3, "reference", "R\\x7f2")]
    assert Collection.objects.count() == 0


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize(("file_format", "character"), [("csv", "\x00"), ("xlsx", "\x7f")])
def test_a_control_character_in_a_dealer_file_is_a_row_error_naming_row_and_column(
    manager, d, file_format, character, dry_run
):
    rows = [[f"N{character}1", "上海一号", "SH-PD"], ["N2", "上海\x7f二号", "SH-PD"], ["N3", "上海三号", "MARS"]]
    content = (csv_file if file_format == "csv" else xlsx_file)(DEALERS, rows)
    report = dealer_import(actor=manager, file=content, file_format=file_format, dry_run=dry_run)
    assert not report.ok and not report.imported
    control = "This cell holds a control character (%s), which cannot be stored; delete it."
    assert [(error.row, error.column, error.message, error.value) for error in report.errors] == [
        (2, "code", control % f"U+{ord(character):04X}", f"N\\x{ord(character):02x}1"),
        (3, "name", control % "U+007F", "上海\\x7f二号"),
        (4, "territory", report.errors[2].message, "MARS"),
    ]
    assert "MARS" in report.errors[2].message
    assert not Dealer.objects.filter(code__in=["N1", "N2", "N3"]).exists()


# --- through the API and the page ------------------------------------------------------------------


def english_client(client_as, user):
    client = client_as(user)
    client.cookies["django_language"] = "en"  # pages speak the user's language, not the test's
    return client


def post_facts(api_as, finance, content: bytes, name: str, dry_run: bool = True):
    client = api_as(finance)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    data = {"file": SimpleUploadedFile(name, content), "kind": "sales", "dry_run": "true" if dry_run else "false"}
    return client.post("/api/v1/imports/", data, format="multipart")


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_fact_import_api_answers_400_for_a_nul_in_a_cell(api_as, finance, d, dry_run):
    content = csv_file(SALES, [["S-1", "2026-10-01", "A1", "", "100", "", "", "x\x00"]])
    response = post_facts(api_as, finance, content, "sales.csv", dry_run)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 2,
            "column": "note",
            "message": "This cell holds a control character (U+0000), which cannot be stored; delete it.",
            "value": "x\\x00",
        }
    ]
    assert SalesRecord.objects.count() == 0


def test_the_fact_import_api_refuses_a_bomb_and_a_million_rows_as_file_errors(api_as, finance, d, shared_strings_bomb):
    started = time.perf_counter()
    response = post_facts(api_as, finance, shared_strings_bomb, "sales.xlsx")
    assert response.status_code == 400 and response.json()["file_errors"] == [
        "The workbook unpacks to more than 128 MB; split it or save it as CSV."
    ]
    content = ",".join(SALES).encode() + b"\n" + b"S,2026-10-01,A1,,1,,,\n" * 1_000_000  # 22 MB
    response = post_facts(api_as, finance, content, "sales.csv")
    assert response.status_code == 400 and response.json()["file_errors"] == [TOO_MANY_ROWS % 200_000]
    assert time.perf_counter() - started < 10


def test_the_dealer_import_page_shows_the_row_of_a_nul_and_saves_nothing(manager, d, client_as):
    content = csv_file(DEALERS, [["N1", "上海\x00一号", "SH-PD"]])
    page = english_client(client_as, manager).post(
        reverse("partners:dealer-import"), {"file": SimpleUploadedFile("dealers.csv", content)}
    )
    assert page.status_code == 200
    assert [(error.row, error.column) for error in page.context["report"].errors] == [(2, "name")]
    assert 'data-testid="import-errors"' in page.content.decode()
    assert not Dealer.objects.filter(code="N1").exists()


def test_the_dealer_import_page_refuses_a_header_of_100000_columns(manager, d, client_as):
    content = ",".join(f"c{n}" for n in range(100_000)).encode() + b"\n"
    started = time.perf_counter()
    page = english_client(client_as, manager).post(
        reverse("partners:dealer-import"), {"file": SimpleUploadedFile("dealers.csv", content), "dry_run": "on"}
    )
    assert time.perf_counter() - started < 2
    assert page.status_code == 200 and page.context["report"].file_errors == [TOO_WIDE % 1]
    assert 'data-testid="file-errors"' in page.content.decode()
