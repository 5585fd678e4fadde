"""The dealer page on a 390 px phone: the overview's chart is drawn (static/js/dashboard_charts.js, no
inline script), its figures read without scrolling sideways, and its month-by-month list opens."""

from __future__ import annotations

import os

import pytest

from tests.e2e.chromium import fits_the_screen, log_in, shot, zh
from tests.partners.test_dealer_overview import world  # noqa: F401 (the dealer with a year of figures)

pytestmark = pytest.mark.browser


def test_a_manager_reads_the_dealer_page_on_a_phone(new_page, manager, world):  # noqa: F811
    from playwright.sync_api import expect

    page = new_page(phone=True)
    log_in(page, manager)
    page.goto(f"/partners/dealers/{world['dealer'].pk}/")
    expect(page.get_by_test_id("dealer-this-month")).to_be_visible()
    assert page.evaluate("() => Chart.getChart(document.getElementById('dealer-sales-chart')) !== undefined")
    # the axis and the tooltips read money as the page does: ¥ and separators
    ticks = "() => Chart.getChart(document.getElementById('dealer-sales-chart')).scales.y.ticks.map(t => t.label)"
    assert all(label.startswith("¥") for label in page.evaluate(ticks))
    assert page.evaluate("() => window.channelhubFigures.format('money', 56000)") == "¥56,000.00"
    assert page.locator("#dealer-sales-chart").bounding_box()["height"] >= 200
    fits_the_screen(page)
    page.get_by_text(zh("Month by month")).tap()
    net_sales = page.locator(f"[data-month='{world['previous']}'] [data-figure=net-sales]")
    expect(net_sales).to_have_text("¥56,000.00")
    fits_the_screen(page)
    if os.environ.get("BROWSER_SHOTS"):
        shot(page, "dealer-page-phone")
