"""The stock report import (SPEC §16 with §5's rules): CSV and XLSX, headers as codes or labels (Chinese too), all
or nothing with every bad row's number, column and reason, re-import adds nothing, hidden dealers read as
unknown; through the service, the API and the page."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from inventory.exports import report_export
from inventory.imports import COLUMNS, report_import
from inventory.models import StockReport
from inventory.selectors import stock_report_list
from tests.inventory.world import figures, write

D = Decimal
pytestmark = pytest.mark.django_db

FIGURE_COLUMNS = COLUMNS[3:13]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def line(dealer, period, product_line, opening, received, sold, adjustment="0", *, closing=None, price=10, **extra):
    """A file row in the code columns: quantities as given, amounts at ``price``; ``closing`` when it must not
    balance."""
    o, r, s, a = D(opening), D(received), D(sold), D(adjustment)
    c = o + r - s + a if closing is None else D(closing)
    row = {
        "dealer": dealer,
        "period": period,
        "product_line": product_line,
        "opening_qty": o,
        "received_qty": r,
        "sold_qty": s,
        "adjustment_qty": a,
        "closing_qty": c,
        "opening_amount": o * price,
        "received_amount": r * price,
        "sold_amount": s * price,
        "adjustment_amount": a * price,
        "closing_amount": (o + r - s + a) * price,
        "adjustment_reason": "",
        "adjustment_note": "",
    }
    row.update(extra)
    return row


def as_csv(rows: list[dict], headers: list[str] | None = None) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(headers or list(COLUMNS))
    for row in rows:
        writer.writerow([row[name] for name in COLUMNS])
    return output.getvalue().encode("utf-8")


def as_xlsx(rows: list[dict], headers: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in (row[name] for name in COLUMNS)])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def errors_of(report) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in report.errors]


# --- files that import ------------------------------------------------------------------------------------------


def test_a_csv_file_imports_every_row(rep, stock_dealers, lines):
    rows = [
        line("D1", "2026-09", "kitchen", "0", "80", "20"),  # closes at 60
        line("D1", "2026-10", "kitchen", "60", "0", "5"),  # opens with September's closing
        line("T1", "2026-10", "water", "10", "0", "0", "-2", adjustment_reason="damaged"),
    ]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert report.ok, errors_of(report)
    assert (report.imported, report.total_rows, report.new, report.updated, report.unchanged) == (True, 3, 3, 0, 0)
    stored = StockReport.objects.get(dealer=stock_dealers["T1"])
    assert (stored.closing_qty, stored.closing_amount, stored.adjustment_reason, stored.source) == (
        D("8"),
        D("80"),
        "damaged",
        "import",
    )
    assert StockReport.objects.get(dealer=stock_dealers["D1"], period="2026-10").opening_qty == D("60")


def test_an_xlsx_file_with_chinese_headers_imports(rep, stock_dealers, lines):
    headers = [
        "经销商编码",  # the label "Dealer code" in Chinese
        "期间",  # "Period"
        "产品线",  # "Product line"
        "期初数量",
        "进货数量",
        "销售数量",
        "调整数量",
        "期末数量",
        "期初金额",
        "进货金额",
        "销售金额",
        "调整金额",
        "期末金额",
        "调整原因",
        "调整说明",
    ]
    rows = [line("D1", datetime(2026, 10, 1), "kitchen", "12.5", "30", "2.25", price=4)]  # a month Excel made a date
    report = report_import(actor=rep, file=as_xlsx(rows, headers), file_format="xlsx")
    assert report.ok, errors_of(report)
    stored = StockReport.objects.get()
    # 12.5 + 30 − 2.25 = 40.25 units; at 4.00: 50.00 + 120.00 − 9.00 = 161.00
    assert (stored.period, stored.closing_qty, stored.closing_amount) == ("2026-10", D("40.25"), D("161.00"))


def test_a_reason_is_read_by_its_label_in_either_language(rep, stock_dealers, lines):
    rows = [line("D1", "2026-10", "kitchen", "10", "0", "0", "-1", adjustment_reason="Stocktake difference")]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert report.ok, errors_of(report)
    assert StockReport.objects.get().adjustment_reason == "stocktake"


def test_importing_the_same_file_again_adds_nothing(rep, stock_dealers, lines):
    content = as_csv([line("D1", "2026-10", "kitchen", "10", "5", "3"), line("D1", "2026-10", "water", "1", "0", "0")])
    assert report_import(actor=rep, file=content, file_format="csv").new == 2
    again = report_import(actor=rep, file=content, file_format="csv")
    assert (again.imported, again.new, again.updated, again.unchanged) == (True, 0, 0, 2)
    assert StockReport.objects.count() == 2


def test_a_dry_run_counts_without_saving(rep, stock_dealers, lines):
    write(rep, stock_dealers["D1"], "2026-10", lines["kitchen"], figures("10", "5", "3"))
    rows = [
        line("D1", "2026-10", "kitchen", "10", "5", "4"),  # corrects the stored one (sold 4, not 3)
        line("D1", "2026-10", "water", "1", "0", "0"),  # new
    ]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv", dry_run=True)
    assert (report.ok, report.imported, report.new, report.updated) == (True, False, 1, 1)
    assert StockReport.objects.count() == 1
    assert StockReport.objects.get().sold_qty == D("3")


# --- files that do not -----------------------------------------------------------------------------------------


def test_bad_cells_are_reported_by_row_and_column_and_nothing_is_imported(rep, stock_dealers, lines):
    rows = [
        line("D1", "2026-10", "kitchen", "10", "5", "3"),  # row 2: good
        line("D1", "2026/10", "water", "10", "5", "3"),  # row 3: not a month
        line("D1", "2026-10", "tea", "10", "5", "3"),  # row 4: no such line
        {**line("D1", "2026-10", "hvac", "10", "5", "3"), "opening_qty": "ten"},  # row 5: not a number
        {**line("D1", "2026-09", "hvac", "1", "0", "0"), "opening_qty": "1.005"},  # row 6: three decimals
    ]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert not report.ok and not report.imported
    assert errors_of(report) == [
        (3, "period", "Enter a period as YYYY-MM, e.g. 2026-07."),
        (4, "product_line", "Unknown product line “tea”."),
        (5, "opening_qty", "“ten” is not a number."),
        (6, "opening_qty", "Write at most two decimals."),
    ]
    assert report.errors[2].value == "ten"
    assert not StockReport.objects.exists()


def test_a_balance_error_is_reported_on_its_row_and_column(rep, stock_dealers, lines):
    rows = [
        line("D1", "2026-10", "kitchen", "10", "5", "3"),
        line("D1", "2026-10", "water", "10", "5", "3", closing="13"),  # 10 + 5 − 3 = 12, not 13
        line("D1", "2026-10", "hvac", "10", "0", "0", "2"),  # an adjustment without a reason
    ]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert errors_of(report) == [
        (3, "closing_qty", "Should be 12: opening + received − sold + adjustment."),
        (4, "adjustment_reason", "Say why the stock was adjusted."),
    ]
    assert report.errors[0].value == "13.00"
    assert not StockReport.objects.exists()


def test_the_opening_is_checked_against_the_month_before_in_the_file(rep, stock_dealers, lines):
    rows = [
        line("D1", "2026-09", "kitchen", "0", "80", "20"),  # closes at 60
        line("D1", "2026-10", "kitchen", "65", "0", "5"),  # opens at 65
    ]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert errors_of(report) == [
        (3, "opening_qty", "Should be 60: the closing of 2026-09."),
        (3, "opening_amount", "Should be 600: the closing of 2026-09."),
    ]


def test_every_group_of_dealers_is_checked_and_one_refusal_keeps_nothing(rep, stock_dealers, lines, monkeypatch):
    monkeypatch.setattr("inventory.imports.CHUNK_ROWS", 1)  # one dealer a call
    rows = [
        line("D1", "2026-10", "kitchen", "10", "5", "3"),  # good: its call writes, then is rolled back
        line("T1", "2026-10", "kitchen", "10", "5", "3", closing="1"),
        line("T2", "2026-10", "kitchen", "10", "5", "3"),
        line("T3", "2026-10", "kitchen", "10", "0", "0", "1"),
    ]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert [(row, column) for row, column, _message in errors_of(report)] == [
        (3, "closing_qty"),
        (5, "adjustment_reason"),
    ]
    assert not StockReport.objects.exists()
    good = [rows[0], rows[2], line("D1", "2026-10", "water", "1", "0", "0")]
    report = report_import(actor=rep, file=as_csv(good), file_format="csv")
    assert (report.imported, report.new) == (True, 3)


def test_a_dealer_out_of_scope_reads_like_one_that_does_not_exist(rep, stock_dealers, lines):
    rows = [line("X1", "2026-10", "kitchen", "1", "0", "0"), line("ZZ", "2026-10", "kitchen", "1", "0", "0")]
    report = report_import(actor=rep, file=as_csv(rows), file_format="csv")
    assert errors_of(report) == [(2, "dealer", "Unknown dealer “X1”."), (3, "dealer", "Unknown dealer “ZZ”.")]


def test_a_missing_column_is_a_file_error(rep, stock_dealers, lines):
    content = b"dealer,period,product_line\nD1,2026-10,kitchen\n"
    report = report_import(actor=rep, file=content, file_format="csv")
    assert report.file_errors and "closing_qty" in report.file_errors[0]
    assert report.total_rows == 0


@pytest.mark.parametrize("who", ["manager", "finance"])
def test_roles_that_do_not_report_may_not_import(everyone, stock_dealers, lines, who):
    with pytest.raises(PermissionDenied):
        report_import(actor=everyone[who], file=as_csv([]), file_format="csv")


# --- the export reads back ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_exported_list_imports_again_unchanged(rep, stock_dealers, lines, file_format):
    write(rep, stock_dealers["D1"], "2026-10", lines["kitchen"], figures("10", "5", "3"))
    corrected = {**figures("10", "0", "0", "-1", reason="expired"), "adjustment_note": "过期"}
    write(rep, stock_dealers["T1"], "2026-10", lines["water"], corrected)
    content = report_export(stock_report_list(rep), file_format)
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(content)).active
        header = [cell.value for cell in sheet[1]]
        closing = sheet.cell(row=2, column=header.index("Closing amount") + 1).value
        assert isinstance(closing, int | float)  # a number, not text
    report = report_import(actor=rep, file=content, file_format=file_format)
    assert report.ok, errors_of(report)
    assert (report.new, report.updated, report.unchanged, report.ignored_columns) == (0, 0, 2, [])


# --- through the API and the page --------------------------------------------------------------------------------


def test_the_api_answers_the_report(api_as, rep, stock_dealers, lines):
    client = api_as(rep)
    good = SimpleUploadedFile("stock.csv", as_csv([line("D1", "2026-10", "kitchen", "10", "5", "3")]))
    response = client.post("/api/v1/stock-reports/import/", {"file": good}, format="multipart")
    assert response.status_code == 200, response.json()
    assert (response.json()["imported"], response.json()["new"]) == (True, 1)
    bad = SimpleUploadedFile("stock.csv", as_csv([line("D1", "2026-10", "water", "10", "5", "3", closing="1")]))
    response = client.post("/api/v1/stock-reports/import/", {"file": bad, "dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [(2, "closing_qty")]


def test_the_api_import_is_refused_to_finance(api_as, finance):
    response = api_as(finance).post(
        "/api/v1/stock-reports/import/", {"file": SimpleUploadedFile("x.csv", b"")}, format="multipart"
    )
    assert response.status_code == 403


@pytest.fixture
def page_in_english(client):
    def login(user):
        client.force_login(user)
        client.cookies["django_language"] = "en"
        return client

    return login


def test_the_page_previews_then_imports_on_confirmation(page_in_english, rep, stock_dealers, lines):
    client = page_in_english(rep)
    url = reverse("inventory:import")
    assert url == "/stock/import/"
    assert client.get(url).status_code == 200
    content = as_csv([line("D1", "2026-10", "kitchen", "10", "5", "3")])
    preview = client.post(url, {"file": SimpleUploadedFile("stock.csv", content), "dry_run": "on"})
    assert preview.status_code == 200
    assert 'data-testid="confirm-import"' in preview.content.decode()
    assert not StockReport.objects.exists()
    token = preview.context["token"]
    done = client.post(url, {"confirm": "1", "token": token})
    assert done.status_code == 302 and done["Location"] == reverse("inventory:health")
    assert StockReport.objects.count() == 1


def test_the_page_lists_every_bad_row(page_in_english, rep, stock_dealers, lines):
    client = page_in_english(rep)
    content = as_csv([line("ZZ", "2026-10", "kitchen", "1", "0", "0"), line("D1", "2026-10", "tea", "1", "0", "0")])
    response = client.post(reverse("inventory:import"), {"file": SimpleUploadedFile("stock.csv", content)})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="import-errors"' in body
    assert "Unknown dealer “ZZ”." in body and "Unknown product line “tea”." in body


def test_the_page_offers_a_template_in_the_readers_language(page_in_english, rep):
    client = page_in_english(rep)
    response = client.get(reverse("inventory:import"), {"template": "csv"})
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Dealer code,Period,Product line,Opening quantity")


def test_the_page_is_refused_to_a_manager(page_in_english, manager):
    client = page_in_english(manager)
    assert client.get(reverse("inventory:import")).status_code == 403
