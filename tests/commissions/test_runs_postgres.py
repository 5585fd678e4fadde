"""Runs racing on PostgreSQL (row locks, the unique constraint, the period lock), with real concurrent
transactions in threads: two runs of one period leave one statement per rep; a close waits for a
writer in flight and a writer after the close is refused."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from commissions.models import CommissionRun, Statement
from commissions.services import commission, runs
from commissions.services.closing import period_close, period_hold_open
from kpi.services.periods import PeriodClosed
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, PEER_JULY, REP_JULY, amounts, monthly, with_status

july = runs_world.july
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_threads(*functions):
    """Run ``functions`` at the same moment, each in its own thread (and database connection)."""
    start = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def target(index, function):
        try:
            start.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return results


def test_two_runs_of_a_period_at_once_leave_one_statement_per_rep(july, finance, manager, rep, rep_peer):
    first = CommissionRun.objects.create(period=JULY, started_by=finance, total=3, status="running")
    second = CommissionRun.objects.create(period=JULY, started_by=manager, total=2, status="running")
    ids = sorted([rep.pk, rep_peer.pk])
    for _round in range(3):
        in_threads(
            lambda: runs.run_compute_chunk(run_id=first.pk, rep_ids=ids, period=JULY),
            lambda: runs.run_compute_chunk(run_id=second.pk, rep_ids=ids, period=JULY),
        )
    assert Statement.objects.filter(period=JULY).count() == 2
    assert (amounts(monthly(rep)), amounts(monthly(rep_peer))) == (REP_JULY, PEER_JULY)
    assert all(statement.lines.count() == 5 for statement in Statement.objects.all())


def test_a_close_waits_for_a_writer_in_flight_and_a_later_writer_is_refused(july, finance, rep, rep_peer, other_rep):
    """The writer holds July for half a second while it writes ``rep``'s (approved) statement; the close,
    started meanwhile, waits for it — had it not, it would find ``rep`` without a statement and refuse."""
    for other in (rep_peer, other_rep):
        Statement.objects.create(rep=other, period=JULY, **with_status("paid"))
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=1, status="running")
    (computation,) = commission.compute_many([rep.pk], JULY).values()
    order = []

    def slow_writer():
        with transaction.atomic():
            period_hold_open(JULY)
            order.append("writer holds July")
            time.sleep(0.5)
            Statement.objects.create(rep=rep, period=JULY, status="approved")
        order.append("writer committed")

    def closer():
        time.sleep(0.1)
        period_close(actor=finance, period=JULY)
        order.append("closed")

    in_threads(slow_writer, closer)
    assert order == ["writer holds July", "writer committed", "closed"]
    with pytest.raises(PeriodClosed):
        runs.statement_write_draft(run=run, rep_id=rep.pk, period=JULY, computation=computation)
