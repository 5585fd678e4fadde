"""Visit quotas and compliance (SPEC §4): visits.selectors.compliance, with hand-counted months.

Calendars used here:

    December 2026                          February 2027 (four whole ISO weeks)
    W49  Mo30(Nov) Tu1 We2 Th3 Fr4 Sa5 Su6   W05  Mo1  … Su7
    W50  Mo7  … Fr11 Sa12 Su13               W06  Mo8  … Su14
    W51  Mo14 … Fr18 Sa19 Su20               W07  Mo15 … Su21
    W52  Mo21 … Fr25 Sa26 Su27               W08  Mo22 … Su28
    W53  Mo28 Tu29 We30 Th31 Fr1(Jan) Sa2 Su3

December 2026 has 23 working days (Mon–Fri): 4 + 5 + 5 + 5 + 4; February 2027 has 20.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from channelhub.periods import Month
from partners.models import Dealer
from tests.visits.world import at, log, set_status
from visits.models import Quota, Visit
from visits.selectors.compliance import (
    EffectiveQuota,
    compliance_for,
    quota_for,
    quotas_for,
    rep_compliance,
    team_compliance,
)

DECEMBER = Month(2026, 12)
JANUARY = Month(2027, 1)
FEBRUARY = Month(2027, 2)
AFTER_DECEMBER = date(2027, 1, 10)  # every day and week of December 2026 is over
AFTER_FEBRUARY = date(2027, 3, 1)


def visits(rep, day: date, *dealers, status: str = Visit.Status.SUBMITTED) -> list[Visit]:
    """One visit per dealer on ``day`` (10:00, 10:30, … local), then set to ``status``."""
    logged = [
        log(rep, dealer, at(day.year, day.month, day.day, 10 + n // 2, 30 * (n % 2)))
        for n, dealer in enumerate(dealers)
    ]
    if status != Visit.Status.SUBMITTED:
        set_status(logged, status)
    return logged


@pytest.fixture
def december(d, rep):
    """rep's December 2026, counted by hand in the tests below."""
    a = [None] + [d[f"A{n}"] for n in range(1, 10)]  # a[1] … a[9]
    # W49 — Nov 30 is November but its week is December's
    visits(rep, date(2026, 11, 30), a[1], a[2])
    visits(rep, date(2026, 12, 1), a[3], a[4])
    visits(rep, date(2026, 12, 2), a[5], a[6])
    visits(rep, date(2026, 12, 3), a[7], a[8])
    visits(rep, date(2026, 12, 4), a[9])  # one visit: below the daily minimum
    visits(rep, date(2026, 12, 5), a[1])  # Saturday: no daily minimum
    # W50 — two a day, but always the same two dealers
    for day in range(7, 12):
        visits(rep, date(2026, 12, day), a[1], a[2])
    # W51 — nothing at all
    # W52
    visits(rep, date(2026, 12, 21), a[1], a[2])
    visits(rep, date(2026, 12, 21), d["NOPOS"], status=Visit.Status.FALSE_REPORT)
    visits(rep, date(2026, 12, 22), a[1])
    visits(rep, date(2026, 12, 22), a[2], status=Visit.Status.FABRICATED)
    # W53 — seven dealers in December, the eighth on Friday Jan 1
    visits(rep, date(2026, 12, 28), a[1], a[2])
    visits(rep, date(2026, 12, 29), a[3], a[4])
    visits(rep, date(2026, 12, 30), a[5], a[6])
    visits(rep, date(2026, 12, 31), a[7], a[1])
    visits(rep, date(2027, 1, 1), a[8])
    return d


# --- quotas -------------------------------------------------------------------------------------------


def test_default_quota_is_2_a_day_8_dealers_a_week_30_a_month(rep):
    assert quota_for(rep) == EffectiveQuota(daily_min=2, weekly_unique_min=8, monthly_min=30)


def test_defaults_come_from_settings(rep, settings):
    settings.VISIT_QUOTA_DAILY_MIN = 3
    settings.VISIT_QUOTA_WEEKLY_UNIQUE_MIN = 10
    settings.VISIT_QUOTA_MONTHLY_MIN = 40
    assert quota_for(rep) == EffectiveQuota(3, 10, 40)


def test_a_reps_own_quota_overrides_field_by_field(rep, rep_peer, other_rep):
    Quota.objects.create(rep=rep, daily_min=3, weekly_unique_min=None, monthly_min=45)
    Quota.objects.create(rep=rep_peer, daily_min=None, weekly_unique_min=None, monthly_min=None)
    assert quotas_for([rep.pk, rep_peer.pk, other_rep.pk]) == {
        rep.pk: EffectiveQuota(daily_min=3, weekly_unique_min=8, monthly_min=45),  # 8 from the default
        rep_peer.pk: EffectiveQuota(2, 8, 30),  # an empty override is the default
        other_rep.pk: EffectiveQuota(2, 8, 30),  # no override at all
    }


def test_a_zero_override_is_an_override_not_a_fallback(rep):
    Quota.objects.create(rep=rep, daily_min=0, weekly_unique_min=0, monthly_min=0)
    assert quota_for(rep) == EffectiveQuota(0, 0, 0)


def test_quotas_for_many_reps_is_one_query(rep, rep_peer, other_rep, django_assert_num_queries):
    Quota.objects.create(rep=rep, monthly_min=20)
    with django_assert_num_queries(1):
        quotas = quotas_for([rep.pk, rep_peer.pk, other_rep.pk])
    assert [quotas[r.pk].monthly_min for r in (rep, rep_peer, other_rep)] == [20, 30, 30]


# --- a whole month, counted by hand ---------------------------------------------------------------------


def test_december_visits_counted_and_shortfall(december, rep):
    c = rep_compliance(rep, DECEMBER, as_of=AFTER_DECEMBER)
    # counted in Dec 1–31: W49 2+2+2+1+1 = 8, W50 5×2 = 10, W51 0, W52 2+1 = 3, W53 2+2+2+2 = 8
    # → 8 + 10 + 0 + 3 + 8 = 29 (Nov 30 and Jan 1 are other months; false/fabricated don't count)
    assert c.visits_counted == 29
    assert c.shortfall == 1  # max(0, 30 − 29)
    assert c.false_reports == 1
    assert c.fabricated_reports == 1
    assert (c.daily_min, c.weekly_unique_min, c.monthly_min) == (2, 8, 30)
    assert c.compliant is False


def test_december_distinct_dealers(december, rep):
    # A1 … A9 were all visited (counted) in December; NOPOS only in a false report → 9, not 10
    assert rep_compliance(rep, DECEMBER, as_of=AFTER_DECEMBER).distinct_dealers == 9


def test_december_days_below_the_daily_minimum(december, rep):
    c = rep_compliance(rep, DECEMBER, as_of=AFTER_DECEMBER)
    # working days with < 2 counted visits:
    #   Dec 4 (1)                              → 1
    #   Dec 14, 15, 16, 17, 18 (0)             → 5
    #   Dec 22 (1 counted + 1 fabricated)      → 1
    #   Dec 23, 24, 25 (0)                     → 3
    # Dec 21 has 2 counted (+1 false): fine. Saturday Dec 5 and the empty weekends are not working days.
    assert c.working_days == 23
    assert c.days_below_daily_min == 1 + 5 + 1 + 3 == 10


def test_december_weeks_include_week_53_with_its_january_days(december, rep):
    c = rep_compliance(rep, DECEMBER, as_of=AFTER_DECEMBER)
    assert [(w.label, w.week_start, w.visits, w.distinct_dealers, w.below) for w in c.weeks] == [
        # Nov 30: 2, Dec 1–3: 6, Dec 4: 1, Dec 5: 1 → 10 visits; A1 … A9 → 9 ≥ 8
        ("2026-W49", date(2026, 11, 30), 10, 9, False),
        # 5 × 2 = 10 visits, but only A1, A2 → 2 < 8
        ("2026-W50", date(2026, 12, 7), 10, 2, True),
        ("2026-W51", date(2026, 12, 14), 0, 0, True),
        # counted: Dec 21 A1 A2, Dec 22 A1 → 3 visits, 2 dealers
        ("2026-W52", date(2026, 12, 21), 3, 2, True),
        # Dec 28–31: 8 visits at A1 … A7, Jan 1: A8 → 9 visits, 8 dealers: not below thanks to Jan 1
        ("2026-W53", date(2026, 12, 28), 9, 8, False),
    ]
    assert c.weeks_below_weekly_min == 3


def test_week_53_is_not_a_week_of_january(december, rep):
    c = rep_compliance(rep, JANUARY, as_of=date(2027, 2, 1))
    assert [w.label for w in c.weeks] == ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]
    # Jan 1's visit (A8) counts for January's totals, not for any January week
    assert c.visits_counted == 1
    assert c.distinct_dealers == 1
    assert [w.visits for w in c.weeks] == [0, 0, 0, 0]
    assert c.weeks_below_weekly_min == 4
    # January 2027 working days: Fri Jan 1 + 4 × 5 = 21, every one below 2 visits
    assert (c.working_days, c.days_below_daily_min) == (21, 21)
    assert c.shortfall == 29  # 30 − 1


def test_november_counts_nov_30_but_not_its_week(december, rep):
    c = rep_compliance(rep, Month(2026, 11), as_of=AFTER_DECEMBER)
    assert c.visits_counted == 2  # A1, A2 on Nov 30
    assert [w.week_start for w in c.weeks][-1] == date(2026, 11, 23)  # Nov 30's week is December's
    assert [w.visits for w in c.weeks] == [0, 0, 0, 0]


# --- as_of: what is not over yet is not below ------------------------------------------------------------


def test_days_from_as_of_on_are_not_below(december, rep):
    # as of Wednesday Dec 16: Dec 4 (1 visit), Dec 14 and 15 (none) are below; Dec 16 itself is not over
    assert rep_compliance(rep, DECEMBER, as_of=date(2026, 12, 16)).days_below_daily_min == 3


def test_a_week_that_is_not_over_is_not_below(december, rep):
    # as of Sunday Dec 13 the week Dec 7–13 (2 dealers) is not over yet; W49 (9 dealers) is fine
    on_sunday = rep_compliance(rep, DECEMBER, as_of=date(2026, 12, 13))
    assert [(w.over, w.below) for w in on_sunday.weeks[:2]] == [(True, False), (False, False)]
    assert on_sunday.weeks_below_weekly_min == 0
    # as of Monday Dec 14 it is over, and below; W51 (empty so far) is not over
    on_monday = rep_compliance(rep, DECEMBER, as_of=date(2026, 12, 14))
    assert [(w.over, w.below) for w in on_monday.weeks] == [
        (True, False),
        (True, True),
        (False, False),
        (False, False),
        (False, False),
    ]
    assert on_monday.weeks_below_weekly_min == 1


def test_as_of_defaults_to_today(d, rep):
    this_month = Month.current()
    c = rep_compliance(rep, this_month)
    today = timezone.localdate()
    expected_days = sum(1 for day in this_month.days() if day.isoweekday() <= 5 and day < today)
    assert c.days_below_daily_min == expected_days  # no visits at all: every working day so far


# --- quotas applied ---------------------------------------------------------------------------------------


def test_a_reps_quota_changes_the_figures(december, rep):
    Quota.objects.create(rep=rep, daily_min=1, weekly_unique_min=None, monthly_min=25)
    c = rep_compliance(rep, DECEMBER, as_of=AFTER_DECEMBER)
    # daily minimum 1: Dec 4 and Dec 22 (one counted visit each) are now fine → 10 − 2 = 8
    assert c.days_below_daily_min == 8
    assert c.weeks_below_weekly_min == 3  # weekly minimum still the default 8
    assert c.shortfall == 0  # max(0, 25 − 29)


def test_saturday_as_a_working_day(december, rep, settings):
    settings.VISIT_WORKING_DAYS = (1, 2, 3, 4, 5, 6)
    c = rep_compliance(rep, DECEMBER, as_of=AFTER_DECEMBER)
    # + Saturdays Dec 5 (1 visit), 12, 19, 26 (none): 23 + 4 = 27 working days, 10 + 4 = 14 below
    assert (c.working_days, c.days_below_daily_min) == (27, 14)


def test_a_compliant_month(d, rep):
    Quota.objects.create(rep=rep, daily_min=0, weekly_unique_min=2, monthly_min=8)
    for monday in FEBRUARY.weeks():  # Feb 1, 8, 15, 22
        visits(rep, monday, d["A1"], d["A2"])
    c = rep_compliance(rep, FEBRUARY, as_of=AFTER_FEBRUARY)
    # 4 weeks × 2 = 8 visits ≥ 8; 2 dealers a week ≥ 2; no daily minimum
    assert (c.visits_counted, c.shortfall, c.days_below_daily_min, c.weeks_below_weekly_min) == (8, 0, 0, 0)
    assert c.compliant is True


# --- the month boundary is the local date ------------------------------------------------------------------


def test_visits_count_in_the_month_of_their_local_date(d, rep):
    log(rep, d["A1"], at(2026, 12, 31, 23, 59))
    log(rep, d["A2"], at(2027, 1, 1, 0, 1))
    log(rep, d["A3"], datetime(2026, 11, 30, 16, 30, tzinfo=UTC))  # Dec 1 00:30 in Shanghai
    december, january = (rep_compliance(rep, m, as_of=AFTER_FEBRUARY) for m in (DECEMBER, JANUARY))
    assert (december.visits_counted, january.visits_counted) == (2, 1)
    assert rep_compliance(rep, Month(2026, 11), as_of=AFTER_FEBRUARY).visits_counted == 0


# --- a team ---------------------------------------------------------------------------------------------------


@pytest.fixture
def february(d, rep, rep_peer):
    visits(rep, date(2027, 2, 1), d["A1"], d["A2"])
    visits(rep, date(2027, 2, 2), d["A3"])
    visits(rep, date(2027, 2, 3), d["A4"], status=Visit.Status.FALSE_REPORT)
    visits(rep_peer, date(2027, 2, 1), d["P1"])
    # A1 is handed over to rep_peer, who visits it too: the team visited A1 twice, one dealer
    Dealer.objects.filter(pk=d["A1"].pk).update(owner=rep_peer)
    d["A1"].refresh_from_db()
    visits(rep_peer, date(2027, 2, 2), d["A1"])
    visits(rep_peer, date(2027, 2, 4), d["P1"], status=Visit.Status.FABRICATED)
    return d


def test_each_reps_figures_in_the_given_order(february, rep, rep_peer):
    peer, mine = compliance_for([rep_peer, rep], FEBRUARY, as_of=AFTER_FEBRUARY)
    assert (mine.rep_id, peer.rep_id) == (rep.pk, rep_peer.pk)
    # rep: A1, A2, A3 counted (A4 false) → 3 visits, 3 dealers; Feb 1 ok, other 19 working days below
    assert (mine.visits_counted, mine.distinct_dealers, mine.false_reports, mine.fabricated_reports) == (3, 3, 1, 0)
    assert (mine.days_below_daily_min, mine.weeks_below_weekly_min, mine.shortfall) == (19, 4, 27)
    # rep_peer: P1, A1 counted (P1 on Feb 4 fabricated) → 2 visits, 2 dealers; never 2 a day → 20 below
    assert (peer.visits_counted, peer.distinct_dealers, peer.false_reports, peer.fabricated_reports) == (2, 2, 0, 1)
    assert (peer.days_below_daily_min, peer.weeks_below_weekly_min, peer.shortfall) == (20, 4, 28)


def test_team_totals_count_distinct_dealers_across_the_team(february, rep, rep_peer, other_rep):
    team = team_compliance([rep, rep_peer, other_rep], FEBRUARY, as_of=AFTER_FEBRUARY)
    assert team.period == "2027-02"
    assert [row.rep_id for row in team.reps] == [rep.pk, rep_peer.pk, other_rep.pk]
    assert team.visits_counted == 3 + 2 + 0
    # A1, A2, A3 (rep) ∪ P1, A1 (rep_peer) = {A1, A2, A3, P1} → 4, not 3 + 2 = 5
    assert team.distinct_dealers == 4
    assert team.shortfall == 27 + 28 + 30
    assert (team.false_reports, team.fabricated_reports) == (1, 1)
    assert team.days_below_daily_min == 19 + 20 + 20
    assert team.weeks_below_weekly_min == 4 + 4 + 4


def test_an_empty_team(db):
    team = team_compliance([], FEBRUARY, as_of=AFTER_FEBRUARY)
    assert (team.reps, team.visits_counted, team.distinct_dealers, team.shortfall) == ([], 0, 0, 0)


# --- a fixed number of queries ------------------------------------------------------------------------------------


def test_compliance_takes_four_queries_for_one_rep_or_many(
    december, rep, rep_peer, other_rep, django_assert_num_queries
):
    # 1 quotas, 2 visits per rep and day, 3 distinct dealers per rep and ISO week, 4 distinct dealers per rep
    with django_assert_num_queries(4):
        [alone] = compliance_for([rep], DECEMBER, as_of=AFTER_DECEMBER)
    visits(rep_peer, date(2026, 12, 1), december["P1"])
    with django_assert_num_queries(4):
        rows = compliance_for([rep, rep_peer, other_rep], DECEMBER, as_of=AFTER_DECEMBER)
    assert rows[0].visits_counted == alone.visits_counted == 29
    assert [row.visits_counted for row in rows[1:]] == [1, 0]


def test_the_number_of_queries_does_not_grow_with_visits(d, rep, django_assert_num_queries):
    with django_assert_num_queries(4):
        compliance_for([rep], DECEMBER, as_of=AFTER_DECEMBER)
    for day in range(1, 11):
        visits(rep, date(2026, 12, day), d["A1"], d["A2"], d["A3"])
    with django_assert_num_queries(4):
        [c] = compliance_for([rep], DECEMBER, as_of=AFTER_DECEMBER)
    assert c.visits_counted == 30  # 10 days × 3


def test_team_compliance_adds_one_query_for_the_team_distinct_dealers(
    february, rep, rep_peer, other_rep, django_assert_num_queries
):
    with django_assert_num_queries(5):
        team_compliance([rep, rep_peer, other_rep], FEBRUARY, as_of=AFTER_FEBRUARY)


def test_week_figures_do_not_leak_between_reps(february, rep, rep_peer):
    mine, peer = compliance_for([rep, rep_peer], FEBRUARY, as_of=AFTER_FEBRUARY)
    # week of Feb 1: rep A1 A2 A3 (3 visits); rep_peer P1, A1 (2 counted; the fabricated one not)
    assert (mine.weeks[0].visits, mine.weeks[0].distinct_dealers) == (3, 3)
    assert (peer.weeks[0].visits, peer.weeks[0].distinct_dealers) == (2, 2)
    assert [w.week_start for w in mine.weeks] == [date(2027, 2, 1) + timedelta(weeks=n) for n in range(4)]
