"""A commission run carried out by a real Celery worker (SPEC §6, §9): a separate process, over Redis,
against the test database, with the chunks spread over two worker processes and joined by a chord.

The worker is ``celery -A channelhub worker`` started through ``app.worker_main`` so that, before it
starts, its default queue can be made this test's own (``-Q`` and the default for the chord's tasks):
other workers on a shared broker never take these tasks, and this worker takes no one else's. It
also makes the chunks one rep each, so that three reps are three chunks computed side by side.

Needs PostgreSQL (the worker is another process: it must see the rows this test commits, hence
``transaction=True``) and Redis; both run in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from channelhub.celery import app
from kpi import tasks
from kpi.models import CommissionRun, Statement
from tests.kpi import runs_world
from tests.kpi.runs_world import JULY, OTHER_JULY, PEER_JULY, REP_JULY, amounts, monthly

july = runs_world.july
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60
LAUNCHER = """
import sys

import django

from channelhub.celery import app

queue, chunk_size = sys.argv[1], int(sys.argv[2])
app.conf.task_default_queue = queue
django.setup()
from kpi.services import runs  # noqa: E402

runs.CHUNK_SIZE = chunk_size
app.worker_main(
    ["worker", "--pool=prefork", "--concurrency=2", "--loglevel=INFO", "-Q", queue, "-n", f"{queue}@%h",
     "--without-gossip", "--without-mingle", "--without-heartbeat"]
)
"""


def worker_database_url() -> str:
    """The database pytest-django made for this session, as a URL for the worker's settings."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, monkeypatch):
    """A worker process on a queue of its own; the runs this test starts are sent to it."""
    queue = f"channelhub-test-{uuid.uuid4().hex[:10]}"
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "channelhub.settings.local",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CONN_MAX_AGE": "0",
        "DEBUG": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, queue, "1"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    # This process sends the run's first task to the broker (not eagerly), on the worker's queue.
    app.conf.update(task_always_eager=False)
    monkeypatch.setattr(
        tasks.run_commissions, "delay", lambda run_id: tasks.run_commissions.apply_async((run_id,), queue=queue)
    )
    process.log_path = log.name
    try:
        yield process
    finally:
        app.conf.update(task_always_eager=True)
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        os.unlink(log.name)


def wait_for(run_id: int, worker) -> CommissionRun:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run = CommissionRun.objects.get(pk=run_id)
        if run.status in (CommissionRun.Status.DONE, CommissionRun.Status.FAILED):
            return run
        if worker.poll() is not None:
            break
        time.sleep(0.25)
    output = Path(worker.log_path).read_text(errors="replace")[-4000:]
    pytest.fail(f"run {run_id} not finished within {WAIT_SECONDS} s (worker exit code {worker.poll()}):\n{output}")


def test_a_worker_runs_a_period_in_chunks_and_a_rerun_leaves_submitted_statements(
    july, worker, api_as, finance, rep, rep_peer, other_rep
):
    response = api_as(finance).post("/api/v1/commission-runs/", {"period": JULY}, format="json")
    assert response.status_code == 202 and response.json()["total"] == 3
    run = wait_for(response.json()["id"], worker)

    assert (run.status, run.total, run.done, run.skipped, run.progress, run.error) == ("done", 3, 3, 0, 100, "")
    assert Statement.objects.filter(period=JULY).count() == 3
    assert [amounts(monthly(who)) for who in (rep, rep_peer, other_rep)] == [REP_JULY, PEER_JULY, OTHER_JULY]
    assert all(statement.lines.count() == 5 for statement in Statement.objects.all())

    Statement.objects.filter(rep=rep_peer).update(status=Statement.Status.SUBMITTED)
    again = api_as(finance).post("/api/v1/commission-runs/", {"period": JULY}, format="json")
    rerun = wait_for(again.json()["id"], worker)
    assert (rerun.status, rerun.done, rerun.skipped) == ("done", 3, 1)
    assert Statement.objects.filter(period=JULY).count() == 3
    assert monthly(rep).run_id == rerun.pk and monthly(rep_peer).run_id == run.pk
