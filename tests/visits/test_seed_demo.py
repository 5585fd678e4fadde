"""The demo visits of SPEC §10: a rep's days are drawn the same whenever they are drawn. What the seeded demo
holds, that seeding twice adds and changes nothing, and that a later run adds only the days since:
``tests/test_seed_demo.py``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channelhub.periods import week_start
from partners.models import Dealer
from visits.demo import _Rep, _week


def test_a_reps_days_are_the_same_whenever_they_are_drawn():
    dealers = [Dealer(pk=n, code=f"D{n}", status=Dealer.Status.ACTIVE) for n in range(1, 11)]

    def rep():
        return _Rep("rep1", None, None, dealers, [3] * 10, pace=33, flag_rate=0.03)

    monday = week_start(timezone.localdate())
    first, second = rep(), rep()
    later_week = _week(first, monday + timedelta(days=7))
    this_week = _week(first, monday)
    assert _week(second, monday) == this_week
    assert _week(second, monday + timedelta(days=7)) == later_week
