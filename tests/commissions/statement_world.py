"""Statements made directly with the ORM for the statement, dispute and payout tests (the runs are
tested on their own). One standard month, figures by hand:

    base 100,000.00 net sales → gross 5,000.00 (tiers) → scorecard factor 90 % → 4,500.00
    deductions: visit shortfall 300.00, false reports 100.00 → 400.00
    net 4,500.00 − 400.00 = 4,100.00; retained 10 % = 410.00; payable 3,690.00
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from commissions.models import CommissionPlan, Statement, StatementLine

PERIOD = "2031-07"
NEXT = "2031-08"
D = Decimal

#: (step, amount) of the standard month, in order.
STANDARD_LINES = (
    (StatementLine.Step.BASE, D("100000.00")),
    (StatementLine.Step.GROSS, D("5000.00")),
    (StatementLine.Step.SCORECARD, D("4500.00")),
    (StatementLine.Step.SHORTFALL, D("300.00")),
    (StatementLine.Step.FALSE_REPORTS, D("100.00")),
    (StatementLine.Step.NET, D("4100.00")),
    (StatementLine.Step.RETAINED, D("410.00")),
    (StatementLine.Step.PAYABLE, D("3690.00")),
)
STANDARD_AMOUNTS = {
    "base_amount": D("100000.00"),
    "gross_amount": D("4500.00"),
    "deductions_amount": D("400.00"),
    "net_amount": D("4100.00"),
    "retained_amount": D("410.00"),
    "payable_amount": D("3690.00"),
}


def plan(retention: str = "10.00", name: str = "标准方案") -> CommissionPlan:
    found, _created = CommissionPlan.objects.get_or_create(name=name, defaults={"retention": D(retention)})
    return found


def make_statement(
    rep,
    period: str = PERIOD,
    status: str = Statement.Status.DRAFT,
    *,
    submitted_by=None,
    approved_by=None,
    kind: str = Statement.Kind.MONTHLY,
    lines=STANDARD_LINES,
    with_plan: CommissionPlan | None = None,
    **amounts,
) -> Statement:
    """A statement in ``status`` with the standard lines and amounts (``amounts`` override them)."""
    now = timezone.now()
    values = {**STANDARD_AMOUNTS, **amounts}
    statement = Statement.objects.create(
        rep=rep,
        period=period,
        kind=kind,
        plan=with_plan or plan(),
        status=status,
        submitted_by=submitted_by,
        submitted_at=now if submitted_by else None,
        approved_by=approved_by,
        approved_at=now if approved_by else None,
        computed_at=now,
        **values,
    )
    StatementLine.objects.bulk_create(
        StatementLine(statement=statement, position=n, step=step, description=f"{step} line", amount=amount)
        for n, (step, amount) in enumerate(lines, start=1)
    )
    return statement


def line_of(statement: Statement, step: str) -> StatementLine:
    return statement.lines.get(step=step)
