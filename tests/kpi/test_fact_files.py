"""Fact files in both languages: imports read the headers of an export in Chinese or English (or the
keys), reps by employee number or login; the import page's templates; the exports of the sales,
collections and expenses lists (this month unless dates are given: scoped and filtered as the list, all
pages, a total row, a fixed number of queries, headers in the reader's language, importable again).

Dealers (``d``): A1…A9 owned by rep (rep_a1) in SH-PD, P1 by rep_peer (rep_a2) in JS-NJ, O1 by
other_rep (rep_b1) in GD-GZ.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kpi.imports import fact_import
from kpi.models import Collection, Expense, SalesRecord
from tests.kpi.facts_world import csv_file, record, sale, xlsx_file

KINDS = ("sales", "collections", "expenses")
EXPORTS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def run(actor, content: bytes, kind="sales", *, file_format="csv", dry_run=False):
    return fact_import(actor=actor, kind=kind, file=content, file_format=file_format, dry_run=dry_run)


def table(content: bytes, file_format: str) -> list[list]:
    if file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def numbered(rep, rep_peer, other_rep):
    """Employee numbers of the reps: E1001 (rep), E1002 (rep_peer), E2001 (other_rep)."""
    for user, number in ((rep, "E1001"), (rep_peer, "E1002"), (other_rep, "E2001")):
        user.profile.employee_no = number
        user.profile.save()


# --- imports: headers in either language, reps by employee number ----------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_sales_file_with_chinese_headers_imports(finance, d, lines, file_format):
    header = ["单据号", "日期", "经销商编码", "业务员", "金额", "产品线", "发货地区", "备注"]
    rows = [["INV-1", "2026-10-01", "A1", "rep_a1", "1250.00", "kitchen", "SH-PD", "首批"]]
    content = (csv_file if file_format == "csv" else xlsx_file)(header, rows)
    with translation.override("en"):  # whatever language the importer speaks
        report = run(finance, content, file_format=file_format)
    assert report.imported, (report.file_errors, report.errors)
    assert report.ignored_columns == []
    sale_ = SalesRecord.objects.get()
    assert (sale_.reference, sale_.rep.username, sale_.amount, sale_.category.code, sale_.note) == (
        "INV-1",
        "rep_a1",
        Decimal("1250.00"),
        "kitchen",
        "首批",
    )


def test_english_headers_and_an_expense_category_by_its_label_in_either_language(finance, d):
    header = ["Reference", "Date", "Dealer code", "Rep", "Amount", "Category", "Note"]
    rows = [
        ["EX-1", "2026-10-03", "A1", "", "10.00", "差旅", ""],
        ["EX-2", "2026-10-03", "A1", "", "20.00", "Advertising", ""],
        ["EX-3", "2026-10-03", "A1", "", "30.00", "subsidy", ""],
    ]
    report = run(finance, csv_file(header, rows), "expenses")
    assert report.imported, report.errors
    assert dict(Expense.objects.values_list("reference", "category")) == {
        "EX-1": "travel",
        "EX-2": "advertising",
        "EX-3": "subsidy",
    }


def test_a_rep_is_named_by_employee_number_or_login_and_rep_username_still_reads(
    finance, d, numbered, rep, rep_peer, other_rep
):
    rows = [["R-1", "2026-10-01", "A1", "E1002", "5"], ["R-2", "2026-10-01", "A1", "rep_b1", "6"]]
    assert run(finance, csv_file(["reference", "date", "dealer_code", "rep", "amount"], rows), "collections").imported
    old = [["R-3", "2026-10-01", "A1", "E1001", "7"]]
    report = run(finance, csv_file(["reference", "date", "dealer_code", "rep_username", "amount"], old), "collections")
    assert report.imported and report.ignored_columns == []
    assert dict(Collection.objects.values_list("reference", "rep")) == {
        "R-1": rep_peer.pk,
        "R-2": other_rep.pk,
        "R-3": rep.pk,
    }


def test_a_login_that_is_another_users_employee_number_names_nobody(finance, d, rep, rep_peer):
    rep_peer.profile.employee_no = "rep_a1"
    rep_peer.profile.save()
    rows = [["R-1", "2026-10-01", "A1", "rep_a1", "5"]]
    with translation.override("en"):
        report = run(finance, csv_file(["reference", "date", "dealer_code", "rep", "amount"], rows), "collections")
    assert not report.ok and Collection.objects.count() == 0
    [error] = report.errors
    assert (error.row, error.column, error.value) == (2, "rep", "rep_a1")
    assert "one user's login and another user's employee number" in error.message


# --- templates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("language", "headers"), [("en", ["Reference", "Date"]), ("zh-hans", ["单据号", "日期"])])
def test_templates_download_in_the_readers_language_and_import_cleanly(
    finance, d, lines, numbered, client_as, kind, file_format, language, headers
):
    client = client_as(finance)
    client.cookies["django_language"] = language
    response = client.get(reverse("kpi:import-template"), {"kind": kind, "format": file_format})
    assert response.status_code == 200 and response["Content-Type"] == EXPORTS[file_format]
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-import-template.{file_format}"'
    rows = table(response.content, file_format)
    assert len(rows) == 2
    assert headers[0] in rows[0] and headers[1] in rows[0]
    example = dict(zip(rows[0], rows[1], strict=True))
    assert example[headers[0]] == f"EXAMPLE-{kind.upper()}-0001"

    report = run(finance, response.content, kind, file_format=file_format)
    assert report.imported, (report.file_errors, report.errors)
    assert (report.new, report.ignored_columns) == (1, [])
    fact = {"sales": SalesRecord, "collections": Collection, "expenses": Expense}[kind].objects.get()
    assert (fact.dealer.code, fact.rep.username, fact.date) == ("A1", "rep_a1", timezone.localdate())


def test_templates_are_for_those_who_import(d, rep, manager, client_as):
    for user in (rep, manager):
        response = client_as(user).get(reverse("kpi:import-template"), {"kind": "sales", "format": "xlsx"})
        assert response.status_code == 403


def test_import_page_offers_a_template_of_each_kind(finance, client_as):
    body = client_as(finance).get(reverse("kpi:import")).content.decode()
    for kind in KINDS:
        for file_format in ("xlsx", "csv"):
            assert f"{reverse('kpi:import-template')}?kind={kind}&amp;format={file_format}" in body


# --- the lists: this month unless dates are given ---------------------------------------------------------


@pytest.fixture
def month_facts(finance, d):
    """Per kind: this month A1 (rep) 100.00 and 50.00, P1 (rep_peer) 200.00, O1 (other_rep) 300.00;
    in October 2026 A1 7.00."""
    today = timezone.localdate().isoformat()
    for kind in KINDS:
        record(
            finance,
            kind,
            sale(reference=f"{kind}-A1", dealer_code="A1", date=today, amount="100.00", note="=1+1"),
            sale(reference=f"{kind}-A1b", dealer_code="A1", date=today, amount="50.00"),
            sale(reference=f"{kind}-P1", dealer_code="P1", date=today, amount="200.00"),
            sale(reference=f"{kind}-O1", dealer_code="O1", date=today, amount="300.00"),
            sale(reference=f"{kind}-OCT", dealer_code="A1", date="2026-10-05", amount="7.00"),
        )


def english_client(client_as, user):
    client = client_as(user)
    client.cookies["django_language"] = "en"
    return client


def test_a_list_without_dates_shows_this_month_and_says_so(client_as, finance, month_facts):
    client = english_client(client_as, finance)
    response = client.get(reverse("kpi:sales-list"))
    references = [fact.reference for fact in response.context["page_obj"].object_list]
    assert sorted(references) == ["sales-A1", "sales-A1b", "sales-O1", "sales-P1"]
    assert response.context["totals"]["amount"] == Decimal("650.00")
    body = response.content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    assert f"No dates chosen: this month ({month}) is shown." in body
    assert "?date_from=&amp;date_to=" in body  # the way to widen
    wide = client.get(reverse("kpi:sales-list"), {"date_from": "", "date_to": ""})
    assert wide.context["totals"] == {"count": 5, "amount": Decimal("657.00")}
    assert 'data-testid="default-month"' not in wide.content.decode()
    first_day = timezone.localdate().replace(day=1).isoformat()
    assert wide.context["filter"].form["date_from"].value() == ""
    assert response.context["filter"].form["date_from"].value() == first_day  # the form shows the month


# --- the exports of the lists -----------------------------------------------------------------------------


def exported(client, kind: str, file_format: str = "csv", **query) -> list[list]:
    response = client.get(reverse("kpi:fact-export", args=[kind]), {"format": file_format, **query})
    assert response.status_code == 200 and response["Content-Type"] == EXPORTS[file_format]
    assert response["Content-Disposition"].startswith(f'attachment; filename="{kind}')
    return table(response.content, file_format)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_sales_export_holds_the_lists_rows_with_a_total_row_in_english(client_as, finance, month_facts, file_format):
    rows = exported(english_client(client_as, finance), "sales", file_format)
    assert rows[0] == [
        "Date",
        "Reference",
        "Dealer code",
        "Dealer",
        "Rep",
        "Rep name",
        "Amount",
        "Product line",
        "Shipped to",
        "Channel conflict",
        "Over credit",
        "Note",
    ]
    body = {row[1]: row for row in rows[1:-1]}
    assert sorted(body) == ["sales-A1", "sales-A1b", "sales-O1", "sales-P1"]  # this month, as the list
    first = body["sales-A1"]
    today = timezone.localdate()
    assert first[1:6] == ["sales-A1", "A1", "浦东经销商1", "rep_a1", "张伟"]
    if file_format == "xlsx":
        assert first[0].date() == today and first[6] == 100  # a date and a number, not text
    else:
        assert (first[0], first[6]) == (today.isoformat(), "100.00")
    assert (first[8], first[9]) == ("SH-PD", "yes")  # no signed agreement covers it: a channel conflict
    assert first[10] == "yes"  # A1's credit limit is 0.00 (never qualified): any sale it owes is over it
    assert first[11] == ("'=1+1" if file_format == "csv" else "=1+1")  # never a formula
    total = rows[-1]
    assert total[0] == "Total" and total[3] == "4 rows"
    assert str(total[6]) in ("650.00", "650")


def test_export_headers_and_choices_in_chinese(client_as, finance, month_facts):
    client = client_as(finance)  # Chinese: the default language
    rows = exported(client, "expenses", "xlsx")
    assert rows[0] == ["日期", "单据号", "经销商编码", "经销商", "业务员", rows[0][5], "金额", "类别", "备注"]
    assert {row[7] for row in rows[1:-1]} == {"其他"}  # the category's label
    assert rows[-1][0] == "合计"


@pytest.mark.parametrize(
    ("who", "references"),
    [
        ("rep", ["A1", "A1b"]),
        ("rep_peer", ["P1"]),
        ("manager", ["A1", "A1b", "P1"]),
        ("other_manager", ["O1"]),
        ("finance", ["A1", "A1b", "O1", "P1"]),
        ("admin", ["A1", "A1b", "O1", "P1"]),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_export_holds_only_the_rows_in_scope(client_as, everyone, month_facts, who, references, kind):
    rows = exported(client_as(everyone[who]), kind)
    assert sorted(row[1].split("-", 1)[1] for row in rows[1:-1]) == references


def test_export_applies_the_lists_filters_across_pages(client_as, finance, manager, rep, d, month_facts):
    record(finance, "collections", *[sale(reference=f"N-{n:03d}", date="2026-10-09", amount="1.00") for n in range(60)])
    client = english_client(client_as, finance)
    rows = exported(client, "collections", date_from="2026-10-01", date_to="2026-10-31")
    assert len(rows) == 1 + 61 + 1  # every page, not the first 50
    assert rows[-1][3] == "61 rows" and rows[-1][6] == "67.00"
    rows = exported(english_client(client_as, manager), "collections", rep=rep.pk, date_from="", date_to="")
    assert sorted(row[1] for row in rows[1:-1])[:3] == ["N-000", "N-001", "N-002"]
    assert all(row[4] == "rep_a1" for row in rows[1:-1])
    assert exported(client, "collections", date_from="1 October")[1:-1] == []  # a bad filter shows nothing


@pytest.mark.parametrize(("who", "queries"), [("finance", 4), ("manager", 5)])
@pytest.mark.parametrize("kind", KINDS)
def test_export_query_count_does_not_grow(
    client_as, everyone, finance, d, kind, who, queries, django_assert_num_queries
):
    """session, user, roles, (a manager's territories,) the facts with dealer and rep (sales: product
    line and ship-to) joined — whatever the number of rows."""
    client = client_as(everyone[who])
    today = timezone.localdate().isoformat()
    record(finance, kind, *[sale(reference=f"Q-{n}", date=today) for n in range(3)])
    with django_assert_num_queries(queries):
        assert len(exported(client, kind, "xlsx")) == 1 + 3 + 1
    record(finance, kind, *[sale(reference=f"Q-{n}", dealer_code=f"A{n % 9 + 1}", date=today) for n in range(3, 40)])
    with django_assert_num_queries(queries):
        assert len(exported(client, kind, "xlsx")) == 1 + 40 + 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", KINDS)
def test_an_exported_list_imports_again_unchanged(client_as, finance, month_facts, kind, file_format, language):
    client = client_as(finance)
    client.cookies["django_language"] = language
    response = client.get(reverse("kpi:fact-export", args=[kind]), {"format": file_format})
    report = run(finance, response.content, kind, file_format=file_format)
    assert report.ok, (report.file_errors, report.errors)
    assert (report.total_rows, report.new, report.unchanged, report.ignored_columns) == (4, 0, 4, [])


def test_the_list_offers_the_export_of_what_it_shows(client_as, finance, month_facts):
    body = english_client(client_as, finance).get(reverse("kpi:sales-list"), {"dealer_code": "A1"}).content.decode()
    url = reverse("kpi:fact-export", args=["sales"])
    assert f"{url}?dealer_code=A1&amp;format=csv" in body and f"{url}?dealer_code=A1&amp;format=xlsx" in body
