"""Hidden means hidden (SPEC §2): a rep opening another rep's statement by its address gets the 404 page,
and their statement list shows only their own — for a rep of the same team and one of another team."""

from __future__ import annotations

import pytest

from tests.commissions.runs_world import JULY, monthly
from tests.e2e.chromium import fits_the_screen, log_in, shot, take_problems, zh

pytestmark = pytest.mark.browser
NOT_FOUND_CONSOLE = "console error: Failed to load resource: the server responded with a status of 404 (Not Found)"


def _shows_nothing_of(page, rep, address: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("main")).not_to_contain_text(rep.get_full_name())
    expect(page.get_by_role("main")).not_to_contain_text("2,790.00")
    expect(page.locator(f'a[href="{address}"]')).to_have_count(0)


def test_a_rep_cannot_open_another_reps_statement(
    new_page, live_server, july, run_now, finance, rep, rep_peer, other_rep
):
    from playwright.sync_api import expect

    run_now(finance)  # every rep's July: rep 2790.00, rep_peer 720.00, other_rep 0.00
    theirs = monthly(rep)
    for snoop, own_payable in ((rep_peer, "¥720.00"), (other_rep, "¥0.00")):
        page = new_page(phone=True)
        log_in(page, snoop)

        address = f"/kpi/statements/{theirs.pk}/"
        response = page.goto(address)
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text(zh("Not found"))
        expect(page.get_by_role("main")).to_contain_text(zh("This page does not exist, or it is not yours to see."))
        _shows_nothing_of(page, rep, address)
        fits_the_screen(page)
        shot(page, f"e2e-9-not-found-{snoop.username}")
        # The 404 was the point: the browser reports it (the answer, and its console line), nothing else.
        assert sorted(take_problems(page)) == [f"404: {live_server.url}{address}", NOT_FOUND_CONSOLE]

        # Their list: their own statement, nothing of the other rep.
        page.goto("/kpi/statements/")
        expect(page.get_by_role("heading", level=1)).to_have_text(zh("My commission statements"))
        rows = page.get_by_test_id("statement-table").locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(JULY)
        expect(rows).to_contain_text(own_payable)
        _shows_nothing_of(page, rep, address)
        fits_the_screen(page)
        # Asking for the other rep by the list's filter shows nothing of theirs either.
        page.goto(f"/kpi/statements/?rep={rep.pk}&period={JULY}")
        expect(page.get_by_role("heading", level=1)).to_have_text(zh("My commission statements"))
        _shows_nothing_of(page, rep, address)
        shot(page, f"e2e-10-filtered-{snoop.username}")
        page.goto("/kpi/statements/")

        # …and their own statement opens.
        page.get_by_test_id("statement-table").get_by_role("link", name=JULY).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{snoop.get_full_name()} · {JULY}")
        expect(page.locator("[data-figure=payable]")).to_have_text(own_payable)
