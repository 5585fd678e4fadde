"""The dealer-account pages on a 390×844 phone (SPEC §15, STYLE "phone-first"): the statement of account, the
aging report and the dealer page's account tab fit the screen — no table wider than its box, every tap target
at least 40×40 px (the measure of ``test_phone_layout``) — for a rep and for finance."""

from __future__ import annotations

import pytest

from tests.e2e.chromium import log_in, shot
from tests.e2e.test_phone_layout import problems_of
from tests.rebates import accounts_world

pytestmark = pytest.mark.browser

# the fixtures of the accounts' world
f1_terms_30 = accounts_world.f1_terms_30
may_world = accounts_world.may_world


def test_the_account_pages_fit_a_phone(new_page, rep, finance, may_world):
    problems = []
    for user in (rep, finance):
        page = new_page(phone=True)
        log_in(page, user)
        for url in (
            f"/rebates/accounts/{may_world.pk}/?period=2026-05",
            "/rebates/aging/",
            f"/partners/dealers/{may_world.pk}/",
        ):
            response = page.goto(url)
            assert response.status < 400, url
            problems += problems_of(page, url)
            shot(page, f"accounts-{user.username}-{url.strip('/').replace('/', '-').split('?')[0]}")
    assert not problems, "\n".join(problems)
