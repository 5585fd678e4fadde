"""The Content-Security-Policy holds in the browser: the main pages of every role, the running commission
run's progress bar (which polls the API) and the Swagger UI raise no violation in Chromium.

A violation is caught twice: by a ``securitypolicyviolation`` listener installed before any script of the
page runs, and by Chromium's console line about the policy. The policy itself is checked header by header
in ``tests/channelhub/test_hardening.py``.
"""

from __future__ import annotations

import re

import pytest

from commissions.models import CommissionRun
from tests.commissions.runs_world import JULY, monthly
from tests.e2e.chromium import log_in, take_problems, zh

pytestmark = pytest.mark.browser
NOT_FOUND_CONSOLE = "console error: Failed to load resource: the server responded with a status of 404 (Not Found)"

#: Runs in every document before its own scripts; reports each violation to the test.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    [event.effectiveDirective, event.blockedURI || "inline", event.sourceFile + ":" + event.lineNumber,
     event.documentURI].join(" | ")
  );
}, true);
"""


def watched(page):
    """``page``, recording every CSP violation on ``page.violations``."""
    page.violations = []
    page.expose_function("reportCspViolation", lambda line: page.violations.append(line))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and page.violations.append(f"console {message.type}: {message.text}")
        ),
    )
    return page


def settled(page) -> list[str]:
    """The violations so far, once the events queued by the page have been delivered."""
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 100))")
    return list(page.violations)


def visit(page, path: str, ready: str = "main h1") -> None:
    """Open ``path`` (200), wait for ``ready`` to show, and fail on any violation so far."""
    from playwright.sync_api import expect

    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("load")
    expect(page.locator(ready).first).to_be_visible()
    assert settled(page) == [], f"{path}: CSP violations"


def swagger_ui(page) -> None:
    """The Swagger UI, rendered from the schema, with one operation opened."""
    from playwright.sync_api import expect

    with page.expect_response(re.compile(r"/api/v1/docs/\?script=")) as script:
        visit(page, "/api/v1/docs/", ready="#swagger-ui")
    assert script.value.status == 200
    operations = page.locator("#swagger-ui .opblock")
    expect(operations.first).to_be_visible()
    operations.first.locator(".opblock-summary").click()
    expect(operations.first.locator(".opblock-body")).to_be_visible()
    assert settled(page) == [], "/api/v1/docs/: CSP violations"


@pytest.fixture
def month(july, run_now, manager):
    """July computed for the team (rep 2790.00, rep_peer 720.00), and a run of August still going (1 of 4)."""
    done = run_now(manager, JULY)
    going = CommissionRun.objects.create(
        period="2026-08", status=CommissionRun.Status.RUNNING, total=4, done=1, started_by=manager
    )
    return {"done": done, "going": going}


def test_the_watch_sees_inline_script_being_refused(new_page):
    page = watched(new_page())
    visit(page, "/accounts/login/", ready="main form")
    # What an injected page would carry: a <script> block and an on…= attribute. Neither runs.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.ranInline = true;";
            document.head.append(script);
            document.body.setAttribute("onclick", "window.ranHandler = true;");
            document.body.click();
        }"""
    )
    assert page.evaluate("() => [window.ranInline, window.ranHandler]") == [None, None]
    seen = settled(page)
    assert any(line.startswith("script-src-elem | inline") for line in seen), seen
    assert any(line.startswith("script-src-attr | inline") for line in seen), seen
    assert any(line.startswith("console error:") for line in seen), seen
    take_problems(page)  # the refusals' console errors were the point


def test_a_rep_meets_no_violation(new_page, d, rep, month):
    here = {"latitude": float(d["A2"].latitude), "longitude": float(d["A2"].longitude), "accuracy": 10}
    page = watched(new_page(phone=True, geolocation=here))
    log_in(page, rep)
    assert settled(page) == [], "login and dashboard: CSP violations"
    visit(page, "/", ready="[data-testid=visit-quota]")
    visit(page, "/partners/dealers/")
    visit(page, f"/partners/dealers/{d['A2'].pk}/")
    visit(page, "/visits/new/", ready="#visit-form")
    page.get_by_role("button", name=zh("Use my position")).tap()  # visit_form.js asks for the position
    assert settled(page) == [], "/visits/new/: CSP violations"
    visit(page, "/kpi/statements/", ready="[data-testid=statement-table]")
    visit(page, f"/kpi/statements/{monthly(rep).pk}/", ready="[data-testid=statement-lines]")
    swagger_ui(page)


def test_a_manager_meets_no_violation_the_run_progress_bar_included(new_page, d, manager, rep, month):
    from playwright.sync_api import expect

    page = watched(new_page())
    log_in(page, manager)
    visit(page, "/", ready="#sales-vs-target-chart")
    visit(page, "/partners/dealers/")
    visit(page, f"/partners/dealers/{d['A1'].pk}/")
    visit(page, "/visits/compliance/")
    visit(page, "/kpi/measures/")
    visit(page, "/kpi/runs/")
    visit(page, f"/kpi/runs/{month['done'].pk}/", ready="[data-testid=run]")
    expect(page.get_by_role("progressbar", name=zh("Progress"))).to_have_attribute("aria-valuenow", "100")

    # The running run: run_progress.js polls the run's API detail and moves the bar (fetch: connect-src).
    going = month["going"]
    with page.expect_response(re.compile(rf"/api/v1/commission-runs/{going.pk}/$")) as polled:
        visit(page, f"/kpi/runs/{going.pk}/", ready="[data-testid=run]")
    assert polled.value.status == 200
    bar = page.get_by_role("progressbar", name=zh("Progress"))
    expect(bar).to_have_attribute("aria-valuenow", "25")
    expect(bar.locator(".progress-bar")).to_have_text("25 %")
    expect(bar.locator(".progress-bar")).to_have_class(re.compile(r"\bprogress-bar-animated\b"))
    assert settled(page) == [], "running run: CSP violations"

    visit(page, f"/kpi/statements/{monthly(rep).pk}/", ready="[data-testid=statement-lines]")
    swagger_ui(page)


def test_finance_meets_no_violation(new_page, finance, rep, month):
    page = watched(new_page())
    log_in(page, finance)
    visit(page, "/", ready="#collection-rate-chart")
    visit(page, "/kpi/statements/")
    visit(page, "/kpi/statements/approvals/")
    visit(page, f"/kpi/statements/{monthly(rep).pk}/", ready="[data-testid=statement-lines]")
    visit(page, "/kpi/runs/")
    swagger_ui(page)


def test_an_admin_meets_no_violation(new_page, d, admin_user, month):
    page = watched(new_page())
    log_in(page, admin_user)
    visit(page, "/", ready="[data-testid=role-counts]")
    visit(page, "/partners/dealers/")
    visit(page, f"/partners/dealers/{d['O1'].pk}/")
    visit(page, "/kpi/runs/")
    visit(page, "/api/v1/dealers/", ready=".response-info")  # DRF's browsable API
    visit(page, "/admin/", ready="#content")
    visit(page, "/admin/partners/dealer/", ready="#changelist")
    # The admin's pages name no icon, so Chromium asks for /favicon.ico (404): not the policy's business.
    assert {problem for problem in take_problems(page) if "favicon.ico" not in problem} <= {NOT_FOUND_CONSOLE}
    swagger_ui(page)


def test_the_language_switcher_still_switches_without_an_inline_handler(new_page, rep):
    from playwright.sync_api import expect

    page = watched(new_page())
    visit(page, "/accounts/login/", ready="main form")
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Log in to channelhub"))
    page.locator("#language-select").select_option("en")  # no button: the change submits the form
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to channelhub")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert settled(page) == [], "language switch: CSP violations"

    log_in(page, rep)
    page.locator("#language-select").select_option("zh-hans")
    expect(page.get_by_role("link", name=zh("Dashboard"), exact=True)).to_be_visible()
    assert settled(page) == []
