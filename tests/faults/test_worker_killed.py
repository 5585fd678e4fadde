"""A worker killed in the middle of a run (SPEC §6 "a run interrupted part-way and run again ends with
exactly one statement per rep and period", §9 ``acks_late``).

The worker computes one rep per chunk, one chunk at a time, and — a test-only hook of its launcher —
waits inside each rep's transaction, after the statement row and before its lines. The test kills it
(SIGKILL, pool included) once one rep is committed and the next is inside that wait; then:

1. the rep in flight left nothing (its transaction died with the worker), the committed one is whole;
2. a new worker resumes the run: the chunk the dead worker had taken is handed out again (``acks_late``;
   after the broker's visibility timeout, shortened here from an hour to 2 s) and the run ends ``done``;
3. starting the period again (what an operator does, docs/commissions/runs.md) recomputes the drafts;
and every time there is exactly one statement per rep, with its lines once each.
"""

from __future__ import annotations

import pytest

from commissions.models import CommissionRun, Statement
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, OTHER_JULY, PEER_JULY, REP_JULY, amounts, monthly
from tests.workers import celery_sends_to, new_queue, requires_redis_server, wait_for, wait_for_run

july = runs_world.july
pytestmark = [pytest.mark.postgres, requires_redis_server, pytest.mark.django_db(transaction=True)]

RUNS = "/api/v1/commission-runs/"


def one_whole_statement_per_rep(reps) -> None:
    assert Statement.objects.filter(period=JULY).count() == len(reps)
    assert [amounts(monthly(who)) for who in reps] == [REP_JULY, PEER_JULY, OTHER_JULY]
    for statement in Statement.objects.all():
        assert list(statement.lines.order_by("position").values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_a_worker_killed_mid_run_leaves_whole_statements_and_the_run_is_resumed_then_rerun_to_one_per_rep(
    july, private_redis, workers, api_as, finance, rep, rep_peer, other_rep, tmp_path
):
    queue, held = new_queue(), tmp_path / "held"
    held.mkdir()
    slow = workers(
        private_redis.url(),
        queue=queue,
        concurrency=1,
        CHANNELHUB_TEST_HOLD_DIR=str(held),
        CHANNELHUB_TEST_HOLD_SECONDS="2",
    )
    with celery_sends_to(private_redis.url(), queue):
        response = api_as(finance).post(RUNS, {"period": JULY}, format="json")
        assert response.status_code == 202
        run_id = response.json()["id"]

        def first_rep_committed_and_second_in_flight():
            return CommissionRun.objects.get(pk=run_id).done >= 1 and len(list(held.iterdir())) >= 2

        wait_for(first_rep_committed_and_second_in_flight, timeout=60, what="a rep in flight", worker=slow)
        slow.kill()

        run = CommissionRun.objects.get(pk=run_id)
        assert (run.status, run.total, run.done) == ("running", 3, 1)
        (committed,) = Statement.objects.filter(period=JULY)
        assert committed.rep_id == rep.pk and committed.lines.count() == 5  # whole; the rep in flight: nothing

        # A new worker on the same queue: the dead worker's chunk is handed out again, the run ends.
        fresh = workers(private_redis.url(), queue=queue, CHANNELHUB_TEST_VISIBILITY_TIMEOUT="2")
        resumed = wait_for_run(run_id, fresh)
        assert (resumed.status, resumed.done, resumed.skipped, resumed.error) == ("done", 3, 0, "")
        one_whole_statement_per_rep([rep, rep_peer, other_rep])

        # What an operator does after a worker died: start the period again.
        again = api_as(finance).post(RUNS, {"period": JULY}, format="json")
        rerun = wait_for_run(again.json()["id"], fresh)
        assert (rerun.status, rerun.done, rerun.error) == ("done", 3, "")
        one_whole_statement_per_rep([rep, rep_peer, other_rep])
        assert set(Statement.objects.values_list("run_id", flat=True)) == {rerun.pk}
