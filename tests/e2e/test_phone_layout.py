"""Phone layout at 390×844, measured in Chromium, in Chinese and in English.

On the demo's data (``seed_demo``: names, amounts and lists of a real month), a rep, a manager (and finance) open every
page their menu leads to, and from each the first page of every other kind it links to, and a few pages no
menu lists (the week plan, the notifications, a visit's review form). On each page:

* nothing is wider than the screen, and no table is wider than its box (cards or priority columns instead of
  a table scrolling sideways);
* every tap target is at least 40×40 px: buttons, fields, menu entries, page links, tick boxes (with their
  label), and the links of tables, lists and cards. A link inside a sentence keeps the sentence's height
  (WCAG 2.5.8 exempts it): one whose parent holds more text than the link, unless it is styled as a control.

And the particular ones: the review queue shows each visit's flags and distance with buttons to tap, the
manager's dashboard chart is at least 200 px high, the week plan's dealer picker shows a whole name, the
bell and its count stay outside the collapsed menu, and a rep's dealer list has its filters collapsed and
no owner filter. Last, a manager told of submitted week plans approves three at once, on the phone.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from channelhub.accounts.demo import DEMO_PASSWORD
from channelhub.periods import iso_week_label, week_start
from tests.e2e.chromium import log_in, shot
from visits.services.plans import plan_create, plan_submit

pytestmark = pytest.mark.browser

MIN_TAP = 40
MIN_CHART = 200

#: What one page measures: the document's width, the tables wider than their box (or the screen), and
#: the tap targets smaller than 40×40 px (outside running text).
MEASURE = r"""
(minTap) => {
  const screen = window.innerWidth;
  const shown = el => {
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && !el.closest('.collapse:not(.show), .dropdown-menu:not(.show), details:not([open]) > :not(summary)');
  };
  const name = el => (el.getAttribute('data-testid') || el.innerText || el.value || el.name || el.className || '')
    .toString().trim().replace(/\s+/g, ' ').slice(0, 40);
  const control = '.btn, .nav-link, .page-link, .dropdown-item, .list-group-item, .form-control, .form-select';
  const inSentence = a => {
    if (a.matches(control)) return false;
    const parent = a.parentElement;
    return parent.tagName === 'P' || parent.innerText.trim().length > a.innerText.trim().length + 3;
  };
  const tables = [...document.querySelectorAll('table')].filter(shown).map(t => {
    const wrapper = t.closest('.table-responsive') || t.parentElement;
    return {table: name(t), width: Math.round(t.getBoundingClientRect().width), room: wrapper.clientWidth};
  }).filter(t => t.width > screen || t.width > t.room + 1);
  const small = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary'
  )].filter(shown).filter(el => !(el.tagName === 'A' && inSentence(el))).map(el => {
    const target = el.matches('input[type=checkbox], input[type=radio]') ? (el.closest('label, .form-check') || el) : el;
    const box = target.getBoundingClientRect();
    return {target: `${el.tagName.toLowerCase()} “${name(el)}”`, width: Math.round(box.width), height: Math.round(box.height)};
  }).filter(t => t.width < minTap || t.height < minTap);
  return {width: document.documentElement.scrollWidth, tables, small};
}
"""


def problems_of(page, url: str) -> list[str]:
    found = page.evaluate(MEASURE, MIN_TAP)
    screen = page.viewport_size["width"]
    problems = []
    if found["width"] > screen:
        problems.append(f"{url}: the page is {found['width']} px wide")
    problems += [f"{url}: table {t['table']} is {t['width']} px in {t['room']} px" for t in found["tables"]]
    problems += [f"{url}: {t['target']} is {t['width']}×{t['height']} px" for t in found["small"]]
    return problems


def shape(url: str) -> str:
    """One page of each kind: /visits/12/ and /visits/34/ are the same kind of page."""
    return re.sub(r"\d+", "N", url.split("?")[0])


def links(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [
        href
        for href in hrefs
        if href and href.startswith("/") and not re.search(r"format=|/api/|/admin/|/static/|/media/", href)
    ]


def walk(page, extra: list[str]) -> tuple[list[str], list[str]]:
    """The pages behind the menu, one of each kind behind those, and ``extra``: (the URLs, their problems)."""
    menu = links(page, "#main-nav a[href]")
    seen: dict[str, str] = {}
    for url in ["/", *menu, *extra]:
        seen.setdefault(shape(url), url)
    for url in list(seen.values()):
        page.goto(url)
        for found in links(page, "main a[href]"):
            seen.setdefault(shape(found), found)
    problems = []
    for url in seen.values():
        response = page.goto(url)
        assert response.status < 400, f"{url}: {response.status}"
        problems += problems_of(page, url)
    return list(seen.values()), problems


def check_bell(page) -> None:
    """The bell and its count are in sight with the menu collapsed."""
    page.goto("/")
    assert not page.locator("#main-nav").is_visible()
    bell = page.get_by_test_id("notification-bell")
    assert bell.is_visible()
    assert page.get_by_test_id("unread-count").is_visible()
    box = bell.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


def whole_name_fits(page, select) -> bool:
    """The picker's chosen option shows whole: its text is no wider than the box leaves for it."""
    return select.evaluate(
        """s => {
          const style = getComputedStyle(s), probe = document.createElement('span');
          probe.style.font = style.font; probe.style.whiteSpace = 'nowrap'; probe.style.position = 'absolute';
          probe.textContent = s.options[s.selectedIndex].text; document.body.appendChild(probe);
          const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          const fits = probe.getBoundingClientRect().width <= room; probe.remove(); return fits;
        }"""
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_of_a_rep_and_a_manager_fit_a_phone(new_page, live_server, language):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", stdout=StringIO())
    users = get_user_model().objects.in_bulk(["rep1", "manager1", "finance"], field_name="username")
    next_week = iso_week_label(week_start(timezone.localdate()) + timedelta(days=7))
    problems: list[str] = []

    # --- the rep ---
    rep = new_page(phone=True, language=language)
    log_in(rep, users["rep1"], DEMO_PASSWORD)
    check_bell(rep)
    visited, found = walk(rep, [f"/visits/plans/week/?week={next_week}", "/notifications/"])
    problems += found
    assert {"/partners/dealers/", "/visits/", "/visits/new/", "/kpi/statements/"} <= set(visited)
    rep.goto("/partners/dealers/")
    assert rep.locator("details:has([data-testid=dealer-filters])").get_attribute("open") is None
    assert rep.locator("[name=owner]").count() == 0
    # the week plan: the dealer with the longest name, picked, reads whole
    rep.goto(f"/visits/plans/week/?week={next_week}")
    picker = rep.locator("select[name$=-dealer]").first
    longest = max(picker.locator("option").all_inner_texts(), key=len)
    picker.select_option(label=longest)
    assert whole_name_fits(rep, picker), longest
    shot(rep, f"phone-{language}-week-plan")

    # --- the manager ---
    manager = new_page(phone=True, language=language)
    log_in(manager, users["manager1"], DEMO_PASSWORD)
    check_bell(manager)
    chart = manager.locator("#sales-vs-target-chart").bounding_box()
    assert chart["height"] >= MIN_CHART, chart
    flagged = manager.get_by_test_id("review-item")
    manager.goto("/visits/review/")
    assert flagged.count() > 0
    for n in range(flagged.count()):
        item = flagged.nth(n)
        assert item.locator(".badge").first.is_visible()
        assert item.get_by_test_id("distance").is_visible()
        for button in item.locator(".btn").all():
            box = button.bounding_box()
            assert box["width"] >= MIN_TAP and box["height"] >= MIN_TAP
    review_form = links(manager, "[data-testid=review-item] a[href]")[0].rstrip("/") + "/mark-false/"
    visited, found = walk(manager, ["/visits/review/", "/notifications/", review_form])
    problems += found
    assert {"/visits/review/", "/visits/compliance/", "/kpi/measures/", "/visits/plans/"} <= set(visited)
    shot(manager, f"phone-{language}-manager")

    # --- finance, whose queues and payout list are read on a phone too ---
    finance = new_page(phone=True, language=language)
    log_in(finance, users["finance"], DEMO_PASSWORD)
    visited, found = walk(finance, ["/kpi/statements/approvals/", "/kpi/statements/payouts/", "/kpi/periods/"])
    problems += found

    assert not problems, "\n".join(problems)


def test_a_manager_told_of_week_plans_approves_three_at_once_on_a_phone(
    new_page, live_server, d, rep, rep_peer, manager
):
    from playwright.sync_api import expect

    monday = week_start(timezone.localdate()) + timedelta(days=7)
    plans = []
    for who, dealer, weeks in [(rep, d["A1"], 0), (rep, d["A2"], 1), (rep_peer, d["P1"], 0)]:
        first = monday + timedelta(weeks=weeks)
        plan = plan_create(rep=who, week_start=first, items=[{"dealer": dealer, "planned_date": first}])
        plans.append(plan_submit(actor=who, plan=plan))

    page = new_page(phone=True, language="en")
    log_in(page, manager)
    expect(page.get_by_test_id("unread-count")).to_have_text("3")  # told: one notification per plan
    waiting = page.get_by_test_id("plans-waiting")
    expect(waiting).to_have_attribute("data-count", "3")
    waiting.tap()
    expect(page.get_by_test_id("bulk-approve-plans")).to_be_visible()
    page.locator("[data-select-all=bulk-approve-plans]").check()
    expect(page.locator('input[name="ids"][form="bulk-approve-plans"]:checked')).to_have_count(3)
    page.get_by_role("button", name="Approve the ticked week plans").tap()
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("3 done")
    expect(page.get_by_test_id("bulk-done").locator("li")).to_have_count(3)
    assert problems_of(page, "bulk result") == []
    for plan in plans:
        plan.refresh_from_db()
        assert plan.status == "approved"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_top_bar_fits_a_desktop_on_one_line_for_every_role(new_page, everyone, language):
    """At 1280 px every role's menu, language, bell and name stand on one line, none off the screen."""
    for who in ("rep", "manager", "finance", "admin"):
        page = new_page(language=language)
        log_in(page, everyone[who])
        width, bar = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.querySelector('nav.navbar').getBoundingClientRect().height]"
        )
        assert width <= page.viewport_size["width"], (who, width)
        assert bar < 70, (who, bar)  # one line
        bell = page.get_by_test_id("notification-bell").bounding_box()
        assert bell["x"] + bell["width"] <= page.viewport_size["width"], who
