"""``/api/v1/commission-runs/`` and ``/api/v1/periods/{id}/close/`` (SPEC §6, §8): 202 with the run,
403 for reps, 409 for closed periods, 404 for what a rep may not see, filters, the pinned query count
of the list, the year-end settlement action."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from commissions.models import CommissionRun, Statement
from kpi.models import Period
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, REP_JULY, amounts, close, monthly

july = runs_world.july
run_now = runs_world.run_now
RUNS = "/api/v1/commission-runs/"
D = Decimal


def post_run(client, period=JULY):
    return client.post(RUNS, {"period": period}, format="json")


@pytest.fixture
def started(api_as, django_capture_on_commit_callbacks):
    """``started(user, period)`` → the API's answer to starting a run, the run carried out (eager)."""

    def start(user, period=JULY):
        with django_capture_on_commit_callbacks(execute=True):
            return api_as(user).post(RUNS, {"period": period}, format="json")

    return start


# --- start -------------------------------------------------------------------------------------------


def test_a_manager_starts_a_run_and_gets_202_with_the_run(july, started, api_as, manager, rep):
    response = started(manager)
    assert response.status_code == 202
    body = response.json()
    run = CommissionRun.objects.get()
    assert body["id"] == run.pk and body["period"] == "2026-07"
    # the task is queued once the request's transaction commits (in a test: after the answer)
    assert (body["status"], body["progress"], body["total"], body["done"], body["skipped"], body["error"]) == (
        "queued",
        0,
        2,
        0,
        0,
        "",
    )
    assert body["started_by"] == manager.pk and body["started_by_name"] == "陈经理"
    assert body["urls"]["self"] == f"http://testserver{RUNS}{run.pk}/"
    assert body["urls"]["page"] == f"http://testserver/kpi/runs/{run.pk}/"
    assert body["urls"]["statements"].endswith("/api/v1/commission-statements/?period=2026-07")
    assert response["Location"] == body["urls"]["self"]

    detail = api_as(manager).get(body["urls"]["self"]).json()
    assert (detail["status"], detail["progress"], detail["done"], detail["skipped"]) == ("done", 100, 2, 0)
    assert detail["started_at"] and detail["finished_at"]
    assert amounts(monthly(rep)) == REP_JULY


@pytest.mark.parametrize("who", ["rep", "rep_peer", "other_rep"])
def test_a_rep_may_not_start_a_run(july, api_as, everyone, who):
    response = post_run(api_as(everyone[who]))
    assert response.status_code == 403
    assert not CommissionRun.objects.exists()


def test_a_closed_period_answers_409_naming_it(july, api_as, finance):
    close(JULY)
    response = post_run(api_as(finance))
    assert response.status_code == 409
    assert "2026-07" in response.json()["detail"] and response.json()["periods"] == ["2026-07"]
    assert not CommissionRun.objects.exists()


@pytest.mark.parametrize("body", [{"period": "July"}, {"period": "2026-13"}, {}])
def test_a_bad_period_answers_400_on_the_field(api_as, finance, body):
    response = api_as(finance).post(RUNS, body, format="json")
    assert response.status_code == 400 and "period" in response.json()


def test_a_month_that_has_not_ended_answers_400_naming_it(api_as, finance):
    from channelhub.periods import Month

    current = str(Month.current())
    response = post_run(api_as(finance), current)
    assert response.status_code == 400
    assert current in response.json()["period"][0]
    assert not CommissionRun.objects.exists()


def test_anonymous_callers_get_401(api_client):
    assert api_client.post(RUNS, {"period": JULY}, format="json").status_code == 401
    assert api_client.get(RUNS).status_code == 401


# --- read ----------------------------------------------------------------------------------------------


def test_reps_see_no_runs_and_a_run_is_404_to_them(july, run_now, api_as, finance, rep):
    run = run_now(finance)
    client = api_as(rep)
    assert client.get(RUNS).json()["count"] == 0
    assert client.get(f"{RUNS}{run.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["manager", "other_manager", "finance", "admin"])
def test_managers_finance_and_admins_read_runs(july, run_now, api_as, everyone, who):
    run = run_now(everyone["finance"])
    client = api_as(everyone[who])
    assert [row["id"] for row in client.get(RUNS).json()["results"]] == [run.pk]
    detail = client.get(f"{RUNS}{run.pk}/")
    assert detail.status_code == 200 and detail.json()["status"] == "done"


def test_runs_filter_by_period_and_status(july, run_now, api_as, finance):
    july_run = run_now(finance)
    june_run = run_now(finance, "2026-06")
    CommissionRun.objects.filter(pk=june_run.pk).update(status="failed")
    client = api_as(finance)
    assert [row["id"] for row in client.get(RUNS, {"period": "2026-07"}).json()["results"]] == [july_run.pk]
    assert [row["id"] for row in client.get(RUNS, {"status": "failed"}).json()["results"]] == [june_run.pk]
    assert [row["id"] for row in client.get(RUNS).json()["results"]] == [june_run.pk, july_run.pk]  # newest first


def test_runs_cannot_be_changed_or_deleted(july, run_now, api_as, finance):
    run = run_now(finance)
    client = api_as(finance)
    assert client.patch(f"{RUNS}{run.pk}/", {"status": "queued"}, format="json").status_code == 405
    assert client.delete(f"{RUNS}{run.pk}/").status_code == 405


# The list as finance, logged in by session:
#   1 session, 2 user, 3 the user's role groups, 4 COUNT, 5 the page of runs ⋈ started_by.
LIST_QUERIES = 5


def test_the_list_query_count_is_pinned_and_does_not_grow(api_as, finance, manager, django_assert_num_queries):
    CommissionRun.objects.create(period="2026-01", started_by=finance)
    client = api_as(finance)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(RUNS).json()["count"] == 1
    for month in range(2, 13):
        CommissionRun.objects.create(period=f"2026-{month:02d}", started_by=manager if month % 2 else finance)
        CommissionRun.objects.create(period=f"2026-{month:02d}", started_by=None)
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(RUNS).json()
    assert body["count"] == len(body["results"]) == 23
    assert {row["started_by_name"] for row in body["results"]} == {"孙财务", "陈经理", None}


# --- year-end settlement -----------------------------------------------------------------------------


def test_finance_settles_a_year_through_the_api(api_as, finance, rep):
    Statement.objects.create(
        rep=rep, period="2025-03", status="approved", net_amount=D("1000.00"), retained_amount=D("100.00"),
        payable_amount=D("900.00"),
    )  # fmt: skip
    response = api_as(finance).post(f"{RUNS}year-end/", {"year": 2025}, format="json")
    assert response.status_code == 200
    body = response.json()
    year_end = Statement.objects.get(kind="year_end")
    assert body == {"year": 2025, "created": [year_end.pk], "refreshed": [], "unchanged": []}
    assert (year_end.period, year_end.payable_amount) == ("2025-12", D("100.00"))


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_only_finance_and_admins_settle_a_year(api_as, everyone, who):
    assert api_as(everyone[who]).post(f"{RUNS}year-end/", {"year": 2025}, format="json").status_code == 403


def test_a_year_still_to_come_is_400(api_as, finance):
    response = api_as(finance).post(f"{RUNS}year-end/", {"year": date.today().year + 1}, format="json")
    assert response.status_code == 400 and "year" in response.json()


# --- closing a period ----------------------------------------------------------------------------------


def period_url(code: str) -> str:
    return f"/api/v1/periods/{Period.objects.get(code=code).pk}/close/"


def test_closing_a_period_with_drafts_answers_409_counting_them(july, run_now, api_as, finance):
    run_now(finance)
    response = api_as(finance).post(period_url(JULY))
    assert response.status_code == 409
    body = response.json()
    assert "2026-07" in body["detail"] and "3" in body["detail"]
    assert body["not_settled"] == 3 and body["current_state"] == "open"
    assert "张伟" in body["reps"]
    assert Period.objects.get(code=JULY).status == "open"


def test_finance_closes_a_settled_period_then_runs_and_facts_answer_409(july, run_now, api_as, finance, d):
    run_now(finance)
    Statement.objects.update(status="approved")
    client = api_as(finance)
    response = client.post(period_url(JULY))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["closed_by"]) == ("closed", finance.pk)
    assert response.json()["closed_at"]

    again = client.post(period_url(JULY))
    assert again.status_code == 409 and again.json()["current_state"] == "closed"
    run = post_run(client)
    assert run.status_code == 409 and "2026-07" in run.json()["detail"]
    sale = client.post(
        "/api/v1/sales/",
        {"reference": "LATE-1", "date": "2026-07-31", "dealer_code": "A1", "amount": "10.00"},
        format="json",
    )
    assert sale.status_code == 409 and "2026-07" in sale.json()["detail"]


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_only_finance_and_admins_close_a_period(july, api_as, everyone, who):
    Period.objects.create(code=JULY)
    assert api_as(everyone[who]).post(period_url(JULY)).status_code == 403
    assert Period.objects.get(code=JULY).status == "open"


def test_an_unknown_period_is_404(api_as, finance):
    assert api_as(finance).post("/api/v1/periods/999999/close/").status_code == 404
