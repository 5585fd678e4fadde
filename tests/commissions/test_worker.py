"""A commission run carried out by a real Celery worker (SPEC §6, §9): a separate process, over Redis,
against the test database, with the chunks spread over two worker processes and joined by a chord.

The worker is ``celery -A channelhub worker`` started by ``tests.workers.start_worker``: its default
queue is this test's own (``-Q`` and the default for the chord's tasks), so other workers on a shared
broker never take these tasks and this worker takes no one else's; its chunks are one rep each, so that
three reps are three chunks computed side by side.

Needs PostgreSQL (the worker is another process: it must see the rows this test commits, hence
``transaction=True``) and Redis; both run in CI.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from commissions.models import Statement
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, OTHER_JULY, PEER_JULY, REP_JULY, amounts, monthly
from tests.workers import celery_sends_to, start_worker, wait_for_run

july = runs_world.july
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db):
    """A worker process on a queue of its own (``tests.workers``); the runs this test starts are sent to it."""
    process = start_worker(settings.CELERY_BROKER_URL, chunk_size=1, concurrency=2)
    try:
        with celery_sends_to(settings.CELERY_BROKER_URL, process.queue):
            yield process
    finally:
        process.stop()


def test_a_worker_runs_a_period_in_chunks_and_a_rerun_leaves_submitted_statements(
    july, worker, api_as, finance, rep, rep_peer, other_rep
):
    response = api_as(finance).post("/api/v1/commission-runs/", {"period": JULY}, format="json")
    assert response.status_code == 202 and response.json()["total"] == 3
    run = wait_for_run(response.json()["id"], worker)

    assert (run.status, run.total, run.done, run.skipped, run.progress, run.error) == ("done", 3, 3, 0, 100, "")
    assert Statement.objects.filter(period=JULY).count() == 3
    assert [amounts(monthly(who)) for who in (rep, rep_peer, other_rep)] == [REP_JULY, PEER_JULY, OTHER_JULY]
    assert all(statement.lines.count() == 5 for statement in Statement.objects.all())

    Statement.objects.filter(rep=rep_peer).update(status=Statement.Status.SUBMITTED)
    again = api_as(finance).post("/api/v1/commission-runs/", {"period": JULY}, format="json")
    rerun = wait_for_run(again.json()["id"], worker)
    assert (rerun.status, rerun.done, rerun.skipped) == ("done", 3, 1)
    assert Statement.objects.filter(period=JULY).count() == 3
    assert monthly(rep).run_id == rerun.pk and monthly(rep_peer).run_id == run.pk
