"""The stock pages on a 390×844 phone, in Chromium (STYLE: phone-first for reps and managers).

* A rep fills October's stock report of D1 on the phone: the closing they type does not balance, the page says so on
  that line and field with the figure expected (and saves nothing); they correct it and submit.
* The manager opens the month on the phone: Confirm is in sight without scrolling, and tapping it confirms.
* Every page of the way fits the screen (no sideways scroll) with tap targets of at least 40×40 px (``problems_of``);
  so do the stock health list, the dealer page's stock tab, Pareto and coverage.
"""

from __future__ import annotations

import pytest

from inventory.models import StockReport
from inventory.services.reports import report_confirm
from tests.e2e.chromium import chromium, fits_the_screen, log_in, pages, shot, take_problems
from tests.e2e.test_phone_layout import problems_of
from tests.inventory.world import figures, write

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser, live_server):
    with pages(browser, live_server) as make:
        yield make


def in_sight(page, locator) -> None:
    box = locator.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], box


def fill_line(page, line, values: dict) -> None:
    for name, value in values.items():
        page.locator(f"[name='line-{line.pk}-{name}']").fill(str(value))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rep_reports_october_on_the_phone_and_the_manager_confirms(
    new_page, rep, manager, stock_dealers, lines, language
):
    from playwright.sync_api import expect

    d1 = stock_dealers["D1"]
    kitchen = lines["kitchen"]
    september = write(rep, d1, "2026-09", kitchen, figures("0", "100", "0"))  # closes at 100 (1 000.00)
    report_confirm(actor=manager, report=september)
    problems: list[str] = []
    phone = new_page(phone=True, language=language)
    log_in(phone, rep)
    phone.goto(f"/partners/dealers/{d1.pk}/")
    expect(phone.get_by_test_id("dealer-stock")).to_be_visible()
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)

    form_url = f"/stock/dealers/{d1.pk}/2026-10/edit/"
    phone.goto(form_url)
    card = phone.get_by_test_id("line-kitchen")
    expect(card.locator(f"[name='line-{kitchen.pk}-opening_qty']")).to_have_value("100")  # from September
    # 100 + 50 − 30 = 120, typed as 125; the amounts balance (1 000 + 500 − 300 = 1 200)
    fill_line(phone, kitchen, {"received_qty": 50, "sold_qty": 30, "closing_qty": 125})
    fill_line(phone, kitchen, {"received_amount": 500, "sold_amount": 300, "closing_amount": 1200})
    hint = card.locator("[data-hint]")
    expect(hint).to_contain_text("120")  # the hint says what the closing comes to
    expect(hint).to_have_class("col-12 small text-danger")
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)
    shot(phone, f"stock-form-{language}")
    phone.get_by_test_id("submit-report").tap()

    error = phone.get_by_test_id("line-kitchen").locator("[data-error=closing_qty]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("120")
    assert phone.locator("[data-error]").count() == 1  # on that line and field only
    expect(phone.get_by_test_id("line-water").locator("[data-error]")).to_have_count(0)
    refused = take_problems(phone)  # the refused submit, on purpose: its 400 (and Chromium's console line about it)
    assert refused and all("400" in problem for problem in refused), refused
    assert not StockReport.objects.filter(period="2026-10").exists()
    expect(phone.locator(f"[name='line-{kitchen.pk}-received_qty']")).to_have_value("50")  # kept as typed
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)
    shot(phone, f"stock-form-error-{language}")

    fill_line(phone, kitchen, {"closing_qty": 120})
    expect(phone.get_by_test_id("line-kitchen").locator("[data-hint]")).to_have_class(
        "col-12 small text-body-secondary"
    )
    phone.get_by_test_id("submit-report").tap()
    expect(phone.locator(".alert-success")).to_be_visible()
    expect(phone.get_by_test_id("month-cards")).to_be_visible()
    report = StockReport.objects.get(period="2026-10")
    assert (report.closing_qty, report.status, report.submitted_by) == (120, "submitted", rep)
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)

    boss = new_page(phone=True, language=language)
    log_in(boss, manager)
    boss.goto("/stock/")
    expect(boss.get_by_test_id("health-cards")).to_be_visible()
    expect(boss.get_by_test_id("health-table")).to_be_hidden()
    fits_the_screen(boss)
    problems += problems_of(boss, boss.url)
    boss.goto(f"/stock/dealers/{d1.pk}/2026-10/")
    confirm = boss.get_by_test_id("confirm-month")
    expect(confirm).to_be_visible()
    in_sight(boss, confirm)
    boss.get_by_test_id("return-month").locator("summary").tap()  # the reason asked for in place
    expect(boss.locator("textarea[name=reason]")).to_be_visible()
    fits_the_screen(boss)
    problems += problems_of(boss, boss.url)
    shot(boss, f"stock-month-{language}")
    confirm.tap()
    expect(boss.locator(".alert-success")).to_be_visible()
    assert StockReport.objects.get(pk=report.pk).status == "confirmed"
    expect(boss.get_by_test_id("confirm-month")).to_have_count(0)
    fits_the_screen(boss)
    problems += problems_of(boss, boss.url)
    assert not problems, "\n".join(problems)


def test_the_stock_pages_fit_the_phone(new_page, rep, manager, covered, stock_dealers, lines):
    from playwright.sync_api import expect

    for code, sold in (("T1", "60"), ("T2", "30"), ("T3", "10")):
        write(rep, stock_dealers[code], "2026-08", lines["kitchen"], figures("0", sold, sold))
        write(rep, stock_dealers[code], "2026-10", lines["water"], figures("0", "20", sold[0]))
    write(rep, stock_dealers["D1"], "2026-10", lines["water"], figures("0", "92", "31"))  # flagged
    phone = new_page(phone=True, language="en")
    log_in(phone, manager)
    problems: list[str] = []
    for url in (
        "/",
        "/stock/",
        "/stock/?period=",
        f"/stock/pareto/?distributor={stock_dealers['D1'].pk}&quarter=2026-Q3",
        "/stock/coverage/?period=2026-10",
        f"/stock/coverage/?territory={covered['SH-SH'].pk}&period=2026-10",
        f"/partners/dealers/{stock_dealers['T1'].pk}/",
        f"/stock/dealers/{stock_dealers['D1'].pk}/2026-10/",
    ):
        phone.goto(url)
        fits_the_screen(phone)
        problems += problems_of(phone, url)
    phone.goto(f"/stock/pareto/?distributor={stock_dealers['D1'].pk}&quarter=2026-Q3")
    expect(phone.get_by_test_id("pareto-cards")).to_be_visible()
    assert phone.evaluate("() => Chart.getChart(document.getElementById('pareto-chart')) !== undefined")
    assert phone.locator("#pareto-chart").bounding_box()["height"] >= 200
    phone.goto(f"/partners/dealers/{stock_dealers['T1'].pk}/")
    assert phone.evaluate("() => Chart.getChart(document.getElementById('dealer-stock-chart')) !== undefined")
    phone.get_by_test_id("dealer-stock-months").locator("summary").tap()
    fits_the_screen(phone)
    problems += problems_of(phone, "dealer stock months, open")

    rep_phone = new_page(phone=True, language="en")
    log_in(rep_phone, rep)
    for url in ("/", "/stock/"):
        rep_phone.goto(url)
        fits_the_screen(rep_phone)
        problems += problems_of(rep_phone, url)
    assert not problems, "\n".join(problems)
