"""A run's chunk is written set-based: a fixed number of queries whatever the number of reps,
the whole chunk in one transaction, drafts only, a history row and (for a new statement) a state-log
row per draft; on PostgreSQL, overlapping chunks of two runs at once end on one statement per rep."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channelhub.roles import Role
from channelhub.workflow.models import StateChange
from commissions.models import CommissionRun, Statement
from commissions.services import commission, runs
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, PEER_JULY, REP_JULY, amounts, make_plan, monthly, with_status
from tests.factories import UserFactory
from tests.kpi.scorecard_world import sale

july = runs_world.july


def new_run(actor, total: int) -> CommissionRun:
    return CommissionRun.objects.create(period=JULY, started_by=actor, total=total, status="running")


def chunk_queries(run: CommissionRun, rep_ids: list[int]) -> int:
    with CaptureQueriesContext(connection) as queries:
        counts = runs.run_compute_chunk(run_id=run.pk, rep_ids=rep_ids, period=JULY)
    assert counts == {"written": len(rep_ids), "skipped": 0}
    return len(queries)


def test_a_chunk_takes_as_many_queries_for_25_reps_as_for_3(d, finance, manager):
    # 25 reps × 5 lines × 7 columns = 875 values: within SQLite's 999 a statement (Django splits beyond)
    reps = [UserFactory(roles=[Role.FIELD_REP], manager=manager) for _ in range(29)]
    make_plan(reps)
    for number, rep in enumerate(reps):
        sale(rep, d["A1"], date(2026, 7, 1 + number % 28), f"{1000 + number}.00")
    ids = [rep.pk for rep in reps]
    run = new_run(finance, len(reps))
    runs.run_compute_chunk(run_id=run.pk, rep_ids=ids[:1], period=JULY)  # caches filled (content type)
    few, many = ids[1:4], ids[4:]
    first = (chunk_queries(run, few), chunk_queries(run, many))  # statements inserted
    again = (chunk_queries(run, few), chunk_queries(run, many))  # drafts rewritten
    assert first[0] == first[1] and again[0] == again[1], (first, again)
    assert max(*first, *again) <= 25
    assert Statement.objects.count() == 29 and all(s.lines.count() == 5 for s in Statement.objects.all())


def test_a_rerun_of_a_chunk_leaves_a_submitted_statement_exactly_as_it_was(july, finance, rep, rep_peer, other_rep):
    Statement.objects.create(rep=rep, period=JULY, base_amount="1.00", **with_status("submitted"))
    submitted = monthly(rep)
    before = (submitted.updated_at, amounts(submitted), submitted.history.count(), submitted.run_id)
    run = new_run(finance, 3)
    counts = runs.run_compute_chunk(run_id=run.pk, rep_ids=[other_rep.pk, rep.pk, rep_peer.pk], period=JULY)
    assert counts == {"written": 2, "skipped": 1}
    submitted = monthly(rep)
    assert (submitted.updated_at, amounts(submitted), submitted.history.count(), submitted.run_id) == before
    assert not submitted.lines.exists()
    assert amounts(monthly(rep_peer)) == PEER_JULY and monthly(rep_peer).run_id == run.pk
    run.refresh_from_db()
    assert (run.done, run.skipped) == (3, 1)


def test_each_draft_gets_its_history_and_a_new_one_its_state_log(july, finance, manager, rep, rep_peer, other_rep):
    first = new_run(finance, 3)
    ids = [rep.pk, rep_peer.pk, other_rep.pk]
    runs.run_compute_chunk(run_id=first.pk, rep_ids=ids, period=JULY)
    for who in (rep, rep_peer, other_rep):
        statement = monthly(who)
        (created,) = statement.history.all()
        assert (created.history_type, created.history_user, created.run_id) == ("+", finance, first.pk)
        assert (created.status, created.payable_amount) == ("draft", statement.payable_amount)
        (logged,) = StateChange.objects.for_object(statement)
        assert (logged.transition, logged.to_state, logged.by) == ("create", "draft", finance)
        assert (logged.comment, logged.note, logged.note_params) == ("", "run_computed", {"run": first.pk})
        assert f"#{first.pk}" in logged.note_text  # "Computed by run #…", in the reader's language

    second = new_run(manager, 2)
    runs.run_compute_chunk(run_id=second.pk, rep_ids=[rep.pk, rep_peer.pk], period=JULY)
    statement = monthly(rep)
    assert [(h.history_type, h.history_user, h.run_id) for h in statement.history.order_by("history_id")] == [
        ("+", finance, first.pk),
        ("~", manager, second.pk),
    ]
    assert StateChange.objects.for_object(statement).count() == 1  # recomputed, not created again
    assert monthly(other_rep).history.count() == 1  # not in the second chunk


@pytest.mark.parametrize(("status", "written"), [("draft", True), ("submitted", False)])
def test_a_first_statement_inserted_meanwhile_by_another_writer_is_taken_not_duplicated(
    july, finance, rep, monkeypatch, status, written
):
    """The lock finds no row; another writer's insert lands before ours, which then does nothing
    (``ON CONFLICT DO NOTHING``): the writer takes that row — a draft is recomputed, anything else left."""
    run = new_run(finance, 1)
    (computation,) = commission.compute_many([rep.pk], JULY).values()
    winner = Statement.objects.create(rep=rep, period=JULY, **with_status(status))
    real, missed = runs._lock_statements, {"left": 1}

    def lock(rep_ids, period):
        if missed["left"]:
            missed["left"] -= 1
            return {}  # the other writer's insert was not visible yet
        return real(rep_ids, period)

    monkeypatch.setattr(runs, "_lock_statements", lock)
    assert runs.statement_write_draft(run=run, rep_id=rep.pk, period=JULY, computation=computation) is written
    assert list(Statement.objects.values_list("pk", flat=True)) == [winner.pk]
    statement = monthly(rep)
    assert (amounts(statement) == REP_JULY, statement.lines.count()) == ((True, 5) if written else (False, 0))
    assert not StateChange.objects.for_object(statement).exists()  # not created by the run


def test_a_chunk_failing_on_its_last_rep_writes_nothing_and_counts_nothing(july, finance, rep, rep_peer, monkeypatch):
    run = new_run(finance, 3)
    real = runs._write_lines

    def dying(pairs, *args, **kwargs):  # the chunk's lines are written at once: killed on reaching rep_peer's
        if any(statement.rep_id == rep_peer.pk for statement, _drafts in pairs):
            raise RuntimeError("killed")
        return real(pairs, *args, **kwargs)

    monkeypatch.setattr(runs, "_write_lines", dying)
    with pytest.raises(RuntimeError):
        runs.run_compute_chunk(run_id=run.pk, rep_ids=[rep.pk, rep_peer.pk], period=JULY)
    run.refresh_from_db()
    assert (run.done, run.skipped) == (0, 0) and not Statement.objects.exists()
    assert not StateChange.objects.filter(transition="create", comment__contains=f"#{run.pk}").exists()

    monkeypatch.undo()
    assert runs.run_compute_chunk(run_id=run.pk, rep_ids=[rep.pk, rep_peer.pk], period=JULY)["written"] == 2
    assert (amounts(monthly(rep)), amounts(monthly(rep_peer))) == (REP_JULY, PEER_JULY)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_chunks_of_two_runs_at_once_end_on_one_statement_per_rep(
    july, finance, manager, rep, rep_peer, other_rep
):
    """Two runs write overlapping chunks (``rep_peer`` in both) at the same moment, three times over: the
    reps are locked in ascending order, so neither deadlocks nor duplicates."""
    first, second = new_run(finance, 3), new_run(manager, 3)
    chunks = ([rep.pk, rep_peer.pk], [other_rep.pk, rep_peer.pk])
    errors = []

    def write(run, rep_ids, barrier):
        try:
            barrier.wait(timeout=10)
            runs.run_compute_chunk(run_id=run.pk, rep_ids=rep_ids, period=JULY)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    for _round in range(3):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=write, args=(first, chunks[0], barrier)),
            threading.Thread(target=write, args=(second, chunks[1], barrier)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    assert Statement.objects.filter(period=JULY).count() == 3
    assert (amounts(monthly(rep)), amounts(monthly(rep_peer))) == (REP_JULY, PEER_JULY)
    assert all(statement.lines.count() == 5 for statement in Statement.objects.all())
    # Six writes of rep_peer (one creation, five recomputations), each with its history row.
    assert sorted(monthly(rep_peer).history.values_list("history_type", flat=True)) == ["+"] + ["~"] * 5
    assert StateChange.objects.for_object(monthly(rep_peer)).count() == 1
