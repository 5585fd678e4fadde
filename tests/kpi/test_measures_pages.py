"""The measures page (``kpi:measures``): reps × measures for a month, a quarter or a year, in scope,
with the team's or company's total and links to the facts behind each figure."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from channelhub.roles import Role
from tests.factories import UserFactory
from tests.kpi.scorecard_world import JULY, collection, expense, sale, target

MEASURES = reverse("kpi:measures")


@pytest.fixture
def month_of_three(d, rep, rep_peer, other_rep, manager):
    """July 2026. rep: net 120,000, target 150,000; rep_peer: 30,000, target 50,000, collections 15,000,
    expenses 3,000; other_rep (another team): 10,000, no target. August: rep 90,000 (target 100,000)."""
    sale(rep, d["A1"], date(2026, 7, 1), "150000.00")
    sale(rep, d["A1"], date(2026, 7, 2), "-30000.00")
    collection(rep, d["A1"], date(2026, 7, 3), "90000.00")
    expense(rep, d["A1"], date(2026, 7, 3), "12000.00")
    target(rep, JULY, "150000.00", "10.00", "85.00", proposed_by=manager)
    sale(rep, d["A1"], date(2026, 8, 2), "90000.00")
    target(rep, "2026-08", "100000.00", "8.00", "90.00", proposed_by=manager)
    sale(rep_peer, d["P1"], date(2026, 7, 1), "30000.00")
    collection(rep_peer, d["P1"], date(2026, 7, 3), "15000.00")
    expense(rep_peer, d["P1"], date(2026, 7, 3), "3000.00")
    target(rep_peer, JULY, "50000.00", "5.00", "80.00", proposed_by=manager)
    sale(other_rep, d["O1"], date(2026, 7, 1), "10000.00")


def rows(response) -> dict[str, dict[str, str]]:
    """``{rep ID or "total": {measure: cell text without ¥ and grouping separators}}`` from the table (the
    phone's copy of the achievement under the net sales left out)."""
    html = response.content.decode()
    table = html.split('data-testid="measures-table"')[1].split("</table>")[0]
    found = {}
    for chunk in table.split("<tr")[1:]:
        key = chunk.split('data-rep="')[1].split('"')[0] if 'data-rep="' in chunk.split(">")[0] else "total"
        cells = {}
        for cell in chunk.split('data-measure="')[1:]:
            name, rest = cell.split('"', 1)
            text = rest.split(">", 1)[1].split("</td>")[0]
            text = re.sub(r'<div class="d-sm-none[^"]*">.*?</div>', "", text)
            # compare bare digits (the money format has tests of its own, and one below)
            cells[name] = " ".join(_strip_tags(text).replace(",", "").replace("¥", "").split())
        if cells:
            found[key] = cells
    return found


def _strip_tags(text: str) -> str:
    out, inside = [], False
    for char in text:
        if char == "<":
            inside = True
        elif char == ">":
            inside = False
        elif not inside:
            out.append(char)
    return "".join(out)


def test_a_rep_sees_their_own_month_and_no_total(client_as, rep, month_of_three):
    response = client_as(rep).get(MEASURES, {"period": "2026-07"})
    assert response.status_code == 200
    table = rows(response)
    assert list(table) == [str(rep.pk)]
    mine = table[str(rep.pk)]
    assert ">¥120,000.00<" in response.content.decode()
    assert mine["net_sales"] == "120000.00"
    assert mine["sales_target"] == "150000.00"
    assert mine["sales_achievement"] == "80.00 %"  # 120,000 / 150,000
    assert mine["collection_rate"] == "75.00 % / 85.00 %"  # 90,000 / 120,000, against its target
    assert mine["expense_rate"] == "10.00 % / 10.00 %"  # 12,000 / 120,000


def test_a_manager_sees_the_team_and_its_total(client_as, manager, rep, rep_peer, other_rep, month_of_three):
    response = client_as(manager).get(MEASURES, {"period": "2026-07"})
    table = rows(response)
    assert set(table) == {str(rep.pk), str(rep_peer.pk), "total"}  # not other_rep
    assert table[str(rep_peer.pk)]["sales_achievement"] == "60.00 %"  # 30,000 / 50,000
    total = table["total"]
    assert total["net_sales"] == "150000.00"  # 120,000 + 30,000
    assert total["sales_target"] == "200000.00"
    assert total["sales_achievement"] == "75.00 %"  # 150,000 / 200,000
    assert total["collections"] == "105000.00"
    assert total["collection_rate"].startswith("70.00 %")  # 105,000 / 150,000
    assert total["expense_rate"].startswith("10.00 %")  # 15,000 / 150,000
    html = response.content.decode()
    assert f"{reverse('kpi:sales-list')}?rep={rep.pk}&amp;date_from=2026-07-01&amp;date_to=2026-07-31" in html
    assert f"{reverse('kpi:expense-list')}?date_from=2026-07-01&amp;date_to=2026-07-31" in html  # the total's


def test_finance_sees_the_company(client_as, finance, rep, rep_peer, other_rep, month_of_three):
    table = rows(client_as(finance).get(MEASURES, {"period": "2026-07"}))
    assert set(table) == {str(rep.pk), str(rep_peer.pk), str(other_rep.pk), "total"}
    assert table[str(other_rep.pk)]["sales_target"] == "—"
    assert table[str(other_rep.pk)]["sales_achievement"] == "—"
    assert table["total"]["net_sales"] == "160000.00"


def test_a_quarter_adds_up_its_months(client_as, rep, month_of_three):
    response = client_as(rep).get(MEASURES, {"period": "2026-Q3"})
    mine = rows(response)[str(rep.pk)]
    assert mine["net_sales"] == "210000.00"  # July 120,000 + August 90,000
    assert mine["sales_target"].startswith("250000.00")  # and a mark: September has no target
    assert mine["sales_achievement"] == "84.00 %"  # 210,000 / 250,000


def test_the_period_picker_switches_between_month_quarter_and_year(client_as, rep, month_of_three):
    client = client_as(rep)
    assert client.get(MEASURES, {"period": "2026-08", "kind": "quarter"}).context["period"].code == "2026-Q3"
    assert client.get(MEASURES, {"period": "2026-Q3", "kind": "year"}).context["period"].code == "2026"
    assert client.get(MEASURES, {"period": "2026", "kind": "month"}).context["period"].code == "2026-01"
    bad = client.get(MEASURES, {"period": "2026-Q9"})
    assert bad.status_code == 200 and bad.context["period"].kind == "month"  # this month, with a message


#: session, user, roles, the reps in scope, sales, collections and expenses (each GROUP BY rep and
#: month, one UNION ALL), the approved targets, the notifications bell: 7, whatever the number of reps.
MEASURES_PAGE_QUERIES = 7


def test_measures_page_query_count_does_not_grow_with_reps(
    client_as, finance, d, month_of_three, django_assert_num_queries
):
    client = client_as(finance)
    with django_assert_num_queries(MEASURES_PAGE_QUERIES):
        client.get(MEASURES, {"period": "2026"})
    group = Group.objects.get(name=Role.FIELD_REP)
    for n in range(8):
        extra = UserFactory(username=f"extra_rep_{n}", roles=[Role.FIELD_REP])
        extra.groups.add(group)
        sale(extra, d["A1"], date(2026, 7, 1 + n), "100.00")
    with django_assert_num_queries(MEASURES_PAGE_QUERIES):
        response = client.get(MEASURES, {"period": "2026"})
    assert rows(response)["total"]["net_sales"] == "250800.00"  # 250,000 + 8 × 100


# --- the export ---------------------------------------------------------------------------------------------

MEASURES_EXPORT = reverse("kpi:measures-export")


def exported(client, **query) -> list[list]:
    response = client.get(MEASURES_EXPORT, {"format": "xlsx", **query})
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith('attachment; filename="measures-')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_is_the_managers_table_with_the_teams_total_in_english(
    client_as, manager, rep, rep_peer, month_of_three
):
    rep.profile.employee_no = "E1001"
    rep.profile.save()
    client = client_as(manager)
    client.cookies["django_language"] = "en"
    table = exported(client, period="2026-07")
    assert table[0] == [
        "Field rep",
        "Employee number",
        "Period",
        "Net sales",
        "Sales target",
        "Achievement (%)",
        "Collections",
        "Collection rate (%)",
        "Collection rate target (%)",
        "Expenses",
        "Expense rate (%)",
        "Expense rate target (%)",
    ]
    by_name = {row[0]: row for row in table[1:]}
    assert set(by_name) == {"张伟", "李娜", "Team"}  # not other_rep's
    # numbers, not text: 120,000 / 150,000 = 80.00 %; 90,000 / 120,000 = 75.00 %; 12,000 / 120,000 = 10.00 %
    assert by_name["张伟"] == ["张伟", "E1001", "2026-07", 120000, 150000, 80, 90000, 75, 85, 12000, 10, 10]
    total = by_name["Team"]
    assert total[3:8] == [150000, 200000, 75, 105000, 70]  # 150,000 / 200,000; 105,000 / 150,000


def test_export_in_chinese_leaves_undefined_rates_empty(client_as, finance, other_rep, month_of_three):
    table = exported(client_as(finance), period="2026-07", kind="quarter")
    assert table[0][:4] == ["业务员", "工号", "期间", "净销售额"]
    other = next(row for row in table[1:] if row[0] == "刘洋")
    assert other[2:6] == ["2026-Q3", 10000, None, None]  # no target: "—" on the page, empty here
    assert table[-1][0] == "全公司" and table[-1][3] == 250000  # July 160,000 + August 90,000


def test_a_reps_export_is_their_own_row_without_a_total(client_as, rep, month_of_three):
    table = exported(client_as(rep), period="2026-07")
    assert [row[0] for row in table[1:]] == ["张伟"]


def test_export_query_count_does_not_grow_with_reps(client_as, finance, d, month_of_three, django_assert_num_queries):
    """session, user, roles, the reps in scope (with profile), the facts' sums (one UNION ALL) and the
    approved targets: no notifications bell in a file."""
    client = client_as(finance)
    with django_assert_num_queries(MEASURES_PAGE_QUERIES - 1):
        exported(client, period="2026")
    group = Group.objects.get(name=Role.FIELD_REP)
    for n in range(8):
        extra = UserFactory(username=f"extra_rep_{n}", roles=[Role.FIELD_REP])
        extra.groups.add(group)
        sale(extra, d["A1"], date(2026, 7, 1 + n), "100.00")
    with django_assert_num_queries(MEASURES_PAGE_QUERIES - 1):
        table = exported(client, period="2026")
    assert len(table) == 1 + 11 + 1 and table[-1][3] == 250800


def test_export_refuses_a_bad_period_and_the_page_offers_it(client_as, rep):
    client = client_as(rep)
    assert client.get(MEASURES_EXPORT, {"period": "2026-Q9"}).status_code == 404
    body = client.get(MEASURES, {"period": "2026-07"}).content.decode()
    assert f"{MEASURES_EXPORT}?period=2026-07&amp;format=xlsx" in body
