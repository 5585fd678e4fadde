"""The world the API fuzzing runs in: one object of every kind the API serves, so that the detail
and action operations meet real rows of each role's scope, not only unknown IDs (404).

Built from the shared worlds (``tests.partners.world``, ``tests.visits.world``, ``tests.kpi.*_world``):
the dealers ``d`` (prospects A1…A9, P1, O1) with A2 qualified (a review), A3 active with a signed
agreement and a draft agreement on A4; a visit and a visit plan of ``rep``; July 2026 sales,
collections and expenses, targets (approved and proposed), scorecards of ``rep`` and ``rep_peer``;
a commission plan and July's run with its statements; an approved statement with an open dispute;
a closed period.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from channelhub.periods import Month
from commissions.models import Statement
from commissions.services.disputes import dispute_open
from commissions.services.runs import run_start
from kpi.models import ScorecardTemplate, Target
from kpi.scorecard_defaults import ensure_default_templates
from kpi.services.scorecards import scorecard_compute_unchecked
from tests.commissions.runs_world import close, make_plan
from tests.commissions.statement_world import PERIOD, line_of, make_statement
from tests.kpi.scorecard_world import collection, expense, sale, target
from tests.partners.world import YEAR_2026, make_agreement, qualify, signed
from tests.visits.world import at, log
from visits.services.plans import plan_create

JULY = Month(2026, 7)


@pytest.fixture
def fuzz_world(d, lines, everyone, django_capture_on_commit_callbacks):
    rep, rep_peer, manager, finance = everyone["rep"], everyone["rep_peer"], everyone["manager"], everyone["finance"]
    territory = d["A1"].territory

    qualify(d["A2"], manager, finance)
    qualify(d["A3"], manager, finance)
    signed(manager, make_agreement(manager, d["A3"], territory, [lines["kitchen"]], *YEAR_2026))
    qualify(d["A4"], manager, finance)
    make_agreement(manager, d["A4"], territory, [lines["water"]], *YEAR_2026, exclusive=False)

    log(rep, d["A1"], at(2026, 7, 2, 10))
    log(rep_peer, d["P1"], at(2026, 7, 3, 10))
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday()) + timedelta(days=7)
    plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])

    for who, dealer in ((rep, d["A1"]), (rep_peer, d["P1"])):
        sale(who, dealer, JULY.first_day, "100000.00")
        collection(who, dealer, JULY.first_day + timedelta(days=9), "90000.00")
        expense(who, dealer, JULY.first_day + timedelta(days=4), "1200.00")
    target(rep, JULY, "150000.00", "10.00", "85.00", new_dealers=1, proposed_by=manager)
    target(rep, JULY.next(), "160000.00", status=Target.Status.PROPOSED)
    ensure_default_templates()
    mbo = ScorecardTemplate.objects.get(code="mbo")
    scorecard_compute_unchecked(rep, JULY, mbo)
    scorecard_compute_unchecked(rep_peer, JULY, mbo)

    make_plan([rep, rep_peer, everyone["other_rep"]])
    with django_capture_on_commit_callbacks(execute=True):
        run_start(actor=finance, period=str(JULY))
    approved = make_statement(rep, PERIOD, Statement.Status.APPROVED, submitted_by=manager, approved_by=finance)
    dispute_open(actor=rep, line=line_of(approved, "scorecard"), expected_amount="4800", justification="补录")
    close("2026-05")
    return everyone
