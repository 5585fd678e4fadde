"""The rebate run pages (SPEC §15, like the commission runs of §7): the runs with the "start a run" form (finance and
admins), a run's progress bar polled from its progress endpoint (``run_progress.js``; a refresh link without JS),
the refusals on the form (400), a broker that does not answer (503), and pinned query counts. Every other role:
403 on the list, 404 on a run.

A run started from the page completes (Celery runs eagerly in the tests) and computes the dealers whose signed
agreement names a quarterly program: F1 with 1 040 000.00 of sales in 2026-Q3 against a quarter's target of
1 000 000.00 → 104 % → 2 % = 20 800.00.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from channelhub.celery import BrokerUnavailable
from rebates.models import RebateRun, RebateSettlement
from rebates.periods import RebatePeriod
from rebates.services.runs import default_period
from tests.rebates.world import record, sign

pytestmark = pytest.mark.django_db

D = Decimal
RUNS = reverse("rebates:run-list")


def run_page(run) -> str:
    return reverse("rebates:run-detail", args=[run.pk])


def progress(run) -> str:
    return reverse("rebates:run-progress", args=[run.pk])


@pytest.fixture
def signed_f1(dealers, covered, lines, manager, finance, program):
    sign(manager, finance, dealers["F1"], covered["SH-PD"], [lines["kitchen"]], program)
    record(finance, "sales", dealers["F1"], date(2026, 7, 10), "1040000.00", category="kitchen")
    return dealers["F1"]


def test_finance_sees_the_runs_and_the_form_with_the_last_ended_quarter(page_as, finance):
    run = RebateRun.objects.create(period="2026-Q2", started_by=finance, status="done", total=4, done=4)
    body = page_as(finance).get(RUNS).content.decode()
    assert 'data-testid="start-run-form"' in body
    assert f'name="period" value="{default_period()}"' in body
    assert f'href="{run_page(run)}"' in body and "2026-Q2" in body and 'aria-valuenow="100"' in body


@pytest.mark.parametrize("who", ["rep", "rep_peer", "manager", "other_manager"])
def test_other_roles_may_not_see_runs(page_as, everyone, finance, who):
    run = RebateRun.objects.create(period="2026-Q2", started_by=finance)
    client = page_as(everyone[who])
    assert client.get(RUNS).status_code == 403
    assert client.post(RUNS, {"period": "2026-Q3"}).status_code == 403
    assert client.get(run_page(run)).status_code == 404
    assert client.get(progress(run)).status_code == 404
    assert RebateRun.objects.count() == 1


def test_a_run_started_from_the_page_completes_and_its_page_shows_100_percent(
    page_as, finance, signed_f1, django_capture_on_commit_callbacks
):
    client = page_as(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUNS, {"period": "2026-q3"})
    run = RebateRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run_page(run)
    assert (run.period, run.status, run.done, run.total, run.started_by) == ("2026-Q3", "done", 1, 1, finance)
    settlement = RebateSettlement.objects.get(dealer=signed_f1, period="2026-Q3")
    assert (settlement.status, settlement.gross_amount, settlement.run) == ("draft", D("20800.00"), run)

    body = client.get(run_page(run)).content.decode()
    assert 'data-finished="true"' in body and 'aria-valuenow="100"' in body and "100 %" in body
    assert f'data-run-url="{progress(run)}"' in body and "js/run_progress.js" in body
    assert '<span data-run-field="done">1</span> / <span data-run-field="total">1</span>' in body
    assert f'href="{reverse("rebates:settlement-list")}?period=2026-Q3"' in body
    assert client.get(progress(run)).json() | {"started_at": None, "finished_at": None} == {
        "status": "done",
        "status_display": "Done",
        "progress": 100,
        "done": 1,
        "total": 1,
        "skipped": 0,
        "error": "",
        "started_at": None,
        "finished_at": None,
    }


def test_a_running_run_shows_its_bar_the_poller_and_a_refresh_link(page_as, admin_user):
    run = RebateRun.objects.create(period="2026-Q3", started_by=admin_user, status="running", total=8, done=2)
    client = page_as(admin_user)
    body = client.get(run_page(run)).content.decode()
    assert 'data-finished="false"' in body and 'aria-valuenow="25"' in body and "width: 25%" in body  # 2 of 8
    refresh = body.split('data-testid="refresh"')[0].rsplit("<a", 1)[1]
    assert "d-none" not in refresh
    polled = client.get(progress(run))
    assert polled["Cache-Control"] == "no-store"
    assert {key: polled.json()[key] for key in ("status", "progress", "done", "total")} == {
        "status": "running",
        "progress": 25,
        "done": 2,
        "total": 8,
    }


def test_a_failed_run_shows_its_error(page_as, finance):
    run = RebateRun.objects.create(period="2026-Q3", started_by=finance, status="failed", error="OSError: disk full")
    body = page_as(finance).get(run_page(run)).content.decode()
    assert 'data-status="failed"' in body and 'data-finished="true"' in body
    error = re.search(r'<div class="alert alert-danger mt-3 mb-0"[^>]*data-testid="run-error">([^<]*)<', body)
    assert error and error.group(1) == "OSError: disk full"
    assert page_as(finance).get(progress(run)).json()["error"] == "OSError: disk full"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-Q5", "Enter a period as YYYY-Qn or YYYY"),
        ("July", "Enter a period as YYYY-Qn or YYYY"),
        ("", "This field is required."),
        ("this quarter", "The period {period} has not ended yet"),
        ("this year", "The period {period} has not ended yet"),
    ],
)
def test_a_refused_period_comes_back_on_the_form(page_as, finance, period, message):
    if period.startswith("this"):
        period = str(RebatePeriod.containing(timezone.localdate(), annual=period == "this year"))
        message = message.format(period=period)
    response = page_as(finance).post(RUNS, {"period": period})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'id="id_period_error"' in body
    assert f'name="period" value="{period}"' in body or not period
    assert not RebateRun.objects.exists()


def test_a_broker_that_does_not_answer_is_said_and_nothing_is_saved(page_as, finance, monkeypatch):
    def down(message=None):
        raise BrokerUnavailable(message)

    monkeypatch.setattr("channelhub.celery.require_broker", down)
    response = page_as(finance).post(RUNS, {"period": "2026-Q3"})
    assert response.status_code == 503
    body = response.content.decode()
    assert "the settlement run was not started and nothing was saved" in body
    assert 'name="period" value="2026-Q3"' in body
    assert not RebateRun.objects.exists()


# --- query counts -----------------------------------------------------------------------------------------

# The runs as finance: 1 session, 2 user, 3 the user's role groups, 4 COUNT of the runs (the paginator), 5 the page
# of runs ⋈ started_by, 6 the notification bell's count.
LIST_QUERIES = 6
# A run: session, user, groups, the run ⋈ started_by, the bell.
DETAIL_QUERIES = 5
# Its progress: session, user, groups, the run.
PROGRESS_QUERIES = 4


def test_the_runs_page_query_count_is_pinned_and_does_not_grow(page_as, finance, admin_user, django_assert_num_queries):
    RebateRun.objects.create(period="2025-Q1", started_by=finance)
    client = page_as(finance)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(RUNS).status_code == 200
    for year in range(2020, 2026):
        RebateRun.objects.create(period=str(year), started_by=admin_user, status="done", total=2, done=2)
        RebateRun.objects.create(period=f"{year}-Q4", started_by=None, status="failed", error="x")
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(RUNS).content.decode()
    assert body.count('data-run-field="bar"') == 13


def test_the_run_page_and_its_progress_query_counts_are_pinned(page_as, finance, django_assert_num_queries):
    run = RebateRun.objects.create(period="2026-Q3", started_by=finance, status="running", total=3, done=1)
    client = page_as(finance)
    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(run_page(run)).status_code == 200
    with django_assert_num_queries(PROGRESS_QUERIES):
        assert client.get(progress(run)).status_code == 200
