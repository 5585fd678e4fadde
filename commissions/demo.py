"""The demo company's commissions (SPEC §10): two plans and one month of statements.

* 华东 (manager1's reps): flat tiers with an 80 % collection gate and deductions;
* 华南 (manager2's reps): marginal tiers, multiplied by the BSC scorecard, 10 % retained.

Last month is computed the way a run computes it (the same services, without a broker, so it works
in tests with Celery configured too), then moved through the life cycle: statements paid, approved,
submitted and left as drafts, with one line disputed. A second run of ``seed_demo`` adds nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.periods import Month
from commissions.models import CommissionPlan, CommissionRun, Statement
from commissions.services.plans import plan_create
from commissions.services.runs import run_begin, run_compute_chunk, run_finish
from commissions.services.statements import statement_approve, statement_mark_paid, statement_submit
from kpi.models import Scorecard
from kpi.services.periods import closed_codes
from kpi.services.scorecards import scorecard_confirm

EAST, SOUTH = ("rep1", "rep2", "rep3"), ("rep4", "rep5", "rep6")

#: The company's deductions, the same in every demo plan: per missing visit, false report, fabricated visit.
DEDUCTIONS = {
    "visit_shortfall_deduction": Decimal("50.00"),
    "false_report_deduction": Decimal("100.00"),
    "fabricated_deduction": Decimal("200.00"),
}
PLANS = (
    {
        "name": "华东阶梯提成（全额，回款率下限 80%）",
        "base": CommissionPlan.Base.NET_SALES,
        "tier_mode": CommissionPlan.TierMode.FLAT,
        "collection_gate": Decimal("80.00"),
        "over_budget_expense_share": Decimal("50.00"),
        **DEDUCTIONS,
        "tiers": [
            {"from_amount": Decimal("0.00"), "rate": Decimal("2.00")},
            {"from_amount": Decimal("300000.00"), "rate": Decimal("3.00")},
            {"from_amount": Decimal("600000.00"), "rate": Decimal("4.00")},
        ],
        "reps": EAST,
    },
    {
        "name": "华南超额累进提成（考核系数，留成 10%）",
        "base": CommissionPlan.Base.NET_SALES,
        "tier_mode": CommissionPlan.TierMode.MARGINAL,
        "use_scorecard": True,
        "template": "bsc",
        "retention": Decimal("10.00"),
        **DEDUCTIONS,
        "tiers": [
            {"from_amount": Decimal("0.00"), "rate": Decimal("1.50")},
            {"from_amount": Decimal("200000.00"), "rate": Decimal("2.50")},
            {"from_amount": Decimal("400000.00"), "rate": Decimal("3.50")},
        ],
        "reps": SOUTH,
    },
)

#: What happens to each rep's statement of last month.
FATE = {"rep1": "paid", "rep2": "approved", "rep3": "submitted", "rep4": "paid", "rep5": "approved", "rep6": "draft"}


def _plans(users: dict, start: date) -> None:
    from commissions.models import PlanAssignment
    from kpi.models import ScorecardTemplate

    for spec in PLANS:
        if CommissionPlan.objects.filter(name=spec["name"]).exists():
            continue
        if PlanAssignment.objects.filter(rep__in=[users[name] for name in spec["reps"]]).exists():
            continue  # someone put these reps on a plan (or renamed the demo's): one plan per rep and day
        fields = {k: v for k, v in spec.items() if k not in ("tiers", "reps", "template")}
        if spec.get("template"):
            fields["scorecard_template"] = ScorecardTemplate.objects.get(code=spec["template"])
        assignments = [{"rep": users[name], "start_date": start, "end_date": None} for name in spec["reps"]]
        plan_create(actor=None, tiers=spec["tiers"], assignments=assignments, **fields)


def _manager(users: dict, username: str):
    return users["manager1" if username in EAST else "manager2"]


def _run(users: dict, month: Month, reps: list) -> None:
    """Compute the month for the demo ``reps`` as a run does (run_begin → chunks → run_finish), here and
    now. Only theirs: a rep a user added to a plan is left to the users' own runs, and so is whatever
    statement of theirs exists."""
    run = CommissionRun.objects.create(period=str(month), started_by=users["finance"])
    plan = run_begin(run_id=run.pk)
    if plan is None:
        return
    ours = {rep.pk for rep in reps}
    chunks = [[pk for pk in chunk if pk in ours] for chunk in plan.chunks]
    CommissionRun.objects.filter(pk=run.pk).update(total=sum(len(chunk) for chunk in chunks))
    for chunk in chunks:
        if chunk:
            run_compute_chunk(run_id=run.pk, rep_ids=chunk, period=plan.period)
    run_finish(run_id=run.pk)


def seed_commissions(users: dict, *, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    last = Month.of(today).previous()
    _plans(users, start=date(today.year - 1, 1, 1))
    reps = [users[name] for name in (*EAST, *SOUTH)]
    # Once for the month: any statement of a demo rep's (the demo's, or a user's run) means it is done.
    # A closed month takes no new run.
    done = Statement.objects.filter(period=str(last), rep__in=reps).exists() or closed_codes([str(last)])
    if not done:
        with transaction.atomic():
            for scorecard in Scorecard.objects.filter(
                rep__in=[users[name] for name in SOUTH], period=str(last), template__code="bsc", status="draft"
            ).select_related("rep"):
                scorecard_confirm(actor=_manager(users, scorecard.rep.username), scorecard=scorecard)
        _run(users, last, reps)
        for name, fate in FATE.items():
            statement = Statement.objects.filter(rep=users[name], period=str(last), kind="monthly").first()
            if statement is None or fate == "draft":
                continue
            statement_submit(actor=_manager(users, name), statement=statement)
            if fate in ("approved", "paid"):
                statement_approve(actor=users["finance"], statement=statement)
            # a month that pays nothing (a user's credit notes, a missed gate) stays approved: no payment
            if fate == "paid" and statement.payable_amount > 0:
                statement_mark_paid(
                    actor=users["finance"],
                    statement=statement,
                    payment_reference=f"PAY-{last}-{name.upper()}",
                    paid_on=today,
                )
    return {"plans": CommissionPlan.objects.count(), "statements": Statement.objects.count()}


def demo_step(users: dict) -> str:
    """``seed_demo``'s step for the commission plans and statements: its line of output."""
    return _("Demo commissions: %(plans)d plans, %(statements)d statements") % seed_commissions(users)
