"""What the browser tests share: Debian's Chromium under Playwright, pages that record every problem
(a JavaScript error, a console error, a failed request, an answer of 400 or more), the login through the
real form, and the Chinese of the catalog.

Never ``playwright install``: the browser is Debian's ``/usr/bin/chromium`` (CI installs it). The root
``conftest.py`` skips the ``browser``-marked tests where it or the ``playwright`` package is missing.
Set ``BROWSER_SHOTS=/some/dir`` to keep screenshots of the pages (``shot``).

While Playwright runs, its event loop runs in the test's thread, so Django's ORM would refuse to work
(``SynchronousOnlyOperation``) without ``DJANGO_ALLOW_ASYNC_UNSAFE``: ``chromium()`` sets it for exactly
as long as the browser lives, and callers close the browser before any other test module runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from django.utils import translation

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
#: The browser's language for each UI language of the app (the ``django_language`` cookie decides).
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}


@contextmanager
def chromium() -> Iterator:
    """Launch Debian's Chromium (headless); close it, and the database connections opened meanwhile, after."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        # ORM calls made while Playwright ran opened connections in its context: close them, or
        # PostgreSQL cannot drop the test database at the end.
        connections.close_all()
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def _watch(page) -> None:
    """Record on ``page.problems`` whatever a user would call broken."""
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"JS error: {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and page.problems.append(f"console error: {message.text}"),
    )
    # A request cut short because the page moved on, or became a download (net::ERR_ABORTED), is not a
    # problem of the site.
    page.on(
        "requestfailed",
        lambda request: (
            "ERR_ABORTED" not in (request.failure or "")
            and page.problems.append(f"failed: {request.url} ({request.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: response.status >= 400 and page.problems.append(f"{response.status}: {response.url}"),
    )


def take_problems(page) -> list[str]:
    """The problems recorded so far (for a test that provokes one on purpose), and forget them."""
    problems, page.problems[:] = list(page.problems), []
    return problems


@contextmanager
def pages(browser, live_server) -> Iterator[Callable]:
    """``with pages(browser, live_server) as new_page``: ``new_page(phone=…, language=…, geolocation=…)`` → a
    page of a fresh browser context (its own cookies: one person on one device), on the live server
    (``goto("/…")``).

    At the end every context is closed, and the test fails if any page recorded a problem.
    """
    contexts = []

    def new_page(*, phone: bool = False, language: str = "zh-hans", geolocation: dict | None = None):
        options = {"geolocation": geolocation, "permissions": ["geolocation"]} if geolocation else {}
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale=LOCALES[language],
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        _watch(page)
        return page

    try:
        yield new_page
    finally:
        problems = [problem for context in contexts for page in context.pages for problem in page.problems]
        for context in contexts:
            context.close()
        connections.close_all()
        if problems:
            pytest.fail("the pages had problems:\n" + "\n".join(problems))


def log_in(page, user, password: str = PASSWORD) -> None:
    """Log ``user`` in through the login form; they land on their dashboard."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))
    expect(page.get_by_test_id("current-user")).to_contain_text(user.get_full_name())


def fits_the_screen(page) -> None:
    """Nothing wider than the screen: the page never scrolls sideways."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def shot(page, name: str) -> None:
    if folder := os.environ.get("BROWSER_SHOTS"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def zh(text) -> str:
    """What the Chinese UI shows for ``text`` (a msgid, or a lazy label such as ``Status.DONE.label``),
    from the catalog; fails when the catalog has no Chinese for it."""
    with translation.override("en"):
        english = str(text) if not isinstance(text, str) else translation.gettext(text)
    with translation.override("zh-hans"):
        chinese = str(text) if not isinstance(text, str) else translation.gettext(text)
    assert chinese != english, f"no Chinese in the catalog for {english!r}"
    return chinese
