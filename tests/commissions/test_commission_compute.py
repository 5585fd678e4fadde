"""The commission of a rep's month (SPEC §6) from the facts in the database: base, tiers, collection
gate, scorecard factor, deductions (over-budget expenses, missing visits, false and fabricated
reports), net, retention and payable, each a line; claw-backs; collections as the base; adjustments;
``compute_many`` in a fixed number of queries. Every figure is worked out by hand in the comments."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from channelhub.periods import Month
from channelhub.roles import Role
from commissions.models import StatementLine
from commissions.selectors import plan_for
from commissions.services.commission import compute, compute_many
from commissions.services.plans import plan_create
from kpi.models import Scorecard
from tests.factories import UserFactory
from tests.kpi.scorecard_world import collection, expense, sale, target
from tests.visits.world import at, log
from visits.models import Quota
from visits.services.visits import visit_review

D = Decimal
JULY = Month(2026, 7)
Step = StatementLine.Step
_names = itertools.count(1)

#: 0 → 2 %, 50,000.00 → 3 % (marginal unless told)
TIERS = [{"from_amount": "0.00", "rate": "2.00"}, {"from_amount": "50000.00", "rate": "3.00"}]


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def make_plan(reps=(), *, tiers=TIERS, **fields):
    """A plan assigned to ``reps`` from 1 January 2026; no deductions unless given."""
    fields = {"false_report_deduction": D(0), "fabricated_deduction": D(0), **fields}
    return plan_create(
        name=f"Plan {next(_names)}",
        tiers=tiers,
        assignments=[{"rep": rep, "start_date": date(2026, 1, 1), "end_date": None} for rep in reps],
        **fields,
    )


def steps(computation) -> list[tuple[str, Decimal]]:
    return [(line.step, line.amount) for line in computation.lines]


def line(computation, step):
    (found,) = [line for line in computation.lines if line.step == step]
    return found


def amounts(computation) -> tuple[Decimal, ...]:
    c = computation
    return (c.base_amount, c.gross_amount, c.deductions_amount, c.net_amount, c.retained_amount, c.payable_amount)


def confirmed_scorecard(rep, template, total, status=Scorecard.Status.CONFIRMED):
    return Scorecard.objects.create(rep=rep, period="2026-07", template=template, status=status, total=D(total))


# --- a whole month ----------------------------------------------------------------------------------


@pytest.fixture
def full_month(d, rep, manager, templates):
    """July 2026 of ``rep`` on a plan with every step:

    * sales 100,000.00 + 50,000.00 − credit note 30,000.00 = net sales 120,000.00 (a June and an August
      sale lie outside the month);
    * collections 100,000.00 → collection rate 100,000 / 120,000 = 83.33 % ≥ gate 80.00 %;
    * expenses 13,200.00; approved target: expense rate 10.00 % → budget 12,000.00, over by 1,200.00;
    * quota 5 visits a month; 3 counted, 1 marked false, 1 marked fabricated → shortfall 5 − 3 = 2;
    * confirmed MBO scorecard, total 90.00.
    """
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    sale(rep, d["A2"], date(2026, 7, 10), "50000.00")
    sale(rep, d["A1"], date(2026, 7, 31), "-30000.00")
    sale(rep, d["A1"], date(2026, 6, 30), "9999.00")
    sale(rep, d["A1"], date(2026, 8, 1), "8888.00")
    collection(rep, d["A1"], date(2026, 7, 20), "100000.00")
    expense(rep, d["A1"], date(2026, 7, 5), "13200.00")
    target(rep, JULY, "150000.00", expense_rate="10.00", collection_rate="85.00", proposed_by=manager)
    Quota.objects.create(rep=rep, monthly_min=5)
    for day in (6, 7, 8):
        log(rep, d["A1"], at(2026, 7, day))
    visit_review(actor=manager, visit=log(rep, d["A2"], at(2026, 7, 9)), name="mark_false", comment="门店当天未营业")
    visit_review(
        actor=manager, visit=log(rep, d["A3"], at(2026, 7, 10)), name="mark_fabricated", comment="照片与门店不符"
    )
    confirmed_scorecard(rep, templates["mbo"], "90.00")
    return make_plan(
        [rep],
        collection_gate=D("80.00"),
        use_scorecard=True,
        scorecard_template=templates["mbo"],
        over_budget_expense_share=D("50.00"),
        visit_shortfall_deduction=D("100.00"),
        false_report_deduction=D("100.00"),
        fabricated_deduction=D("200.00"),
        retention=D("10.00"),
    )


def test_a_full_month_step_by_step(full_month, rep):
    computation = compute(rep, JULY, full_month)
    assert steps(computation) == [
        (Step.BASE, D("120000.00")),  # 100,000 + 50,000 − 30,000
        (Step.GROSS, D("3100.00")),  # 50,000 × 2 % = 1,000.00 + 70,000 × 3 % = 2,100.00
        (Step.GATE, D("3100.00")),  # 83.33 % ≥ 80.00 %: stands
        (Step.SCORECARD, D("2790.00")),  # 3,100.00 × 90.00 / 100
        (Step.EXPENSES, D("600.00")),  # (13,200 − 10 % × 120,000) × 50 % = 1,200 × 50 %
        (Step.SHORTFALL, D("200.00")),  # 2 missing × 100.00
        (Step.FALSE_REPORTS, D("100.00")),  # 1 × 100.00
        (Step.FABRICATED, D("200.00")),  # 1 × 200.00
        (Step.NET, D("1690.00")),  # 2,790 − (600 + 200 + 100 + 200 = 1,100)
        (Step.RETAINED, D("169.00")),  # 10 % × 1,690.00
        (Step.PAYABLE, D("1521.00")),  # 1,690.00 − 169.00
    ]
    assert amounts(computation) == (
        D("120000.00"),
        D("2790.00"),
        D("1100.00"),
        D("1690.00"),
        D("169.00"),
        D("1521.00"),
    )


def test_each_line_explains_itself(full_month, rep):
    computation = compute(rep, JULY, full_month)
    descriptions = [line.description for line in computation.lines]
    assert descriptions == [
        "net sales in 2026-07 (sales less credit notes and returns dated in the month) = ¥120,000.00",
        "net sales ¥120,000.00 × tiers (marginal): ¥0.00–¥50,000.00 at 2.00 % = ¥1,000.00; "
        "¥50,000.00–¥120,000.00 at 3.00 % = ¥2,100.00 → ¥3,100.00",
        "collections ¥100,000.00 / net sales ¥120,000.00 = collection rate 83.33 % ≥ gate 80.00 %: "
        "the commission stands → ¥3,100.00",
        "gross ¥3,100.00 × scorecard total 90.00 / 100 (Management by objectives (MBO), confirmed) = ¥2,790.00",
        "expenses ¥13,200.00 − budget (10.00 % × net sales ¥120,000.00 = ¥12,000.00) = over budget ¥1,200.00; "
        "¥1,200.00 × 50.00 % = ¥600.00",
        "2 visits missing below the monthly minimum × ¥100.00 = ¥200.00",
        "1 visit marked as a false report × ¥100.00 = ¥100.00",
        "1 visit marked as fabricated × ¥200.00 = ¥200.00",
        "gross ¥2,790.00 − deductions ¥1,100.00 = ¥1,690.00",
        "retention 10.00 % × net ¥1,690.00 = ¥169.00, released at the year-end settlement",
        "net ¥1,690.00 − retained ¥169.00 = ¥1,521.00",
    ]
    assert line(computation, Step.EXPENSES).inputs == {
        "period": "2026-07",
        "expenses": "13200.00",
        "net_sales": "120000.00",
        "expense_rate_target": "10.00",
        "share": "50.00",
        "budget": "12000.00",
        "over_budget": "1200.00",
    }
    assert line(computation, Step.SHORTFALL).inputs == {"count": "2", "per_unit": "100.00"}
    # Every input is JSON-safe: strings (and the tiers' bands, dicts of strings).
    for each in computation.lines:
        for value in each.inputs.values():
            assert isinstance(value, str | list)


# --- the collection gate ---------------------------------------------------------------------------


@pytest.fixture
def gated(d, rep, rep_peer):
    """Net sales ¥100,000.00 each; ``rep`` collected ¥79,990.00 (79.99 %), ``rep_peer`` ¥80,000.00 (80.00 %)."""
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    collection(rep, d["A1"], date(2026, 7, 2), "79990.00")
    sale(rep_peer, d["P1"], date(2026, 7, 1), "100000.00")
    collection(rep_peer, d["P1"], date(2026, 7, 2), "80000.00")
    return make_plan([rep, rep_peer], collection_gate=D("80.00"))


def test_gate_blocks_commission_below_80_percent_collection(gated, rep):
    computation = compute(rep, JULY, gated)
    # gross 50,000 × 2 % + 50,000 × 3 % = 2,500.00; 79.99 % < 80.00 % → 0.00
    assert steps(computation)[1:4] == [(Step.GROSS, D("2500.00")), (Step.GATE, D("0.00")), (Step.NET, D("0.00"))]
    assert line(computation, Step.GATE).description == (
        "collections ¥79,990.00 / net sales ¥100,000.00 = collection rate 79.99 % < gate 80.00 %: "
        "no commission this month → ¥0.00"
    )
    assert computation.payable_amount == D("0.00")


def test_gate_lets_commission_through_at_exactly_80_percent(gated, rep_peer):
    computation = compute(rep_peer, JULY, gated)
    assert (line(computation, Step.GATE).amount, computation.payable_amount) == (D("2500.00"), D("2500.00"))


def test_the_gate_compares_the_exact_rate_and_shows_the_decimals_the_decision_needs(d, rep):
    # 79,995.00 / 100,000.00 = 79.995 % — rounded to 0.01 it would read 80.00 %, yet it is below the 80 %
    # gate: no commission, and the line shows 79.995 % so that it never contradicts the decision
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    collection(rep, d["A1"], date(2026, 7, 2), "79995.00")
    computation = compute(rep, JULY, make_plan([rep], collection_gate=D("80.00")))
    gate = line(computation, Step.GATE)
    assert "collection rate 79.995 % < gate 80.00 %: no commission this month → ¥0.00" in gate.description
    assert gate.inputs["collection_rate"] == "79.995"
    assert computation.gross_amount == D("0.00")


@pytest.mark.parametrize(
    ("collected", "shown", "gross"),
    [
        # exactly at the edge: 80,000.00 × 100 = 80 × 100,000.00 → the gate is met; gross 2,500.00
        ("80000.00", "collection rate 80.00 % ≥ gate 80.00 %", D("2500.00")),
        # one cent under: 79,999.99 / 100,000.00 = 79.99999 % < 80 % → nothing (five decimals to say so)
        ("79999.99", "collection rate 79.99999 % < gate 80.00 %", D("0.00")),
        # one cent over: 80,000.01 → 80.00001 %, shown 80.00 % (rounding does not cross the gate here)
        ("80000.01", "collection rate 80.00 % ≥ gate 80.00 %", D("2500.00")),
    ],
)
def test_the_gate_at_its_exact_edge_and_one_cent_under(d, rep, collected, shown, gross):
    # tiers 0 → 2 %, 50,000 → 3 %: 50,000 × 2 % + 50,000 × 3 % = 1,000.00 + 1,500.00 = 2,500.00
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    collection(rep, d["A1"], date(2026, 7, 2), collected)
    computation = compute(rep, JULY, make_plan([rep], collection_gate=D("80.00")))
    assert shown in line(computation, Step.GATE).description
    assert computation.gross_amount == gross


def test_without_net_sales_the_gate_does_not_apply(d, rep):
    # Paid on cash: collections 10,000.00 × 2 % = 200.00; no sales in July → rate undefined → no gate
    collection(rep, d["A1"], date(2026, 7, 2), "10000.00")
    computation = compute(rep, JULY, make_plan([rep], base="collections", collection_gate=D("80.00")))
    gate = line(computation, Step.GATE)
    assert gate.amount == D("200.00")
    assert gate.description == (
        "collections ¥10,000.00 / net sales ¥0.00: no positive net sales, the collection rate is undefined and "
        "the gate 80.00 % does not apply → ¥200.00"
    )
    assert gate.inputs["collection_rate"] == ""


def test_a_plan_without_gate_has_no_gate_line(gated, rep):
    computation = compute(rep, JULY, make_plan(tiers=TIERS))
    assert Step.GATE not in [step for step, _amount in steps(computation)]
    assert computation.payable_amount == D("2500.00")


# --- the scorecard factor --------------------------------------------------------------------------


@pytest.fixture
def scored(d, rep, templates):
    """Net sales ¥100,000.00 → gross ¥2,500.00; the plan multiplies by the MBO total."""
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    return make_plan([rep], use_scorecard=True, scorecard_template=templates["mbo"])


def test_the_confirmed_scorecard_multiplies_the_commission(scored, rep, templates):
    confirmed_scorecard(rep, templates["mbo"], "87.50")
    confirmed_scorecard(rep, templates["bsc"], "40.00")  # another template: not the plan's
    # 2,500.00 × 87.50 / 100 = 2,187.50
    assert line(compute(rep, JULY, scored), Step.SCORECARD).amount == D("2187.50")


def test_a_scorecard_above_100_raises_the_commission(scored, rep, templates):
    confirmed_scorecard(rep, templates["mbo"], "112.00")
    assert compute(rep, JULY, scored).gross_amount == D("2800.00")  # 2,500.00 × 1.12


def test_an_unconfirmed_scorecard_gives_factor_0(scored, rep, templates):
    confirmed_scorecard(rep, templates["mbo"], "95.00", status=Scorecard.Status.DRAFT)
    scorecard = line(compute(rep, JULY, scored), Step.SCORECARD)
    assert scorecard.amount == D("0.00")
    assert scorecard.description == (
        "the scorecard on Management by objectives (MBO) for 2026-07 (total 95.00) is not confirmed yet: factor 0 until the manager "
        "confirms it → ¥0.00"
    )
    assert scorecard.inputs["draft_scorecard_total"] == "95.00"


def test_no_scorecard_at_all_gives_factor_0(scored, rep):
    computation = compute(rep, JULY, scored)
    assert line(computation, Step.SCORECARD).description == (
        "no confirmed scorecard on Management by objectives (MBO) for 2026-07: factor 0 → ¥0.00"
    )
    assert computation.payable_amount == D("0.00")


# --- deductions ------------------------------------------------------------------------------------


def test_expenses_within_budget_deduct_nothing(d, rep):
    # budget 10 % × 100,000.00 = 10,000.00; expenses 9,000.00 → over budget 0.00 → 0.00
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    expense(rep, d["A1"], date(2026, 7, 1), "9000.00")
    target(rep, JULY, "100000.00", expense_rate="10.00")
    computation = compute(rep, JULY, make_plan([rep], over_budget_expense_share=D("50.00")))
    assert line(computation, Step.EXPENSES).amount == D("0.00")
    assert computation.net_amount == D("2500.00")


def test_without_an_approved_target_there_is_no_expense_budget_and_no_deduction(d, rep):
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    expense(rep, d["A1"], date(2026, 7, 1), "30000.00")
    target(rep, JULY, "100000.00", expense_rate="10.00", status="proposed")  # a proposal is not a target
    expenses = line(compute(rep, JULY, make_plan([rep], over_budget_expense_share=D("50.00"))), Step.EXPENSES)
    assert expenses.amount == D("0.00")
    assert expenses.description == (
        "expenses ¥30,000.00; no approved target for 2026-07, so no expense budget: nothing deducted → ¥0.00"
    )


def test_over_budget_expenses_are_deducted_at_the_plans_share(d, rep):
    # budget 8.00 % × 50,000.00 = 4,000.00; expenses 4,333.33 → over 333.33 × 25 % = 83.3325 → 83.33
    # gross 50,000 × 2 % = 1,000.00; net 1,000.00 − 83.33 = 916.67
    sale(rep, d["A1"], date(2026, 7, 1), "50000.00")
    expense(rep, d["A1"], date(2026, 7, 3), "4333.33")
    target(rep, JULY, "60000.00", expense_rate="8.00")
    computation = compute(rep, JULY, make_plan([rep], over_budget_expense_share=D("25.00")))
    assert line(computation, Step.EXPENSES).amount == D("83.33")
    assert computation.net_amount == D("916.67")


def test_visit_deductions_count_missing_false_and_fabricated_visits(d, rep, manager):
    # quota 4 a month; counted: 2 (one confirmed, one submitted) → shortfall 2 × 150.00 = 300.00
    # false reports: A3 and A4 → 2 × 100.00 = 200.00; A5 marked false, then fabricated, counts as
    # fabricated only → 1 × 200.00 = 200.00; a false report in August counts for nothing
    Quota.objects.create(rep=rep, monthly_min=4)
    visit_review(actor=manager, visit=log(rep, d["A1"], at(2026, 7, 1)), name="confirm")
    log(rep, d["A2"], at(2026, 7, 2))
    false_a3 = visit_review(
        actor=manager, visit=log(rep, d["A3"], at(2026, 7, 3)), name="mark_false", comment="门店当天未营业"
    )
    false_a4 = visit_review(
        actor=manager, visit=log(rep, d["A4"], at(2026, 7, 4)), name="mark_false", comment="店主说没见过业务员"
    )
    fabricated = visit_review(
        actor=manager, visit=log(rep, d["A5"], at(2026, 7, 5)), name="mark_false", comment="门店当天未营业"
    )
    visit_review(actor=manager, visit=fabricated, name="mark_fabricated", comment="照片与门店不符")
    visit_review(actor=manager, visit=log(rep, d["A6"], at(2026, 8, 3)), name="mark_false", comment="门店当天未营业")
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")  # gross 2,500.00
    plan = make_plan(
        [rep],
        visit_shortfall_deduction=D("150.00"),
        false_report_deduction=D("100.00"),
        fabricated_deduction=D("200.00"),
    )
    computation = compute(rep, JULY, plan)
    assert steps(computation)[2:6] == [
        (Step.SHORTFALL, D("300.00")),
        (Step.FALSE_REPORTS, D("200.00")),
        (Step.FABRICATED, D("200.00")),
        (Step.NET, D("1800.00")),  # 2,500.00 − 700.00
    ]
    # the deduction lines name the visits, each with its reason: the statement links to them
    assert line(computation, Step.FALSE_REPORTS).inputs["visits"] == [
        {"id": false_a3.pk, "date": "2026-07-03", "dealer": "浦东经销商3", "reason": "门店当天未营业"},
        {"id": false_a4.pk, "date": "2026-07-04", "dealer": "浦东经销商4", "reason": "店主说没见过业务员"},
    ]
    assert line(computation, Step.FABRICATED).inputs["visits"] == [
        {"id": fabricated.pk, "date": "2026-07-05", "dealer": "浦东经销商5", "reason": "照片与门店不符"},
    ]
    assert "visits" not in line(computation, Step.SHORTFALL).inputs


def test_deductions_the_plan_does_not_make_have_no_line(d, rep):
    sale(rep, d["A1"], date(2026, 7, 1), "1000.00")
    computation = compute(rep, JULY, make_plan([rep]))
    assert [step for step, _amount in steps(computation)] == [Step.BASE, Step.GROSS, Step.NET, Step.PAYABLE]


# --- negative months, credit notes, retention ----------------------------------------------------------


def test_a_month_of_returns_is_a_claw_back_with_nothing_retained(d, rep, manager):
    # net sales 10,000.00 − 30,000.00 = −20,000.00 → gross −20,000 × 2 % = −400.00 (claw-back)
    # 1 false report × 100.00 → net −500.00; retention 10 % of a negative net: 0.00; payable 0.00 and
    # −500.00 carried forward into the next month (SPEC §6)
    sale(rep, d["A1"], date(2026, 7, 2), "10000.00")
    sale(rep, d["A1"], date(2026, 7, 20), "-30000.00")
    collection(rep, d["A1"], date(2026, 7, 3), "5000.00")
    visit_review(actor=manager, visit=log(rep, d["A1"], at(2026, 7, 4)), name="mark_false", comment="门店当天未营业")
    plan = make_plan([rep], collection_gate=D("80.00"), false_report_deduction=D("100.00"), retention=D("10.00"))
    computation = compute(rep, JULY, plan)
    assert amounts(computation) == (
        D("-20000.00"),
        D("-400.00"),  # the gate does not apply: no positive net sales, the rate is undefined
        D("100.00"),
        D("-500.00"),
        D("0.00"),
        D("0.00"),
    )
    assert computation.carried_forward == D("-500.00")
    assert line(computation, Step.RETAINED).description == (
        "net -¥500.00 is not positive: nothing retained (retention 10.00 %)"
    )
    assert line(computation, Step.PAYABLE).description == (
        "net -¥500.00 is negative: nothing payable; -¥500.00 is carried forward into the next monthly statement → ¥0.00"
    )


def test_over_budget_expenses_in_a_claw_back_month_have_no_budget(d, rep):
    # net sales −5,000.00: the budget is 10 % of 0.00 = 0.00, so all 1,000.00 of expenses are over it
    # → 1,000.00 × 50 % = 500.00; gross −5,000 × 2 % = −100.00; net −100.00 − 500.00 = −600.00
    sale(rep, d["A1"], date(2026, 7, 2), "-5000.00")
    expense(rep, d["A1"], date(2026, 7, 2), "1000.00")
    target(rep, JULY, "50000.00", expense_rate="10.00")
    computation = compute(rep, JULY, make_plan([rep], over_budget_expense_share=D("50.00")))
    assert line(computation, Step.EXPENSES).inputs["budget"] == "0.00"
    assert computation.net_amount == computation.carried_forward == D("-600.00")
    assert computation.payable_amount == D("0.00")


def test_credit_notes_reduce_the_base_in_the_month_they_are_dated(d, rep):
    # June: 80,000.00; July: 60,000.00 − credit note 20,000.00 (for a June delivery) = 40,000.00
    # June gross: 50,000 × 2 % + 30,000 × 3 % = 1,900.00; July gross: 40,000 × 2 % = 800.00
    sale(rep, d["A1"], date(2026, 6, 15), "80000.00")
    sale(rep, d["A1"], date(2026, 7, 15), "60000.00")
    sale(rep, d["A1"], date(2026, 7, 16), "-20000.00")
    plan = make_plan([rep])
    assert (compute(rep, "2026-06", plan).gross_amount, compute(rep, JULY, plan).gross_amount) == (
        D("1900.00"),
        D("800.00"),
    )
    assert compute(rep, JULY, plan).base_amount == D("40000.00")


def test_on_collections_partial_payments_count_in_the_month_the_cash_arrives(d, rep):
    # One invoice of 100,000.00 on 20 June, paid 30,000.00 on 28 June, 50,000.00 on 5 July and
    # 20,000.00 on 3 August; flat 5 %: June 1,500.00, July 2,500.00, August 1,000.00
    sale(rep, d["A1"], date(2026, 6, 20), "100000.00")
    collection(rep, d["A1"], date(2026, 6, 28), "30000.00")
    collection(rep, d["A1"], date(2026, 7, 5), "50000.00")
    collection(rep, d["A1"], date(2026, 8, 3), "20000.00")
    plan = make_plan([rep], base="collections", tier_mode="flat", tiers=[{"from_amount": "0", "rate": "5"}])
    assert [compute(rep, month, plan).gross_amount for month in ("2026-06", "2026-07", "2026-08")] == [
        D("1500.00"),
        D("2500.00"),
        D("1000.00"),
    ]
    base = compute(rep, JULY, plan).lines[0]
    assert (base.amount, base.inputs["base"], base.inputs["net_sales"]) == (D("50000.00"), "collections", "0.00")


# --- adjustments (accepted disputes, added by the statements) ------------------------------------------


def test_an_adjustment_recomputes_net_retained_and_payable(full_month, rep):
    computation = compute(rep, JULY, full_month)
    added = computation.add_adjustment({"dispute": "7", "step": "shortfall"}, D("200"))
    # net 1,690.00 + 200.00 = 1,890.00; retained 10 % = 189.00; payable 1,701.00
    assert added.amount == D("200.00")
    assert steps(computation)[-5:] == [
        (Step.FABRICATED, D("200.00")),
        (Step.ADJUSTMENT, D("200.00")),
        (Step.NET, D("1890.00")),
        (Step.RETAINED, D("189.00")),
        (Step.PAYABLE, D("1701.00")),
    ]
    assert line(computation, Step.NET).description == (
        "gross ¥2,790.00 − deductions ¥1,100.00 + adjustments ¥200.00 = ¥1,890.00"
    )
    # A negative adjustment taking net below 0: −1,890.00 − 10.005 → −10.01 (rounded half away from 0)
    computation.add_adjustment({}, D("-1900.005"))
    assert (computation.net_amount, computation.retained_amount, computation.payable_amount) == (
        D("-10.01"),
        D("0.00"),
        D("0.00"),
    )
    assert computation.carried_forward == D("-10.01")
    assert computation.adjustments_amount == D("-1700.01")


# --- many reps at once --------------------------------------------------------------------------------


def test_compute_many_gives_none_to_reps_without_a_plan(gated, rep, rep_peer, other_rep):
    results = compute_many([rep, rep_peer, other_rep], JULY)
    assert set(results) == {rep.pk, rep_peer.pk, other_rep.pk}
    assert results[other_rep.pk] is None
    assert (results[rep.pk].payable_amount, results[rep_peer.pk].payable_amount) == (D("0.00"), D("2500.00"))
    assert results[rep.pk].plan == gated == plan_for(rep, JULY)


def test_compute_many_agrees_with_compute(full_month, rep):
    alone, together = compute(rep, JULY, full_month), compute_many([rep], JULY)[rep.pk]
    assert together.lines == alone.lines


#: 1. assignments on the month's last day with their plans; 2. the plans' tiers; 3. one row per rep:
#: sales, collections, expenses and counted visits of the month, each aggregated in the database; 4. the
#: visits marked false or fabricated, with their reasons; 5. approved targets; 6. visit quotas; 7. scorecards.
COMPUTE_MANY_QUERIES = 7
#: When a plan has a distribution gate, ``inventory.selectors.rep_coverage`` adds two: 8. each rep's active
#: terminals counted; 9. their active terminals with stock or sell-out in the month.
COVERAGE_QUERIES = 2


@pytest.mark.parametrize(
    ("count", "gated", "queries"),
    [
        (1, False, COMPUTE_MANY_QUERIES),
        (5, False, COMPUTE_MANY_QUERIES),
        # the others' plan has a distribution gate (``rep``'s has none)
        (2, True, COMPUTE_MANY_QUERIES + COVERAGE_QUERIES),
        (5, True, COMPUTE_MANY_QUERIES + COVERAGE_QUERIES),
    ],
)
def test_compute_many_reads_everything_in_a_fixed_number_of_queries(
    full_month, rep, manager, templates, count, gated, queries, django_assert_num_queries
):
    others = [UserFactory(roles=[Role.FIELD_REP], manager=manager) for _n in range(count - 1)]
    make_plan(
        others,
        use_scorecard=True,
        scorecard_template=templates["bsc"],
        visit_shortfall_deduction=D(50),
        # the others have no terminals: the gate does not apply to them, yet their coverage is read
        distribution_gate=D("50.00") if gated else None,
    )
    reps = [rep, *others]
    with django_assert_num_queries(queries):
        results = compute_many(reps, JULY)
    assert len(results) == count
    assert results[rep.pk].payable_amount == D("1521.00")
    # The others sold nothing, and missed their 30 visits (the default quota): 30 × 50.00 = 1,500.00
    for other in others:
        assert results[other.pk].net_amount == results[other.pk].carried_forward == D("-1500.00")


def test_a_claw_back_is_not_scaled_by_the_scorecard(d, rep, templates):
    # net sales −10,000.00 → gross −200.00; no confirmed scorecard (factor 0) must not cancel it,
    # and a confirmed 120.00 must not enlarge it: −200.00 either way
    sale(rep, d["A1"], date(2026, 7, 2), "-10000.00")
    plan = make_plan([rep], use_scorecard=True, scorecard_template=templates["mbo"])
    scorecard = line(compute(rep, JULY, plan), Step.SCORECARD)
    assert scorecard.amount == D("-200.00")
    assert scorecard.description == "gross -¥200.00 is a claw-back: the scorecard factor does not apply → -¥200.00"
    confirmed_scorecard(rep, templates["mbo"], "120.00")
    assert compute(rep, JULY, plan).carried_forward == D("-200.00")
