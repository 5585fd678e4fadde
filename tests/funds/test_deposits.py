"""The deposit ledger (SPEC §14): received when finance confirms an agreement's deposit, deducted with a
reason, refunded once for a terminated dealer — proposed by its manager, approved by finance, never below 0,
never twice. Figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from channelhub.errors import Conflict, TransitionNotAllowed
from funds.models import DepositEntry, DepositRefund
from funds.selectors import deposit_accounts, deposit_balance
from funds.services import deposits as deposit_services
from partners.models import Dealer
from partners.services.agreements import agreement_confirm_deposit
from tests.partners.world import make_agreement

D = Decimal


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


@pytest.fixture
def f1_deposit(dealers, covered, manager, finance, lines):
    """F1's agreement with a 50,000.00 deposit, confirmed by finance on 1 March 2026."""
    agreement = make_agreement(
        manager,
        dealers["F1"],
        covered["SH"],
        [lines["kitchen"]],
        date(2026, 1, 1),
        date(2026, 12, 31),
        deposit_amount=D("50000.00"),
    )
    agreement_confirm_deposit(actor=finance, agreement=agreement, received_on=date(2026, 3, 1))
    return agreement


def terminate(dealer, manager):
    Dealer.workflow.apply(dealer, "terminate", by=manager)
    dealer.refresh_from_db()
    return dealer


def test_a_confirmed_deposit_is_received_once_in_the_ledger(f1_deposit, dealers):
    (entry,) = DepositEntry.objects.all()
    assert (entry.kind, entry.amount, entry.date, entry.agreement) == (
        "received",
        D("50000.00"),
        date(2026, 3, 1),
        f1_deposit,
    )
    deposit_services.deposit_record_received(f1_deposit)  # told again: nothing more
    assert deposit_balance(dealers["F1"].pk) == D("50000.00")
    assert DepositEntry.objects.count() == 1


def test_a_deduction_needs_finance_a_reason_and_a_balance(f1_deposit, dealers, finance, manager):
    f1 = dealers["F1"]
    with pytest.raises(PermissionDenied):
        deposit_services.deposit_deduct(actor=manager, dealer=f1, amount=D("1000.00"), reason="窜货罚款")
    with pytest.raises(ValidationError) as refused:
        deposit_services.deposit_deduct(actor=finance, dealer=f1, amount=D("1000.00"), reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why the deposit is deducted."]}
    deposit_services.deposit_deduct(actor=finance, dealer=f1, amount=D("8000.00"), reason="窜货罚款")
    # 50,000.00 − 8,000.00 = 42,000.00 left: 42,000.01 cannot be deducted
    with pytest.raises(Conflict, match="holds ¥42,000.00: ¥42,000.01 cannot be deducted"):
        deposit_services.deposit_deduct(actor=finance, dealer=f1, amount=D("42000.01"), reason="乱价罚款")
    assert deposit_balance(f1.pk) == D("42000.00")


def test_the_refund_is_the_balance_proposed_by_the_manager_and_approved_by_finance(
    f1_deposit, dealers, manager, finance, finance_b
):
    f1 = dealers["F1"]
    deposit_services.deposit_deduct(actor=finance, dealer=f1, amount=D("8000.00"), reason="窜货罚款")
    deposit_services.deposit_deduct(actor=finance_b, dealer=f1, amount=D("1500.50"), reason="陈列不达标")
    f1 = terminate(f1, manager)
    refund = deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    # balance 50,000.00 − 8,000.00 − 1,500.50 = 40,499.50; open receivable 0.00 (nothing sold to the dealer)
    assert (refund.balance, refund.open_receivable, refund.amount) == (D("40499.50"), D("0.00"), D("40499.50"))
    refund = deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=True)
    assert refund.status == DepositRefund.Status.APPROVED
    assert (refund.entry.kind, refund.entry.amount) == ("refunded", D("40499.50"))
    assert deposit_balance(f1.pk) == D("0.00")
    account = deposit_accounts(finance).get(pk=f1.pk)
    assert (account.received, account.deducted, account.refunded, account.balance) == (
        D("50000.00"),
        D("9500.50"),
        D("40499.50"),
        D("0.00"),
    )


def test_the_refund_nets_the_open_receivable_and_never_goes_below_zero(
    f1_deposit, dealers, manager, finance, monkeypatch
):
    f1 = terminate(dealers["F1"], manager)
    # receivable 12,000.00: 50,000.00 − 12,000.00 = 38,000.00
    monkeypatch.setattr(deposit_services, "open_receivable", lambda dealer_id: D("12000.00"))
    refund = deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    assert refund.amount == D("38000.00")
    # by the approval the receivable grew to 75,000.00: 50,000.00 − 75,000.00 < 0 → 0.00, no entry
    monkeypatch.setattr(deposit_services, "open_receivable", lambda dealer_id: D("75000.00"))
    refund = deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=True)
    assert (refund.amount, refund.open_receivable, refund.entry) == (D("0.00"), D("75000.00"), None)
    assert deposit_balance(f1.pk) == D("50000.00")


def test_a_refund_is_never_made_twice(f1_deposit, dealers, manager, finance):
    f1 = terminate(dealers["F1"], manager)
    refund = deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    with pytest.raises(Conflict, match="“proposed” already: it is never made twice"):
        deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=True)
    with pytest.raises(Conflict, match="“approved” already"):
        deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    with pytest.raises(TransitionNotAllowed):
        deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=True)
    assert DepositEntry.objects.filter(kind="refunded").count() == 1


def test_a_rejected_refund_may_be_proposed_again(f1_deposit, dealers, manager, finance):
    f1 = terminate(dealers["F1"], manager)
    refund = deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    with pytest.raises(ValidationError):
        deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=False)
    deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=False, reason="先扣除欠款")
    again = deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    assert again.pk != refund.pk and again.status == "proposed"


def test_only_a_terminated_dealers_deposit_is_refunded_and_not_by_its_proposer(
    f1_deposit, dealers, manager, other_manager, finance, admin_user
):
    f1 = dealers["F1"]
    with pytest.raises(Conflict, match="“active”: a deposit is refunded when the dealer is terminated"):
        deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    f1 = terminate(f1, manager)
    with pytest.raises(PermissionDenied):
        deposit_services.deposit_refund_propose(actor=other_manager, dealer=f1)
    refund = deposit_services.deposit_refund_propose(actor=admin_user, dealer=f1)
    with pytest.raises(PermissionDenied, match="you proposed yourself"):
        deposit_services.deposit_refund_decide(actor=admin_user, refund=refund, approve=True)
    with pytest.raises(PermissionDenied):
        deposit_services.deposit_refund_decide(actor=manager, refund=refund, approve=True)


def test_deposits_confirmed_before_the_ledger_become_received_entries(f1_deposit, dealers):
    from importlib import import_module

    from django.apps import apps

    DepositEntry.objects.all().delete()
    import_module("funds.migrations.0002_deposits_received").forwards(apps, None)
    import_module("funds.migrations.0002_deposits_received").forwards(apps, None)  # twice: nothing more
    assert list(DepositEntry.objects.values_list("kind", "amount", "date")) == [
        ("received", D("50000.00"), date(2026, 3, 1))
    ]


def test_dates_of_deductions_are_not_in_the_future(f1_deposit, dealers, finance):
    tomorrow = timezone.localdate().replace(year=timezone.localdate().year + 1)
    with pytest.raises(ValidationError) as refused:
        deposit_services.deposit_deduct(actor=finance, dealer=dealers["F1"], amount=D("1.00"), reason="x", day=tomorrow)
    assert "date" in refused.value.message_dict
