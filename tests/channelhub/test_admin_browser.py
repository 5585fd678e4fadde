"""The admin on a desktop of 1280 px, in a real browser: no changelist wider than the screen, its table
fitting its box (no sideways scrolling inside it either), in both languages, with a row of every kind.

Runs where ``/usr/bin/chromium`` and the ``playwright`` package are both present (CI installs them);
skipped elsewhere by the root ``conftest.py``.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.authz.world import build_world
from tests.e2e.chromium import chromium, log_in, pages, shot

pytestmark = pytest.mark.browser

#: The changelist's own box and its table: both within the screen.
MEASURE = """() => {
  const table = document.querySelector('#result_list');
  const box = document.querySelector('#changelist-form .results');
  return {
    page: document.documentElement.scrollWidth,
    table: table ? table.getBoundingClientRect().right : 0,
    box: box ? box.clientWidth : 0,
    inner: box ? box.scrollWidth : 0,
  };
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def changelists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_admin_changelist_is_wider_than_a_1280_px_desktop(
    browser, live_server, everyone, inspector, covered, lines, language
):
    build_world(
        {**everyone, "inspector": inspector}, covered, lines
    )  # a row of every kind, with long names and big amounts
    too_wide = {}
    with pages(browser, live_server) as new_page:
        page = new_page(language=language)
        log_in(page, everyone["admin"])
        for path in changelists():
            page.goto(path)
            sizes = page.evaluate(MEASURE)
            if sizes["page"] > 1280 or sizes["inner"] > sizes["box"]:
                too_wide[path] = sizes
            shot(page, f"admin-{language}-{path.strip('/').replace('/', '-')}")
    assert not too_wide, f"wider than 1280 px: {too_wide}"
