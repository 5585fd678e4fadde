"""channelhub.periods: months (YYYY-MM), ISO weeks and local dates in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from channelhub.periods import Month, iso_week_label, local_date, parse_iso_week, week_start

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- Month.parse ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-07", Month(2026, 7)),
        ("2026-12", Month(2026, 12)),
        ("2027-01", Month(2027, 1)),
        (" 2026-07 ", Month(2026, 7)),
    ],
)
def test_month_parse_reads_yyyy_mm(text, expected):
    assert Month.parse(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-7", "26-07", "2026/07", "2026-07-01", "", None, "July"])
def test_month_parse_refuses_anything_else(text):
    with pytest.raises(ValidationError):
        Month.parse(text)


def test_month_prints_as_it_is_parsed():
    assert str(Month(2026, 7)) == "2026-07"
    assert str(Month.parse("2027-01")) == "2027-01"


def test_month_of_a_date():
    assert Month.of(date(2026, 12, 31)) == Month(2026, 12)


def test_months_order_by_year_then_month():
    assert Month(2026, 12) < Month(2027, 1) < Month(2027, 2)
    assert sorted([Month(2027, 1), Month(2026, 2), Month(2026, 11)]) == [
        Month(2026, 2),
        Month(2026, 11),
        Month(2027, 1),
    ]


# --- days of a month -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (Month(2026, 2), date(2026, 2, 28)),
        (Month(2028, 2), date(2028, 2, 29)),  # 2028 is a leap year
        (Month(2026, 4), date(2026, 4, 30)),
        (Month(2026, 12), date(2026, 12, 31)),
    ],
)
def test_month_first_and_last_day(month, last):
    assert month.first_day == date(month.year, month.month, 1)
    assert month.last_day == last
    assert len(month.days()) == last.day
    assert month.days()[0] == month.first_day and month.days()[-1] == last


def test_previous_and_next_cross_the_year():
    assert Month(2027, 1).previous() == Month(2026, 12)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 7).previous() == Month(2026, 6)
    assert Month(2026, 7).next() == Month(2026, 8)


# --- weeks of a month: the ISO week belongs to the month holding its Thursday ----------------------


def test_weeks_of_december_2026_include_the_week_53_that_ends_in_january():
    # Dec 1 2026 is a Tuesday: its week (Nov 30 … Dec 6) has Thursday Dec 3 → December.
    # Dec 28 … Jan 3 (2026-W53) has Thursday Dec 31 → December too.
    assert Month(2026, 12).weeks() == [
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
        date(2026, 12, 28),
    ]


def test_weeks_of_january_2027_start_after_the_week_53():
    # Jan 1 2027 is a Friday: Jan 1–3 belong to 2026-W53 (December). The first January week
    # starts Monday Jan 4 (Thursday Jan 7); the last starts Jan 25 (Thursday Jan 28; Feb 4 is February).
    assert Month(2027, 1).weeks() == [date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 18), date(2027, 1, 25)]


def test_weeks_of_november_2026_leave_the_last_days_to_december():
    # Nov 1 2026 is a Sunday (its week's Thursday is Oct 29 → October); Nov 30's week → December.
    assert Month(2026, 11).weeks() == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)]


def test_weeks_of_october_2026_take_the_week_starting_in_september():
    # Oct 1 2026 is a Thursday: the week Sep 28 … Oct 4 belongs to October.
    assert Month(2026, 10).weeks()[0] == date(2026, 9, 28)
    assert Month(2026, 9).weeks()[-1] == date(2026, 9, 21)


def test_every_iso_week_belongs_to_exactly_one_month():
    mondays = [monday for m in range(1, 13) for monday in Month(2026, m).weeks()]
    # 2026 has 53 ISO weeks (it starts on a Thursday), each counted once.
    assert len(mondays) == len(set(mondays)) == 53
    assert all(monday.weekday() == 0 for monday in mondays)


# --- local dates and ISO weeks -------------------------------------------------------------------


def test_local_date_is_the_shanghai_date():
    # 16:30 UTC on Jun 30 is 00:30 on Jul 1 in Shanghai (UTC+8).
    assert local_date(datetime(2026, 6, 30, 16, 30, tzinfo=UTC)) == date(2026, 7, 1)
    assert local_date(datetime(2026, 6, 30, 15, 59, tzinfo=UTC)) == date(2026, 6, 30)


def test_local_date_splits_new_years_eve_at_local_midnight():
    assert local_date(datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI)) == date(2026, 12, 31)
    assert local_date(datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI)) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)),  # a Monday is its own week start
        (date(2026, 11, 29), date(2026, 11, 23)),  # Sunday
        (date(2027, 1, 1), date(2026, 12, 28)),  # Friday of 2026-W53
        (date(2027, 1, 3), date(2026, 12, 28)),
        (date(2027, 1, 4), date(2027, 1, 4)),
    ],
)
def test_week_start_is_the_monday_of_the_iso_week(day, monday):
    assert week_start(day) == monday


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W53", date(2026, 12, 28)),
        ("2026-W01", date(2025, 12, 29)),  # ISO week 1 holds the year's first Thursday (Jan 1 2026)
        ("2027-W01", date(2027, 1, 4)),
        ("2026-W48", date(2026, 11, 23)),
    ],
)
def test_parse_iso_week_gives_the_monday(text, monday):
    assert parse_iso_week(text) == monday
    assert iso_week_label(monday) == text


@pytest.mark.parametrize("text", ["2027-W53", "2026-W00", "2026-W54", "2026-53", "2026W53", "2026-W5", "", None])
def test_parse_iso_week_refuses_weeks_that_do_not_exist(text):
    # 2027 starts on a Friday and has only 52 ISO weeks.
    with pytest.raises(ValidationError):
        parse_iso_week(text)
