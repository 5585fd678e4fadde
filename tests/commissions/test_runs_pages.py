"""Run and period pages (SPEC §7): the runs with the "start a run" form, a run's progress bar (polled
by run_progress.js, a refresh link without JS), the year-end settlement form, the periods with the
close button for finance; who may open what; bounded query counts."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from channelhub.periods import Month
from commissions.models import CommissionRun, Statement
from kpi.models import Period
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, close, with_status

july = runs_world.july
run_now = runs_world.run_now
D = Decimal


# --- runs ---------------------------------------------------------------------------------------------


def test_the_runs_page_lists_runs_and_offers_the_form(july, run_now, page_as, manager, finance):
    run = run_now(finance)
    body = page_as(manager).get(reverse("commissions:run-list")).content.decode()
    assert 'data-testid="start-run-form"' in body and 'type="month"' in body
    assert reverse("commissions:run-detail", args=[run.pk]) in body and "2026-07" in body
    assert "Computes the reps of your team" in body
    assert 'data-testid="year-end-link"' not in body  # managers do not settle years
    finance_body = page_as(finance).get(reverse("commissions:run-list")).content.decode()
    assert "Computes every rep with a plan" in finance_body and 'data-testid="year-end-link"' in finance_body


def test_the_form_proposes_the_previous_month(page_as, finance):
    from commissions.services.runs import default_period

    body = page_as(finance).get(reverse("commissions:run-list")).content.decode()
    assert f'value="{default_period()}"' in body


def test_reps_may_not_open_the_runs_pages(july, run_now, page_as, finance, rep):
    run = run_now(finance)
    client = page_as(rep)
    assert client.get(reverse("commissions:run-list")).status_code == 403
    assert client.get(reverse("commissions:run-create")).status_code == 403
    assert client.post(reverse("commissions:run-create"), {"period": JULY}).status_code == 403
    assert client.get(reverse("commissions:run-detail", args=[run.pk])).status_code == 404


def test_starting_a_run_from_the_page_leads_to_its_progress(
    july, page_as, manager, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = page_as(manager).post(reverse("commissions:run-create"), {"period": JULY})
    run = CommissionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("commissions:run-detail", args=[run.pk])
    assert Statement.objects.filter(rep=rep, period=JULY).exists()


def test_a_closed_or_bad_period_is_an_error_on_the_form(july, page_as, finance):
    close(JULY)
    client = page_as(finance)
    response = client.post(reverse("commissions:run-create"), {"period": JULY})
    assert response.status_code == 409 and "2026-07 is closed" in response.content.decode()
    response = client.post(reverse("commissions:run-create"), {"period": "July"})
    assert response.status_code == 400 and "YYYY-MM" in response.content.decode()
    assert not CommissionRun.objects.exists()


def test_a_month_that_has_not_ended_is_refused_on_the_form(page_as, finance):
    current = Month.current()
    client = page_as(finance)
    for month in (current, current.next()):
        response = client.post(reverse("commissions:run-create"), {"period": str(month)})
        assert response.status_code == 400
        body = response.content.decode()
        assert f"The period {month} has not ended yet" in body and f"the latest is {current.previous()}" in body
    assert not CommissionRun.objects.exists()


def test_a_running_run_shows_its_figures_a_bar_the_poller_and_a_refresh_link(july, page_as, finance):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, status="running", total=8, done=2, skipped=1)
    body = page_as(finance).get(reverse("commissions:run-detail", args=[run.pk])).content.decode()
    assert f'data-run-url="/api/v1/commission-runs/{run.pk}/"' in body and 'data-finished="false"' in body
    assert 'aria-valuenow="25"' in body and "width: 25%" in body  # 2 of 8
    assert '<span data-run-field="done">2</span> / <span data-run-field="total">8</span>' in body
    assert 'data-run-field="skipped">1<' in body
    assert 'data-testid="refresh"' in body and "js/run_progress.js" in body
    refresh = body.split('data-testid="refresh"')[0].rsplit("<a", 1)[1]
    assert "d-none" not in refresh


def test_a_finished_run_shows_no_refresh_link_and_a_failed_one_its_error(july, run_now, page_as, finance):
    done = run_now(finance)
    body = page_as(finance).get(reverse("commissions:run-detail", args=[done.pk])).content.decode()
    assert 'data-finished="true"' in body and 'aria-valuenow="100"' in body
    assert reverse("commissions:statement-list") + "?period=2026-07" in body
    failed = CommissionRun.objects.create(period=JULY, started_by=finance, status="failed", error="OSError: disk full")
    body = page_as(finance).get(reverse("commissions:run-detail", args=[failed.pk])).content.decode()
    assert "OSError: disk full" in body and 'data-status="failed"' in body


# A list page as finance: 1 session, 2 user, 3 the user's role groups, 4 COUNT of the rows, 5 the
# notification bell's count, 6 the page of rows (runs ⋈ started_by; periods ⋈ closed_by with their
# statements counted in subqueries).
LIST_PAGE_QUERIES = 6
# The run page: session, user, groups, the run ⋈ started_by, its problems (reps in the viewer's scope), the bell.
RUN_PAGE_QUERIES = 6


def test_the_runs_page_query_count_is_pinned_and_does_not_grow(page_as, finance, manager, django_assert_num_queries):
    CommissionRun.objects.create(period="2026-01", started_by=finance)
    client = page_as(finance)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        assert client.get(reverse("commissions:run-list")).status_code == 200
    for month in range(2, 13):
        CommissionRun.objects.create(period=f"2026-{month:02d}", started_by=manager)
        CommissionRun.objects.create(period=f"2026-{month:02d}", started_by=None, status="done")
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        body = client.get(reverse("commissions:run-list")).content.decode()
    assert body.count('data-run-field="bar"') == 23


def test_the_run_page_query_count_is_pinned(july, run_now, page_as, finance, django_assert_num_queries):
    run = run_now(finance)
    client = page_as(finance)
    with django_assert_num_queries(RUN_PAGE_QUERIES):
        assert client.get(reverse("commissions:run-detail", args=[run.pk])).status_code == 200


# --- year-end settlement -----------------------------------------------------------------------------


def test_finance_settles_a_year_from_the_page(page_as, finance, rep):
    Statement.objects.create(
        rep=rep, period="2025-05", **with_status("paid"), net_amount=D("500.00"), retained_amount=D("50.00"),
        payable_amount=D("450.00"),
    )  # fmt: skip
    client = page_as(finance)
    assert 'data-testid="year-end-form"' in client.get(reverse("commissions:run-year-end")).content.decode()
    response = client.post(reverse("commissions:run-year-end"), {"year": "2025"}, follow=True)
    assert "Year-end settlement 2025: 1 made, 0 refreshed, 0 left as they were." in response.content.decode()
    assert Statement.objects.get(kind="year_end").payable_amount == D("50.00")


def test_managers_may_not_settle_a_year(page_as, manager):
    assert page_as(manager).get(reverse("commissions:run-year-end")).status_code == 403


# --- periods ----------------------------------------------------------------------------------------------


def test_the_periods_page_counts_statements_and_offers_finance_the_close_button(
    july, run_now, page_as, finance, manager
):
    run_now(finance)
    Statement.objects.filter(rep__username="rep_a1").update(status="approved")
    Period.objects.create(code="2026-05", status="closed")
    body = page_as(finance).get(reverse("commissions:period-list")).content.decode()
    july_row = body.split('data-period="2026-07"')[1].split("</tr>")[0]
    assert '<td class="text-end d-none d-sm-table-cell">3</td>' in july_row  # 3 statements
    assert '<span class="text-danger">2</span>' in july_row  # 2 not approved or paid
    assert reverse("commissions:period-close", args=[Period.objects.get(code=JULY).pk]) in july_row
    may_row = body.split('data-period="2026-05"')[1].split("</tr>")[0]
    assert "period-close" not in may_row and ">Close<" not in may_row
    manager_body = page_as(manager).get(reverse("commissions:period-list")).content.decode()
    assert "2026-07" in manager_body and "/close/" not in manager_body


def test_closing_from_the_page_refused_then_done(july, run_now, page_as, finance):
    run_now(finance)
    period = Period.objects.get(code=JULY)
    client = page_as(finance)
    assert "Close 2026-07" in client.get(reverse("commissions:period-close", args=[period.pk])).content.decode()
    refused = client.post(reverse("commissions:period-close", args=[period.pk]), follow=True).content.decode()
    assert "cannot be closed" in refused and "3 monthly statements" in refused
    Statement.objects.update(**with_status("paid"))
    done = client.post(reverse("commissions:period-close", args=[period.pk]), follow=True).content.decode()
    assert "The period 2026-07 is closed." in done
    period.refresh_from_db()
    assert period.status == "closed" and period.closed_by == finance


def test_only_finance_and_admins_close_from_the_page(july, page_as, manager):
    period = Period.objects.create(code=JULY)
    assert page_as(manager).post(reverse("commissions:period-close", args=[period.pk])).status_code == 403
    assert page_as(manager).get(reverse("commissions:period-close", args=[period.pk])).status_code == 403


def test_the_periods_page_query_count_is_pinned_and_does_not_grow(page_as, finance, rep, django_assert_num_queries):
    Period.objects.create(code="2025-01")
    client = page_as(finance)
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        assert client.get(reverse("commissions:period-list")).status_code == 200
    for month in range(2, 13):
        Period.objects.create(code=f"2025-{month:02d}", status="closed", closed_by=finance)
        Statement.objects.create(rep=rep, period=f"2025-{month:02d}")
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        assert client.get(reverse("commissions:period-list")).content.decode().count("data-period=") == 12


def test_the_admin_lists_runs_read_only(client_as, admin_user, finance):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, status="failed", error="boom")
    client = client_as(admin_user)
    assert client.get("/admin/commissions/commissionrun/").status_code == 200
    page = client.get(f"/admin/commissions/commissionrun/{run.pk}/change/")
    assert page.status_code == 200 and "boom" in page.content.decode()
    assert client.get("/admin/commissions/commissionrun/add/").status_code == 403
