"""The demo's rebates (SPEC §10, §15): programs on the demo agreements, a settled quarter, the last quarter in
draft with the showcase distributor at 104 % with two flagged sales — idempotent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from partners.models import Agreement
from rebates.models import RebateAccrual, RebateProgram, RebateRun, RebateSettlement
from rebates.periods import RebatePeriod

pytestmark = pytest.mark.slow
D = Decimal


def counts() -> dict[str, int]:
    return {
        "programs": RebateProgram.objects.count(),
        "runs": RebateRun.objects.count(),
        "settlements": RebateSettlement.objects.count(),
        "lines": RebateSettlement.objects.filter(lines__isnull=False).count(),
        "accruals": RebateAccrual.objects.count(),
        "paid": RebateSettlement.objects.filter(status="paid").count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", quiet_logins=True)
        first = counts()
        call_command("seed_demo", quiet_logins=True)
        yield first, counts()
        transaction.set_rollback(True)


def test_a_second_seed_adds_nothing(seeded, db):
    first, second = seeded
    assert second == first
    assert first["programs"] == 2 and first["paid"] > 0 and first["accruals"] > 0


def test_every_signed_demo_agreement_names_a_program(seeded, db):
    assert not Agreement.objects.filter(status="signed", rebate_program__isnull=True).exists()


def test_the_quarter_before_last_is_paid_and_the_last_is_in_draft(seeded, db):
    last = RebatePeriod.containing(timezone.localdate(), annual=False).previous()
    before = last.previous()
    assert set(RebateSettlement.objects.filter(period=str(before)).values_list("status", flat=True)) == {"paid"}
    assert set(RebateSettlement.objects.filter(period=str(last)).values_list("status", flat=True)) == {"draft"}
    for paid in RebateSettlement.objects.filter(status="paid"):
        assert paid.payment_reference.endswith(f"{before}-{paid.dealer.code}") and paid.paid_on


def test_the_showcase_distributor_reaches_104_percent_with_two_flagged_sales(seeded, db):
    last = RebatePeriod.containing(timezone.localdate(), annual=False).previous()
    showcase = RebateSettlement.objects.get(period=str(last), attainment=D("104.00"), dealer__kind="distributor")
    # basis = 1.04 × target; 2 % of the basis; 2 × 10 % = 20 % of it forfeited
    assert showcase.basis_amount == showcase.target_amount * D("1.04")
    assert showcase.rate == D("2.00") and showcase.conflict_count == 2
    assert showcase.gross_amount == (showcase.basis_amount * D("0.02")).quantize(D("0.01"))
    assert showcase.penalty_amount == (showcase.gross_amount * D("0.20")).quantize(D("0.01"))
    assert showcase.net_amount == showcase.gross_amount - showcase.penalty_amount
