"""The database unreachable or failing mid-write (SPEC §1 ``/healthz``, §6, §11 "nothing is lost"):

* ``/healthz`` answers 503 while the database cannot be reached (a closed port), 200 again after;
* a connection lost in the middle of writing a rep's statement — after the statement row, before its
  lines — leaves neither the statement nor any line, and an existing draft exactly as it was;
* with a real worker, every rep's first write failing that way is retried and the run completes with one
  whole statement per rep; a re-run after it completes cleanly too.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import OperationalError, connection

from commissions.models import CommissionRun, Statement, StatementLine
from commissions.services import commission, runs
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, OTHER_JULY, PEER_JULY, REP_JULY, amounts, monthly
from tests.kpi.scorecard_world import sale
from tests.workers import celery_sends_to, free_port, new_queue, requires_redis_server, wait_for_run

july = runs_world.july
RUNS = "/api/v1/commission-runs/"


def connection_lost(*args, **kwargs):  # the lines of the drafts being written
    raise OperationalError("server closed the connection unexpectedly")


def lines_of(statement) -> list[tuple]:
    return list(statement.lines.order_by("position").values_list("position", "step", "amount"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_while_the_database_cannot_be_reached(client, settings):
    settings.CELERY_BROKER_URL = ""  # only the database is looked at here
    connection.close()
    port = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = free_port()  # nothing listens there
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert (response.status_code, response.json()) == (503, {"db": "unreachable", "broker": "eager"})
    assert client.get("/healthz").status_code == 200


def test_a_connection_lost_mid_statement_leaves_neither_the_statement_nor_lines(july, finance, rep, monkeypatch):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=1, status="running")
    (computation,) = commission.compute_many([rep.pk], JULY).values()
    monkeypatch.setattr(runs, "_write_lines", connection_lost)
    with pytest.raises(OperationalError):
        runs.statement_write_draft(run=run, rep_id=rep.pk, period=JULY, computation=computation)
    assert not Statement.objects.exists() and not StatementLine.objects.exists()

    # The run's chunk does not count the rep: the task is retried (reliable_task) and writes it then.
    with pytest.raises(OperationalError):
        runs.run_compute_chunk(run_id=run.pk, rep_ids=[rep.pk], period=JULY)
    run.refresh_from_db()
    assert (run.status, run.done) == ("running", 0) and not Statement.objects.exists()

    monkeypatch.undo()
    runs.run_compute_chunk(run_id=run.pk, rep_ids=[rep.pk], period=JULY)
    assert amounts(monthly(rep)) == REP_JULY and len(lines_of(monthly(rep))) == 5


def test_a_connection_lost_mid_recompute_leaves_the_draft_as_it_was(july, d, finance, rep, monkeypatch):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=1, status="running")
    runs.run_compute_chunk(run_id=run.pk, rep_ids=[rep.pk], period=JULY)
    draft = monthly(rep)
    before = (amounts(draft), draft.computed_at, draft.run_id, lines_of(draft))

    sale(rep, d["A1"], date(2026, 7, 20), "30000.00")  # the recompute would change the figures
    again = CommissionRun.objects.create(period=JULY, started_by=finance, total=1, status="running")
    (computation,) = commission.compute_many([rep.pk], JULY).values()
    assert computation.base_amount != REP_JULY[0]
    monkeypatch.setattr(runs, "_write_lines", connection_lost)
    with pytest.raises(OperationalError):
        runs.statement_write_draft(run=again, rep_id=rep.pk, period=JULY, computation=computation)
    draft = monthly(rep)
    assert (amounts(draft), draft.computed_at, draft.run_id, lines_of(draft)) == before


@pytest.mark.postgres
@requires_redis_server
@pytest.mark.django_db(transaction=True)
def test_with_a_real_worker_a_write_that_loses_its_connection_is_retried_and_the_run_completes(
    july, private_redis, workers, api_as, finance, rep, rep_peer, other_rep, tmp_path
):
    queue, failed = new_queue(), tmp_path / "failed"
    failed.mkdir()
    worker = workers(private_redis.url(), queue=queue, CHANNELHUB_TEST_FAIL_ONCE_DIR=str(failed))
    with celery_sends_to(private_redis.url(), queue):
        response = api_as(finance).post(RUNS, {"period": JULY}, format="json")
        run = wait_for_run(response.json()["id"], worker)
        assert (run.status, run.done, run.error) == ("done", 3, "")
        # every rep's first write failed after its statement row (the hook says so), and was retried
        assert sorted(int(path.name) for path in failed.iterdir()) == sorted([rep.pk, rep_peer.pk, other_rep.pk])
        assert [amounts(monthly(who)) for who in (rep, rep_peer, other_rep)] == [REP_JULY, PEER_JULY, OTHER_JULY]
        assert [len(lines_of(s)) for s in Statement.objects.all()] == [5, 5, 5]

        again = api_as(finance).post(RUNS, {"period": JULY}, format="json")
        rerun = wait_for_run(again.json()["id"], worker)
    assert (rerun.status, rerun.done, rerun.error) == ("done", 3, "")
    assert Statement.objects.count() == 3 and StatementLine.objects.count() == 15
