"""``terminals/pareto/``, ``terminals/pareto/run/`` and ``coverage/`` (SPEC §16), with shares and rates worked out
by hand — the ties at the 80 % boundary among them (``inventory.selectors.pareto_set`` takes them in)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.models import Dealer
from tests.inventory.world import figures, write
from tests.partners.world import make_dealer

pytestmark = pytest.mark.django_db

PARETO = "/api/v1/terminals/pareto/"
RUN = "/api/v1/terminals/pareto/run/"
COVERAGE = "/api/v1/coverage/"


@pytest.fixture
def terminals(stock_dealers, manager, rep, covered):
    """T1–T3 of the world and a fourth terminal T4, all buying from D1 and active."""
    t4 = make_dealer(
        manager,
        covered["SH-PD"],
        rep,
        "T4",
        name="终端T4",
        kind=Dealer.Kind.RETAIL_TERMINAL,
        parent=stock_dealers["D1"],
    )
    Dealer.objects.filter(pk=t4.pk).update(status=Dealer.Status.ACTIVE)
    return {code: Dealer.objects.get(code=code) for code in ("T1", "T2", "T3", "T4")}


def sell_out(rep, terminal, period, line, amount: str) -> None:
    """A month in which the terminal received and sold ``amount`` units at 1.00 (sell-out ``amount``)."""
    write(rep, terminal, period, line, figures("0", amount, amount, price="1"))


#: Each quarter's sell-out by terminal, and what the pass takes as key.
QUARTERS = {
    # total 1 000: 500 alone is 50 %; with 300, 80 % — reached, and the 100s do not tie 300
    "2026-Q1": ("2026-01", {"T1": "500", "T2": "300", "T3": "100", "T4": "100"}),
    # total 1 000: the first 400 is 40 %, with the second 80 %; 200 does not tie 400
    "2026-Q2": ("2026-04", {"T1": "400", "T2": "400", "T3": "200", "T4": "0"}),
    # total 1 000: 600 is 60 %, with a 200 80 %; the other 200 ties the last one taken: in too
    "2026-Q3": ("2026-07", {"T1": "600", "T2": "200", "T3": "200", "T4": "0"}),
}


@pytest.fixture
def quarters(rep, terminals, lines):
    for _quarter, (month, amounts) in QUARTERS.items():
        for code, amount in amounts.items():
            if amount != "0":
                sell_out(rep, terminals[code], month, lines["kitchen"], amount)
    return QUARTERS


def rows_of(response) -> list[tuple]:
    return [(r["code"], r["amount"], r["share"], r["cumulative"], r["key"]) for r in response.json()["rows"]]


# --- the Pareto list ---------------------------------------------------------------------------------------------


def test_pareto_500_300_100_100_makes_the_first_two_key(api_as, manager, stock_dealers, quarters):
    response = api_as(manager).get(PARETO, {"dealer": stock_dealers["D1"].pk, "quarter": "2026-Q1"})
    assert response.status_code == 200
    body = response.json()
    assert (body["quarter"], body["dealer"], body["total"], body["key_terminals"]) == (
        "2026-Q1",
        stock_dealers["D1"].pk,
        "1000.00",
        2,
    )
    assert rows_of(response) == [
        ("T1", "500.00", "50.00", "50.00", True),
        ("T2", "300.00", "30.00", "80.00", True),  # 80 % reached
        ("T3", "100.00", "10.00", "90.00", False),
        ("T4", "100.00", "10.00", "100.00", False),
    ]


def test_pareto_400_400_200_takes_both_400s(api_as, manager, stock_dealers, quarters):
    response = api_as(manager).get(PARETO, {"dealer": stock_dealers["D1"].pk, "quarter": "2026-Q2"})
    assert rows_of(response) == [
        ("T1", "400.00", "40.00", "40.00", True),
        ("T2", "400.00", "40.00", "80.00", True),
        ("T3", "200.00", "20.00", "100.00", False),
        ("T4", "0.00", "0.00", "100.00", False),  # nothing sold: listed, never key
    ]


def test_pareto_600_200_200_takes_the_200_that_ties_the_last_one_in(api_as, manager, stock_dealers, quarters):
    response = api_as(manager).get(PARETO, {"dealer": stock_dealers["D1"].pk, "quarter": "2026-Q3"})
    assert rows_of(response) == [
        ("T1", "600.00", "60.00", "60.00", True),
        ("T2", "200.00", "20.00", "80.00", True),  # 80 % reached here …
        ("T3", "200.00", "20.00", "100.00", True),  # … and this one ties it: taken in
        ("T4", "0.00", "0.00", "100.00", False),
    ]
    assert response.json()["key_terminals"] == 3


def test_pareto_of_a_quarter_without_sell_out_has_no_shares(api_as, manager, stock_dealers, quarters):
    response = api_as(manager).get(PARETO, {"dealer": stock_dealers["D1"].pk, "quarter": "2025-Q4"})
    assert response.json()["total"] == "0.00"
    assert {(r["share"], r["key"]) for r in response.json()["rows"]} == {(None, False)}


def test_pareto_by_territory_and_for_everything_the_user_sees(api_as, manager, other_rep, covered, quarters):
    client = api_as(manager)
    by_territory = client.get(PARETO, {"territory": covered["SH"].pk, "quarter": "2026-Q1"})
    assert [r["code"] for r in by_territory.json()["rows"]] == ["T1", "T2", "T3", "T4"]
    elsewhere = client.get(PARETO, {"territory": covered["GD"].pk, "quarter": "2026-Q1"})
    assert elsewhere.json()["rows"] == []
    assert api_as(other_rep).get(PARETO, {"quarter": "2026-Q1"}).json()["rows"] == []  # sees none of them


def test_pareto_of_a_hidden_dealer_is_404_and_a_bad_quarter_400(api_as, other_rep, manager, stock_dealers, quarters):
    assert api_as(other_rep).get(PARETO, {"dealer": stock_dealers["D1"].pk, "quarter": "2026-Q1"}).status_code == 404
    assert api_as(manager).get(PARETO, {"dealer": 999_999, "quarter": "2026-Q1"}).status_code == 404
    assert api_as(manager).get(PARETO, {"territory": 999_999, "quarter": "2026-Q1"}).status_code == 404
    client = api_as(manager)
    for quarter in ("2026-Q5", "2026", "", "Q3-2026"):
        response = client.get(PARETO, {"dealer": stock_dealers["D1"].pk, "quarter": quarter})
        assert response.status_code == 400, quarter
        assert "quarter" in response.json()


# --- the pass on demand ------------------------------------------------------------------------------------------


def test_the_run_marks_the_key_terminals_and_leaves_pinned_ones(api_as, manager, terminals, quarters):
    # T3 pinned as key by hand: the pass leaves it, though 100 of 1 000 would not make it key
    Dealer.objects.filter(pk=terminals["T3"].pk).update(is_key_account=True, key_account_pinned=True)
    # T4 was key: the pass takes the flag away
    Dealer.objects.filter(pk=terminals["T4"].pk).update(is_key_account=True)
    response = api_as(manager).post(RUN, {"quarter": "2026-Q1"})
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "quarter": "2026-Q1",
        "distributors": 1,
        "terminals": 4,
        "marked": 2,  # T1, T2
        "unmarked": 1,  # T4
        "pinned": 1,  # T3
    }
    flags = dict(Dealer.objects.filter(code__startswith="T").values_list("code", "is_key_account"))
    assert flags == {"T1": True, "T2": True, "T3": True, "T4": False}
    # the same quarter again changes nothing
    assert api_as(manager).post(RUN, {"quarter": "2026-Q1"}).json()["marked"] == 0


def test_a_manager_runs_the_pass_over_their_territories_only(api_as, other_manager, terminals, quarters):
    response = api_as(other_manager).post(RUN, {"quarter": "2026-Q1"})
    assert response.status_code == 200
    assert (response.json()["terminals"], response.json()["marked"]) == (0, 0)
    assert not Dealer.objects.filter(is_key_account=True).exists()


@pytest.mark.parametrize("who", ["rep", "finance"])
def test_only_managers_and_admins_run_the_pass_403_before_400(api_as, everyone, who):
    assert api_as(everyone[who]).post(RUN, {"quarter": "nonsense"}).status_code == 403


@pytest.mark.parametrize("quarter", ["2026-Q9", "2026", "", "2099-Q1"])
def test_the_run_refuses_a_bad_or_future_quarter(api_as, admin_user, quarter):
    response = api_as(admin_user).post(RUN, {"quarter": quarter})
    assert response.status_code == 400
    assert "quarter" in response.json()


# --- distribution coverage ------------------------------------------------------------------------------------------


@pytest.fixture
def october(rep, manager, terminals, lines, covered, stock_dealers):
    """October 2026 in SH-PD (all terminals active but T5):

    * T1 — kitchen in stock (10 left), water in stock (5 left): covered for both;
    * T2 — kitchen sold out (received 4, sold 4, nothing left): covered — sell-out in the month;
    * T3 — a kitchen report with nothing in stock and nothing sold: not covered;
    * T4 — no report: not covered;
    * T5 — a prospect (not active) with kitchen in stock: neither counted nor covered.
    """
    write(rep, terminals["T1"], "2026-10", lines["kitchen"], figures("0", "10", "0"))
    write(rep, terminals["T1"], "2026-10", lines["water"], figures("0", "5", "0"))
    write(rep, terminals["T2"], "2026-10", lines["kitchen"], figures("0", "4", "4"))
    write(rep, terminals["T3"], "2026-10", lines["kitchen"], figures("0", "0", "0"))
    t5 = make_dealer(
        manager,
        covered["SH-PD"],
        rep,
        "T5",
        name="终端T5",
        kind=Dealer.Kind.RETAIL_TERMINAL,
        parent=stock_dealers["D1"],
    )
    write(rep, t5, "2026-10", lines["kitchen"], figures("0", "3", "0"))
    return lines


def coverage_rows(response) -> list[tuple]:
    return [
        (r["territory_code"], r["product_line_code"], r["covered"], r["active"], r["rate"])
        for r in response.json()["rows"]
    ]


def test_coverage_of_a_district_counts_terminals_that_stocked_or_sold(api_as, manager, covered, october):
    response = api_as(manager).get(COVERAGE, {"territory": covered["SH-PD"].pk, "period": "2026-10"})
    assert response.status_code == 200
    assert (response.json()["period"], response.json()["territory"]) == ("2026-10", covered["SH-PD"].pk)
    # SH-PD has no child: its own row. Active terminals T1–T4 = 4
    assert coverage_rows(response) == [
        ("SH-PD", "hvac", 0, 4, "0.00"),
        ("SH-PD", "kitchen", 2, 4, "50.00"),  # T1 (stock), T2 (sold out) of 4
        ("SH-PD", "water", 1, 4, "25.00"),  # T1 of 4
    ]


def test_coverage_defaults_to_the_children_of_the_managers_territories(api_as, manager, lines, october):
    response = api_as(manager).get(COVERAGE, {"period": "2026-10", "product_line": lines["kitchen"].pk})
    # the manager covers EAST: its children JS (no terminal) and SH (T1–T4)
    assert coverage_rows(response) == [
        ("JS", "kitchen", 0, 0, None),  # no active terminal: no rate
        ("SH", "kitchen", 2, 4, "50.00"),
    ]


def test_finance_sees_the_roots_children_and_a_rep_only_their_own_terminals(api_as, finance, other_rep, lines, october):
    response = api_as(finance).get(COVERAGE, {"period": "2026-10", "product_line": lines["water"].pk})
    assert coverage_rows(response) == [
        ("EAST", "water", 1, 4, "25.00"),
        ("SOUTH", "water", 0, 0, None),
    ]
    hidden = api_as(other_rep).get(COVERAGE, {"period": "2026-10", "product_line": lines["water"].pk})
    assert {(row[2], row[3]) for row in coverage_rows(hidden)} == {(0, 0)}  # T1–T4 are not theirs


def test_coverage_defaults_to_the_latest_month_reported(api_as, manager, covered, october):
    response = api_as(manager).get(COVERAGE, {"territory": covered["SH-PD"].pk})
    assert response.json()["period"] == "2026-10"


def test_coverage_refuses_bad_input(api_as, manager, covered, october):
    client = api_as(manager)
    assert client.get(COVERAGE, {"period": "2026-13"}).status_code == 400
    assert client.get(COVERAGE, {"product_line": 999_999}).status_code == 400
    assert client.get(COVERAGE, {"territory": 999_999}).status_code == 404


def test_the_urls_have_their_names():
    assert reverse("terminal-pareto") == PARETO
    assert reverse("terminal-pareto-run") == RUN
    assert reverse("coverage") == COVERAGE


# --- the pin through the dealer API ----------------------------------------------------------------------------------


def test_a_manager_setting_the_key_flag_by_hand_pins_it(api_as, manager, terminals):
    url = f"/api/v1/dealers/{terminals['T4'].pk}/"
    response = api_as(manager).patch(url, {"is_key_account": True})
    assert response.status_code == 200, response.json()
    assert (response.json()["is_key_account"], response.json()["key_account_pinned"]) == (True, True)
    # unpinned on purpose: the next pass decides again
    response = api_as(manager).patch(url, {"key_account_pinned": False})
    assert (response.json()["is_key_account"], response.json()["key_account_pinned"]) == (True, False)
    # the flag given with the pin: as given
    response = api_as(manager).patch(url, {"is_key_account": False, "key_account_pinned": False})
    assert (response.json()["is_key_account"], response.json()["key_account_pinned"]) == (False, False)
    # the same value again is no change: nothing pinned
    response = api_as(manager).patch(url, {"is_key_account": False})
    assert response.json()["key_account_pinned"] is False


def test_the_pass_leaves_a_flag_pinned_through_the_api(api_as, manager, terminals, quarters):
    # Q1: T4 sold 100 of 1 000 — not key by the numbers, but pinned key by hand
    api_as(manager).patch(f"/api/v1/dealers/{terminals['T4'].pk}/", {"is_key_account": True})
    assert api_as(manager).post(RUN, {"quarter": "2026-Q1"}).json()["pinned"] == 1
    assert Dealer.objects.get(pk=terminals["T4"].pk).is_key_account is True


def test_a_rep_may_not_pin(api_as, rep, terminals):
    response = api_as(rep).patch(f"/api/v1/dealers/{terminals['T4'].pk}/", {"key_account_pinned": True})
    assert response.status_code == 400
    assert "key_account_pinned" in response.json()
