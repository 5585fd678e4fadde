"""The demo (``seed_demo``, SPEC §10) seeded on another day, and again next to the users' own rows: it
changes nothing that exists. The demo seeded twice on an empty database is checked once for every app in
``tests/test_seed_demo.py``."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from channelhub.accounts.demo import seed_users
from channelhub.accounts.services import user_create
from channelhub.periods import Month, week_start
from channelhub.roles import Role
from commissions.models import Statement
from commissions.services.plans import plan_create
from commissions.services.runs import run_start
from kpi import demo as kpi_demo
from kpi.models import Period, SalesRecord
from kpi.services.facts import facts_record
from kpi.services.targets import target_propose
from partners.demo import demo_dealer_codes
from partners.models import Agreement, Dealer, ProductLine, Territory
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from partners.services.territories import territory_create
from tests.demo import changed_rows, clock_at, rollups_agree, seed, snapshot
from visits import demo as visits_demo
from visits.models import Visit
from visits.services.plans import plan_create as week_plan_create
from visits.services.visits import visit_log

User = get_user_model()


# --- idempotent next to the users' own rows, on any day -------------------

REVIEW = [
    {"criterion": "business_licence", "weight": 20, "score": 90},
    {"criterion": "financial_standing", "weight": 30, "score": 80},
    {"criterion": "sales_network", "weight": 20, "score": 75},
    {"criterion": "warehouse", "weight": 15, "score": 85},
    {"criterion": "references", "weight": 15, "score": 70},
]


@pytest.mark.parametrize("moment", [(date(2027, 1, 1), time(0, 20)), (date(2026, 12, 31), time(23, 40))])
def test_seeding_works_whatever_the_day(db, moment):
    """The year's last and first minutes: 12 months back, next month's targets and last month's statements
    all cross a year."""
    with clock_at(timezone.make_aware(datetime.combine(*moment))):
        seed()
        last = str(Month.current().previous())
        first = snapshot()
        seed()
        assert snapshot() == first
    assert set(Statement.objects.values_list("period", flat=True)) == {last}


def _users_add_their_own_rows(demo, today: date) -> dict:
    """What people do through the services between two runs of ``make run``; answers what they made."""
    manager1, rep1, rep5, finance = demo["manager1"], demo["rep1"], demo["rep5"], demo["finance"]
    months = kpi_demo._months(today)
    mine: dict = {}
    # a territory, and a region given to a demo manager
    mine["territory"] = territory_create(code="JS-CZ", name="常州", parent=Territory.objects.get(code="JS"))
    mine["region"] = territory_create(code="WEST", name="华西", parent=Territory.objects.get(code="CN"))
    manager1.profile.territories.add(mine["region"])
    # a dealer in a demo city, owned by a demo rep, its code among the demo's (JS002 < JS002A < JS003)
    nanjing, kitchen = Territory.objects.get(code="JS-NJ"), ProductLine.objects.get(code="kitchen")
    dealer = dealer_services.dealer_create(
        actor=manager1,
        code="JS002A",
        name="南京新街口电器",
        legal_name="南京新街口电器有限公司",
        kind=Dealer.Kind.DEALER,
        tier=Dealer.Tier.STANDARD,
        territory=nanjing,
        owner=rep1,
        latitude=Decimal("32.041000"),
        longitude=Decimal("118.784000"),
        product_lines=[kitchen],
    )
    dealer_services.dealer_submit_review(actor=manager1, dealer=dealer, items=REVIEW)
    dealer_services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit="200000.00")
    mine["dealer"] = dealer
    # signed agreements over the demo's months: the new dealer's, and another one of a demo dealer's
    demo_dealer = (
        Dealer.objects.filter(owner=rep1, status=Dealer.Status.ACTIVE, code__in=demo_dealer_codes())
        .order_by("code")
        .first()
    )
    terms = {
        "kind": Agreement.Kind.ANNUAL_DISTRIBUTION,
        "start_date": months[0].first_day,
        "end_date": months[0].first_day + timedelta(days=540),
        "exclusive": False,
        "annual_sales_target": Decimal("1200000.00"),
        "payment_terms_days": 30,
        "deposit_amount": Decimal("0.00"),
    }
    mine["agreements"] = []
    for holder in (dealer, demo_dealer):
        agreement = agreement_services.agreement_create(
            actor=manager1, dealer=holder, product_lines=[kitchen], territory=holder.territory, **terms
        )
        agreement_services.agreement_submit(actor=manager1, agreement=agreement)
        mine["agreements"].append(agreement_services.agreement_sign(actor=manager1, agreement=agreement))
    # facts in the demo's months, for a demo dealer and rep, for the new dealer (one shipped to the new
    # city: a channel conflict), and for rep5 in the first month (before rep5's demo sales begin)
    rep5_dealer = Dealer.objects.filter(owner=rep5, code__in=demo_dealer_codes()).order_by("code").first()
    day = months[1].first_day + timedelta(days=9)
    sales = [
        {"reference": "INV-2026-0001", "date": day, "amount": "18000.00", "dealer": demo_dealer.pk, "rep": rep1.pk},
        {"reference": "INV-2026-0002", "date": day, "amount": "9000.00", "dealer": dealer.pk, "ship_to": "JS-CZ"},
        {"reference": "INV-2026-0003", "date": months[0].first_day, "amount": "5000.00", "dealer": rep5_dealer.pk},
    ]
    facts_record(actor=finance, kind="sales", items=sales)
    facts_record(
        actor=finance,
        kind="collections",
        items=[{"reference": "RC-2026-0001", "date": day, "amount": "12000.00", "dealer": demo_dealer.pk}],
    )
    facts_record(
        actor=finance,
        kind="expenses",
        items=[{"reference": "EX-2026-0001", "date": day, "amount": "800.00", "dealer": dealer.pk}],
    )
    # a week plan (a week the demo does not plan), a visit, a target
    monday = week_start(today) + timedelta(weeks=3)
    mine["plan"] = week_plan_create(rep=rep1, week_start=monday, items=[{"dealer": dealer, "planned_date": monday}])
    mine["visit"], _created = visit_log(
        rep=rep1, dealer=dealer, visited_at=timezone.now() - timedelta(minutes=30), kind="maintenance", purpose="首访"
    )
    mine["target"] = target_propose(
        actor=rep1, rep=rep1, period=str(Month.of(today).next().next()), sales_target="700000.00"
    )
    # a newcomer on a plan of their own, whose manager runs last month for the team (a draft statement),
    # and finance's run of an earlier demo month for everyone
    boss = user_create(username="manager9", password=None, name="周海", roles=[Role.CHANNEL_MANAGER])
    newcomer = user_create(username="rep9", password=None, name="吴新", roles=[Role.FIELD_REP], manager=boss)
    last = Month.of(today).previous()
    plan_create(
        name="新人提成",
        base="net_sales",
        tier_mode="flat",
        tiers=[{"from_amount": "0.00", "rate": "1.00"}],
        assignments=[{"rep": newcomer, "start_date": last.first_day, "end_date": None}],
    )
    run_start(actor=boss, period=str(last))
    run_start(actor=finance, period=str(months[-4]))
    mine["newcomer"] = newcomer
    return mine


def test_seeding_again_keeps_the_users_rows_and_the_demos_as_they_are(db, django_capture_on_commit_callbacks):
    """First seeded on the 20th of last month; people add their own rows; ``make run`` today adds the days
    since and changes nothing that exists — neither the demo's rows nor the users'."""
    today = timezone.localdate()
    last = Month.of(today).previous()
    with clock_at(timezone.make_aware(datetime.combine(last.first_day.replace(day=20), time(10)))):
        seed()
    demo = seed_users()
    reps = {name: demo[name] for name in kpi_demo.PROFILES}
    months = kpi_demo._months(today)
    planned = kpi_demo._facts(reps, months, today)
    pools = {rep.username: rep.dealers for rep in visits_demo._reps(demo)}

    with django_capture_on_commit_callbacks(execute=True):
        mine = _users_add_their_own_rows(demo, today)
    # what the demo draws does not depend on rows it did not make
    assert kpi_demo._facts(reps, months, today) == planned
    assert {rep.username: rep.dealers for rep in visits_demo._reps(demo)} == pools

    before = snapshot()
    seed()  # raised "单据号 … 已录入，但内容不同" before
    after = snapshot()
    assert changed_rows(before, after) == {}
    assert rollups_agree()  # the users' rows and the days since, counted once each
    # the demo added the days since the 20th of last month, and last month's run — for its own reps only
    assert len(after["visits.Visit"]) > len(before["visits.Visit"])
    assert Statement.objects.filter(period=str(last), rep__username__in=kpi_demo.PROFILES).count() == 6
    assert Statement.objects.filter(period=str(last), rep=mine["newcomer"]).count() == 1
    assert not Visit.objects.filter(dealer=mine["dealer"]).exclude(pk=mine["visit"].pk).exists()
    assert not SalesRecord.objects.filter(dealer=mine["dealer"]).exclude(reference="INV-2026-0002").exists()
    assert mine["region"].profiles.filter(user__username="manager1").exists()
    # and a run on the same day changes nothing at all
    seed()
    assert snapshot() == after


def test_seeding_again_writes_nothing_into_a_month_closed_since(db):
    """First seeded on the 20th of last month, which finance has closed since: the days after the 20th
    are not filled in, and there is no run of it — and the seed does not stop."""
    today = timezone.localdate()
    last = Month.of(today).previous()
    with clock_at(timezone.make_aware(datetime.combine(last.first_day.replace(day=20), time(10)))):
        seed()
    Period.objects.update_or_create(code=str(last), defaults={"status": Period.Status.CLOSED})
    before = snapshot()
    seed()
    assert changed_rows(before, snapshot()) == {}
    span = (last.first_day.replace(day=20), last.last_day)
    assert not SalesRecord.objects.filter(date__range=span).exists()
    assert not Visit.objects.filter(visited_on__range=span).exists()
    assert not Statement.objects.filter(period=str(last)).exists()
