"""The stock report rules (SPEC §16), with figures worked out by hand in each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from channelhub.errors import Conflict
from channelhub.periods import Month
from inventory.models import StockReport
from inventory.services.reports import ReportErrors, report_confirm, report_input, report_return, reports_write
from tests.inventory.world import figures, history, write
from tests.rebates.world import record

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def d1(stock_dealers):
    return stock_dealers["D1"]


def errors_of(excinfo) -> dict:
    return excinfo.value.by_row


def test_a_balanced_first_report_is_stored_submitted(rep, d1, lines):
    # 100 + 50 − 30 + 0 = 120 units; at 10.00 each 1 000 + 500 − 300 = 1 200.00
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("100", "50", "30"))
    assert (report.status, report.closing_qty, report.closing_amount) == ("submitted", D("120"), D("1200"))
    assert report.submitted_by == rep


def test_closing_that_does_not_balance_names_the_line_and_the_expected_figure(rep, d1, lines):
    values = {**figures("100", "50", "30"), "closing_qty": D("125")}  # 100 + 50 − 30 = 120, not 125
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-10", lines["kitchen"], values)
    assert errors_of(excinfo) == {0: {"closing_qty": ["Should be 120: opening + received − sold + adjustment."]}}
    assert not StockReport.objects.exists()


def test_amounts_balance_too(rep, d1, lines):
    values = {**figures("100", "50", "30"), "closing_amount": D("1100.00")}  # 1000 + 500 − 300 = 1200
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-10", lines["kitchen"], values)
    assert errors_of(excinfo)[0]["closing_amount"] == ["Should be 1200: opening + received − sold + adjustment."]


def test_negative_stock_is_refused(rep, d1, lines):
    # 10 + 0 − 15 = −5: more sold than there was
    values = {**figures("10", "0", "15"), "closing_qty": D("0"), "closing_amount": D("0")}
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-10", lines["kitchen"], values)
    assert errors_of(excinfo)[0]["closing_qty"] == [
        "Stock cannot be negative: opening + received − sold + adjustment comes to -5."
    ]


def test_an_adjustment_needs_a_reason(rep, d1, lines):
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-10", lines["kitchen"], figures("100", "0", "0", "-4"))
    assert errors_of(excinfo) == {0: {"adjustment_reason": ["Say why the stock was adjusted."]}}
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("100", "0", "0", "-4", reason="damaged"))
    assert (report.closing_qty, report.adjustment_reason) == (D("96"), "damaged")


def test_opening_must_be_last_months_closing(rep, d1, lines):
    write(rep, d1, "2026-09", lines["kitchen"], figures("0", "80", "20"))  # September closes at 60 (600.00)
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-10", lines["kitchen"], figures("65", "0", "5"))
    assert errors_of(excinfo) == {
        0: {
            "opening_qty": ["Should be 60: the closing of 2026-09."],
            "opening_amount": ["Should be 600: the closing of 2026-09."],
        }
    }
    assert write(rep, d1, "2026-10", lines["kitchen"], figures("60", "0", "5")).closing_qty == D("55")


def test_a_list_is_all_or_nothing_with_every_bad_row(rep, d1, lines):
    rows = [
        report_input(d1, Month(2026, 10), lines["kitchen"], figures("10", "5", "5")),
        report_input(d1, Month(2026, 10), lines["water"], {**figures("10", "5", "5"), "closing_qty": D("9")}),
        report_input(d1, Month(2026, 10), lines["hvac"], figures("10", "0", "0", "2")),
    ]
    with pytest.raises(ReportErrors) as excinfo:
        reports_write(actor=rep, rows=rows)
    assert sorted(errors_of(excinfo)) == [1, 2]
    assert not StockReport.objects.exists()


def test_a_list_may_hold_a_lines_history_month_after_month(rep, d1, lines):
    # given out of order: November opens with October's closing 12 (10 + 5 − 3)
    rows = [
        report_input(d1, Month(2026, 11), lines["kitchen"], figures("12", "0", "2")),
        report_input(d1, Month(2026, 10), lines["kitchen"], figures("10", "5", "3")),
    ]
    assert len(reports_write(actor=rep, rows=rows).created) == 2


def test_writing_the_same_figures_again_adds_nothing(rep, d1, lines):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    again = reports_write(
        actor=rep, rows=[report_input(d1, Month(2026, 10), lines["kitchen"], figures("10", "5", "3"))]
    )
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 1)
    assert StockReport.objects.count() == 1


def test_a_later_month_keeps_the_closing_it_opens_from(rep, d1, lines):
    write(rep, d1, "2026-09", lines["kitchen"], figures("0", "80", "20"))  # closes at 60
    write(rep, d1, "2026-10", lines["kitchen"], figures("60", "0", "5"))
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-09", lines["kitchen"], figures("0", "80", "30"))  # would close at 50
    assert errors_of(excinfo)[0]["closing_qty"] == ["Should stay 60: the report of 2026-10 opens with it."]


def test_a_month_not_begun_is_refused(rep, d1, lines):
    later = Month.current().next()
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, str(later), lines["kitchen"], figures("1", "0", "0"))
    assert errors_of(excinfo)[0]["period"] == [f"{later} has not begun yet."]


def test_only_the_dealers_rep_or_an_admin_reports(rep_peer, manager, finance, d1, lines):
    for actor in (rep_peer, manager, finance):
        with pytest.raises(PermissionDenied):
            write(actor, d1, "2026-10", lines["kitchen"], figures("1", "0", "0"))


# --- receipt mismatch: our net sales to the dealer for the line and month ------------------------------------


@pytest.mark.parametrize(
    ("received", "flagged"),
    [
        ("10500.00", False),  # 500 from 10 000: 500 × 100 = 50 000 = 5 × 10 000 — at 5 %, not above
        ("10500.01", True),  # 500.01 × 100 = 50 001 > 50 000 — just above
        ("9500.00", False),  # 5 % under
        ("9499.99", True),
    ],
)
def test_receipt_mismatch_at_and_just_above_five_percent(rep, finance, d1, lines, received, flagged):
    record(finance, "sales", d1, date(2026, 10, 3), "12000.00", category="kitchen")
    record(finance, "sales", d1, date(2026, 10, 20), "-2000.00", category="kitchen")  # a return: net 10 000.00
    record(finance, "sales", d1, date(2026, 10, 5), "999.00", category="water")  # another line: not counted
    record(finance, "sales", d1, date(2026, 9, 30), "999.00", category="kitchen")  # another month: not counted
    values = {**figures("0", "0", "0"), "received_qty": D("100"), "received_amount": D(received)}
    values.update(closing_qty=D("100"), closing_amount=D(received))
    report = write(rep, d1, "2026-10", lines["kitchen"], values)
    assert report.expected_received_amount == D("10000.00")
    assert report.receipt_mismatch is flagged


def test_a_terminal_buying_through_its_distributor_is_not_compared_with_our_sales(rep, stock_dealers, lines):
    report = write(rep, stock_dealers["T1"], "2026-10", lines["kitchen"], figures("0", "30", "10"))
    assert (report.expected_received_amount, report.receipt_mismatch) == (None, False)


# --- days of stock and the flags ------------------------------------------------------------------------------


def test_days_of_stock_with_one_month_of_history(rep, d1, lines):
    # October only: 31 days, 62 sold → 2 a day; closing 40 → 20.0 days
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("0", "102", "62"))
    assert report.days_of_stock == D("20.0")


def test_days_of_stock_with_two_months_of_history(rep, d1, lines):
    # Sept (30 days) sold 30, Oct (31 days) sold 92: 122 over 61 days = 2 a day; Oct closes at 50 → 25.0 days
    september, october = history(rep, d1, lines["kitchen"], [("60", "30", "0"), ("112", "92", "0")], start="2026-09")
    assert october.closing_qty == D("50")
    assert october.days_of_stock == D("25.0")
    assert september.days_of_stock == D("30.0")  # closes at 30, sold 30 in 30 days


def test_days_of_stock_over_three_months_leaves_the_fourth_out(rep, d1, lines):
    # Jul sold 1 000 (left out), Aug 31 d sold 31, Sep 30 d sold 30, Oct 31 d sold 31: 92 over 92 days = 1 a day;
    # Oct closes at 1 100 − 1 000 − 31 − 30 + … : received 1 200 in July, so 1 200 − 1 092 = 108 → 108.0 days
    reports = history(
        rep,
        d1,
        lines["kitchen"],
        [("1200", "1000", "0"), ("0", "31", "0"), ("0", "30", "0"), ("0", "31", "0")],
        start="2026-07",
    )
    october = reports[-1]
    assert october.closing_qty == D("108")
    assert october.days_of_stock == D("108.0")
    assert october.overstock is True


def test_overstock_above_sixty_days_only(rep, d1, lines):
    # October alone: 31 sold in 31 days = 1 a day. Closing 60 → 60 days: not above; 61 → flagged
    at = write(rep, d1, "2026-10", lines["kitchen"], figures("0", "91", "31"))
    assert (at.days_of_stock, at.overstock) == (D("60.0"), False)
    above = write(rep, d1, "2026-10", lines["water"], figures("0", "92", "31"))
    assert (above.days_of_stock, above.overstock) == (D("61.0"), True)


def test_stockout_is_closing_zero_with_sales_in_the_month(rep, d1, lines):
    out = write(rep, d1, "2026-10", lines["kitchen"], figures("0", "20", "20"))
    assert (out.closing_qty, out.stockout, out.days_of_stock) == (D("0"), True, D("0.0"))
    empty = write(rep, d1, "2026-10", lines["water"], figures("0", "0", "0"))
    assert empty.stockout is False  # nothing to sell and nothing sold: no stockout


def test_slow_moving_after_two_months_without_sell_out(rep, d1, lines):
    september, october = history(rep, d1, lines["kitchen"], [("50", "0", "0"), ("0", "0", "0")], start="2026-09")
    assert september.slow_moving is False  # one month without sell-out
    assert october.slow_moving is True  # the second
    assert october.days_of_stock is None  # nothing sold: no days of stock


def test_a_month_with_sell_out_is_not_slow_moving(rep, d1, lines):
    _september, october = history(rep, d1, lines["kitchen"], [("50", "0", "0"), ("0", "1", "0")], start="2026-09")
    assert october.slow_moving is False


def test_a_correction_of_a_month_updates_the_next_months_days_of_stock(rep, d1, lines):
    # Sept sold 30 / 30 days, Oct sold 31 / 31 days → Oct: closing 30 at 1 a day = 30.0 days
    history(rep, d1, lines["kitchen"], [("60", "30", "0"), ("31", "31", "0")], start="2026-09")
    # Sept corrected: received 90 and sold 60 (still closing 30): Sept+Oct = 91 over 61 days; 30 × 61 / 91 = 20.1
    write(rep, d1, "2026-09", lines["kitchen"], figures("0", "90", "60"))
    assert StockReport.objects.get(period="2026-10").days_of_stock == D("20.1")


# --- confirming and returning -------------------------------------------------------------------------------


def test_the_manager_confirms_and_the_report_no_longer_changes(rep, manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    confirmed = report_confirm(actor=manager, report=report)
    assert (confirmed.status, confirmed.confirmed_by) == ("confirmed", manager)
    with pytest.raises(ReportErrors) as excinfo:
        write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "4"))
    assert errors_of(excinfo)[0]["period"] == ["The report of 2026-10 is confirmed and no longer changes."]
    # the same figures again are no change, confirmed or not
    assert write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3")).status == "confirmed"


def test_returned_report_corrected_is_submitted_again(rep, manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    returned = report_return(actor=manager, report=report, reason="期初不对")
    assert (returned.status, returned.return_reason) == ("returned", "期初不对")
    again = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "4"))
    assert (again.status, again.return_reason, again.closing_qty) == ("submitted", "", D("11"))


def test_a_return_needs_a_reason(rep, manager, d1, lines):
    from django.core.exceptions import ValidationError

    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    with pytest.raises(ValidationError):
        report_return(actor=manager, report=report, reason=" ")


def test_confirming_twice_is_a_conflict(rep, manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    report_confirm(actor=manager, report=report)
    with pytest.raises(Conflict):
        report_confirm(actor=manager, report=report)


def test_a_month_is_confirmed_after_the_month_before(rep, manager, d1, lines):
    september, october = history(rep, d1, lines["kitchen"], [("10", "5", "0"), ("5", "5", "0")], start="2026-09")
    with pytest.raises(Conflict, match="Confirm the report of 2026-09 first"):
        report_confirm(actor=manager, report=october)
    report_confirm(actor=manager, report=september)
    assert report_confirm(actor=manager, report=october).status == "confirmed"


def test_nobody_confirms_a_report_they_submitted(admin_user, d1, lines):
    report = write(admin_user, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    with pytest.raises(PermissionDenied):
        report_confirm(actor=admin_user, report=report)


def test_only_the_dealers_manager_confirms(rep, other_manager, finance, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    for actor in (rep, other_manager, finance):
        with pytest.raises(PermissionDenied):
            report_confirm(actor=actor, report=report)


def test_confirming_reads_our_sales_as_they_stand(rep, manager, finance, d1, lines):
    values = {**figures("0", "0", "0"), "received_qty": D("1"), "received_amount": D("100.00")}
    values.update(closing_qty=D("1"), closing_amount=D("100.00"))
    report = write(rep, d1, "2026-10", lines["kitchen"], values)
    assert report.receipt_mismatch is True  # no sales of ours yet: 100.00 against 0.00
    record(finance, "sales", d1, date(2026, 10, 9), "100.00", category="kitchen")
    confirmed = report_confirm(actor=manager, report=report)
    assert (confirmed.expected_received_amount, confirmed.receipt_mismatch) == (D("100.00"), False)
    confirmed.refresh_from_db()
    assert confirmed.receipt_mismatch is False


def test_returning_a_month_tells_its_submitter_once(rep, manager, d1, lines):
    from channelhub.notifications.models import Notification
    from inventory.services.reports import month_return

    rows = [
        report_input(d1, Month(2026, 10), lines["kitchen"], figures("10", "5", "3")),
        report_input(d1, Month(2026, 10), lines["water"], figures("1", "0", "0")),
    ]
    reports_write(actor=rep, rows=rows)
    month_return(actor=manager, dealer=d1, period="2026-10", reason="期初不对")
    (notice,) = Notification.objects.filter(recipient=rep)
    assert (notice.kind, notice.params["reason"], notice.params["period"]) == (
        "stock_report.returned",
        "期初不对",
        "2026-10",
    )
    assert notice.url == f"/stock/dealers/{d1.pk}/2026-10/"
