"""The demo partner network of SPEC §10: the same plan every time, over the demo's own rows whatever the day.
What the seeded demo holds, and that seeding twice adds and changes nothing: ``tests/test_seed_demo.py``."""

from __future__ import annotations

from datetime import date

from partners.demo import _Planner, demo_dealer_codes, demo_territory_codes
from partners.models import Territory


def test_the_plan_is_the_same_every_time():
    today = date(2026, 11, 22)
    assert _Planner(today).plan() == _Planner(today).plan()


def test_the_demo_knows_its_own_rows_whatever_the_day():
    """The demo draws among its own dealers, cities and agreements (``demo_*``): their codes and how many
    agreements each dealer gets are the same whichever day the plan is made."""
    plans = {day: _Planner(day).plan() for day in (date(2026, 1, 1), date(2026, 11, 22), date(2027, 12, 31))}
    for plan in plans.values():
        assert [dealer.code for dealer in plan] == demo_dealer_codes()
        assert {dealer.territory for dealer in plan} == set(demo_territory_codes(Territory.Level.CITY))
    counts = {
        day: [sum(1 + a.renewals + a.renewal_draft for a in dealer.agreements) for dealer in plan]
        for day, plan in plans.items()
    }
    assert len(set(map(tuple, counts.values()))) == 1
    assert len(demo_territory_codes()) == 1 + 3 + 9 + len(demo_territory_codes(Territory.Level.CITY))
