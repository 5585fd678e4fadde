"""Measures (SPEC §5): net sales, collections, expenses, targets and their rates, per rep and month,
summed into quarters, years, teams and the company. Figures are computed by hand in each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from channelhub.periods import Month
from kpi.models import Target
from kpi.selectors.measures import (
    ReportingPeriod,
    measures_for,
    measures_table,
    percent,
    rate_of_sales,
    rep_measures,
    round_cent,
)
from tests.kpi.scorecard_world import JULY, collection, expense, sale, target

AUGUST = Month(2026, 8)
SEPTEMBER = Month(2026, 9)


# --- arithmetic -------------------------------------------------------------------------------------


def test_rates_round_half_up_to_the_cent():
    assert percent(Decimal(2), Decimal(3)) == Decimal("66.67")  # 66.666… → 66.67
    assert percent(Decimal(1), Decimal(3)) == Decimal("33.33")  # 33.333… → 33.33
    assert percent(Decimal(1), Decimal(800)) == Decimal("0.13")  # 0.125 → 0.13 (half up, not to even)
    assert percent(Decimal(3), Decimal(800)) == Decimal("0.38")  # 0.375 → 0.38
    assert round_cent(Decimal("2.675")) == Decimal("2.68")
    assert round_cent(Decimal("-2.675")) == Decimal("-2.68")  # half away from zero


def test_a_rate_over_nothing_is_undefined_not_an_error():
    assert percent(Decimal(5), Decimal(0)) is None
    assert percent(Decimal(5), None) is None
    assert rate_of_sales(Decimal(5), Decimal("0.00")) is None
    # A negative base (returns exceeding sales) gives no meaningful rate either.
    assert rate_of_sales(Decimal(5), Decimal("-100.00")) is None
    assert rate_of_sales(Decimal(5), Decimal("200.00")) == Decimal("2.50")


# --- periods ----------------------------------------------------------------------------------------


def test_reporting_periods_parse_months_quarters_and_years():
    month = ReportingPeriod.parse("2026-07")
    assert (month.kind, month.first_day, month.last_day, len(month.months)) == (
        "month",
        date(2026, 7, 1),
        date(2026, 7, 31),
        1,
    )
    quarter = ReportingPeriod.parse("2026-q3")
    assert (quarter.code, quarter.first_day, quarter.last_day) == ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    assert [str(m) for m in quarter.months] == ["2026-07", "2026-08", "2026-09"]
    year = ReportingPeriod.parse("2026")
    assert (year.first_day, year.last_day, len(year.months)) == (date(2026, 1, 1), date(2026, 12, 31), 12)


def test_reporting_periods_step_across_year_ends():
    assert str(ReportingPeriod.parse("2026-Q1").previous()) == "2025-Q4"
    assert str(ReportingPeriod.parse("2026-Q4").next()) == "2027-Q1"
    assert str(ReportingPeriod.parse("2026-01").previous()) == "2025-12"
    assert str(ReportingPeriod.parse("2026").next()) == "2027"


@pytest.mark.parametrize("text", ["", "2026-13", "2026-Q5", "26", "2026-7", "0999", "July"])
def test_a_bad_period_is_a_validation_error(text):
    with pytest.raises(ValidationError):
        ReportingPeriod.parse(text)


# --- one rep, one month -----------------------------------------------------------------------------


def test_month_measures_of_a_rep_with_a_credit_note(d, rep, manager):
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    sale(rep, d["A2"], date(2026, 7, 10), "50000.00")
    sale(rep, d["A1"], date(2026, 7, 31), "-30000.00")  # credit note
    sale(rep, d["A1"], date(2026, 6, 30), "9999.00")  # June: not July
    sale(rep, d["A1"], date(2026, 8, 1), "8888.00")  # August: not July
    collection(rep, d["A1"], date(2026, 7, 20), "90000.00")
    expense(rep, d["A1"], date(2026, 7, 5), "12000.00")
    target(rep, JULY, "150000.00", "10.00", "85.00", new_dealers=2, proposed_by=manager)

    m = rep_measures(rep, JULY)

    # net sales = 100,000 + 50,000 − 30,000 = 120,000
    assert m.net_sales == Decimal("120000.00")
    assert m.collections == Decimal("90000.00")
    assert m.expenses == Decimal("12000.00")
    assert m.sales_target == Decimal("150000.00")
    assert (m.expense_rate_target, m.collection_rate_target, m.new_dealers_target) == (
        Decimal("10.00"),
        Decimal("85.00"),
        2,
    )
    assert m.sales_achievement == Decimal("80.00")  # 120,000 / 150,000 × 100
    assert m.expense_rate == Decimal("10.00")  # 12,000 / 120,000 × 100
    assert m.collection_rate == Decimal("75.00")  # 90,000 / 120,000 × 100
    assert (m.first_day, m.last_day) == (date(2026, 7, 1), date(2026, 7, 31))
    assert m.target_id == Target.objects.get(rep=rep, period="2026-07").pk


def test_a_credit_note_reduces_the_month_it_is_dated_in(d, rep):
    sale(rep, d["A1"], date(2026, 7, 15), "1000.00")
    sale(rep, d["A1"], date(2026, 8, 3), "-400.00")  # the July sale returned in August
    rows = measures_for([rep], [JULY, AUGUST])
    assert rows[(rep.pk, "2026-07")].net_sales == Decimal("1000.00")
    assert rows[(rep.pk, "2026-08")].net_sales == Decimal("-400.00")


def test_measures_without_a_target_or_sales_are_undefined(d, rep, rep_peer, other_rep, manager):
    # rep: sales but no target at all
    sale(rep, d["A1"], date(2026, 7, 1), "500.00")
    collection(rep, d["A1"], date(2026, 7, 2), "100.00")
    # rep_peer: a target of 0 and no sales, but an expense
    target(rep_peer, JULY, "0.00", proposed_by=manager)
    expense(rep_peer, d["P1"], date(2026, 7, 3), "50.00")
    # other_rep: returns exceed sales (net −200)
    sale(other_rep, d["O1"], date(2026, 7, 1), "300.00")
    sale(other_rep, d["O1"], date(2026, 7, 2), "-500.00")
    target(other_rep, JULY, "1000.00", proposed_by=other_rep)
    collection(other_rep, d["O1"], date(2026, 7, 2), "100.00")

    rows = measures_for([rep, rep_peer, other_rep], ["2026-07"])
    no_target, zero_target, negative = (rows[(r.pk, "2026-07")] for r in (rep, rep_peer, other_rep))

    assert no_target.sales_target is None and no_target.sales_achievement is None
    assert no_target.collection_rate == Decimal("20.00")  # 100 / 500
    assert no_target.expense_rate == Decimal("0.00")  # 0 / 500
    assert no_target.months_without_target == 1

    assert zero_target.sales_target == Decimal("0.00") and zero_target.sales_achievement is None
    assert zero_target.expense_rate is None and zero_target.collection_rate is None  # net sales 0

    assert negative.net_sales == Decimal("-200.00")
    assert negative.sales_achievement == Decimal("-20.00")  # −200 / 1,000: a claw-back month
    assert negative.collection_rate is None  # no rate over a negative base


def test_only_approved_or_acknowledged_targets_count(d, rep, rep_peer, other_rep, manager):
    target(rep, JULY, "100.00", status=Target.Status.PROPOSED)
    target(rep_peer, JULY, "100.00", status=Target.Status.APPROVED, proposed_by=manager)
    target(other_rep, JULY, "100.00", status=Target.Status.ACKNOWLEDGED)
    rows = measures_for([rep, rep_peer, other_rep], [JULY])
    assert rows[(rep.pk, "2026-07")].sales_target is None
    assert rows[(rep_peer.pk, "2026-07")].sales_target == Decimal("100.00")
    assert rows[(other_rep.pk, "2026-07")].sales_target == Decimal("100.00")


def test_every_rep_and_month_asked_for_is_answered_with_zeros(rep, rep_peer):
    rows = measures_for([rep, rep_peer.pk], ["2026-08", JULY])
    assert set(rows) == {(rep.pk, "2026-07"), (rep.pk, "2026-08"), (rep_peer.pk, "2026-07"), (rep_peer.pk, "2026-08")}
    empty = rows[(rep_peer.pk, "2026-08")]
    assert (empty.net_sales, empty.collections, empty.expenses) == (Decimal("0.00"),) * 3
    assert empty.sales_achievement is None and empty.expense_rate is None
    assert rows[(rep.pk, "2026-07")].rep == rep  # the user is kept for pages


def test_facts_query_links_the_rows_behind_a_figure(rep):
    m = rep_measures(rep, "2026-Q3")
    assert m.facts_query == f"rep={rep.pk}&date_from=2026-07-01&date_to=2026-09-30"


# --- quarters, years, teams -------------------------------------------------------------------------


@pytest.fixture
def third_quarter(d, rep, manager):
    """rep in Q3 2026: July net 120,000 (target 150,000, 10 %, 85 %), August 90,000 (target 100,000,
    8 %, 90 %), September nothing and no target; January 40,000 (no target)."""
    sale(rep, d["A1"], date(2026, 7, 1), "150000.00")
    sale(rep, d["A1"], date(2026, 7, 2), "-30000.00")
    sale(rep, d["A2"], date(2026, 8, 5), "90000.00")
    sale(rep, d["A2"], date(2026, 1, 5), "40000.00")
    sale(rep, d["A2"], date(2025, 12, 31), "70000.00")  # 2025
    sale(rep, d["A2"], date(2027, 1, 1), "70000.00")  # 2027
    collection(rep, d["A1"], date(2026, 7, 20), "90000.00")
    collection(rep, d["A1"], date(2026, 8, 20), "90000.00")
    expense(rep, d["A1"], date(2026, 7, 5), "12000.00")
    expense(rep, d["A1"], date(2026, 8, 5), "6000.00")
    target(rep, JULY, "150000.00", "10.00", "85.00", new_dealers=2, proposed_by=manager)
    target(rep, AUGUST, "100000.00", "8.00", "90.00", new_dealers=1, proposed_by=manager)


def test_a_quarter_is_the_sum_of_its_months_with_rates_from_the_sums(rep, third_quarter):
    q3 = rep_measures(rep, "2026-Q3")
    assert q3.net_sales == Decimal("210000.00")  # 120,000 + 90,000 + 0
    assert q3.sales_target == Decimal("250000.00")  # 150,000 + 100,000 (September has none)
    assert q3.months_without_target == 1
    # 210,000 / 250,000 = 84.00 % — not the mean of the months' 80.00 % and 90.00 % (85.00)
    assert q3.sales_achievement == Decimal("84.00")
    # 180,000 / 210,000 = 85.714… → 85.71
    assert q3.collection_rate == Decimal("85.71")
    # 18,000 / 210,000 = 8.571… → 8.57
    assert q3.expense_rate == Decimal("8.57")
    # rate targets weighted by sales target: (10 × 150,000 + 8 × 100,000) / 250,000 = 9.20
    assert q3.expense_rate_target == Decimal("9.20")
    # (85 × 150,000 + 90 × 100,000) / 250,000 = 87.00
    assert q3.collection_rate_target == Decimal("87.00")
    assert q3.new_dealers_target == 3
    assert (q3.first_day, q3.last_day, q3.target_id) == (date(2026, 7, 1), date(2026, 9, 30), None)


def test_a_year_is_the_sum_of_its_months(rep, third_quarter):
    year = rep_measures(rep, "2026")
    assert year.net_sales == Decimal("250000.00")  # 40,000 (Jan) + 120,000 (Jul) + 90,000 (Aug)
    assert year.sales_target == Decimal("250000.00")
    assert year.months_without_target == 10
    assert year.sales_achievement == Decimal("100.00")
    assert year.collection_rate == Decimal("72.00")  # 180,000 / 250,000
    assert year.expense_rate == Decimal("7.20")  # 18,000 / 250,000


def test_a_team_total_sums_the_reps_and_recomputes_the_rates(d, rep, rep_peer, manager):
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    collection(rep, d["A1"], date(2026, 7, 2), "100000.00")
    target(rep, JULY, "100000.00", "5.00", proposed_by=manager)
    sale(rep_peer, d["P1"], date(2026, 7, 1), "50000.00")
    collection(rep_peer, d["P1"], date(2026, 7, 2), "10000.00")
    expense(rep_peer, d["P1"], date(2026, 7, 3), "3000.00")
    target(rep_peer, JULY, "200000.00", "2.00", proposed_by=manager)

    table = measures_table([rep, rep_peer], "2026-07")

    assert [row.rep_id for row in table.rows] == [rep.pk, rep_peer.pk]
    assert table.rows[0].collection_rate == Decimal("100.00")
    assert table.rows[1].collection_rate == Decimal("20.00")
    total = table.total
    assert total.rep_id is None
    assert total.net_sales == Decimal("150000.00")
    assert total.sales_target == Decimal("300000.00")
    assert total.sales_achievement == Decimal("50.00")  # 150,000 / 300,000 (the reps: 100 % and 25 %)
    assert total.collection_rate == Decimal("73.33")  # 110,000 / 150,000 = 73.333…, not (100 + 20) / 2
    assert total.expense_rate == Decimal("2.00")  # 3,000 / 150,000
    assert total.expense_rate_target == Decimal("3.00")  # (5 × 100,000 + 2 × 200,000) / 300,000
    assert total.facts_query == "date_from=2026-07-01&date_to=2026-07-31"


# --- queries ----------------------------------------------------------------------------------------


def test_measures_take_two_queries_whatever_the_number_of_reps(
    d, rep, rep_peer, other_rep, manager, third_quarter, django_assert_num_queries
):
    sale(rep_peer, d["P1"], date(2026, 7, 1), "1.00")
    sale(other_rep, d["O1"], date(2026, 8, 1), "1.00")
    # 1 sales, collections and expenses (each GROUP BY rep, month, in one UNION ALL), 1 approved targets
    with django_assert_num_queries(2):
        measures_for([rep], [JULY])
    with django_assert_num_queries(2):
        rows = measures_for([rep, rep_peer, other_rep], [JULY, AUGUST, SEPTEMBER])
    assert len(rows) == 9
    with django_assert_num_queries(2):
        table = measures_table([rep, rep_peer, other_rep], "2026")
    assert table.total.net_sales == Decimal("250002.00")
