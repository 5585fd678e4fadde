"""The measures page (``kpi:measures``): reps × measures for a month, a quarter or a year, in scope,
with the team's or company's total and links to the facts behind each figure."""

from __future__ import annotations

from datetime import date

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
    """``{rep ID or "total": {measure: cell text without grouping separators}}`` from the table."""
    html = response.content.decode()
    table = html.split('data-testid="measures-table"')[1].split("</table>")[0]
    found = {}
    for chunk in table.split("<tr")[1:]:
        key = chunk.split('data-rep="')[1].split('"')[0] if 'data-rep="' in chunk.split(">")[0] else "total"
        cells = {}
        for cell in chunk.split('data-measure="')[1:]:
            name, rest = cell.split('"', 1)
            text = rest.split(">", 1)[1].split("</td>")[0]
            # grouping separators follow the language (none in zh-hans): compare bare digits
            cells[name] = " ".join(_strip_tags(text).replace(",", "").split())
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
