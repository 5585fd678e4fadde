"""One source per figure: a rep's month of sales, collections and expenses comes from ``kpi.selectors``,
its counted visits from ``visits.selectors``; the commission run, the measures page, the scorecard
metrics and the dashboards read them there. The same month, computed through each, gives the same
figures.

By hand, ``rep``'s last month (``MONTH``):

* sales 12,000.00 + 3,456.78 and a credit note −1,000.00 → net sales 14,456.78;
* collections 9,000.00 + 1,234.56 → 10,234.56;
* expenses 800.00 + 0.01 → 800.01;
* visits: three logged and counted; one marked false, which does not count → 3.

``rep_peer`` has 5,000.00 of sales the same month: the team's net sales are 19,456.78.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from channelhub.periods import Month
from commissions.services.commission import load_figures
from kpi.dashboard import finance_kpi_figures, manager_kpi_figures
from kpi.selectors import MonthFacts, rep_month_facts
from kpi.selectors.measures import measures_for, measures_table, rep_measures
from kpi.selectors.scorecards import RepMonth
from tests.kpi.scorecard_world import collection, expense, sale
from tests.visits.world import log, set_status
from visits.models import Visit
from visits.selectors import rep_month_visits
from visits.selectors.compliance import compliance_for

D = Decimal
MONTH = Month.current().previous()
EXPECTED = MonthFacts(net_sales=D("14456.78"), collections=D("10234.56"), expenses=D("800.01"))


def at(day: int) -> datetime:
    return datetime.combine(MONTH.first_day + timedelta(days=day - 1), time(10), tzinfo=timezone.get_current_timezone())


def month_of_facts(rep, rep_peer, dealer, peer_dealer):
    first = MONTH.first_day
    sale(rep, dealer, first, "12000.00")
    sale(rep, dealer, first + timedelta(days=9), "3456.78")
    sale(rep, dealer, first + timedelta(days=19), "-1000.00")
    collection(rep, dealer, first + timedelta(days=4), "9000.00")
    collection(rep, dealer, first + timedelta(days=24), "1234.56")
    expense(rep, dealer, first + timedelta(days=2), "800.00")
    expense(rep, dealer, first + timedelta(days=3), "0.01")
    sale(rep_peer, peer_dealer, first + timedelta(days=5), "5000.00")
    for day in (3, 10, 17):
        log(rep, dealer, at(day), now=at(day))
    false = log(rep, dealer, at(24), now=at(24))
    set_status([false], Visit.Status.FALSE_REPORT)


def facts_of(figures) -> MonthFacts:
    return MonthFacts(net_sales=figures.net_sales, collections=figures.collections, expenses=figures.expenses)


def test_every_consumer_reads_the_same_month(d, rep, rep_peer, manager, finance):
    month_of_facts(rep, rep_peer, d["A1"], d["A4"])
    code = str(MONTH)

    source = rep_month_facts([rep.pk], [MONTH])[(rep.pk, code)]
    assert source == EXPECTED

    run = load_figures([rep], MONTH, plans={})[rep.pk]  # the commission run
    measures = measures_for([rep], [MONTH])[(rep.pk, code)]  # dashboards' charts
    page = measures_table([rep], code).rows[0]  # the measures page
    card = RepMonth(rep, MONTH).measures  # the scorecard metrics
    single = rep_measures(rep, MONTH)
    manager_panel = next(row for row in manager_kpi_figures(manager, [rep])["sales_rows"] if row["rep"] == rep)
    manager_cell = manager_panel["cells"][-2]  # the last six months, the month under way last
    finance_panel = finance_kpi_figures(finance)
    finance_cells = [row["cells"] for row in finance_panel["collection_rows"] if row["rep"] == rep][0]
    for consumer in (run, measures, page, card, single, manager_cell):
        assert facts_of(consumer) == EXPECTED, consumer
    assert (finance_cells[-2].net_sales, finance_cells[-2].collections) == (EXPECTED.net_sales, EXPECTED.collections)

    team = rep_month_facts([rep.pk, rep_peer.pk], [MONTH])
    assert sum(facts.net_sales for facts in team.values()) == D("19456.78")
    assert measures_table([rep, rep_peer], code).total.net_sales == D("19456.78")

    # the visits counted: the run's shortfall, compliance and the selector agree on 3
    counted = rep_month_visits([rep.pk], MONTH)[rep.pk]
    (compliance,) = compliance_for([rep], MONTH)
    assert counted == compliance.visits_counted == 3
    assert run.visit_shortfall == max(0, compliance.quota.monthly_min - counted) == compliance.shortfall


def test_one_query_for_any_number_of_reps_and_months(d, rep, rep_peer, django_assert_num_queries):
    month_of_facts(rep, rep_peer, d["A1"], d["A4"])
    months = [MONTH.previous(), MONTH]
    with django_assert_num_queries(1):
        facts = rep_month_facts([rep.pk, rep_peer.pk], months)
    assert facts[(rep.pk, str(MONTH))] == EXPECTED
    assert facts[(rep_peer.pk, str(MONTH))] == MonthFacts(net_sales=D("5000.00"))
    assert facts[(rep.pk, str(MONTH.previous()))] == MonthFacts()
