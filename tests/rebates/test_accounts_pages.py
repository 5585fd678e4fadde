"""Dealer-account pages and API (SPEC §15): the statement of account with the links to its rows, the aging report
by territory with its exports, the dealer page's account tab, the dashboards' overdue panels — in scope only
(SPEC §2: a rep their own dealers, a manager their territories', finance and admins all; out of scope is a 404
and never part of a list, an export or a total) and in a pinned number of queries."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from kpi.models import SalesRecord
from rebates.models import RebateAccrual
from tests.rebates import accounts_world
from tests.rebates.world import make_program, record

# the fixtures of the accounts' world
f1_terms_30 = accounts_world.f1_terms_30
may_world = accounts_world.may_world

D = Decimal
pytestmark = pytest.mark.django_db


def account_url(dealer, period="2026-05"):
    return reverse("rebates:account", args=[dealer.pk]) + f"?period={period}"


@pytest.fixture
def owing(finance, manager, dealers, covered, lines):
    """One invoice at each dealer, each of its own size, dated back from today (no agreement: 30 days' terms):

    F1 (rep)        1,100.00 150 days ago: due 120 days ago → > 90
    F2 (rep)          220.00  40 days ago: due  10 days ago → 1–30
    P1 (rep_peer)   3,300.00 100 days ago: due  70 days ago → 61–90
    O1 (other_rep) 44,000.00 130 days ago: due 100 days ago → > 90
    """
    today = timezone.localdate()
    record(finance, "sales", dealers["F1"], today - timedelta(days=150), "1100.00")
    record(finance, "sales", dealers["F2"], today - timedelta(days=40), "220.00")
    record(finance, "sales", dealers["P1"], today - timedelta(days=100), "3300.00")
    record(finance, "sales", dealers["O1"], today - timedelta(days=130), "44000.00")
    return dealers


# --- the statement of account ------------------------------------------------------------------------------


def test_the_account_page_shows_the_statement_with_the_rows_of_each_figure(page_as, finance, may_world):
    response = page_as(finance).get(account_url(may_world))
    assert response.status_code == 200
    statement = response.context["statement"]
    # hand-computed in tests/rebates/test_accounts.py: 2,280.00 + 1,300.00 − 1,000.00 − 0.00 − 300.00
    assert (statement.opening, statement.sales, statement.closing) == (D("2280.00"), D("1300.00"), D("2280.00"))
    page = response.content.decode()
    pk = may_world.pk
    for link in (
        f"/kpi/sales/?dealer={pk}&amp;date_from=2026-05-01&amp;date_to=2026-05-31",
        f"/kpi/collections/?dealer={pk}&amp;date_from=2026-05-01&amp;date_to=2026-05-31",
        f"/rebates/?dealer={pk}&amp;status=approved&amp;status=paid",
        f"/funds/?dealer={pk}&amp;status=settled&amp;settled_from=2026-05-01&amp;settled_to=2026-05-31",
        f"/funds/deposits/{pk}/",
        f"/rebates/accounts/{pk}/?period=2026-04",
    ):
        assert link in page, link
    assert page.count('data-row="sale"') == 2 and page.count('data-row="fund-settlement"') == 1
    assert "¥2,280.00" in page


def test_the_fund_list_link_holds_the_claims_settled_in_the_month(page_as, finance, may_world):
    pk = may_world.pk
    response = page_as(finance).get(f"/funds/?dealer={pk}&status=settled&settled_from=2026-05-01&settled_to=2026-05-31")
    assert [r.settled_amount for r in response.context["page_obj"].object_list] == [D("300.00")]


def test_a_bad_period_is_said_and_this_month_shown(page_as, finance, may_world, api_as):
    response = page_as(finance).get(account_url(may_world, "2026-13"))
    assert response.status_code == 200
    assert response.context["period_error"] == "Enter a period as YYYY-MM, e.g. 2026-07."
    api = api_as(finance).get(f"/api/v1/dealer-accounts/{may_world.pk}/?period=May", HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert api.json() == {"period": ["Enter a period as YYYY-MM, e.g. 2026-07."]}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("rep", 200),
        ("manager", 200),
        ("finance", 200),
        ("admin_user", 200),
        ("rep_peer", 404),
        ("other_rep", 404),
        ("other_manager", 404),
    ],
)
def test_the_account_of_a_dealer_out_of_scope_is_a_404(request, page_as, api_as, may_world, who, status):
    user = request.getfixturevalue(who)
    assert page_as(user).get(account_url(may_world)).status_code == status
    assert api_as(user).get(f"/api/v1/dealer-accounts/{may_world.pk}/?period=2026-05").status_code == status


def test_the_api_statement_gives_each_figure_and_the_address_of_its_rows(api_as, finance, may_world):
    response = api_as(finance).get(f"/api/v1/dealer-accounts/{may_world.pk}/?period=2026-05")
    body = response.json()
    pk = may_world.pk
    assert {key: body[key]["amount"] for key in ("opening", "sales", "credit_notes", "closing")} == {
        "opening": "2280.00",
        "sales": "1300.00",
        "credit_notes": "-200.00",
        "closing": "2280.00",
    }
    assert (body["collections"]["amount"], body["rebates_credited"]["amount"], body["fund_settlements"]["amount"]) == (
        "1000.00",
        "0.00",
        "300.00",
    )
    assert body["memo"]["rebates_cash"]["amount"] == "0.00"
    assert body["memo"]["deposit_balance"]["amount"] == "4800.00"
    assert body["sales"]["rows_url"] == (
        f"http://testserver/api/v1/sales/?dealer={pk}&date_from=2026-05-01&date_to=2026-05-31"
    )
    assert body["fund_settlements"]["rows_url"].endswith(
        f"/api/v1/fund-requests/?dealer={pk}&status=settled&settled_from=2026-05-01&settled_to=2026-05-31"
    )
    assert body["memo"]["deposit_balance"]["rows_url"] == f"http://testserver/api/v1/deposits/{pk}/"
    # the aging at the month's end (see test_every_credit_pays_the_oldest_invoice_first)
    assert (body["aging"]["as_of"], body["aging"]["days_31_60"], body["aging"]["current"]) == (
        "2026-05-31",
        "780.00",
        "1500.00",
    )
    assert [row["amount"] for row in body["rows"]["sales"]] == ["1500.00", "-200.00"]
    # the API list of the fund settlements holds the one settled in May
    settled = api_as(finance).get(body["fund_settlements"]["rows_url"]).json()
    assert [row["settled_amount"] for row in settled["results"]] == ["300.00"]


# --- the aging report ---------------------------------------------------------------------------------------


def codes_on(response) -> list[str]:
    return [row.dealer.code for row in response.context["report"]["rows"]]


@pytest.mark.parametrize(
    ("who", "codes", "receivable"),
    [
        ("rep", ["F1", "F2"], "1320.00"),  # 1,100 + 220
        ("rep_peer", ["P1"], "3300.00"),
        ("other_rep", ["O1"], "44000.00"),
        ("manager", ["F1", "F2", "P1"], "4620.00"),  # EAST: 1,100 + 220 + 3,300
        ("other_manager", ["O1"], "44000.00"),
        ("finance", ["F1", "F2", "P1", "O1"], "48620.00"),
    ],
)
def test_the_aging_report_lists_and_totals_only_the_dealers_in_scope(
    request, page_as, api_as, owing, who, codes, receivable
):
    user = request.getfixturevalue(who)
    response = page_as(user).get(reverse("rebates:aging"))
    assert sorted(codes_on(response)) == sorted(codes)
    assert response.context["report"]["totals"]["receivable"] == D(receivable)
    exported = page_as(user).get(reverse("rebates:aging") + "?format=csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert sorted(row[1] for row in rows[1:-1]) == sorted(codes)
    assert rows[-1][3] == receivable  # the total row
    api = api_as(user).get("/api/v1/aging/").json()
    assert sorted(row["dealer_code"] for row in api["results"]) == sorted(codes)
    assert api["totals"]["receivable"] == receivable


def test_the_aging_report_groups_by_province_and_below_a_chosen_territory(page_as, finance, owing, covered):
    response = page_as(finance).get(reverse("rebates:aging"))
    groups = {group.territory.code: group.totals["receivable"] for group in response.context["report"]["groups"]}
    assert groups == {"SH": D("1320.00"), "JS": D("3300.00"), "GD": D("44000.00")}
    # within SH the groups are a level lower (its cities)
    response = page_as(finance).get(reverse("rebates:aging"), {"territory": covered["SH"].pk})
    assert [group.territory.code for group in response.context["report"]["groups"]] == ["SH-SH"]
    totals = response.context["report"]["totals"]
    # F1's 1,100.00 is 120 days past due (> 90), F2's 220.00 10 days (1–30)
    assert (totals["over_90"], totals["days_1_30"], totals["receivable"]) == (D("1100.00"), D("220.00"), D("1320.00"))


def test_the_aging_filters_and_their_errors(page_as, api_as, finance, owing):
    response = page_as(finance).get(reverse("rebates:aging"), {"min_overdue": "3300.00"})
    assert sorted(codes_on(response)) == ["O1", "P1"]
    response = page_as(finance).get(reverse("rebates:aging"), {"dealer": owing["F2"].pk})
    assert codes_on(response) == ["F2"]
    bad = api_as(finance).get("/api/v1/aging/", {"min_overdue": "-1", "as_of": "2999-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400
    assert set(bad.json()) == {"min_overdue", "as_of"}
    # a dealer out of scope is simply not there
    assert api_as(owing["F1"].owner).get("/api/v1/aging/", {"dealer": owing["O1"].pk}).json()["count"] == 0


def test_the_excel_export_has_money_as_numbers(page_as, finance, owing):
    content = page_as(finance).get(reverse("rebates:aging") + "?format=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Territory", "Dealer code", "Dealer", "Receivable", "Current"]
    o1 = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[1] == "O1")
    assert o1[3] == 44000 and isinstance(o1[3], int | float | Decimal)
    assert sheet.cell(row=sheet.max_row, column=4).value == 48620


# --- over credit on the sales list and API ----------------------------------------------------------------


def test_a_sale_over_credit_shows_its_badge_and_flag(page_as, api_as, finance, dealers):
    from partners.models import Dealer

    Dealer.objects.filter(pk=dealers["F1"].pk).update(credit_limit=D("100.00"))
    sale = record(finance, "sales", dealers["F1"], date(2026, 11, 2), "100.01")
    page = page_as(finance).get("/kpi/sales/?date_from=&date_to=").content.decode()
    assert 'data-testid="over-credit"' in page
    api = api_as(finance).get(f"/api/v1/sales/{sale.pk}/").json()
    assert api["over_credit"] is True
    assert api_as(finance).get("/api/v1/sales/?over_credit=false").json()["count"] == 0
    assert SalesRecord.objects.filter(over_credit=True).count() == 1


# --- the dealer page and the dashboards -------------------------------------------------------------------------


def test_the_dealer_page_shows_the_account_tab(page_as, rep, may_world):
    response = page_as(rep).get(reverse("partners:dealer-detail", args=[may_world.pk]))
    section = next(s for s in response.context["dealer_sections"] if s["key"] == "account")
    # this month: it opens at the receivable of the month before, 1,730.00 (nothing moved since June)
    assert (section["context"]["statement"].opening, section["context"]["statement"].closing) == (
        D("1730.00"),
        D("1730.00"),
    )
    assert section["context"]["aging"].receivable == D("1730.00")
    assert 'data-testid="dealer-account"' in response.content.decode()


def overdue(response) -> dict:
    """The context of the dashboard's past-due panel (other apps add panels of their own)."""
    (panel,) = [p for p in response.context["app_panels"] if p["template"] == "rebates/_dashboard_overdue.html"]
    return panel["context"]


def test_the_dashboards_show_what_is_past_due_over_60_days_in_scope(page_as, finance, manager, other_manager, owing):
    program = make_program("Accrual 2026")
    month = "2026-11"
    RebateAccrual.objects.create(dealer=owing["F1"], program=program, month=month, period="2026-Q4", amount=D("12.00"))
    RebateAccrual.objects.create(dealer=owing["O1"], program=program, month=month, period="2026-Q4", amount=D("80.00"))
    # past due more than 60 days: F1 1,100.00 (120 days), P1 3,300.00 (70), O1 44,000.00 (100); not F2's 220.00
    panel = overdue(page_as(finance).get("/"))
    assert (panel["total"], [item["dealer"].code for item in panel["top"]]) == (
        D("48400.00"),
        ["O1", "P1", "F1"],
    )
    assert panel["accrual_total"] == D("92.00")
    panel = overdue(page_as(manager).get("/"))
    assert (panel["total"], [item["dealer"].code for item in panel["top"]], panel["accrual_total"]) == (
        D("4400.00"),
        ["P1", "F1"],
        D("12.00"),
    )
    page = page_as(other_manager).get("/").content.decode()
    assert "¥44,000.00" in page and "¥3,300.00" not in page
