"""The dealer page answers what a manager asks first (SPEC §7): 12 months of
sales and collections against the agreement's target, this month's visits, the open flags, the latest
statements and recordings — figures worked out by hand, each linking to its rows, only from rows the
viewer may see, in a fixed number of queries."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from channelhub.periods import Month
from commissions.services.plans import plan_create
from commissions.services.runs import run_start
from kpi.models import Collection, SalesRecord
from kpi.services.facts import facts_record
from partners.models import Agreement
from partners.selectors import monthly_sales_targets
from tests.partners.world import make_agreement, make_dealer, qualify, signed
from tests.visits.world import log

TODAY = timezone.localdate


def months_back(count: int) -> list[Month]:
    months = [Month.current()]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


@pytest.fixture
def world(covered, lines, manager, finance, rep, other_rep, django_capture_on_commit_callbacks):
    """A dealer of ``rep``'s with a signed agreement (1,200,000.00 a year) over the last 12 months and on,
    facts this month and last, another team's sale at it, two visits this month (one flagged), last
    month's commission run."""
    today = TODAY()
    current, previous = Month.current(), Month.current().previous()
    dealer = make_dealer(manager, covered["SH-SH"], rep, "D1", latitude="31.230400", longitude="121.473700")
    qualify(dealer, manager, finance)
    start = months_back(12)[0].first_day
    agreement = make_agreement(
        manager,
        dealer,
        covered["SH-SH"],
        [lines["kitchen"]],
        start,
        current.last_day + timedelta(days=200),
        annual_sales_target=Decimal("1200000.00"),
    )
    signed(manager, agreement)
    earlier = previous.first_day + timedelta(days=4)
    facts_record(
        actor=finance,
        kind="sales",
        items=[
            {"reference": "S-1", "date": today, "amount": "30000.00", "dealer": dealer.pk},
            {"reference": "S-2", "date": today, "amount": "12500.50", "dealer": dealer.pk},
            {"reference": "S-3", "date": today, "amount": "-2500.50", "dealer": dealer.pk, "note": "退货"},
            {"reference": "S-4", "date": earlier, "amount": "55000.00", "dealer": dealer.pk},
            {"reference": "S-5", "date": earlier, "amount": "1000.00", "dealer": dealer.pk, "ship_to": "GD-GZ"},
        ],
    )
    facts_record(
        actor=finance,
        kind="collections",
        items=[
            {"reference": "R-1", "date": today, "amount": "25000.00", "dealer": dealer.pk},
            {"reference": "R-2", "date": earlier, "amount": "50000.00", "dealer": dealer.pk},
        ],
    )
    # another team's rep's sales at the dealer, recorded later
    facts_record(
        actor=finance,
        kind="sales",
        items=[
            {"reference": "X-1", "date": today, "amount": "99999.00", "dealer": dealer.pk, "rep": other_rep.pk},
            {"reference": "X-2", "date": earlier, "amount": "1000.00", "dealer": dealer.pk, "rep": other_rep.pk},
        ],
    )
    # recorded at known minutes (one batch each), whatever the clock did between the calls
    recorded = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=9)
    SalesRecord.objects.filter(reference__startswith="S-").update(created_at=recorded)
    Collection.objects.update(created_at=recorded + timedelta(minutes=1))
    SalesRecord.objects.filter(reference__startswith="X-").update(created_at=recorded + timedelta(minutes=2))
    now = timezone.now()
    visits = [
        log(rep, dealer, now - timedelta(seconds=5), purpose="季度对账"),
        log(rep, dealer, now - timedelta(seconds=4), purpose="盘点库存", latitude=None, longitude=None),
    ]
    plan_create(
        name="阶梯提成",
        base="net_sales",
        tier_mode="flat",
        tiers=[{"from_amount": "0.00", "rate": "2.00"}],
        assignments=[{"rep": person, "start_date": start, "end_date": None} for person in (rep, other_rep)],
    )
    with django_capture_on_commit_callbacks(execute=True):
        run_start(actor=finance, period=str(previous))
    return {"dealer": dealer, "visits": visits, "current": current, "previous": previous, "earlier": earlier}


def page(client, dealer):
    return client.get(reverse("partners:dealer-detail", args=[dealer.pk]))


# --- the figures, by hand ------------------------------------------------------------------------------


def test_twelve_months_of_sales_and_collections_against_the_agreements_target(page_as, manager, world):
    response = page(page_as(manager), world["dealer"])
    overview = response.context["overview"]
    months = overview.months
    assert [str(row.month) for row in months] == [str(month) for month in months_back(12)]
    # 1,200,000.00 a year over whole months: 100,000.00 each
    assert {row.sales_target for row in months} == {Decimal("100000.00")}
    current, previous = months[-1], months[-2]
    assert current.net_sales == Decimal("40000.00")  # 30,000.00 + 12,500.50 − 2,500.50
    assert current.collections == Decimal("25000.00")
    assert current.sales_achievement == Decimal("40.00")
    assert previous.net_sales == Decimal("56000.00")  # 55,000.00 + 1,000.00 (the conflict counts as a sale)
    assert previous.collections == Decimal("50000.00")
    assert previous.sales_achievement == Decimal("56.00")
    assert all(row.net_sales == row.collections == Decimal("0.00") for row in months[:-2])
    chart = response.context["sales_chart"]
    assert chart["labels"][-1] == str(world["current"])
    assert [dataset["data"][-1] for dataset in chart["datasets"]] == [40000.0, 25000.0, 100000.0]
    assert chart["datasets"][2]["type"] == "line"
    body = response.content.decode()
    data = json.loads(body.split('id="dealer-sales-chart-data" type="application/json">')[1].split("</script>")[0])
    assert data == json.loads(json.dumps(chart))
    assert 'id="dealer-sales-chart"' in body and "js/dashboard_charts.js" in body


def test_this_months_visits_open_flags_statements_and_recordings(page_as, manager, world):
    overview = page(page_as(manager), world["dealer"]).context["overview"]
    assert overview.visit_count == 2
    assert [visit.purpose for visit in overview.visits] == ["盘点库存", "季度对账"]  # newest first
    assert overview.open_flagged_visits == 1  # the one without a position
    assert overview.conflicts == 1
    assert [(s.rep.username, s.period) for s in overview.statements] == [("rep_a1", str(world["previous"]))]
    assert [(r.kind, r.rows, r.amount, r.first_date, r.last_date) for r in overview.recordings] == [
        ("collections", 2, Decimal("75000.00"), world["earlier"], TODAY()),
        ("sales", 5, Decimal("96000.00"), world["earlier"], TODAY()),
    ]
    assert overview.recordings[0].recorded_by.username == "finance"


def test_the_month_is_targeted_by_the_days_an_agreement_covers():
    """annual / 12 for a whole month; a month an agreement starts or ends in gets its days' share."""

    def agreement(start, end, target, status=Agreement.Status.SIGNED):
        return Agreement(start_date=start, end_date=end, annual_sales_target=Decimal(target), status=status)

    agreements = [
        agreement(date(2026, 3, 16), date(2026, 6, 15), "1200000.00"),
        agreement(date(2026, 6, 16), date(2027, 6, 15), "2400000.00"),
        agreement(date(2026, 1, 1), date(2026, 12, 31), "9999999.00", status=Agreement.Status.DRAFT),
    ]
    months = [Month(2026, 2), Month(2026, 3), Month(2026, 4), Month(2026, 6)]
    assert monthly_sales_targets(agreements, months) == [
        None,  # no signed agreement (the draft does not count)
        Decimal("51612.90"),  # 100,000.00 × 16 / 31
        Decimal("100000.00"),
        Decimal("150000.00"),  # 100,000.00 × 15 / 30 + 200,000.00 × 15 / 30
    ]


# --- scope ---------------------------------------------------------------------------------------------


def test_another_teams_facts_are_never_counted(page_as, manager, finance, rep, world):
    for viewer in (manager, rep):
        overview = page(page_as(viewer), world["dealer"]).context["overview"]
        assert overview.current.net_sales == Decimal("40000.00")
        assert len(overview.recordings) == 2  # not the other team's sale
        assert {s.rep.username for s in overview.statements} == {"rep_a1"}
    overview = page(page_as(finance), world["dealer"]).context["overview"]
    assert overview.current.net_sales == Decimal("139999.00")  # finance sees every sale
    assert overview.months[-2].net_sales == Decimal("57000.00")
    assert [(s.rep.username, s.period) for s in overview.statements] == [
        ("rep_a1", str(world["previous"])),
        ("rep_b1", str(world["previous"])),
    ]
    assert [(r.kind, r.rows) for r in overview.recordings] == [("sales", 2), ("collections", 2), ("sales", 5)]


def test_finance_sees_no_visits_and_other_people_no_page(page_as, finance, rep_peer, other_manager, world):
    body = page(page_as(finance), world["dealer"]).content.decode()
    assert 'data-figure="open-flagged-visits"' not in body and 'data-testid="dealer-month-visits"' not in body
    assert 'data-figure="conflicts"' in body
    for outsider in (rep_peer, other_manager):
        assert page(page_as(outsider), world["dealer"]).status_code == 404


# --- links ---------------------------------------------------------------------------------------------


def link(body: str, figure: str) -> str:
    """The address of the link marked ``data-figure="<figure>"`` (the first one)."""
    anchor = body.split(f'data-figure="{figure}"')[0].rsplit("<a ", 1)[1]
    return anchor.split('href="')[1].split('"')[0].replace("&amp;", "&")


def test_each_figure_links_to_its_rows(page_as, manager, world):
    client = page_as(manager)
    dealer, current = world["dealer"], world["current"]
    body = page(client, dealer).content.decode()
    span = f"dealer={dealer.pk}&date_from={current.first_day:%Y-%m-%d}&date_to={current.last_day:%Y-%m-%d}"
    assert link(body, "month-net-sales") == f"{reverse('kpi:sales-list')}?{span}"
    assert link(body, "month-collections") == f"{reverse('kpi:collection-list')}?{span}"
    assert link(body, "month-visits") == f"{reverse('visits:visit-list')}?{span}"
    # any date (an empty date range: the list shows all dates)
    flagged = f"{reverse('visits:visit-list')}?dealer={dealer.pk}&flagged=true&status=submitted&date_from=&date_to="
    assert link(body, "open-flagged-visits") == flagged
    # the rows behind each link add up to the figure
    assert client.get(link(body, "month-net-sales")).context["totals"]["amount"] == Decimal("40000.00")
    assert client.get(link(body, "month-collections")).context["totals"]["amount"] == Decimal("25000.00")
    assert len(client.get(link(body, "month-visits")).context["page_obj"]) == 2
    assert len(client.get(link(body, "open-flagged-visits")).context["page_obj"]) == 1
    assert client.get(link(body, "conflicts")).context["totals"]["count"] == 1
    previous = world["previous"]
    month_row = body.split(f'data-month="{previous}"')[1]
    assert client.get(link(month_row, "net-sales")).context["totals"]["amount"] == Decimal("56000.00")
    statement = page(client, dealer).context["overview"].statements[0]
    assert reverse("commissions:statement-detail", args=[statement.pk]) in body


def test_the_overview_is_cards_and_lists_for_a_phone(page_as, manager, world):
    body = page(page_as(manager), world["dealer"]).content.decode()
    overview = body.split('data-testid="dealer-overview"')[1].split('<script id="dealer-sales-chart-data"')[0]
    assert "<table" not in overview and "<script" not in overview
    assert 'class="card' in overview and "list-group" in overview
