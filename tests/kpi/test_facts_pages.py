"""Fact pages (SPEC §7): the sales, collections and expenses lists (scope, the scorecard's GET
parameters, totals of the filtered rows in scope, pages of 50, query counts), recording one fact,
the import page (preview, errors, confirm) and the admin (read-only, import through the same importer).

    manager (EAST) ── rep (A1…A9, SH-PD), rep_peer (P1, JS-NJ)      other_manager ── other_rep (O1)
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpi.models import Collection, Expense, SalesRecord
from tests.kpi.facts_world import close, csv_file, record, sale

LISTS = {"sales": "kpi:sales-list", "collections": "kpi:collection-list", "expenses": "kpi:expense-list"}
#: The lists show this month unless dates are given; given empty, every date (the facts here are of 2026-10).
ALL_DATES = {"date_from": "", "date_to": ""}
MODELS = {"sales": SalesRecord, "collections": Collection, "expenses": Expense}


@pytest.fixture
def facts(finance, d):
    """Per kind: A1 (rep) 100.00 on 1 Oct and 50.00 on 5 Oct, P1 (rep_peer) 200.00 on 2 Oct, O1
    (other_rep) 300.00 on 3 Oct."""
    for kind in LISTS:
        record(
            finance,
            kind,
            sale(reference=f"{kind}-A1", dealer_code="A1", date="2026-10-01", amount="100.00"),
            sale(reference=f"{kind}-A1b", dealer_code="A1", date="2026-10-05", amount="50.00"),
            sale(reference=f"{kind}-P1", dealer_code="P1", date="2026-10-02", amount="200.00"),
            sale(reference=f"{kind}-O1", dealer_code="O1", date="2026-10-03", amount="300.00"),
        )


def shown(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [fact.reference.split("-", 1)[1] for fact in response.context["page_obj"].object_list]


# --- lists -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(LISTS))
@pytest.mark.parametrize(
    ("who", "rows", "total"),
    [
        ("rep", ["A1b", "A1"], "150.00"),
        ("manager", ["A1b", "P1", "A1"], "350.00"),
        ("other_manager", ["O1"], "300.00"),
        ("finance", ["A1b", "O1", "P1", "A1"], "650.00"),
        ("admin", ["A1b", "O1", "P1", "A1"], "650.00"),
    ],
)
def test_lists_show_the_facts_in_scope_with_their_totals(page_as, everyone, facts, kind, who, rows, total):
    response = page_as(everyone[who]).get(reverse(LISTS[kind]), ALL_DATES)
    assert shown(response) == rows
    assert response.context["totals"] == {"count": len(rows), "amount": Decimal(total)}
    body = response.content.decode()
    assert f'data-testid="total-amount">¥{Decimal(total):,}<' in body


def test_lists_take_the_scorecards_parameters(page_as, manager, facts, rep, d):
    """The scorecard links to ``?rep=ID&date_from=…&date_to=…`` (and ``dealer=ID``)."""
    client = page_as(manager)
    url = reverse("kpi:sales-list")
    response = client.get(url, {"rep": rep.pk, "date_from": "2026-10-01", "date_to": "2026-10-31"})
    assert shown(response) == ["A1b", "A1"]
    assert response.context["totals"]["amount"] == Decimal("150.00")
    response = client.get(url, {"dealer": d["A1"].pk, "date_from": "2026-10-02"})
    assert shown(response) == ["A1b"]
    assert 'data-testid="dealer-filter"' in response.content.decode() and "浦东经销商1" in response.content.decode()
    assert shown(client.get(url, {"date_to": "2026-10-01"})) == ["A1"]
    assert shown(client.get(reverse("kpi:collection-list"), {"dealer_code": "p1", **ALL_DATES})) == ["P1"]


def test_a_rep_or_dealer_out_of_scope_in_the_parameters_shows_nothing(page_as, manager, facts, other_rep, d):
    client = page_as(manager)
    assert shown(client.get(reverse("kpi:expense-list"), {"rep": other_rep.pk})) == []
    response = client.get(reverse("kpi:expense-list"), {"dealer": d["O1"].pk})
    assert shown(response) == [] and response.context["totals"]["amount"] == Decimal("0.00")
    assert response.context["dealer"] is None and "广州经销商" not in response.content.decode()  # hidden means hidden


def test_a_manager_filters_by_a_dealer_outside_their_territories_where_the_team_has_facts(
    page_as, manager, finance, facts, d, covered, other_manager, rep
):
    """Facts follow the team, dealers the territories: a team rep's sale at a SOUTH dealer is the
    manager's to see, and so may be filtered by."""
    record(finance, "sales", sale(reference="sales-O1rep", dealer_code="O1", rep=rep, date="2026-10-06"))
    response = page_as(manager).get(reverse("kpi:sales-list"), {"dealer": d["O1"].pk, **ALL_DATES})
    assert shown(response) == ["O1rep"]
    assert response.context["dealer"] == d["O1"]


def test_a_bad_date_shows_its_error_and_no_rows(page_as, finance, facts):
    response = page_as(finance).get(reverse("kpi:sales-list"), {"date_from": "1 October"})
    assert shown(response) == []
    assert "Enter a valid date." in response.content.decode()


def test_lists_come_in_pages_of_50_with_the_totals_of_every_page(page_as, finance, d):
    record(finance, "collections", *[sale(reference=f"R-{n:03d}", amount="1.00") for n in range(120)])
    client = page_as(finance)
    first = client.get(reverse("kpi:collection-list"), ALL_DATES)
    assert len(first.context["page_obj"].object_list) == 50
    assert first.context["totals"] == {"count": 120, "amount": Decimal("120.00")}
    third = client.get(reverse("kpi:collection-list"), {"page": 3, **ALL_DATES})
    assert len(third.context["page_obj"].object_list) == 20


def test_sales_list_marks_conflicts_and_credit_notes(page_as, finance, d):
    record(finance, "sales", sale(reference="CN-1", amount="-80.00"))
    body = page_as(finance).get(reverse("kpi:sales-list"), ALL_DATES).content.decode()
    assert "channel conflict" in body and "text-danger" in body and "-¥80.00" in body


@pytest.mark.parametrize("kind", list(LISTS))
@pytest.mark.parametrize("who", ["rep", "manager", "finance"])
def test_list_page_query_count_does_not_grow(page_as, everyone, finance, d, kind, who, django_assert_max_num_queries):
    """session, user, roles, (a manager's territories, for the dealer choices,) unread notifications,
    count, totals, the rep choices of the filter (not for a rep), (sales: the product line choices,) the
    page with dealer and rep (sales: category, ship-to) joined."""
    codes = ["A1", "A2", "P1", "O1"]

    def add(start, count):
        record(
            finance, kind, *[sale(reference=f"N-{n}", dealer_code=codes[n % 4]) for n in range(start, start + count)]
        )

    add(0, 3)
    client = page_as(everyone[who])
    with django_assert_max_num_queries(10 if kind == "sales" else 9) as at_three:
        assert client.get(reverse(LISTS[kind]), ALL_DATES).status_code == 200
    add(3, 27)
    with django_assert_max_num_queries(len(at_three.captured_queries)):
        response = client.get(reverse(LISTS[kind]), ALL_DATES)
    assert response.context["totals"]["count"] == {"rep": 16, "manager": 23, "finance": 30}[who]


def test_list_links_to_record_and_import_only_for_finance(page_as, finance, manager, d):
    finance_view = page_as(finance).get(reverse("kpi:sales-list")).content.decode()
    assert reverse("kpi:fact-create", args=["sales"]) in finance_view and reverse("kpi:import") in finance_view
    manager_view = page_as(manager).get(reverse("kpi:sales-list")).content.decode()
    assert reverse("kpi:fact-create", args=["sales"]) not in manager_view


# --- recording one fact ----------------------------------------------------------------------------


def test_finance_records_a_sale_through_the_form(page_as, finance, d, lines, covered):
    client = page_as(finance)
    url = reverse("kpi:fact-create", args=["sales"])
    page = client.get(url, {"dealer": d["P1"].pk})
    assert page.status_code == 200 and page.context["form"].initial["dealer_code"] == "P1"
    form = {
        "date": "2026-10-08",
        "reference": "F-1",
        "dealer_code": "P1",
        "amount": "1,234.50",
        "category": "hvac",
        "ship_to": "GD-GZ",
        "rep": "",
        "note": "柜台",
    }
    response = client.post(url, form)
    assert response.status_code == 302 and response.url == reverse("kpi:sales-list")
    stored = SalesRecord.objects.get()
    assert (stored.amount, stored.rep.username, stored.category.code, stored.ship_to_territory.code) == (
        Decimal("1234.50"),
        "rep_a2",
        "hvac",
        "GD-GZ",
    )
    assert stored.channel_conflict and stored.created_by == finance
    messages = [str(m) for m in client.get(reverse("kpi:sales-list")).context["messages"]]
    assert any("flagged as a channel conflict" in m for m in messages)
    # The same form again records nothing new.
    assert client.post(url, form).status_code == 302
    assert SalesRecord.objects.count() == 1


def test_the_form_shows_the_services_errors_on_their_fields(page_as, finance, d):
    client = page_as(finance)
    response = client.post(
        reverse("kpi:fact-create", args=["expenses"]),
        {"date": "2026-10-08", "reference": "E-1", "dealer_code": "ZZ", "amount": "12.345", "category": "travel"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["dealer_code"] == ["Unknown dealer “ZZ”."]
    assert errors["amount"] == ["An amount has at most two decimals; it is never rounded."]
    assert Expense.objects.count() == 0


def test_the_form_names_a_closed_period_on_the_date(page_as, finance, d):
    close("2026-09")
    response = page_as(finance).post(
        reverse("kpi:fact-create", args=["collections"]),
        {"date": "2026-09-08", "reference": "C-1", "dealer_code": "A1", "amount": "5"},
    )
    assert response.status_code == 200
    assert "2026-09 is closed" in response.context["form"].errors["date"][0]
    assert Collection.objects.count() == 0


@pytest.mark.parametrize("who", ["rep", "manager", "other_manager"])
def test_only_finance_and_admins_open_the_record_and_import_pages(page_as, everyone, d, who):
    client = page_as(everyone[who])
    assert client.get(reverse("kpi:fact-create", args=["sales"])).status_code == 403
    assert client.get(reverse("kpi:import")).status_code == 403


def test_unknown_kinds_are_not_pages(page_as, finance):
    assert page_as(finance).get("/kpi/visits/new/").status_code == 404


# --- the import page -------------------------------------------------------------------------------

COLUMNS = ["reference", "date", "dealer_code", "rep", "amount", "note"]


def _upload(client, content, *, kind="collections", dry_run=True, name="facts.csv"):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(reverse("kpi:import"), data)


def test_import_page_previews_then_imports_on_confirmation(page_as, finance, d):
    client = page_as(finance)
    assert client.get(reverse("kpi:import"), {"kind": "expenses"}).context["form"].initial == {"kind": "expenses"}
    content = csv_file(COLUMNS, [["R-1", "2026-10-01", "A1", "", "5", ""], ["R-2", "2026-10-02", "P1", "", "7.5", ""]])
    preview = _upload(client, content)
    assert preview.status_code == 200
    body = preview.content.decode()
    assert 'data-testid="import-preview"' in body and 'data-testid="confirm-import"' in body
    assert preview.context["report"].new == 2 and Collection.objects.count() == 0
    token = preview.context["token"]
    done = client.post(reverse("kpi:import"), {"confirm": "1", "token": token})
    assert done.status_code == 302 and done.url == reverse("kpi:collection-list")
    assert Collection.objects.count() == 2
    # the pending file is gone: confirming twice does not import twice
    again = client.post(reverse("kpi:import"), {"confirm": "1", "token": token})
    assert again.status_code == 302 and again.url == reverse("kpi:import")
    assert Collection.objects.count() == 2


def test_import_page_without_preview_imports_at_once(page_as, finance, d):
    content = csv_file(COLUMNS, [["R-1", "2026-10-01", "A1", "", "5", ""]])
    response = _upload(page_as(finance), content, dry_run=False)
    assert response.status_code == 302 and Collection.objects.count() == 1


def test_import_page_shows_the_errors_table_and_saves_nothing(page_as, finance, d):
    content = csv_file(COLUMNS, [["R-1", "2026-10-01", "A1", "", "5", ""], ["R-2", "2026-10-02", "ZZ", "", "1e3", ""]])
    response = _upload(page_as(finance), content, dry_run=False)
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in body
    assert "Unknown dealer “ZZ”." in body and "<td>3</td>" in body
    assert 'data-testid="confirm-import"' not in body
    assert Collection.objects.count() == 0


def test_import_page_names_a_closed_period(page_as, finance, d):
    close("2026-10")
    response = _upload(page_as(finance), csv_file(COLUMNS, [["R-1", "2026-10-01", "A1", "", "5", ""]]))
    assert 'data-testid="period-closed"' in response.content.decode()
    assert "2026-10 is closed" in response.content.decode()


def test_import_page_refuses_other_file_types(page_as, finance, d):
    response = _upload(page_as(finance), b"%PDF", name="facts.pdf")
    assert response.context["form"].errors["file"] == ["Upload a .csv or .xlsx file."]


# --- admin -----------------------------------------------------------------------------------------


def test_admin_lists_facts_read_only(page_as, admin_user, finance, d):
    record(finance, "sales", sale())
    fact = SalesRecord.objects.get()
    client = page_as(admin_user)
    changelist = client.get(reverse("admin:kpi_salesrecord_changelist"))
    assert changelist.status_code == 200 and "INV-1" in changelist.content.decode()
    assert reverse("admin:kpi_salesrecord_import") in changelist.content.decode()
    detail = client.get(reverse("admin:kpi_salesrecord_change", args=[fact.pk]))
    assert detail.status_code == 200 and "Save" not in detail.content.decode().split('class="submit-row"')[-1][:200]
    assert client.post(reverse("admin:kpi_salesrecord_change", args=[fact.pk]), {"amount": "1"}).status_code == 403
    assert client.get(reverse("admin:kpi_salesrecord_add")).status_code == 403
    assert client.post(reverse("admin:kpi_salesrecord_delete", args=[fact.pk]), {"post": "yes"}).status_code == 403
    assert SalesRecord.objects.get().amount == Decimal("1000.00")
    for name in ("collection", "expense", "period"):
        assert client.get(reverse(f"admin:kpi_{name}_changelist")).status_code == 200


def test_admin_imports_through_the_same_importer(page_as, admin_user, d):
    client = page_as(admin_user)
    url = reverse("admin:kpi_expense_import")
    assert client.get(url).status_code == 200
    bad = csv_file(
        ["reference", "date", "dealer_code", "amount", "category"], [["E-1", "2026-10-01", "A1", "5", "bribes"]]
    )
    response = client.post(url, {"file": SimpleUploadedFile("e.csv", bad)})
    assert 'data-testid="import-errors"' in response.content.decode() and Expense.objects.count() == 0
    good = csv_file(
        ["reference", "date", "dealer_code", "amount", "category"], [["E-1", "2026-10-01", "A1", "5", "travel"]]
    )
    response = client.post(url, {"file": SimpleUploadedFile("e.csv", good), "dry_run": "on"})
    assert response.status_code == 200 and Expense.objects.count() == 0
    response = client.post(url, {"file": SimpleUploadedFile("e.csv", good)})
    assert response.status_code == 302 and Expense.objects.get().category == "travel"
