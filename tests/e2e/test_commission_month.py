"""A month's commissions from the run to the bank (SPEC §6, §7): the manager runs July for the team and
watches the progress bar finish, reads a rep's statement line by line and submits it; finance approves
it, downloads the payout list for the bank with the rep's account and pays the list in one batch.

The world is ``tests.commissions.runs_world.july``: ``rep`` sold 120,000.00 → gross 3,100.00, retained 310.00,
payable 2,790.00; ``rep_peer`` payable 720.00; ``other_rep`` (another team) 0.00.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from commissions.models import CommissionRun, Statement, StatementLine
from tests.commissions.runs_world import JULY, monthly
from tests.e2e.chromium import log_in, shot, zh

pytestmark = pytest.mark.browser

#: What ``rep``'s July statement shows, step by step (¥ and thousands separators in both languages).
REP_LINES = {
    StatementLine.Step.BASE: "¥120,000.00",
    StatementLine.Step.GROSS: "¥3,100.00",
    StatementLine.Step.NET: "¥3,100.00",
    StatementLine.Step.RETAINED: "¥310.00",
    StatementLine.Step.PAYABLE: "¥2,790.00",
}
REFERENCE = "BANK-2026-07-001"


def _menu(page, group: str, item: str) -> None:
    """The top menu (desktop width): a drop-down group, then one of its pages."""
    nav = page.locator("#main-nav")
    nav.get_by_role("button", name=group).click()
    nav.get_by_role("link", name=item, exact=True).click()


def _status(page):
    """The statement's status badge in its heading."""
    return page.get_by_role("heading", level=1).locator("[data-status]")


def _bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def _same_bottom(one, other) -> None:
    """Two controls of one form row end on the same line (a field's margin once pushed its button down)."""
    assert abs(_bottom(one) - _bottom(other)) < 1, (_bottom(one), _bottom(other))


def _act(page, action: str, *, fill: dict[str, str] | None = None) -> None:
    """Press an action button of the statement, then confirm its form (filled with ``fill``)."""
    from playwright.sync_api import expect

    page.get_by_test_id("statement-actions").get_by_role("link", name=action, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(action)
    for name, value in (fill or {}).items():
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("main").locator("form").get_by_role("button", name=action, exact=True).click()


def test_a_month_from_the_run_to_the_payout_file(new_page, july, manager, finance, rep, rep_peer, other_rep):
    from playwright.sync_api import expect

    # --- the manager runs July for the team -------------------------------------------------------------
    boss = new_page()
    log_in(boss, manager)
    _menu(boss, zh("Commissions"), zh("Commission runs"))
    expect(boss.get_by_role("heading", level=1)).to_have_text(zh("Commission runs"))
    expect(boss.get_by_role("main")).to_contain_text(zh("No runs yet."))
    form = boss.get_by_test_id("start-run-form")
    form.locator("input[name=period]").fill(JULY)
    form.get_by_role("button", name=zh("Start a run")).click()

    expect(boss).to_have_url(re.compile(r"/kpi/runs/\d+/$"))
    expect(boss.locator(".alert-success")).to_have_text(zh("Commission run for %(period)s started.") % {"period": JULY})
    expect(boss.get_by_role("heading", level=1)).to_have_text(zh("Commission run for %(period)s") % {"period": JULY})
    run = boss.get_by_test_id("run")
    # Tasks run eagerly here, so the run may be done at once; either way the page ends at done, 100 %.
    status = run.locator("[data-run-field=status]")
    expect(status).to_have_text(zh(CommissionRun.Status.DONE.label))
    expect(status).to_have_attribute("data-status", "done")
    bar = run.get_by_role("progressbar", name=zh("Progress"))
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(bar.locator(".progress-bar")).to_have_text("100 %")
    expect(bar.locator(".progress-bar")).to_have_class(re.compile(r"\bbg-success\b"))
    expect(run.locator("[data-run-field=done]")).to_have_text("2")  # the team: rep and rep_peer
    expect(run.locator("[data-run-field=total]")).to_have_text("2")
    expect(run.locator("[data-run-field=skipped]")).to_have_text("0")
    expect(run.locator("[data-run-field=finished_at]")).not_to_have_text("—")
    expect(run.get_by_test_id("refresh")).to_be_hidden()
    shot(boss, "e2e-4-run-done")

    # The month's statements: the team's two drafts, not the other team's.
    run.get_by_role("link", name=zh("Statements of the month")).click()
    expect(boss.get_by_role("heading", level=1)).to_have_text(zh("Commission statements"))
    rows = boss.get_by_test_id("statement-table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=other_rep.get_full_name())).to_have_count(0)
    row = rows.filter(has_text=rep.get_full_name())
    expect(row).to_contain_text("¥2,790.00")
    expect(row.locator("[data-status]")).to_have_text(zh(Statement.Status.DRAFT.label))
    expect(rows.filter(has_text=rep_peer.get_full_name())).to_contain_text("¥720.00")
    expect(boss.get_by_test_id("statement-totals")).to_contain_text("¥3,510.00")

    # The rep's statement, line by line.
    row.get_by_role("link", name=JULY).click()
    expect(boss.get_by_role("heading", level=1)).to_contain_text(f"{rep.get_full_name()} · {JULY}")
    expect(_status(boss)).to_have_text(zh(Statement.Status.DRAFT.label))
    expect(boss.locator("[data-figure=payable]")).to_have_text("¥2,790.00")
    lines = boss.get_by_test_id("statement-lines")
    for step, amount in REP_LINES.items():
        line = lines.locator(f"[data-step={step}]")
        expect(line).to_contain_text(zh(StatementLine.Step(step).label))
        expect(line).to_contain_text(amount)
    shot(boss, "e2e-5-statement-draft")

    # Submit it: a confirmation form, then the statement again, submitted; the manager cannot approve.
    _act(boss, zh("Submit"))
    expect(boss.locator(".alert-success")).to_have_text(zh("Statement submitted to finance."))
    expect(_status(boss)).to_have_text(zh(Statement.Status.SUBMITTED.label))
    expect(boss.get_by_test_id("statement-actions").get_by_role("link")).to_have_count(0)

    # --- finance approves, records the payment, exports the payouts -------------------------------------
    money = new_page()
    log_in(money, finance)
    _menu(money, zh("Commissions"), zh("Approval queue"))
    queued = money.get_by_role("main").locator("tbody tr")
    expect(queued).to_have_count(1)
    expect(queued).to_contain_text(rep.get_full_name())
    expect(queued).to_contain_text("¥2,790.00")
    queued.get_by_role("link", name=re.compile(JULY)).first.click()
    expect(_status(money)).to_have_text(zh(Statement.Status.SUBMITTED.label))

    _act(money, zh("Approve"))
    expect(money.locator(".alert-success")).to_have_text(zh("Statement approved; the rep is notified."))
    expect(_status(money)).to_have_text(zh(Statement.Status.APPROVED.label))

    today = timezone.localdate()
    rep.profile.bank_name, rep.profile.bank_account = "工商银行上海分行", "6222021001112223334"
    rep.profile.save()

    # 提成单 → 发放清单, July: the approved statement to pay, with the rep's bank account, in the file
    _menu(money, zh("Commissions"), zh("Statements"))
    money.get_by_test_id("statement-list-links").get_by_role("link", name=zh("Payout list")).click()
    month, show = (
        money.get_by_test_id("payout-form").locator("input[name=period]"),
        money.get_by_role("button", name=zh("Show")),
    )
    month.fill(JULY)
    _same_bottom(month, show)  # the button sits on the field's line
    show.click()
    expect(money.get_by_role("heading", level=1)).to_have_text(f"{zh('Payout list')} · {JULY}")
    to_pay = money.get_by_test_id("to-pay-table").locator("tbody tr")
    expect(to_pay).to_have_count(1)
    for shown in (rep.get_full_name(), "6222021001112223334", "¥2,790.00"):
        expect(to_pay).to_contain_text(shown)
    with money.expect_download() as started:
        money.get_by_test_id("to-pay-downloads").get_by_role("link", name="CSV").click()
    bank_file = started.value
    assert bank_file.suggested_filename == f"payouts-to-pay-{JULY}.csv"
    records = list(csv.reader(io.StringIO(bank_file.path().read_bytes().decode("utf-8-sig"))))
    assert records[1][1:4] == [rep.get_full_name(), "工商银行上海分行", "6222021001112223334"]
    assert records[1][6] == "2790.00" and records[-1][6] == "2790.00"  # the statement and the total

    # the whole list paid in one go, with the bank's reference
    pay = money.get_by_test_id("pay-batch")
    pay.locator("[name=payment_reference]").fill(REFERENCE)
    pay.get_by_role("button").click()
    expect(money.locator(".alert-success")).to_contain_text(REFERENCE)
    expect(money.get_by_test_id("to-pay")).to_contain_text(
        zh("No approved statement of this period is waiting for payment.")
    )
    paid = money.get_by_test_id("payout-table").locator("tbody tr")
    expect(paid).to_have_count(1)
    for shown in (rep.get_full_name(), "¥2,790.00", REFERENCE, f"{today:%Y-%m-%d}"):
        expect(paid).to_contain_text(shown)
    shot(money, "e2e-7-payouts")

    with money.expect_download() as started:
        money.get_by_test_id("payout-downloads").get_by_role("link", name="XLSX").click()
    xlsx_file = started.value
    assert xlsx_file.suggested_filename == f"payouts-{JULY}.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx_file.path().read_bytes()), read_only=True).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert any(rep.get_full_name() in row and REFERENCE in row for row in cells), cells

    money.get_by_test_id("payout-table").get_by_role("link", name=rep.get_full_name()).click()
    expect(_status(money)).to_have_text(zh(Statement.Status.PAID.label))
    expect(money.get_by_test_id("payment")).to_have_text(f"{today:%Y-%m-%d} · {REFERENCE}")
    shot(money, "e2e-6-statement-paid")
    statement = monthly(rep)
    assert (statement.status, statement.submitted_by, statement.approved_by) == ("paid", manager, finance)
    assert statement.paid_at == today and timezone.now() - statement.approved_at < timedelta(minutes=5)


def test_the_progress_bar_follows_a_run_as_the_workers_report(new_page, manager):
    """run_progress.js polls the run's API detail every second and moves the bar, the counts and the
    badge until the run is done (the workers' progress is written here straight to the run)."""
    from playwright.sync_api import expect

    run = CommissionRun.objects.create(period=JULY, status=CommissionRun.Status.QUEUED, total=4, started_by=manager)
    boss = new_page()
    log_in(boss, manager)
    boss.goto(f"/kpi/runs/{run.pk}/")
    card = boss.get_by_test_id("run")
    status, bar = card.locator("[data-run-field=status]"), card.get_by_role("progressbar", name=zh("Progress"))
    expect(status).to_have_text(zh(CommissionRun.Status.QUEUED.label))
    expect(bar).to_have_attribute("aria-valuenow", "0")
    expect(card.get_by_test_id("refresh")).to_be_visible()

    CommissionRun.objects.filter(pk=run.pk).update(
        status=CommissionRun.Status.RUNNING, done=1, started_at=timezone.now()
    )
    expect(status).to_have_text(zh(CommissionRun.Status.RUNNING.label))
    expect(bar).to_have_attribute("aria-valuenow", "25")
    expect(bar.locator(".progress-bar")).to_have_text("25 %")
    expect(bar.locator(".progress-bar")).to_have_class(re.compile(r"\bprogress-bar-animated\b"))
    expect(card.locator("[data-run-field=done]")).to_have_text("1")

    CommissionRun.objects.filter(pk=run.pk).update(status=CommissionRun.Status.DONE, done=4, finished_at=timezone.now())
    expect(status).to_have_text(zh(CommissionRun.Status.DONE.label))
    expect(bar).to_have_attribute("aria-valuenow", "100")
    expect(bar.locator(".progress-bar")).to_have_text("100 %")
    expect(bar.locator(".progress-bar")).not_to_have_class(re.compile(r"\bprogress-bar-animated\b"))
    expect(card.locator("[data-run-field=done]")).to_have_text("4")
    expect(card.locator("[data-run-field=finished_at]")).not_to_have_text("—")
    expect(card.get_by_test_id("refresh")).to_be_hidden()
    shot(boss, "e2e-8-run-polled")
