"""Negative months are carried forward, not paid (SPEC §6): a statement whose net is negative pays 0.00 and
carries its net into the rep's next monthly statement, which starts with a carry-forward line naming it.

The plan of ``runs_world``: marginal tiers 0 → 2 %, 50,000.00 → 3 %, retention 10 %, no deductions.
``rep``'s months, by hand:

* August 2026: sales 10,000.00, credit note −30,000.00 → net sales −20,000.00 → gross −20,000 × 2 % =
  −400.00 (claw-back); net −400.00; nothing retained; payable 0.00, carried forward −400.00.
* September: sales 15,000.00 → gross 300.00; carried −400.00 + 300.00 = net −100.00; payable 0.00,
  carried forward −100.00.
* October: sales 60,000.00 → gross 50,000 × 2 % + 10,000 × 3 % = 1,000.00 + 300.00 = 1,300.00; carried
  −100.00 + 1,300.00 = net 1,200.00; retained 10 % = 120.00; payable 1,080.00.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from commissions.models import Statement, StatementLine
from commissions.selectors import payout_statements
from commissions.services.statements import statement_approve, statement_submit
from tests.commissions import runs_world
from tests.commissions.runs_world import make_plan, monthly
from tests.kpi.scorecard_world import sale

D = Decimal
Step = StatementLine.Step
AUGUST, SEPTEMBER, OCTOBER = "2026-08", "2026-09", "2026-10"
run_now = runs_world.run_now


@pytest.fixture
def months(d, rep):
    make_plan([rep])
    sale(rep, d["A1"], date(2026, 8, 3), "10000.00")
    sale(rep, d["A1"], date(2026, 8, 20), "-30000.00")
    sale(rep, d["A1"], date(2026, 9, 10), "15000.00")
    sale(rep, d["A1"], date(2026, 10, 10), "60000.00")


def approve(statement: Statement, manager, finance) -> Statement:
    statement_submit(actor=manager, statement=statement)
    return statement_approve(actor=finance, statement=statement)


def summary(statement: Statement) -> tuple[Decimal, ...]:
    statement.refresh_from_db()
    return (statement.net_amount, statement.retained_amount, statement.payable_amount, statement.carried_forward)


def steps(statement: Statement) -> list[tuple[str, Decimal]]:
    return list(statement.lines.order_by("position").values_list("step", "amount"))


def test_a_negative_month_is_carried_forward_across_two_months(months, rep, manager, finance, run_now):
    run_now(manager, AUGUST)
    august = monthly(rep, AUGUST)
    assert summary(august) == (D("-400.00"), D("0.00"), D("0.00"), D("-400.00"))
    approve(august, manager, finance)
    assert summary(august)[2:] == (D("0.00"), D("-400.00"))  # approved as it was: nothing paid, −400.00 carried

    run_now(manager, SEPTEMBER)
    september = monthly(rep, SEPTEMBER)
    first = september.lines.order_by("position").first()
    assert (first.step, first.amount, first.carried_from_id) == (Step.CARRY_FORWARD, D("-400.00"), august.pk)
    assert first.inputs == {"statement": august.pk, "period": AUGUST, "carried_forward": "-400.00"}
    assert summary(september) == (D("-100.00"), D("0.00"), D("0.00"), D("-100.00"))
    assert steps(september)[:2] == [(Step.CARRY_FORWARD, D("-400.00")), (Step.BASE, D("15000.00"))]
    approve(september, manager, finance)

    run_now(manager, OCTOBER)
    october = monthly(rep, OCTOBER)
    assert steps(october)[0] == (Step.CARRY_FORWARD, D("-100.00"))
    assert october.lines.get(step=Step.CARRY_FORWARD).carried_from_id == september.pk
    assert summary(october) == (D("1200.00"), D("120.00"), D("1080.00"), D("0.00"))
    # each negative month was carried once: August into September, September into October
    assert StatementLine.objects.filter(step=Step.CARRY_FORWARD).count() == 2


def test_running_the_next_month_again_keeps_one_carry_forward_line(months, rep, manager, finance, run_now):
    run_now(manager, AUGUST)
    approve(monthly(rep, AUGUST), manager, finance)
    run_now(manager, SEPTEMBER)
    run_now(manager, SEPTEMBER)
    september = monthly(rep, SEPTEMBER)
    assert [step for step, _amount in steps(september)].count(Step.CARRY_FORWARD) == 1
    assert summary(september) == (D("-100.00"), D("0.00"), D("0.00"), D("-100.00"))


def test_a_draft_month_is_not_carried_until_it_is_approved(months, rep, manager, run_now):
    run_now(manager, AUGUST)  # August stays a draft: it may still change
    run_now(manager, SEPTEMBER)
    september = monthly(rep, SEPTEMBER)
    assert Step.CARRY_FORWARD not in [step for step, _amount in steps(september)]
    assert summary(september) == (D("300.00"), D("30.00"), D("270.00"), D("0.00"))


def test_approving_a_negative_month_carries_it_into_the_next_draft_at_once(months, rep, manager, finance, run_now):
    run_now(manager, AUGUST)
    run_now(manager, SEPTEMBER)  # September's draft exists before August is approved
    approve(monthly(rep, AUGUST), manager, finance)
    september = monthly(rep, SEPTEMBER)
    assert steps(september) == [
        (Step.CARRY_FORWARD, D("-400.00")),
        (Step.BASE, D("15000.00")),
        (Step.GROSS, D("300.00")),
        (Step.NET, D("-100.00")),
        (Step.RETAINED, D("0.00")),
        (Step.PAYABLE, D("0.00")),
    ]
    assert list(september.lines.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert summary(september) == (D("-100.00"), D("0.00"), D("0.00"), D("-100.00"))


def test_the_bank_never_sees_a_negative_or_zero_month(months, rep, manager, finance, run_now):
    run_now(manager, AUGUST)
    approve(monthly(rep, AUGUST), manager, finance)
    assert not payout_statements(finance, AUGUST).exists()
    assert not Statement.objects.filter(payable_amount__lt=0).exists()


def test_the_statement_pages_link_both_ways(months, rep, manager, finance, run_now, client_as):
    run_now(manager, AUGUST)
    august = approve(monthly(rep, AUGUST), manager, finance)
    run_now(manager, SEPTEMBER)
    september = monthly(rep, SEPTEMBER)
    client = client_as(rep)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("commissions:statement-detail", args=[september.pk])).content.decode()
    assert f'href="{reverse("commissions:statement-detail", args=[august.pk])}" data-testid="carried-from"' in body
    body = client.get(reverse("commissions:statement-detail", args=[august.pk])).content.decode()
    assert 'data-figure="carried-forward">-¥400.00' in body
    assert f'href="{reverse("commissions:statement-detail", args=[september.pk])}" data-testid="carried-into"' in body
