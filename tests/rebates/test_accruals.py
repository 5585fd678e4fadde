"""Monthly accruals (预提, SPEC §15): the rebate earned so far in the open period, the target prorated to the
month's end too — figures by hand. Dealer F1, 2026 agreement with an annual target of 4 000 000.00 on the
four-band program (0/80/100/120 % → 0/1/2/3 %)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rebates.models import RebateAccrual, RebateSettlement
from rebates.selectors import dealer_rebate_year
from rebates.services.accruals import accruals_compute
from tests.rebates.world import record, sign

D = Decimal


def test_the_accrual_prorates_the_target_to_the_months_end(dealers, covered, lines, manager, finance, program):
    dealer = dealers["F1"]
    sign(manager, finance, dealer, covered["SH-PD"], [lines["kitchen"]], program)
    record(finance, "sales", dealer, date(2026, 7, 20), "400000.00")
    record(finance, "sales", dealer, date(2026, 8, 31), "300000.00")
    record(finance, "sales", dealer, date(2026, 9, 1), "500000.00")  # after the month: not in the accrual
    assert accruals_compute("2026-08") == 1
    accrual = RebateAccrual.objects.get(dealer=dealer, month="2026-08")
    # 1 July – 31 August: 62 of Q3's 92 days → target 4 000 000.00 × ¼ × 62/92 = 673 913.04
    # 700 000.00 ÷ 673 913.04… = 103.87 % → 2 % → 14 000.00
    assert (accrual.period, accrual.basis_amount, accrual.amount) == ("2026-Q3", D("700000.00"), D("14000.00"))
    # run again: replaced, not doubled
    record(finance, "sales", dealer, date(2026, 8, 30), "100000.00")
    accruals_compute("2026-08")
    accrual = RebateAccrual.objects.get(dealer=dealer, month="2026-08")
    # 800 000.00 ÷ 673 913.04 = 118.71 % → still 2 % → 16 000.00
    assert accrual.amount == D("16000.00")


def test_the_dealers_year_adds_settled_periods_and_the_open_estimate(
    dealers, covered, lines, manager, finance, program
):
    dealer = dealers["F1"]
    sign(manager, finance, dealer, covered["SH-PD"], [lines["kitchen"]], program)
    RebateSettlement.objects.create(
        dealer=dealer, program=program, period="2026-Q3", status="paid", net_amount=D("16640.00")
    )
    record(finance, "sales", dealer, date(2026, 10, 10), "900000.00")
    year = dealer_rebate_year(dealer.pk, date(2026, 11, 30))
    # Q4 to 30 November: 61 of 92 days → target 1 000 000.00 × 61/92 = 663 043.48;
    # 900 000.00 ÷ 663 043.48 = 135.74 % → 3 % → 27 000.00; the year: 16 640.00 + 27 000.00 = 43 640.00
    assert (year["settled"], year["accrued"], year["total"]) == (D("16640.00"), D("27000.00"), D("43640.00"))


def test_the_monthly_task_is_scheduled_and_writes_last_months_accruals(
    dealers, covered, lines, manager, finance, program
):
    from django.conf import settings

    from channelhub.periods import Month
    from rebates.tasks import monthly_accruals

    schedule = settings.CELERY_BEAT_SCHEDULE["monthly-rebate-accruals"]
    assert schedule["task"] == "rebates.monthly_accruals"
    dealer = dealers["F1"]
    last = Month.current().previous()
    sign(
        manager,
        finance,
        dealer,
        covered["SH-PD"],
        [lines["kitchen"]],
        program,
        start=last.first_day.replace(month=1, day=1),
        end=last.first_day.replace(month=12, day=31),
    )
    assert monthly_accruals.apply().get() == 1
    assert RebateAccrual.objects.filter(dealer=dealer, month=str(last)).count() == 1
