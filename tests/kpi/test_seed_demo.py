"""The demo year of figures (SPEC §10): sales, collections and expenses per rep, some reps
over their expense-rate target and some under 80 % collection, approved targets, scorecards on both
templates — idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command

from channelhub.periods import Month
from commissions.models import CommissionPlan, Statement
from kpi.models import Collection, Expense, SalesRecord, Scorecard, Target
from kpi.selectors.measures import measures_table

User = get_user_model()
REPS = ("rep1", "rep2", "rep3", "rep4", "rep5", "rep6")


def counts() -> dict[str, int]:
    return {
        "sales": SalesRecord.objects.count(),
        "collections": Collection.objects.count(),
        "expenses": Expense.objects.count(),
        "targets": Target.objects.count(),
        "scorecards": Scorecard.objects.count(),
        "plans": CommissionPlan.objects.count(),
        "statements": Statement.objects.count(),
    }


def test_the_demo_year_of_figures(db):
    call_command("seed_demo", quiet_logins=True)
    first = counts()
    call_command("seed_demo", quiet_logins=True)
    assert counts() == first  # a second run adds nothing
    assert first["sales"] > 500 and first["collections"] > 100 and first["expenses"] > 100

    # last month: rep3 and rep5 over the 6 % expense-rate target, rep2 and rep5 under 80 % collection
    reps = list(User.objects.filter(username__in=REPS).order_by("username"))
    rows = {row.rep.username: row for row in measures_table(reps, str(Month.current().previous())).rows}
    over_expense = {name for name, row in rows.items() if row.expense_rate and row.expense_rate > Decimal("6.00")}
    under_collection = {
        name for name, row in rows.items() if row.collection_rate is not None and row.collection_rate < 80
    }
    assert {"rep3", "rep5"} <= over_expense
    assert {"rep2", "rep5"} <= under_collection
    assert all(row.sales_target is not None for row in rows.values())  # approved or acknowledged targets

    assert set(Target.objects.values_list("status", flat=True)) == {"proposed", "approved", "acknowledged"}
    assert set(Scorecard.objects.values_list("template__code", flat=True)) == {"mbo", "bsc"}
    assert set(Scorecard.objects.values_list("status", flat=True)) == {"draft", "confirmed"}
    assert SalesRecord.objects.filter(amount__lt=0).exists()  # credit notes
    assert 0 < SalesRecord.objects.filter(channel_conflict=True).count() < SalesRecord.objects.count() / 10

    # commissions: a flat plan with a gate and a marginal plan with scorecard factor and retention;
    # last month's statements computed, then submitted, approved and paid
    plans = {plan.tier_mode: plan for plan in CommissionPlan.objects.all()}
    assert plans["flat"].collection_gate == Decimal("80.00")
    assert plans["marginal"].use_scorecard and plans["marginal"].retention == Decimal("10.00")
    last = str(Month.current().previous())
    statuses = dict(Statement.objects.filter(period=last).values_list("rep__username", "status"))
    assert set(statuses.values()) == {"draft", "submitted", "approved", "paid"}
    assert all(
        statement.payable_amount == statement.net_amount - statement.retained_amount
        for statement in Statement.objects.all()
    )
