"""The demo's channel funds (SPEC §10, §14): budgets, requests in every state, claims with evidence settled
into expenses, the deposit ledger and materials — idempotent.

The demo is seeded twice once for the whole module (a rolled-back transaction around it): each test reads
that one world instead of seeding its own.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from channelhub.notifications.models import Notification
from channelhub.workflow.models import StateChange
from evidence.models import Attachment
from evidence.selectors import attachments_of
from funds import selectors
from funds.models import (
    DepositEntry,
    DepositRefund,
    FundBudget,
    FundClaim,
    FundRequest,
    Material,
    MaterialCount,
    MaterialIssue,
)
from kpi.models import Expense
from partners.demo import demo_agreement_ids
from partners.models import Agreement

pytestmark = pytest.mark.slow

User = get_user_model()


def counts() -> dict[str, int]:
    return {
        "budgets": FundBudget.objects.count(),
        "requests": FundRequest.objects.count(),
        "request history": FundRequest.history.count(),
        "claims": FundClaim.objects.count(),
        "state changes": StateChange.objects.count(),
        "attachments": Attachment.objects.count(),
        "expenses": Expense.objects.count(),
        "deposit entries": DepositEntry.objects.count(),
        "refunds": DepositRefund.objects.count(),
        "materials": Material.objects.count(),
        "issues": MaterialIssue.objects.count(),
        "counts": MaterialCount.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded twice; answers the counts after the first run and after the second."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", quiet_logins=True)
        first = counts()
        call_command("seed_demo", quiet_logins=True)
        yield first, counts()
        transaction.set_rollback(True)


def user(username: str):
    return User.objects.get(username=username)


def test_a_second_seed_adds_nothing(seeded, db):
    first, second = seeded
    assert second == first
    assert first["requests"] == 20 and first["claims"] == 6


def test_every_request_state_is_there(seeded, db):
    assert set(FundRequest.objects.values_list("status", flat=True)) == set(FundRequest.Status.values)
    assert set(FundClaim.objects.values_list("status", flat=True)) == set(FundClaim.Status.values) - {"not_met"}
    # a possible split: two requests of one dealer and category whose dates overlap, both flagged
    pair = list(FundRequest.objects.filter(possible_split=True))
    assert len(pair) == 2 and pair[0].dealer_id == pair[1].dealer_id and pair[0].category == pair[1].category
    assert pair[0].start_date <= pair[1].end_date and pair[1].start_date <= pair[0].end_date
    for rejected in FundRequest.objects.filter(status="rejected"):
        assert rejected.reject_reason
    # the not-met claim settled at 0.00, with the checker's reason
    not_met = FundClaim.objects.get(settled_amount=Decimal("0.00"))
    assert not_met.check_reason and not_met.expense is None
    assert not Expense.objects.filter(reference=f"FUND-{not_met.request.number}").exists()


def test_a_settled_met_claim_wrote_exactly_one_expense(seeded, db):
    settled = FundClaim.objects.filter(status="settled", settled_amount__gt=0).select_related(
        "request__dealer", "expense"
    )
    assert settled.count() == 3
    for claim in settled:
        expenses = Expense.objects.filter(reference=f"FUND-{claim.request.number}")
        assert expenses.count() == 1
        expense = expenses.get()
        assert claim.expense == expense
        assert expense.amount == claim.actual_amount == claim.request.settled_amount
        assert expense.date == claim.settled_on == timezone.localdate()
        assert expense.rep_id == claim.request.dealer.owner_id and expense.dealer_id == claim.request.dealer_id


def test_claims_carry_photos_and_an_invoice(seeded, db):
    for claim in FundClaim.objects.all():
        kinds = [attachment.kind for attachment in attachments_of(claim)]
        assert kinds.count(Attachment.Kind.PHOTO) == 2 and kinds.count(Attachment.Kind.INVOICE) == 1
    # the one waiting for the manager's check has a photo taken far from the dealer
    assert FundClaim.objects.get(status="open").photo_far


def test_each_next_actor_has_work_waiting(seeded, db):
    manager1, manager2, finance = user("manager1"), user("manager2"), user("finance")
    assert selectors.manager_queue(manager1).count() >= 2
    assert selectors.manager_queue(manager2).count() >= 2
    assert selectors.finance_queue(finance).count() >= 2
    assert selectors.claims_to_check(manager1).exists()
    assert selectors.claims_to_settle(finance).exists()
    assert selectors.refunds_to_decide(finance).exists()
    assert selectors.requests_to_claim(user("rep1")).exists()


def test_budgets_cover_this_years_quarters_and_the_year(seeded, db):
    year = timezone.localdate().year
    budgets = FundBudget.objects.filter(year=year)
    assert set(budgets.filter(quarter__isnull=False).values_list("quarter", flat=True)) == {1, 2, 3, 4}
    assert budgets.filter(quarter__isnull=True).count() >= 5
    assert len(set(budgets.values_list("category", flat=True))) >= 5
    for budget in selectors.with_figures(budgets):
        assert budget.remaining >= 0


def test_the_deposit_ledger(seeded, db):
    confirmed = Agreement.objects.filter(
        pk__in=demo_agreement_ids(), deposit_received_on__isnull=False, deposit_amount__gt=0
    )
    received = DepositEntry.objects.filter(kind="received")
    assert set(received.values_list("agreement_id", flat=True)) == set(confirmed.values_list("pk", flat=True))
    deduction = DepositEntry.objects.get(kind="deducted")
    assert deduction.reason and deduction.amount == Decimal("5000.00")
    refunds = {refund.status: refund for refund in DepositRefund.objects.select_related("dealer")}
    assert set(refunds) == {"proposed", "approved"}
    assert all(refund.dealer.status == "terminated" for refund in refunds.values())
    assert (
        refunds["approved"].entry.kind == "refunded" and refunds["approved"].entry.amount == refunds["approved"].amount
    )
    assert selectors.deposit_balance(refunds["approved"].dealer_id) == Decimal("0.00")


def test_materials_with_one_count_beyond_five_percent(seeded, db):
    assert {"海报（A1）", "X展架", "堆头围挡", "门头灯箱"} <= set(Material.objects.values_list("name", flat=True))
    flagged = MaterialCount.objects.get(variance_flagged=True)
    assert abs(flagged.variance) * 100 > 5 * flagged.issued_quantity
    assert flagged.variance == flagged.issued_quantity - flagged.used_quantity - flagged.counted_quantity
    assert MaterialCount.objects.filter(variance_flagged=False).count() >= 3
    assert MaterialIssue.objects.filter(request__isnull=False).exists()
