"""Dashboards pace the month (SPEC §7): month-to-date sales and visits are compared with the share of the
month's working days behind, so 6 December is not shown red for being at 20 % of December's target.

December 2026 by hand: working days Monday to Friday — 1–4, 7–11, 14–18, 21–25, 28–31 = 4 + 5 + 5 + 5 + 4
= 23; on Sunday 6 December, 4 of them (1–4) are behind: a share of 4/23.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.urls import reverse

from channelhub.periods import Month, month_pace
from kpi.selectors.measures import rep_measures
from tests.kpi.scorecard_world import sale, target

DECEMBER = Month(2026, 12)


def test_the_share_of_working_days_behind():
    pace = month_pace(DECEMBER, date(2026, 12, 6))
    assert (pace.elapsed, pace.total, pace.share) == (4, 23, Fraction(4, 23))
    assert month_pace(DECEMBER, date(2026, 12, 31)).share == 1
    assert month_pace(Month(2026, 11), date(2026, 12, 6)).share == 1  # a month over
    assert month_pace(Month(2027, 1), date(2026, 12, 6)).share == 0  # a month to come


def test_twenty_percent_of_the_target_on_the_sixth_is_ahead_of_pace(d, rep):
    # target 230,000.00 × 4/23 = 40,000.00 by today; 46,000.00 sold (20 % of the month's target) is ahead
    target(rep, DECEMBER, "230000.00")
    sale(rep, d["A1"], date(2026, 12, 2), "46000.00")
    measures = replace(rep_measures(rep, DECEMBER), pace=month_pace(DECEMBER, date(2026, 12, 6)))
    assert measures.sales_achievement == Decimal("20.00") and measures.sales_band == "below"
    assert measures.expected_to_date == Decimal("40000.00")
    assert measures.pace_band == "met"
    # 32,000.00 of 40,000.00 by today is 80 %: near; 31,999.99 is below
    assert replace(measures, net_sales=Decimal("32000.00")).pace_band == "near"
    assert replace(measures, net_sales=Decimal("31999.99")).pace_band == "below"


def test_the_dashboards_show_the_pace(client_as, d, rep, manager):
    month = Month.current()
    target(rep, month, "100000.00")
    body = client_as(rep).get(reverse("dashboard")).content.decode()
    assert 'data-testid="sales-pace"' in body and 'data-testid="visits-pace"' in body
    assert 'data-pace="' in body
    body = client_as(manager).get(reverse("dashboard")).content.decode()
    assert 'data-pace="' in body
