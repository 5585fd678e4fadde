"""The commission plan's distribution gate (SPEC §16, 铺货率): below the plan's ``distribution_gate`` the
month pays no commission, shown as a statement line with the coverage, the gate and the terminals counted;
no active terminals → the gate does not apply; a claw-back stands. Set on the plan through the API and the
admin. Every figure is worked out by hand in the comments.

July 2026 of ``rep``: sales ¥100,000.00 → gross 50,000 × 2 % + 50,000 × 3 % = 1,000.00 + 1,500.00 = 2,500.00.
The rep's terminals (``stock_dealers`` T1–T3, and T4–T6 made here, all of ``rep`` in SH-PD):

    T1 active   July report: received 10, sold 0 → closing 10 (stock only)      covered
    T2 active   July report: received 5, sold 5 → closing 0 (sell-out only)     covered
    T3 active   no report at all                                                 not covered
    T4 active   July report: nothing received, nothing sold → closing 0, sold 0  not covered
    T5 active   a June report with stock (closing 10), nothing in July           not covered
    T6 suspended  July report with stock, but not an active terminal             not counted
    Q1 (rep_peer's terminal) July report with stock                              not the rep's

    coverage = 2 covered / 5 active = 40 % exactly (2 × 100 = 200 = 40.00 × 5)
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from channelhub.periods import Month
from channelhub.roles import Role
from commissions.models import CommissionPlan, StatementLine
from commissions.services.commission import compute, compute_many
from commissions.services.plans import plan_create
from inventory.selectors import Coverage
from partners.models import Dealer
from tests.commissions.runs_world import monthly
from tests.factories import UserFactory
from tests.inventory.world import figures, write
from tests.kpi.scorecard_world import collection, sale
from tests.partners.world import make_dealer

D = Decimal
JULY = Month(2026, 7)
Step = StatementLine.Step
PLANS = "/api/v1/commission-plans/"
TIERS = [{"from_amount": "0.00", "rate": "2.00"}, {"from_amount": "50000.00", "rate": "3.00"}]
_names = itertools.count(1)


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def make_plan(reps=(), **fields):
    """Tiers 0 → 2 %, 50,000.00 → 3 %, from 1 January 2026; no deductions unless given."""
    fields = {"false_report_deduction": D(0), "fabricated_deduction": D(0), **fields}
    return plan_create(
        name=f"Gate plan {next(_names)}",
        tiers=TIERS,
        assignments=[{"rep": rep, "start_date": date(2026, 1, 1), "end_date": None} for rep in reps],
        **fields,
    )


def line(computation, step):
    (found,) = [line for line in computation.lines if line.step == step]
    return found


def terminal(manager, territory, owner, code, parent=None, status=Dealer.Status.ACTIVE) -> Dealer:
    made = make_dealer(
        manager, territory, owner, code, name=f"终端{code}", kind=Dealer.Kind.RETAIL_TERMINAL, parent=parent
    )
    Dealer.objects.filter(pk=made.pk).update(status=status)
    made.refresh_from_db()
    return made


@pytest.fixture
def terminals(stock_dealers, d, lines, covered, manager, rep, rep_peer):
    """The rep's terminals and their reports as in the module's table; July sales of ¥100,000.00."""
    kitchen = lines["kitchen"]
    t = {code: stock_dealers[code] for code in ("T1", "T2", "T3")}
    for code in ("T4", "T5", "T6"):
        t[code] = terminal(manager, covered["SH-PD"], rep, code, parent=stock_dealers["D1"])
    t["Q1"] = terminal(manager, covered["JS-NJ"], rep_peer, "Q1")
    write(rep, t["T1"], "2026-07", kitchen, figures("0", "10", "0"))  # closing 10, sold 0
    write(rep, t["T2"], "2026-07", kitchen, figures("0", "5", "5"))  # closing 0, sold 5
    write(rep, t["T4"], "2026-07", kitchen, figures("0", "0", "0"))  # closing 0, sold 0
    write(rep, t["T5"], "2026-06", kitchen, figures("0", "10", "0"))  # June only
    write(rep, t["T6"], "2026-07", kitchen, figures("0", "10", "0"))  # stock, then suspended
    Dealer.objects.filter(pk=t["T6"].pk).update(status=Dealer.Status.SUSPENDED)
    write(rep_peer, t["Q1"], "2026-07", kitchen, figures("0", "10", "3"))  # rep_peer's, not the rep's
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    return t


# --- the gate ----------------------------------------------------------------------------------------


def test_coverage_exactly_at_the_gate_pays(terminals, rep):
    # 2 of 5 active terminals = 40 %; 2 × 100 = 200 is not below 40.00 × 5 = 200 → met; gross 2,500.00 stands
    computation = compute(rep, JULY, make_plan([rep], distribution_gate=D("40.00")))
    gate = line(computation, Step.DISTRIBUTION_GATE)
    assert (gate.amount, computation.gross_amount, computation.payable_amount) == (
        D("2500.00"),
        D("2500.00"),
        D("2500.00"),
    )
    assert gate.inputs == {"gate": "40.00", "coverage": "40.00", "covered": 2, "active": 5, "decision": "met"}
    assert gate.description == (
        "distribution coverage 40.00 % (2 of 5 active terminals with stock or sell-out) ≥ gate 40.00 %: "
        "the commission stands → ¥2,500.00"
    )


def test_gate_blocks_commission_below_the_coverage(terminals, rep):
    # 200 < 40.01 × 5 = 200.05 → below: gross 2,500.00 → 0.00, nothing payable
    computation = compute(rep, JULY, make_plan([rep], distribution_gate=D("40.01")))
    gate = line(computation, Step.DISTRIBUTION_GATE)
    assert (gate.amount, computation.gross_amount, computation.net_amount, computation.payable_amount) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
    assert gate.inputs == {"gate": "40.01", "coverage": "40.00", "covered": 2, "active": 5, "decision": "below"}
    assert gate.description == (
        "distribution coverage 40.00 % (2 of 5 active terminals with stock or sell-out) < gate 40.01 %: "
        "no commission this month → ¥0.00"
    )


def test_the_distribution_gate_follows_the_collection_gate(terminals, d, rep):
    # collections 90,000.00 / 100,000.00 = 90 % ≥ 80 %: the collection gate lets 2,500.00 through;
    # then coverage 40 % < 50 % → 0.00; the statement's steps in that order
    collection(rep, d["A1"], date(2026, 7, 2), "90000.00")
    computation = compute(rep, JULY, make_plan([rep], collection_gate=D("80.00"), distribution_gate=D("50.00")))
    assert [(draft.step, draft.amount) for draft in computation.lines] == [
        (Step.BASE, D("100000.00")),
        (Step.GROSS, D("2500.00")),
        (Step.GATE, D("2500.00")),
        (Step.DISTRIBUTION_GATE, D("0.00")),
        (Step.NET, D("0.00")),
        (Step.PAYABLE, D("0.00")),
    ]


def test_without_active_terminals_the_gate_does_not_apply(d, rep_peer):
    # rep_peer has no terminal at all: coverage undefined; sales 40,000.00 × 2 % = 800.00 stands
    sale(rep_peer, d["P1"], date(2026, 7, 3), "40000.00")
    computation = compute(rep_peer, JULY, make_plan([rep_peer], distribution_gate=D("50.00")))
    gate = line(computation, Step.DISTRIBUTION_GATE)
    assert (gate.amount, computation.payable_amount) == (D("800.00"), D("800.00"))
    assert gate.inputs == {"gate": "50.00", "coverage": None, "covered": 0, "active": 0, "decision": "undefined"}
    assert gate.description == (
        "no active terminals: the distribution coverage is undefined and the gate 50.00 % does not apply → ¥800.00"
    )


def test_a_claw_back_is_not_cancelled_by_the_distribution_gate(terminals, d, rep):
    # July: 100,000.00 − 110,000.00 credit note = −10,000.00 → gross −10,000 × 2 % = −200.00 (a claw-back);
    # coverage 40 % < 50 % does not turn the claw-back into 0.00: −200.00 is carried forward
    sale(rep, d["A1"], date(2026, 7, 20), "-110000.00")
    computation = compute(rep, JULY, make_plan([rep], distribution_gate=D("50.00")))
    gate = line(computation, Step.DISTRIBUTION_GATE)
    assert (gate.amount, computation.carried_forward) == (D("-200.00"), D("-200.00"))
    assert gate.inputs["decision"] == "claw_back"
    assert "< gate 50.00 %, but the gross is a claw-back: it stands → -¥200.00" in gate.description


def test_the_coverage_shown_never_contradicts_the_decision():
    # 2 of 3 = 66.666…%: rounded to two decimals 66.67 % would seem to meet a 66.67 % gate, yet
    # 200 < 66.67 × 3 = 200.01 → below; the line shows 66.667 %
    from commissions.services.commission import _distribution_gate_line

    plan = CommissionPlan(name="x", distribution_gate=D("66.67"))
    gross, gate = _distribution_gate_line(plan, Coverage(covered=2, active=3), D("1000.00"))
    assert (gross, gate.inputs["coverage"], gate.inputs["decision"]) == (D("0.00"), "66.667", "below")
    assert "distribution coverage 66.667 % (2 of 3 active terminals" in gate.description


def test_a_plan_without_distribution_gate_has_no_line(terminals, rep):
    computation = compute(rep, JULY, make_plan([rep]))
    assert Step.DISTRIBUTION_GATE not in [draft.step for draft in computation.lines]
    assert computation.payable_amount == D("2500.00")


def test_compute_many_reads_each_reps_coverage(terminals, d, rep, rep_peer, other_rep):
    # rep: 2 of 5 = 40 % < 50 % → 0.00; rep_peer: Q1 with stock, 1 of 1 = 100 % ≥ 50 % → 40,000 × 2 % = 800.00
    # stands; other_rep: no plan
    sale(rep_peer, d["P1"], date(2026, 7, 3), "40000.00")
    make_plan([rep, rep_peer], distribution_gate=D("50.00"))
    results = compute_many([rep, rep_peer, other_rep], JULY)
    assert results[other_rep.pk] is None
    assert (results[rep.pk].payable_amount, results[rep_peer.pk].payable_amount) == (D("0.00"), D("800.00"))
    assert line(results[rep.pk], Step.DISTRIBUTION_GATE).inputs["covered"] == 2
    peer = line(results[rep_peer.pk], Step.DISTRIBUTION_GATE).inputs
    assert (peer["coverage"], peer["covered"], peer["active"], peer["decision"]) == ("100.00", 1, 1, "met")
    assert compute_many([rep], JULY)[rep.pk].lines == compute(rep, JULY, results[rep.pk].plan).lines


#: 1. assignments with their plans; 2. the plans' tiers; 3. one row per rep (sales, collections, expenses,
#: counted visits); 4. visits marked false or fabricated; 5. approved targets; 6. visit quotas (no plan here
#: uses a scorecard: no scorecard query) — and, for the distribution gate, ``inventory.selectors.rep_coverage``:
#: 7. each rep's active terminals counted; 8. their active terminals with stock or sell-out in the month.
GATED_QUERIES = 8


@pytest.mark.parametrize("count", [1, 6])
def test_the_coverage_adds_two_queries_whatever_the_number_of_reps(
    terminals, rep, manager, count, django_assert_num_queries
):
    others = [UserFactory(roles=[Role.FIELD_REP], manager=manager) for _n in range(count - 1)]
    make_plan([rep, *others], distribution_gate=D("40.01"))
    with django_assert_num_queries(GATED_QUERIES):
        results = compute_many([rep, *others], JULY)
    assert results[rep.pk].payable_amount == D("0.00")  # 40 % < 40.01 %


# --- the plan: API and admin ---------------------------------------------------------------------------


def plan_body(**overrides) -> dict:
    return {"name": "Covered", "tiers": [{"from_amount": "0.00", "rate": "2.00"}], **overrides}


def test_the_api_creates_changes_and_clears_the_distribution_gate(api_as, admin_user, rep):
    api = api_as(admin_user)
    response = api.post(PLANS, plan_body(distribution_gate="60"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["distribution_gate"] == "60.00"
    url = f"{PLANS}{response.json()['id']}/"
    assert api.patch(url, {"distribution_gate": "75.50"}, format="json").json()["distribution_gate"] == "75.50"
    assert CommissionPlan.objects.get(name="Covered").distribution_gate == D("75.50")
    assert api.patch(url, {"distribution_gate": None}, format="json").json()["distribution_gate"] is None
    assert CommissionPlan.objects.get(name="Covered").distribution_gate is None
    assert api_as(rep).get(url).json()["distribution_gate"] is None  # everyone reads it


@pytest.mark.parametrize("value", ["101", "-1", "100.001"])
def test_a_distribution_gate_outside_0_to_100_is_400(api_as, admin_user, value):
    response = api_as(admin_user).post(PLANS, plan_body(distribution_gate=value), format="json")
    assert response.status_code == 400
    assert "distribution_gate" in response.json()
    assert not CommissionPlan.objects.exists()


def test_the_database_refuses_a_distribution_gate_above_100(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionPlan.objects.create(name="Broken", distribution_gate=D("100.01"))


def test_the_admin_form_sets_the_distribution_gate(client_as, admin_user):
    from tests.commissions.test_plans_admin import ADD, plan_post

    client = client_as(admin_user)
    assert 'name="distribution_gate"' in client.get(ADD).content.decode()
    response = client.post(ADD, plan_post(distribution_gate="55.00"))
    assert response.status_code == 302
    plan = CommissionPlan.objects.get(name="Senior")
    assert plan.distribution_gate == D("55.00")
    assert plan.history.latest().distribution_gate == D("55.00")  # the plan's history keeps it too
    listing = client.get(reverse("admin:commissions_commissionplan_changelist")).content.decode()
    assert "column-distribution_gate" in listing


# --- the statement ----------------------------------------------------------------------------------------


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    from commissions.services.runs import run_start

    def run(actor, period: str = "2026-07"):
        with django_capture_on_commit_callbacks(execute=True):
            started = run_start(actor=actor, period=period)
        started.refresh_from_db()
        return started

    return run


def test_the_statement_shows_the_distribution_gate_line(terminals, rep, manager, run_now, api_as, page_as):
    make_plan([rep], distribution_gate=D("40.01"))
    assert run_now(manager).status == "done"
    statement = monthly(rep)
    assert (statement.gross_amount, statement.payable_amount) == (D("0.00"), D("0.00"))
    stored = statement.lines.get(step=Step.DISTRIBUTION_GATE)
    assert (stored.position, stored.amount, stored.description) == (3, D("0.00"), "")  # words rendered, not stored
    assert stored.inputs == {"gate": "40.01", "coverage": "40.00", "covered": 2, "active": 5, "decision": "below"}

    api = api_as(rep)
    api.cookies["django_language"] = "en"
    body = api.get(f"/api/v1/commission-statements/{statement.pk}/").json()
    (shown,) = [row for row in body["lines"] if row["step"] == "distribution_gate"]
    assert (shown["step_label"], shown["amount"], shown["inputs"]["covered"]) == ("distribution gate", "0.00", 2)
    assert shown["description"].startswith("distribution coverage 40.00 % (2 of 5 active terminals")

    page = page_as(rep).get(reverse("commissions:statement-detail", args=[statement.pk])).content.decode()
    assert 'data-step="distribution_gate"' in page
    assert "Distribution gate" in page
    assert "distribution coverage 40.00 % (2 of 5 active terminals with stock or sell-out) &lt; gate 40.01 %" in page


def test_the_distribution_gate_line_is_disputable_when_it_carries_the_gross():
    # the last of tiers, gates and scorecard factor is the gross that passes into the net
    from commissions.policies import disputable_line_ids

    lines = [
        StatementLine(pk=pk, position=pk, step=step)
        for pk, step in enumerate((Step.BASE, Step.GROSS, Step.GATE, Step.DISTRIBUTION_GATE, Step.NET), start=1)
    ]
    assert disputable_line_ids(lines) == {4}
