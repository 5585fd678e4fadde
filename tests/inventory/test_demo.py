"""The demo's stock (SPEC §10, §16): twelve months for the distributors and their terminals, the months before
the last confirmed, an overstock, a stockout and a slow mover in the last month, key terminals — idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from channelhub.periods import Month
from inventory.models import StockReport
from partners.models import Dealer

pytestmark = pytest.mark.slow


def counts() -> dict[str, int]:
    return {
        "reports": StockReport.objects.count(),
        "confirmed": StockReport.objects.filter(status="confirmed").count(),
        "key": Dealer.objects.filter(is_key_account=True).count(),
        "terminals": Dealer.objects.filter(kind="retail_terminal").count(),
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
    assert first["reports"] > 300 and first["key"] > 0


def test_twelve_months_with_the_last_waiting_for_the_managers(seeded, db):
    last = Month.current().previous()
    periods = sorted(set(StockReport.objects.values_list("period", flat=True)))
    assert len(periods) == 12 and periods[-1] == str(last)
    assert set(StockReport.objects.filter(period__lt=str(last)).values_list("status", flat=True)) == {"confirmed"}
    assert set(StockReport.objects.filter(period=str(last)).values_list("status", flat=True)) == {"submitted"}
    for report in StockReport.objects.filter(status="confirmed").exclude(confirmed_by=None)[:50]:
        assert report.confirmed_by_id != report.submitted_by_id


def test_the_last_month_shows_each_flag(seeded, db):
    last = StockReport.objects.filter(period=str(Month.current().previous()))
    assert last.filter(overstock=True, dealer__kind="distributor").exists()
    assert last.filter(stockout=True, dealer__kind="retail_terminal").exists()
    assert last.filter(slow_moving=True, dealer__kind="retail_terminal").exists()


def test_distributors_receive_what_we_sold_them(seeded, db):
    reports = StockReport.objects.filter(dealer__kind="distributor", received_amount__gt=0)
    assert reports.exists()
    assert not reports.filter(receipt_mismatch=True).exists()
