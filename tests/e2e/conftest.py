"""End-to-end tests: people of every role go through their pages in Debian's Chromium (SPEC §2, §4, §6, §7).

One browser for the whole package (closed when the package ends, so that no other test runs while
Playwright's event loop does); each test opens fresh contexts (one per person) with ``new_page``.
Every module is marked ``browser``. The pages are in Chinese, the app's default language: the assertions
use the catalog's Chinese (``zh``); ``tests/visits/test_browser.py`` covers the phone flow in English.
"""

from __future__ import annotations

import pytest

from tests.commissions import runs_world
from tests.e2e.chromium import chromium, pages

july = runs_world.july
run_now = runs_world.run_now


@pytest.fixture(scope="package")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser, live_server):
    with pages(browser, live_server) as opened:
        yield opened
