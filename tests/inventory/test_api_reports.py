"""``/api/v1/stock-reports/`` and ``/api/v1/stock-health/`` (SPEC §8, §16): writes all or nothing with per-item
errors, scope (hidden reads like unknown), the actions' 403 → 409 → 400, and pinned query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import StockReport
from tests.inventory.world import figures, history, write

D = Decimal
pytestmark = pytest.mark.django_db

LIST = "/api/v1/stock-reports/"
HEALTH = "/api/v1/stock-health/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def body(dealer, period, line, values) -> dict:
    """A report as a client sends it: IDs, the month, figures as strings."""
    return {
        "dealer": dealer.pk,
        "period": period,
        "product_line": line.pk,
        **{name: str(value) for name, value in values.items()},
    }


def detail(report) -> str:
    return f"{LIST}{report.pk}/"


@pytest.fixture
def d1(stock_dealers):
    return stock_dealers["D1"]


@pytest.fixture
def x1(stock_dealers):
    return stock_dealers["X1"]


# --- writing -------------------------------------------------------------------------------------------------


def test_a_rep_posts_one_report_and_gets_it_back_whole(api_as, rep, d1, lines):
    # 100 + 50 − 30 = 120 units; at 10.00: 1 000 + 500 − 300 = 1 200.00
    response = api_as(rep).post(LIST, body(d1, "2026-10", lines["kitchen"], figures("100", "50", "30")))
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["dealer"] == d1.pk
    assert (report["dealer_code"], report["dealer_name"]) == ("D1", "浦东总经销")
    assert (report["period"], report["product_line"], report["product_line_code"]) == (
        "2026-10",
        lines["kitchen"].pk,
        "kitchen",
    )
    assert (report["closing_qty"], report["closing_amount"]) == ("120.00", "1200.00")
    assert (report["status"], report["submitted_by"], report["source"]) == ("submitted", rep.pk, "api")
    # October alone: 30 sold in 31 days; 120 left × 31 ÷ 30 = 124.0 days — overstock (> 60)
    assert (report["days_of_stock"], report["overstock"], report["stockout"], report["slow_moving"]) == (
        "124.0",
        True,
        False,
        False,
    )
    # a distributor buys from us: no sales of ours this month, 500.00 received → a mismatch
    assert (report["expected_received_amount"], report["receipt_mismatch"]) == ("0.00", True)
    assert report["actions"] == ["edit"]
    for key in ("adjustment_reason", "adjustment_note", "return_reason", "submitted_at", "confirmed_by"):
        assert key in report
    assert StockReport.objects.get().source == "api"


def test_the_same_report_again_is_200_and_adds_nothing(api_as, rep, d1, lines):
    client = api_as(rep)
    payload = body(d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    assert client.post(LIST, payload).status_code == 201
    again = client.post(LIST, payload)
    assert again.status_code == 200
    assert StockReport.objects.count() == 1


def test_a_list_is_all_or_nothing_with_errors_aligned_with_the_items(api_as, rep, d1, lines):
    items = [
        body(d1, "2026-10", lines["kitchen"], figures("10", "5", "5")),  # good
        body(d1, "2026-10", lines["water"], {**figures("10", "5", "5"), "closing_qty": D("9")}),  # 10 + 5 − 5 = 10
        body(d1, "2026-10", lines["hvac"], figures("10", "0", "0", "2")),  # an adjustment without a reason
    ]
    response = api_as(rep).post(LIST, items, **EN)
    assert response.status_code == 400
    assert response.json() == [
        {},
        {"closing_qty": ["Should be 10: opening + received − sold + adjustment."]},
        {"adjustment_reason": ["Say why the stock was adjusted."]},
    ]
    assert not StockReport.objects.exists()


def test_a_list_answers_its_reports_in_the_order_given(api_as, rep, d1, lines):
    # November opens with October's closing: 10 + 5 − 3 = 12
    items = [
        body(d1, "2026-11", lines["kitchen"], figures("12", "0", "2")),
        body(d1, "2026-10", lines["kitchen"], figures("10", "5", "3")),
    ]
    response = api_as(rep).post(LIST, items)
    assert response.status_code == 201
    assert [(r["period"], r["closing_qty"]) for r in response.json()] == [("2026-11", "10.00"), ("2026-10", "12.00")]


def test_field_types_are_checked_before_the_rules(api_as, rep, d1, lines):
    items = [
        {**body(d1, "2026-10", lines["kitchen"], figures("10", "5", "5")), "closing_qty": "ten"},
        {**body(d1, "2026-10", lines["water"], figures("10", "5", "5")), "sold_amount": "1.234"},
        {**body(d1, "2026-13", lines["hvac"], figures("10", "5", "5"))},
    ]
    response = api_as(rep).post(LIST, items, **EN)
    assert response.status_code == 400
    errors = response.json()
    assert errors[0] == {"closing_qty": ["A valid number is required."]}
    assert errors[1] == {"sold_amount": ["Ensure that there are no more than 2 decimal places."]}
    assert errors[2] == {"period": ["Enter a period as YYYY-MM, e.g. 2026-07."]}
    assert not StockReport.objects.exists()


def test_another_reps_dealer_reads_exactly_like_one_that_does_not_exist(api_as, rep, x1, lines):
    client = api_as(rep)
    hidden = client.post(LIST, body(x1, "2026-10", lines["kitchen"], figures("1", "0", "0")), **EN)
    missing = client.post(
        LIST, {**body(x1, "2026-10", lines["kitchen"], figures("1", "0", "0")), "dealer": 999_999}, **EN
    )
    assert (hidden.status_code, missing.status_code) == (400, 400)
    assert hidden.json() == {"dealer": [f'Invalid pk "{x1.pk}" - object does not exist.']}
    assert missing.json() == {"dealer": ['Invalid pk "999999" - object does not exist.']}
    assert not StockReport.objects.exists()


@pytest.mark.parametrize("who", ["manager", "finance"])
def test_roles_that_do_not_report_are_refused_before_their_input_is_read(api_as, everyone, who):
    response = api_as(everyone[who]).post(LIST, {"dealer": "nonsense"})
    assert response.status_code == 403


def test_a_rep_corrects_an_unconfirmed_report_through_the_rules(api_as, rep, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    client = api_as(rep)
    # sold 4 instead of 3: 10 + 5 − 4 = 11, at 10.00 = 110.00
    patched = client.patch(
        detail(report), {"sold_qty": "4", "closing_qty": "11", "sold_amount": "40", "closing_amount": "110"}
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["closing_qty"], patched.json()["closing_amount"]) == ("11.00", "110.00")
    unbalanced = client.patch(detail(report), {"closing_qty": "12"}, **EN)
    assert unbalanced.status_code == 400
    assert unbalanced.json() == {"closing_qty": ["Should be 11: opening + received − sold + adjustment."]}
    moved = client.patch(detail(report), {"period": "2026-09"}, **EN)
    assert moved.status_code == 400 and "period" in moved.json()


def test_a_returned_report_corrected_by_patch_is_submitted_again(api_as, rep, manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    assert api_as(manager).post(f"{detail(report)}return/", {"reason": "期初不对"}).status_code == 200
    patched = api_as(rep).patch(detail(report), {"adjustment_note": "已核对"})
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["return_reason"]) == ("submitted", "")


def test_editing_is_404_out_of_scope_then_403_for_the_role_then_409_once_confirmed(
    api_as, rep, other_rep, manager, d1, lines
):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    assert api_as(other_rep).patch(detail(report), {"adjustment_note": "x"}).status_code == 404
    assert api_as(manager).patch(detail(report), {"adjustment_note": "x"}).status_code == 403
    assert api_as(manager).post(f"{detail(report)}confirm/").status_code == 200
    confirmed = api_as(rep).patch(detail(report), {"sold_qty": "bad"})
    assert confirmed.status_code == 409
    assert confirmed.json()["current_state"] == "confirmed"


# --- visibility ------------------------------------------------------------------------------------------------


@pytest.fixture
def two_reports(rep, other_rep, stock_dealers, lines):
    return {
        "D1": write(rep, stock_dealers["D1"], "2026-10", lines["kitchen"], figures("10", "5", "3")),
        "X1": write(other_rep, stock_dealers["X1"], "2026-10", lines["kitchen"], figures("10", "5", "3")),
    }


@pytest.mark.parametrize(
    ("who", "seen"),
    [
        ("rep", {"D1"}),  # own dealer
        ("rep_peer", set()),  # the same team, not their dealer
        ("manager", {"D1"}),  # D1 lies in EAST
        ("other_manager", {"X1"}),  # X1 lies in SOUTH
        ("finance", {"D1", "X1"}),
        ("admin", {"D1", "X1"}),
        ("other_rep", {"X1"}),
    ],
)
def test_each_role_lists_what_it_may_see(api_as, everyone, two_reports, who, seen):
    response = api_as(everyone[who]).get(LIST)
    assert response.status_code == 200
    assert {row["dealer_code"] for row in response.json()["results"]} == seen
    for code, report in two_reports.items():
        assert api_as(everyone[who]).get(detail(report)).status_code == (200 if code in seen else 404)


def test_the_list_filters_by_flag_territory_and_dealer_text(api_as, finance, rep, d1, stock_dealers, lines, covered):
    write(rep, d1, "2026-10", lines["kitchen"], figures("0", "20", "20"))  # stockout: closing 0, 20 sold
    write(rep, d1, "2026-10", lines["water"], figures("0", "62", "62", "0"))  # stockout too
    write(rep, stock_dealers["T1"], "2026-10", lines["kitchen"], figures("0", "62", "31"))  # 31 × 31 ÷ 31 = 31 days
    client = api_as(finance)

    def codes(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.json()
        return sorted((r["dealer_code"], r["product_line_code"]) for r in response.json()["results"])

    assert codes(flag="stockout") == [("D1", "kitchen"), ("D1", "water")]
    assert codes(flagged="false") == [("T1", "kitchen")]
    assert codes(q="终端") == [("T1", "kitchen")]
    assert codes(territory=covered["SOUTH"].pk) == []
    assert codes(period="2026-10", product_line=lines["water"].pk) == [("D1", "water")]
    assert client.get(LIST, {"flag": "leaky"}).status_code == 400
    assert client.get(LIST, {"period": "2026-13"}).status_code == 400


# --- confirm and return --------------------------------------------------------------------------------------------


def test_confirm_answers_403_for_the_role_then_409_for_the_state(api_as, rep, manager, finance, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    url = f"{detail(report)}confirm/"
    assert api_as(rep).post(url).status_code == 403  # the rep who submitted it
    assert api_as(finance).post(url).status_code == 403  # finance reads only
    confirmed = api_as(manager).post(url, {"comment": "核对无误"})
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["confirmed_by"], confirmed.json()["actions"]) == (
        "confirmed",
        manager.pk,
        [],
    )
    again = api_as(manager).post(url)
    assert again.status_code == 409
    assert again.json()["current_state"] == "confirmed"


def test_return_answers_403_then_409_then_400_for_the_reason(api_as, rep, manager, other_manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    url = f"{detail(report)}return/"
    assert api_as(other_manager).post(url, {"reason": "x"}).status_code == 404  # not their territory: hidden
    assert api_as(rep).post(url, {}).status_code == 403  # the role first, even without a reason
    no_reason = api_as(manager).post(url, {"reason": "  "}, **EN)
    assert no_reason.status_code == 400
    assert no_reason.json() == {"reason": ["Say what has to be corrected."]}
    assert api_as(manager).post(url, {"reason": "期初不对"}).json()["status"] == "returned"
    assert api_as(manager).post(url, {}).status_code == 409  # returned already: the state before the reason


def test_the_manager_sees_confirm_and_return_among_the_actions(api_as, rep, manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    assert api_as(manager).get(detail(report)).json()["actions"] == ["confirm", "return"]


def test_a_month_is_confirmed_after_the_month_before_409(api_as, rep, manager, d1, lines):
    _september, october = history(rep, d1, lines["kitchen"], [("10", "5", "0"), ("5", "5", "0")], start="2026-09")
    response = api_as(manager).post(f"{detail(october)}confirm/", **EN)
    assert response.status_code == 409
    assert response.json()["detail"] == "Confirm the report of 2026-09 first: this one opens from it."


# --- stock health ------------------------------------------------------------------------------------------------


def test_stock_health_lists_the_latest_month_flagged_first_with_counts(api_as, manager, rep, d1, stock_dealers, lines):
    t1, t2 = stock_dealers["T1"], stock_dealers["T2"]
    write(rep, d1, "2026-09", lines["hvac"], figures("0", "10", "1"))  # an earlier month: not shown by default
    # D1 buys from us, and we sold it nothing: 620.00 and 200.00 received are receipt mismatches
    write(rep, d1, "2026-10", lines["kitchen"], figures("0", "62", "31"))  # 31 left, 1 a day: 31.0 days
    write(rep, d1, "2026-10", lines["water"], figures("0", "20", "20"))  # 0 left with sales: stockout, 0.0 days
    write(rep, t1, "2026-10", lines["kitchen"], figures("0", "93", "31"))  # 62 left, 1 a day: 62.0 > 60, overstock
    write(rep, t2, "2026-10", lines["kitchen"], figures("0", "40", "31"))  # 9 left: 9.0 days, no flag
    response = api_as(manager).get(HEALTH)
    assert response.status_code == 200
    page = response.json()
    assert page["period"] == "2026-10"
    assert [(r["dealer_code"], r["product_line_code"], r["days_of_stock"]) for r in page["results"]] == [
        ("T1", "kitchen", "62.0"),  # flagged first, longest days of stock first
        ("D1", "kitchen", "31.0"),
        ("D1", "water", "0.0"),
        ("T2", "kitchen", "9.0"),  # then the rest
    ]
    assert page["counts"] == {
        "reports": 4,
        "overstock": 1,
        "stockout": 1,
        "slow_moving": 0,
        "receipt_mismatch": 2,
        "dealers": 2,  # D1 and T1
    }
    flagged = api_as(manager).get(HEALTH, {"flagged": "true"}).json()
    assert (flagged["count"], flagged["counts"]["reports"]) == (3, 3)
    september = api_as(manager).get(HEALTH, {"period": "2026-09"}).json()
    assert [r["product_line_code"] for r in september["results"]] == ["hvac"]
    assert api_as(manager).get(HEALTH, {"period": "nope"}).status_code == 400


def test_stock_health_without_any_report_is_an_empty_page(api_as, rep_peer, d1):
    page = api_as(rep_peer).get(HEALTH).json()
    assert (page["period"], page["count"], page["counts"]["reports"]) == (None, 0, 0)


# --- pinned query counts -----------------------------------------------------------------------------------------

#: session, user, roles, the manager's territories; the page's count; the reports (+dealer, territory, owner, line,
#: submitted_by, confirmed_by) — the actions read the user's roles and territories already read
LIST_QUERIES = 6
#: session, user, roles, the manager's territories; the latest month; the page's count; the reports (joined as
#: above); the counts of the flags (one aggregate)
HEALTH_QUERIES = 8


def _reports(rep, stock_dealers, lines, count: int) -> None:
    dealers = [stock_dealers[code] for code in ("D1", "T1", "T2", "T3")]
    for n in range(count):
        for line in lines.values():
            write(rep, dealers[n], "2026-10", line, figures("10", "5", str(n)))


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_and_health_read_a_fixed_number_of_queries(
    api_as, manager, rep, stock_dealers, lines, count, django_assert_num_queries
):
    _reports(rep, stock_dealers, lines, count)
    client = api_as(manager)
    client.get(LIST)  # content types and the like cached, as in a running server
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert response.json()["count"] == 3 * count
    with django_assert_num_queries(HEALTH_QUERIES):
        response = client.get(HEALTH)
    assert response.json()["counts"]["reports"] == 3 * count


def test_the_urls_have_their_names():
    assert reverse("stock-report-list") == LIST
    assert reverse("stock-report-import") == f"{LIST}import/"
    assert reverse("stock-health-list") == HEALTH
