"""The rebate pages on a 390×844 phone, in Chromium (STYLE: phone-first for reps and managers), and the top bar with
the Rebates menu on a 1280 px desktop.

* A manager opens the settlement list (cards, not a wide table) and a draft: the Submit button is in sight without
  scrolling, and tapping it submits. Finance approves the next one from the phone, and records a payment.
* A rep reads the list, a settlement and a program.
* Every page of the way fits the screen, with tap targets of at least 40×40 px (``problems_of``).
"""

from __future__ import annotations

import pytest

from rebates.models import RebateSettlement
from tests.e2e.chromium import chromium, fits_the_screen, log_in, pages, shot
from tests.e2e.test_phone_layout import problems_of

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


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_manager_submits_and_finance_approves_on_the_phone(new_page, manager, finance_b, settlements, language):
    from playwright.sync_api import expect

    problems: list[str] = []
    phone = new_page(phone=True, language=language)
    log_in(phone, manager)
    phone.goto("/rebates/")
    expect(phone.get_by_test_id("settlement-cards")).to_be_visible()
    expect(phone.get_by_test_id("settlement-table")).to_be_hidden()
    problems += problems_of(phone, phone.url)
    shot(phone, f"rebates-list-{language}")

    phone.goto(f"/rebates/settlements/{settlements['F1'].pk}/")
    submit = phone.get_by_test_id("submit-settlement")
    expect(submit).to_be_visible()
    in_sight(phone, submit)
    problems += problems_of(phone, phone.url)
    shot(phone, f"rebates-settlement-{language}")
    submit.tap()
    expect(phone.locator(".alert-success")).to_be_visible()
    assert RebateSettlement.objects.get(pk=settlements["F1"].pk).status == "submitted"

    money = new_page(phone=True, language=language)
    log_in(money, finance_b)
    money.goto(f"/rebates/settlements/{settlements['F1'].pk}/")
    approve = money.get_by_test_id("approve-settlement")
    in_sight(money, approve)
    money.get_by_test_id("reject-settlement").locator("summary").tap()  # the reason asked for in place
    expect(money.locator("textarea[name=reason]")).to_be_visible()
    problems += problems_of(money, money.url)
    approve.tap()
    expect(money.get_by_test_id("pay-settlement")).to_be_visible()
    money.get_by_test_id("pay-settlement").locator("summary").tap()
    money.locator("input[name=payment_reference]").fill("CN-2026-0100")
    problems += problems_of(money, money.url)
    money.get_by_test_id("pay-settlement").locator("button[type=submit]").tap()
    expect(money.get_by_test_id("payment")).to_contain_text("CN-2026-0100")
    assert RebateSettlement.objects.get(pk=settlements["F1"].pk).status == "paid"
    fits_the_screen(money)
    assert not problems, "\n".join(problems)


def test_a_rep_reads_the_rebate_pages_on_the_phone(new_page, rep, settlements):
    phone = new_page(phone=True, language="en")
    log_in(phone, rep)
    problems: list[str] = []
    program = settlements["F1"].program_id
    for url in (
        "/rebates/",
        "/rebates/?period=",
        f"/rebates/settlements/{settlements['F1'].pk}/",
        "/rebates/programs/",
        f"/rebates/programs/{program}/",
    ):
        phone.goto(url)
        fits_the_screen(phone)
        problems += problems_of(phone, url)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_finance_reads_the_runs_on_the_phone(new_page, finance, settlements, language):
    from rebates.models import RebateRun

    run = RebateRun.objects.create(period="2026-Q3", started_by=finance, status="running", total=4, done=1)
    phone = new_page(phone=True, language=language)
    log_in(phone, finance)
    problems: list[str] = []
    for url in ("/rebates/runs/", f"/rebates/runs/{run.pk}/"):
        phone.goto(url)
        fits_the_screen(phone)
        problems += problems_of(phone, url)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_top_bar_with_the_rebates_menu_fits_a_desktop(new_page, everyone, language):
    for who in ("rep", "manager", "finance", "admin"):
        page = new_page(language=language)
        log_in(page, everyone[who])
        width, bar = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.querySelector('nav.navbar').getBoundingClientRect().height]"
        )
        assert width <= page.viewport_size["width"], (who, width)
        assert bar < 70, (who, bar)  # one line
        shot(page, f"top-bar-{who}-{language}")
