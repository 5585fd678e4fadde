"""``/api/v1/rebate-runs/`` (SPEC §8, §15): 202 with the run, carried out eagerly to progress 100 with one settlement
per dealer, program and period; re-runs rewrite drafts only; an interrupted run run again ends with one settlement
each; 400 for a bad or unended period, 403 for every role but finance and admins, 503 with nothing written when
the broker is down; reads for finance and admins only (others: an empty list, a 404), with the list's queries
pinned. The world is ``tests.rebates.api_world`` (F1, F2, P1, O1 with their hand-worked nets)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from rebates.models import RebateLine, RebateRun, RebateSettlement
from rebates.periods import RebatePeriod
from rebates.services import compute, runs
from rebates.services.settlements import settlement_approve, settlement_submit
from tests.rebates.api_world import NET, Q3, build, settlement_of
from tests.workers import celery_sends_to, free_port, new_queue

RUNS = "/api/v1/rebate-runs/"
D = Decimal


@pytest.fixture
def rw(dealers, covered, lines, manager, other_manager, finance, program):
    return build(
        dealers=dealers,
        covered=covered,
        lines=lines,
        manager=manager,
        other_manager=other_manager,
        finance=finance,
        program=program,
    )


@pytest.fixture
def started(api_as, django_capture_on_commit_callbacks):
    """``started(user, period)`` → the API's answer to starting a run, the run carried out (eager)."""

    def start(user, period=Q3):
        with django_capture_on_commit_callbacks(execute=True):
            return api_as(user).post(RUNS, {"period": period}, format="json")

    return start


def snapshot(settlement: RebateSettlement) -> tuple:
    """What a run must not change: read afresh."""
    settlement.refresh_from_db()
    return (
        settlement.status,
        settlement.updated_at,
        settlement.net_amount,
        settlement.run_id,
        settlement.history.count(),
    )


def nets() -> dict[str, Decimal]:
    return {s.dealer.code: s.net_amount for s in RebateSettlement.objects.select_related("dealer")}


# --- start -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["finance", "admin"])
def test_finance_starts_a_run_202_and_it_ends_with_one_settlement_per_dealer(rw, started, api_as, everyone, who):
    response = started(everyone[who])
    assert response.status_code == 202
    body = response.json()
    run = RebateRun.objects.get()
    assert (body["id"], body["period"], body["total"], body["started_by"]) == (run.pk, Q3, 4, everyone[who].pk)
    assert body["urls"]["self"] == f"http://testserver{RUNS}{run.pk}/" == response["Location"]
    assert body["urls"]["settlements"].endswith(f"/api/v1/rebate-settlements/?period={Q3}")

    detail = api_as(everyone[who]).get(body["urls"]["self"]).json()
    assert (detail["status"], detail["progress"], detail["total"], detail["done"], detail["skipped"]) == (
        "done",
        100,
        4,
        4,
        0,
    )
    assert detail["error"] == "" and detail["started_at"] and detail["finished_at"]
    assert nets() == NET
    assert RebateSettlement.objects.filter(period=Q3, status="draft", run=run).count() == 4
    assert all(s.lines.count() == 6 for s in RebateSettlement.objects.all())  # penalty line: the program has one


@pytest.mark.parametrize("who", ["rep", "rep_peer", "other_rep", "manager", "other_manager"])
def test_no_other_role_starts_a_run(rw, started, everyone, who):
    assert started(everyone[who]).status_code == 403
    assert not RebateRun.objects.exists() and not RebateSettlement.objects.exists()


def test_a_role_that_may_not_run_gets_403_before_any_check_of_the_period(api_as, rep):
    assert api_as(rep).post(RUNS, {}, format="json").status_code == 403
    assert api_as(rep).post(RUNS, {"period": "Q3"}, format="json").status_code == 403


@pytest.mark.parametrize("body", [{"period": "2026-Q5"}, {"period": "2026-07"}, {"period": "Q3"}, {}])
def test_a_bad_period_answers_400_on_the_field(api_as, finance, body):
    response = api_as(finance).post(RUNS, body, format="json")
    assert response.status_code == 400 and list(response.json()) == ["period"]
    assert not RebateRun.objects.exists()


@pytest.mark.parametrize("annual", [False, True])
def test_a_period_that_has_not_ended_answers_400_naming_it(api_as, finance, annual):
    current = str(RebatePeriod.containing(timezone.localdate(), annual=annual))
    response = api_as(finance).post(RUNS, {"period": current}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert current in response.json()["period"][0] and "has not ended" in response.json()["period"][0]
    assert not RebateRun.objects.exists()


def test_with_the_broker_down_the_api_answers_503_and_writes_nothing(rw, api_as, finance):
    with celery_sends_to(f"redis://127.0.0.1:{free_port()}/0", new_queue()):
        response = api_as(finance).post(RUNS, {"period": Q3}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "cannot be reached" in response.json()["detail"] and "nothing was saved" in response.json()["detail"]
    assert not RebateRun.objects.exists() and not RebateSettlement.objects.exists()


def test_an_annual_period_computes_only_annual_programs(rw, started, finance):
    response = started(finance, "2025")
    assert response.status_code == 202
    run = RebateRun.objects.get()
    assert (run.status, run.total) == ("done", 0)  # the world's program is quarterly
    assert not RebateSettlement.objects.exists()


# --- re-runs -------------------------------------------------------------------------------------------


def test_a_rerun_rewrites_drafts_and_leaves_a_submitted_settlement_as_it_was(
    rw, started, api_as, finance, manager, admin_user
):
    started(finance)
    f1, f2 = settlement_of(rw["dealers"]["F1"]), settlement_of(rw["dealers"]["F2"])
    settlement_submit(actor=manager, settlement=f1)
    settlement_submit(actor=manager, settlement=f2)
    settlement_approve(actor=finance, settlement=f2)
    kept = [snapshot(f1), snapshot(f2)]
    drafts_before = dict(RebateSettlement.objects.filter(status="draft").values_list("pk", "run_id"))

    again = started(admin_user).json()
    detail = api_as(admin_user).get(f"{RUNS}{again['id']}/").json()
    assert (detail["status"], detail["progress"], detail["done"], detail["skipped"]) == ("done", 100, 4, 2)
    assert [snapshot(f1), snapshot(f2)] == kept
    rewritten = dict(RebateSettlement.objects.filter(status="draft").values_list("pk", "run_id"))
    assert set(rewritten) == set(drafts_before) and set(rewritten.values()) == {again["id"]}
    assert RebateSettlement.objects.count() == 4 and nets() == NET


def test_a_rejected_settlement_is_a_draft_again_and_the_next_run_rewrites_it(rw, started, manager, finance):
    from rebates.services.settlements import settlement_reject

    started(finance)
    f1 = settlement_of(rw["dealers"]["F1"])
    settlement_submit(actor=manager, settlement=f1)
    settlement_reject(actor=finance, settlement=f1, reason="目标口径不对")
    second = started(finance).json()
    f1.refresh_from_db()
    assert (f1.status, f1.run_id, f1.net_amount) == ("draft", second["id"], NET["F1"])
    assert RebateRun.objects.get(pk=second["id"]).skipped == 0


def test_an_interrupted_run_run_again_ends_with_exactly_one_settlement_each(rw, started, api_as, finance, monkeypatch):
    """Chunks of one dealer; the computation fails on P1's chunk the first time (F1 and F2 are written before)."""
    monkeypatch.setattr(runs, "CHUNK_SIZE", 1)
    real = compute.compute_many
    p1 = rw["dealers"]["P1"].pk
    failures = {"left": 1}

    def flaky(dealer_ids, period, **kwargs):
        dealer_ids = list(dealer_ids)
        if p1 in dealer_ids and failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("worker lost")
        return real(dealer_ids, period, **kwargs)

    monkeypatch.setattr(runs, "compute_many", flaky)

    broken = api_as(finance).get(f"{RUNS}{started(finance).json()['id']}/").json()
    assert broken["status"] == "failed" and "RuntimeError: worker lost" in broken["error"]
    assert broken["done"] < broken["total"] == 4
    assert set(nets()) == {"F1", "F2"}

    again = api_as(finance).get(f"{RUNS}{started(finance).json()['id']}/").json()
    assert (again["status"], again["progress"], again["done"], again["skipped"]) == ("done", 100, 4, 0)
    assert RebateSettlement.objects.count() == 4 and nets() == NET
    assert RebateLine.objects.count() == 4 * 6


def test_a_chunk_computed_twice_leaves_one_settlement_per_dealer_and_its_lines_once(rw, finance):
    """A chunk delivered twice (a worker lost after writing, ``acks_late``): the same rows, rewritten."""
    run = RebateRun.objects.create(period=Q3, started_by=finance, total=4)
    plan = runs.run_begin(run_id=run.pk)
    (chunk,) = plan.chunks
    first = runs.run_compute_chunk(run_id=run.pk, dealer_ids=chunk, period=Q3)
    ids = dict(RebateSettlement.objects.values_list("dealer", "pk"))
    second = runs.run_compute_chunk(run_id=run.pk, dealer_ids=chunk, period=Q3)
    assert first == second == {"written": 4, "skipped": 0}
    assert dict(RebateSettlement.objects.values_list("dealer", "pk")) == ids
    assert RebateLine.objects.count() == 4 * 6 and nets() == NET
    run.refresh_from_db()
    assert run.done == 4  # capped at the total
    runs.run_finish(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.progress) == ("done", 100)


# --- reads -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "rep_peer", "other_rep", "manager", "other_manager"])
def test_other_roles_see_no_runs_and_a_run_is_404_to_them(rw, started, api_as, everyone, finance, who):
    run = started(finance).json()
    client = api_as(everyone[who])
    assert client.get(RUNS).json()["count"] == 0
    assert client.get(f"{RUNS}{run['id']}/").status_code == 404


def test_runs_filter_by_period_and_status(rw, started, api_as, finance):
    done = started(finance).json()
    RebateRun.objects.create(period="2026-Q2", started_by=finance, status="failed", error="boom")
    client = api_as(finance)
    assert [r["id"] for r in client.get(RUNS, {"period": Q3}).json()["results"]] == [done["id"]]
    assert [r["period"] for r in client.get(RUNS, {"status": "failed"}).json()["results"]] == ["2026-Q2"]
    assert client.get(RUNS, {"period": "2026-q3"}).json()["count"] == 1  # read as 2026-Q3
    assert client.get(RUNS, {"period": "last quarter"}).status_code == 400


def test_the_run_list_takes_a_fixed_number_of_queries(rw, api_as, finance, django_assert_num_queries):
    for number in range(5):
        RebateRun.objects.create(period=f"2025-Q{number % 4 + 1}", started_by=finance, status="done")
    client = api_as(finance)
    client.get(RUNS)  # the session and the roles, once
    # session, user, roles (groups), count, the page of runs with who started them
    with django_assert_num_queries(5):
        response = client.get(RUNS)
    assert response.json()["count"] == 5
    path = f"{RUNS}{RebateRun.objects.first().pk}/"
    with django_assert_num_queries(4):  # session, user, roles, the run with who started it
        assert client.get(path).status_code == 200


def test_runs_cannot_be_changed_or_deleted(rw, started, api_as, finance):
    run = started(finance).json()
    client = api_as(finance)
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"{RUNS}{run['id']}/", {}, format="json").status_code == 405
