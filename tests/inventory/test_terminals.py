"""The 80/20 pass and distribution coverage (SPEC §16), with figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from inventory.selectors import Coverage, coverage_table, pareto, pareto_set, rep_coverage
from inventory.services.terminals import key_account_pass, last_quarter
from inventory.tasks import key_account_pass as key_account_task
from partners.models import Dealer
from rebates.periods import RebatePeriod
from tests.inventory.world import figures, write
from tests.partners.world import make_dealer

D = Decimal
pytestmark = pytest.mark.django_db
Q3 = RebatePeriod.parse("2026-Q3")


@pytest.mark.parametrize(
    ("amounts", "key"),
    [
        # 1 000 in all: 500 is 50 %, 500 + 300 = 800 = 80 % exactly → the two largest
        ({1: "500", 2: "300", 3: "100", 4: "100"}, {1, 2}),
        # 400 is 40 %, 400 + 400 = 80 % → both; the 200 is left out
        ({1: "400", 2: "400", 3: "200"}, {1, 2}),
        # 600 is 60 %; 600 + 200 = 80 %, and the other 200 ties the last one taken: it is taken in too
        ({1: "600", 2: "200", 3: "200"}, {1, 2, 3}),
        # 790 is 79 % (below), + 110 = 90 % → two; a terminal that sold nothing is never key
        ({1: "790", 2: "110", 3: "100", 4: "0"}, {1, 2}),
        ({1: "0", 2: "0"}, set()),
    ],
)
def test_pareto_set_is_the_smallest_set_making_eighty_percent_with_ties(amounts, key):
    assert pareto_set([(dealer, D(amount)) for dealer, amount in amounts.items()]) == key


def _sell_out(rep, terminal, line, amounts_by_month: dict[str, str]):
    """Reports whose sell-out (at 1.00 a unit) is the amount given per month, opening from the month before."""
    closing = D("0")
    for period, sold in sorted(amounts_by_month.items()):
        values = figures(closing, sold, sold, price="1")
        write(rep, terminal, period, line, values)
        closing = values["closing_qty"]


@pytest.fixture
def sold(rep, stock_dealers, lines):
    """Q3 sell-out: T1 500 (Jul 200 + Sep 300), T2 300, T3 200 → 1 000; T1 + T2 = 800 = 80 %: T1, T2 key."""
    kitchen = lines["kitchen"]
    _sell_out(rep, stock_dealers["T1"], kitchen, {"2026-07": "200", "2026-08": "0", "2026-09": "300"})
    _sell_out(rep, stock_dealers["T2"], kitchen, {"2026-08": "300"})
    _sell_out(rep, stock_dealers["T3"], kitchen, {"2026-09": "200", "2026-10": "9999"})  # October is Q4
    return stock_dealers


def test_pareto_rows_with_shares_and_cumulative_shares(manager, sold):
    rows = pareto(manager, Q3, distributor=sold["D1"])
    assert [(r.code, r.amount, r.share, r.cumulative, r.key) for r in rows] == [
        ("T1", D("500"), D("50.00"), D("50.00"), True),
        ("T2", D("300"), D("30.00"), D("80.00"), True),
        ("T3", D("200"), D("20.00"), D("100.00"), False),
    ]


def test_pareto_shows_only_the_terminals_the_user_sees(other_rep, sold):
    assert pareto(other_rep, Q3, distributor=sold["D1"]) == []


def test_the_pass_marks_key_terminals_and_leaves_pinned_ones(manager, sold):
    Dealer.objects.filter(pk=sold["T3"].pk).update(is_key_account=True)  # was key, no longer
    Dealer.objects.filter(pk=sold["T2"].pk).update(key_account_pinned=True)  # pinned not key: left alone
    result = key_account_pass(Q3, actor=manager)
    flags = dict(Dealer.objects.filter(code__in=["T1", "T2", "T3"]).values_list("code", "is_key_account"))
    assert flags == {"T1": True, "T2": False, "T3": False}
    assert (result.terminals, result.marked, result.unmarked, result.pinned) == (3, 1, 1, 1)


def test_the_pass_on_demand_is_for_managers_and_admins(rep, finance, sold):
    for actor in (rep, finance):
        with pytest.raises(PermissionDenied):
            key_account_pass(Q3, actor=actor)


def test_a_managers_pass_covers_only_their_territories(other_manager, sold):
    assert key_account_pass(Q3, actor=other_manager).terminals == 0
    assert not Dealer.objects.filter(is_key_account=True).exists()


def test_the_scheduled_pass_takes_the_quarter_just_ended(sold):
    assert key_account_task(quarter="2026-Q3")["marked"] == 2
    assert str(last_quarter(today=date(2026, 10, 1))) == "2026-Q3"


# --- coverage -------------------------------------------------------------------------------------------------


@pytest.fixture
def coverage_world(rep, manager, covered, stock_dealers, lines):
    """Five active terminals of rep in SH-PD for October: T1 holds stock (closing 5, nothing sold), T2 sold
    out (closing 0, sold 4), T3 reported neither (0 / 0), T4 did not report, T5 reported only the water line;
    an inactive T6 with stock is not counted. Kitchen: T1, T2 covered of 5 → 40.00 %; water: T5 → 20.00 %."""
    kitchen, water = lines["kitchen"], lines["water"]
    made = dict(stock_dealers)
    for code in ("T4", "T5", "T6"):
        made[code] = make_dealer(
            manager, covered["SH-PD"], rep, code, kind=Dealer.Kind.RETAIL_TERMINAL, parent=stock_dealers["D1"]
        )
    Dealer.objects.filter(code__in=["T4", "T5"]).update(status=Dealer.Status.ACTIVE)
    Dealer.objects.filter(code="T6").update(status=Dealer.Status.SUSPENDED)
    write(rep, made["T1"], "2026-10", kitchen, figures("0", "5", "0"))
    write(rep, made["T2"], "2026-10", kitchen, figures("0", "4", "4"))
    write(rep, made["T3"], "2026-10", kitchen, figures("0", "0", "0"))
    write(rep, made["T5"], "2026-10", water, figures("0", "3", "1"))
    write(rep, made["T6"], "2026-10", kitchen, figures("0", "9", "1"))
    return made


def test_coverage_counts_terminals_that_stocked_or_sold(manager, covered, lines, coverage_world):
    table = coverage_table(manager, "2026-10", [covered["SH-PD"], covered["JS-NJ"]], [lines["kitchen"], lines["water"]])
    assert table[(covered["SH-PD"].pk, lines["kitchen"].pk)] == Coverage(covered=2, active=5)
    assert table[(covered["SH-PD"].pk, lines["kitchen"].pk)].rate == D("40.00")
    assert table[(covered["SH-PD"].pk, lines["water"].pk)].rate == D("20.00")
    # no active terminals in Nanjing: no rate (shown "—"), never a division error
    assert table[(covered["JS-NJ"].pk, lines["kitchen"].pk)].rate is None


def test_a_territory_counts_its_subtree(manager, covered, lines, coverage_world):
    table = coverage_table(manager, "2026-10", [covered["EAST"]], [lines["kitchen"]])
    assert table[(covered["EAST"].pk, lines["kitchen"].pk)] == Coverage(covered=2, active=5)


def test_coverage_is_scoped(other_manager, covered, lines, coverage_world):
    table = coverage_table(other_manager, "2026-10", [covered["SH-PD"]], [lines["kitchen"]])
    assert table[(covered["SH-PD"].pk, lines["kitchen"].pk)] == Coverage(covered=0, active=0)


def test_a_reps_coverage_counts_any_line(rep, rep_peer, coverage_world):
    # T1, T2 (kitchen) and T5 (water) of 5 active → 3 of 5 = 60 %
    found = rep_coverage([rep.pk, rep_peer.pk], "2026-10")
    assert found[rep.pk] == Coverage(covered=3, active=5)
    assert found[rep_peer.pk].rate is None


def test_below_the_gate_compares_exactly():
    coverage = Coverage(covered=1, active=3)  # 33.333… %
    assert coverage.below(D("33.34")) is True
    assert coverage.below(D("33.33")) is False  # 100 < 33.33 × 3 = 99.99? no: 100 ≥ 99.99
    assert Coverage(covered=0, active=0).below(D("100")) is False
