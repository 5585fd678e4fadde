"""The phone flow in a real browser ("one browser test, Playwright driving Debian's Chromium,
390×844 viewport, in which a rep logs a visit through the form and sees it in the list").

Runs where ``/usr/bin/chromium`` and the ``playwright`` package are both present (CI installs them);
skipped elsewhere by the root ``conftest.py``. Never ``playwright install``: the browser is Debian's.
Set ``BROWSER_SHOTS=/some/dir`` to keep screenshots of the pages the rep sees. The rest of the journeys,
in Chinese, are in ``tests/e2e``; both share ``tests/e2e/chromium.py``.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.e2e.chromium import chromium, fits_the_screen, pages, shot
from tests.factories import PASSWORD
from visits.models import Visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium for this module (closed with it: Playwright's event loop must not outlive it)."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def phone(browser, live_server):
    """A fresh 390×844 phone page on the live server, in English, that may read its position.

    The test fails on any JavaScript or console error, failed request or answer of 400 or more
    (``tests.e2e.chromium``): a missing static file shows there.
    """
    with pages(browser, live_server) as new_page:
        yield new_page(phone=True, language="en", geolocation={"latitude": 0, "longitude": 0, "accuracy": 0})


def test_rep_logs_a_visit_on_a_phone_and_sees_it_in_the_list(phone, live_server, rep, d):
    from playwright.sync_api import expect

    dealer = d["A3"]  # 31.2334 N, 121.4737 E; not the first dealer in the picker
    here = {"latitude": float(dealer.latitude) + 0.0009, "longitude": float(dealer.longitude), "accuracy": 25}
    phone.context.set_geolocation(here)  # ~100 m north of the dealer: within the 1 km limit

    # Log in through the real page.
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.locator("input[name=username]").fill(rep.username)
    phone.locator("input[name=password]").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").tap()

    # The dashboard, then "New visit".
    expect(phone).to_have_url(f"{live_server.url}/")
    fits_the_screen(phone)
    shot(phone, "0-dashboard")
    phone.get_by_role("main").get_by_role("link", name="New visit").tap()
    expect(phone).to_have_url(f"{live_server.url}/visits/new/")
    expect(phone.get_by_role("heading", name="New visit")).to_be_visible()
    phone.wait_for_load_state("load")  # visit_form.js runs before we type into its search box

    # Typing part of the code narrows the picker to that dealer and selects it (static/js/visit_form.js).
    dealers = phone.locator("select[name=dealer]")
    expect(dealers).to_have_value("")
    phone.locator("[data-dealer-search]").press_sequentially("a3")
    expect(dealers).to_have_value(str(dealer.pk))
    assert dealers.locator("option:not([hidden])").all_inner_texts() == ["---------", f"{dealer.name} (A3)"]

    # The phone's position, with its accuracy.
    status = phone.locator("[data-position-status]")
    expect(status).to_have_text("No position yet.")
    phone.locator("[data-locate]").tap()
    expect(status).to_contain_text("Position found, accurate to 25 m.")
    assert phone.locator("input[name=accuracy_m]").input_value() == "25.0"

    phone.locator("select[name=kind]").select_option("training")
    phone.locator("input[name=purpose]").fill("新品培训 new range")
    phone.locator("textarea[name=summary]").fill("培训店员 3 人")
    phone.locator("textarea[name=outcome]").fill("下周补货")
    phone.locator("input[name=next_action]").fill("周五回访")
    fits_the_screen(phone)
    shot(phone, "1-visit-form")
    phone.get_by_role("button", name="Log visit").tap()

    # The visit's page, with the confirmation.
    expect(phone).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/visits/\d+/$"))
    expect(phone.locator(".alert-success")).to_contain_text(f"Visit to {dealer.name} logged.")
    expect(phone.locator(".alert-success")).not_to_contain_text("flagged")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(dealer.name)
    fits_the_screen(phone)
    shot(phone, "2-visit-detail")

    # "Visits" from the collapsed menu: the rep's own list shows the visit.
    phone.wait_for_load_state("load")  # Bootstrap's script opens the menu
    phone.locator(".navbar-toggler").tap()
    menu = phone.locator("#main-nav")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap's collapse has finished opening
    menu.get_by_role("button", name="Field visits").tap()  # the drop-down of the visit pages
    shot(phone, "3-menu")
    menu.get_by_role("link", name="Visits", exact=True).tap()
    expect(phone).to_have_url(f"{live_server.url}/visits/")
    expect(phone.get_by_role("heading", name="My visits")).to_be_visible()
    listed = phone.get_by_test_id("visit-list").locator("li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(dealer.name)
    expect(listed).to_contain_text("Training")
    expect(listed).to_contain_text("新品培训 new range")
    fits_the_screen(phone)
    shot(phone, "4-my-visits")

    assert phone.problems == []

    visit = Visit.objects.get()
    assert (visit.rep, visit.dealer, visit.kind, visit.purpose) == (rep, dealer, "training", "新品培训 new range")
    assert (visit.summary, visit.outcome, visit.next_action) == ("培训店员 3 人", "下周补货", "周五回访")
    assert abs(visit.latitude - Decimal(str(here["latitude"]))) <= Decimal("0.00001")
    assert abs(visit.longitude - Decimal(str(here["longitude"]))) <= Decimal("0.00001")
    assert visit.accuracy_m == Decimal("25.0")
    assert 90 <= visit.distance_m <= 110
    assert visit.flags == []
