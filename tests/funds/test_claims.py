"""Claims and their settlement (SPEC §14): evidence at least a photo and an invoice, the check, and the
settlement into one expense that counts in the rep's expense rate and the month's commission — the issue's
walk-through from request to statement, with every figure worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from channelhub.errors import Conflict
from channelhub.notifications.models import Notification
from channelhub.periods import Month
from commissions.models import StatementLine
from commissions.services.commission import compute
from commissions.services.plans import plan_create
from evidence.demo import demo_pdf, demo_photo
from evidence.services import attachments_add
from funds.models import FundClaim, FundRequest
from funds.selectors import budget_figures
from funds.services.claims import claim_check, claim_create, claim_settle
from funds.services.requests import request_approve, request_submit
from kpi.models import Expense, Period
from kpi.selectors.measures import rep_measures
from tests.funds.base import approved, budget, claimed, draft
from tests.kpi.scorecard_world import sale, target

D = Decimal


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def kinds_of(user) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def photo_of(dealer, seed="活动现场"):
    return demo_photo(seed, taken=timezone.now(), latitude=dealer.latitude, longitude=dealer.longitude)


def with_evidence(claim, actor, *, photo=True, invoice=True):
    dealer = claim.request.dealer
    if photo:
        attachments_add(actor=actor, obj=claim, files=[photo_of(dealer)], kind="photo")
    if invoice:
        attachments_add(actor=actor, obj=claim, files=[demo_pdf("invoice.pdf", "Invoice 0042")], kind="invoice")
    return claim


@pytest.fixture
def q4(covered, finance):
    # the walk-through: a ¥600,000.00 promotion budget for Shanghai in Q4, cost ratio 8 %
    return budget(finance, covered["SH"], "600000.00", quarter=4, ratio="8.00")


@pytest.fixture
def this_month_request(q4, dealers, manager, admin_user, finance):
    """A manager's ¥30,000.00 request for F1 (expected sales ¥600,000.00; 5 % under the 8 % ratio), approved
    by another manager of the dealer (an admin here) and by finance, dated this month."""
    today = timezone.localdate()
    return approved(manager, admin_user, finance, dealers["F1"], "30000.00", start=today, sales="600000.00")


def test_a_met_check_needs_a_photo_and_an_invoice(this_month_request, rep, manager):
    claim = claimed(this_month_request, rep, "27500.00")
    with pytest.raises(ValidationError) as refused:
        claim_check(actor=manager, claim=claim, met=True)
    assert refused.value.message_dict["met"] == ["The evidence is incomplete: this claim has no photo, invoice yet."]
    with_evidence(claim, rep, invoice=False)
    with pytest.raises(ValidationError) as refused:
        claim_check(actor=manager, claim=claim, met=True)
    assert refused.value.message_dict["met"] == ["The evidence is incomplete: this claim has no invoice yet."]
    with_evidence(claim, rep, photo=False)
    assert claim_check(actor=manager, claim=claim, met=True).status == FundClaim.Status.MET


def test_not_met_needs_a_reason_and_the_claimer_does_not_check_their_own_claim(this_month_request, rep, manager):
    claim = claimed(this_month_request, manager, "27500.00")  # the manager claims it
    with pytest.raises(PermissionDenied, match="a claim you made yourself"):
        claim_check(actor=manager, claim=claim, met=False, reason="无发票")
    claim = FundClaim.objects.get(pk=claim.pk)
    with pytest.raises(PermissionDenied, match="Only the dealer's channel manager"):
        claim_check(actor=rep, claim=claim, met=False, reason="无发票")


def test_a_claim_is_at_most_the_approved_amount_and_one_per_request(this_month_request, rep):
    with pytest.raises(ValidationError) as refused:
        claimed(this_month_request, rep, "30000.01")
    assert refused.value.message_dict["actual_amount"] == ["At most the approved ¥30,000.00 can be claimed."]
    claimed(this_month_request, rep, "30000.00")
    with pytest.raises(Conflict):
        claimed(this_month_request, rep, "1.00")
    assert FundClaim.objects.count() == 1


def test_evidence_closes_once_the_claim_is_checked(this_month_request, rep, manager):
    claim = with_evidence(claimed(this_month_request, rep, "27500.00"), rep)
    claim_check(actor=manager, claim=claim, met=True)
    with pytest.raises(Conflict, match="its evidence is closed"):
        attachments_add(actor=rep, obj=claim, files=[photo_of(claim.request.dealer, "又一张")], kind="photo")


def test_the_walk_through_from_request_to_the_months_commission(
    q4, dealers, rep, manager, admin_user, finance, finance_b
):
    """The issue's "done when", as a test."""
    f1 = dealers["F1"]
    today = timezone.localdate()
    month = Month.of(today)
    # 1. the manager requests ¥30,000.00 (600,000.00 × 8 % = 48,000.00 allowed); approved twice
    request = approved(manager, admin_user, finance, f1, "30000.00", start=today, sales="600000.00")
    assert (request.status, request.budget, request.approved_amount) == ("approved", q4, D("30000.00"))
    # remaining 600,000.00 − 30,000.00 = 570,000.00
    assert budget_figures(q4) == (D("30000.00"), D("0.00"), D("570000.00"))
    # 2. a second request that would overrun the budget is refused naming the remaining (570,000.00)
    big = draft(manager, dealers["F2"], "580000.00", start=today, sales="8000000.00")
    request_submit(actor=manager, request=big)
    request_approve(actor=admin_user, request=big)
    with pytest.raises(Conflict, match="has ¥570,000.00 remaining: ¥580,000.00 cannot be committed"):
        request_approve(actor=finance, request=big)
    # 3. the claim of ¥27,500.00 with a photo and an invoice is checked and settled
    claim = with_evidence(
        claim_create(actor=rep, request=request, actual_amount=D("27500.00"), actual_sales=D("610000.00")), rep
    )
    claim_check(actor=manager, claim=claim, met=True)
    claim = claim_settle(actor=finance_b, claim=claim)
    (expense,) = Expense.objects.all()
    assert (expense.reference, expense.amount, expense.rep, expense.dealer, expense.date, expense.category) == (
        f"FUND-{request.number}",
        D("27500.00"),
        rep,
        f1,
        today,
        "promotion",
    )
    assert claim.expense == expense and claim.settled_amount == D("27500.00")
    assert FundRequest.objects.get(pk=request.pk).status == "settled"
    # 4. the budget: spent 27,500.00, the unspent 2,500.00 released → 600,000.00 − 27,500.00 = 572,500.00
    assert budget_figures(q4) == (D("0.00"), D("27500.00"), D("572500.00"))
    # 5. the rep's month: net sales 250,000.00; expenses 27,500.00 → expense rate 11.00 %
    sale(rep, f1, today, "250000.00")
    assert rep_measures(rep, month).expenses == D("27500.00")
    assert rep_measures(rep, month).expense_rate == D("11.00")
    # 6. the month's commission: expense target 10 % → budget 25,000.00; over by 2,500.00 × 50 % = 1,250.00
    target(rep, month, "250000.00", expense_rate="10.00", proposed_by=manager)
    plan = plan_create(
        name="Funds walk-through",
        tiers=[{"from_amount": "0.00", "rate": "2.00"}],
        assignments=[{"rep": rep, "start_date": date(2026, 1, 1), "end_date": None}],
        over_budget_expense_share=D("50.00"),
        false_report_deduction=D(0),
        fabricated_deduction=D(0),
    )
    (expenses,) = [line for line in compute(rep, month, plan).lines if line.step == StatementLine.Step.EXPENSES]
    assert expenses.amount == D("1250.00")  # deducted
    assert expenses.inputs["expenses"] == "27500.00" and expenses.inputs["over_budget"] == "2500.00"
    # the next actors were told at each step
    assert kinds_of(manager) >= {"fund_claim.claimed"}
    assert kinds_of(finance) >= {"fund_request.manager_approved", "fund_claim.checked"}
    assert kinds_of(rep) >= {"fund_request.approved", "fund_claim.settled"}


def test_settling_twice_writes_one_expense(this_month_request, rep, manager, finance_b):
    claim = with_evidence(claimed(this_month_request, rep, "27500.00"), rep)
    claim_check(actor=manager, claim=claim, met=True)
    first = claim_settle(actor=finance_b, claim=claim)
    second = claim_settle(actor=finance_b, claim=claim)
    assert first.expense_id == second.expense_id
    assert Expense.objects.count() == 1


def test_a_not_met_claim_settles_at_zero_and_writes_no_expense(this_month_request, q4, rep, manager, finance_b):
    claim = claimed(this_month_request, rep, "27500.00")
    claim_check(actor=manager, claim=claim, met=False, reason="照片不是本店")
    claim = claim_settle(actor=finance_b, claim=claim)
    assert (claim.status, claim.settled_amount, claim.expense) == ("settled", D("0.00"), None)
    assert not Expense.objects.exists()
    assert budget_figures(q4) == (D("0.00"), D("0.00"), D("600000.00"))


def test_a_settlement_in_a_closed_period_is_refused_and_changes_nothing(this_month_request, rep, manager, finance_b):
    claim = with_evidence(claimed(this_month_request, rep, "27500.00"), rep)
    claim_check(actor=manager, claim=claim, met=True)
    Period.objects.update_or_create(code=str(Month.current()), defaults={"status": Period.Status.CLOSED})
    with pytest.raises(Conflict, match=f"The period {Month.current()} is closed"):
        claim_settle(actor=finance_b, claim=claim)
    claim.refresh_from_db()
    assert claim.status == FundClaim.Status.MET and not Expense.objects.exists()


def test_only_finance_settles_and_not_a_claim_they_requested_or_checked(
    this_month_request, rep, manager, finance, admin_user
):
    claim = with_evidence(claimed(this_month_request, rep, "27500.00"), rep)
    claim_check(actor=admin_user, claim=claim, met=True)
    with pytest.raises(PermissionDenied, match="Only finance"):
        claim_settle(actor=manager, claim=claim)
    with pytest.raises(PermissionDenied, match="requested, made or checked"):
        claim_settle(actor=admin_user, claim=claim)  # the admin checked it
    assert claim_settle(actor=finance, claim=claim).status == "settled"


def test_an_unchecked_claim_cannot_be_settled(this_month_request, rep, finance_b):
    claim = claimed(this_month_request, rep, "27500.00")
    with pytest.raises(Conflict, match="must be checked before it is settled"):
        claim_settle(actor=finance_b, claim=claim)


def test_a_photo_far_from_the_dealer_flags_the_claim(this_month_request, rep, dealers):
    Dec = Decimal
    f1 = dealers["F1"]
    type(f1).objects.filter(pk=f1.pk).update(latitude=Dec("31.230000"), longitude=Dec("121.470000"))
    claim = claimed(this_month_request, rep, "100.00")
    far = demo_photo("别处", taken=timezone.now(), latitude=Dec("31.300000"), longitude=Dec("121.470000"))
    attachments_add(actor=rep, obj=claim, files=[far], kind="photo")
    claim.refresh_from_db()
    assert claim.photo_far and not claim.photo_reused
