"""The dealer accounts' tests' world (SPEC §15): agreements with payment terms, rebates paid, fund claims settled,
and F1's account from February to June 2026 (``may_world``), whose figures the tests work out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from funds.models import DepositEntry, FundClaim, FundRequest
from partners.models import Dealer
from rebates.models import RebateProgram, RebateSettlement
from tests.partners.world import make_agreement, signed
from tests.rebates.world import make_program, record

D = Decimal


def agreement(manager, dealer, territory, lines, start, end, terms):
    Dealer.objects.filter(pk=dealer.pk).update(status=Dealer.Status.ACTIVE)
    made = make_agreement(manager, dealer, territory, [lines["kitchen"]], start, end, exclusive=False)
    made.payment_terms_days = terms
    made.save(update_fields=["payment_terms_days"])
    return signed(manager, made)


def paid_rebate(dealer, program, net, paid_on, period="2026-Q1"):
    return RebateSettlement.objects.create(
        dealer=dealer,
        program=program,
        period=period,
        status=RebateSettlement.Status.PAID,
        gross_amount=D(net),
        net_amount=D(net),
        paid_on=paid_on,
        payment_reference=f"CN-{period}",
    )


_claims = {"n": 0}


def settled_claim(dealer, who, amount, settled_on):
    """A fund claim settled at ``amount`` on ``settled_on`` (rows as the settlement leaves them)."""
    _claims["n"] += 1
    request = FundRequest.objects.create(
        number=f"FR-2026-{_claims['n']:05d}",
        dealer=dealer,
        category="promotion",
        title="门店促销",
        start_date=date(2026, 4, 1),
        end_date=date(2026, 4, 30),
        requested_amount=D(amount),
        expected_sales=D(amount) * 20,
        requested_by=who,
        status="settled",
        approved_amount=D(amount),
        settled_amount=D(amount),
    )
    return FundClaim.objects.create(
        request=request,
        actual_amount=D(amount),
        actual_sales=D(amount) * 10,
        claimed_by=who,
        status="settled",
        settled_amount=D(amount),
        settled_on=settled_on,
    )


@pytest.fixture
def f1_terms_30(manager, dealers, covered, lines):
    return agreement(manager, dealers["F1"], covered["SH"], lines, date(2026, 1, 1), date(2026, 12, 31), 30)


@pytest.fixture
def may_world(finance, manager, rep, dealers, f1_terms_30):
    """F1 from February to June 2026 (see the figures in the tests)."""
    f1 = dealers["F1"]
    credit_program = make_program("Credit 2026")
    cash_program = make_program("Cash 2026", payout=RebateProgram.Payout.CASH)
    # before May
    record(finance, "sales", f1, date(2026, 2, 1), "1000.00")
    record(finance, "sales", f1, date(2026, 3, 15), "2000.00")
    record(finance, "collections", f1, date(2026, 3, 1), "600.00")
    paid_rebate(f1, credit_program, "50.00", date(2026, 4, 30), period="2025-Q4")
    settled_claim(f1, rep, "70.00", date(2026, 4, 10))
    # May
    record(finance, "sales", f1, date(2026, 5, 10), "1500.00")
    record(finance, "sales", f1, date(2026, 5, 12), "-200.00")
    record(finance, "collections", f1, date(2026, 5, 20), "1000.00")
    # Q2's rebates, paid in June: credited on 30 June, in June's statement (no quarter ends in May)
    paid_rebate(f1, credit_program, "120.00", date(2026, 6, 5), period="2026-Q2")
    paid_rebate(f1, cash_program, "45.00", date(2026, 6, 6), period="2026-Q2")
    settled_claim(f1, rep, "300.00", date(2026, 5, 18))
    DepositEntry.objects.create(dealer=f1, kind="received", amount=D("5000.00"), date=date(2026, 4, 3))
    DepositEntry.objects.create(dealer=f1, kind="deducted", amount=D("200.00"), date=date(2026, 5, 25), reason="罚款")
    # June, after the statement
    record(finance, "collections", f1, date(2026, 6, 2), "400.00")
    paid_rebate(f1, make_program("Credit 2026 bis"), "30.00", date(2026, 6, 3), period="2026-Q2")
    return f1
