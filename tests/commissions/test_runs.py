"""Commission runs (SPEC §6, §9): who may start one and for whom, the eager pipeline end to end (the
real computation; figures worked out by hand in ``tests.commissions.runs_world``), re-runs that replace only
drafts, interrupted runs, progress counts, chunking, idempotent chunks, the monthly schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from channelhub.periods import Month
from channelhub.roles import Role
from channelhub.workflow.models import StateChange
from commissions import tasks
from commissions.models import CommissionRun, Statement, StatementLine
from commissions.selectors import run_problems
from commissions.services import commission, runs
from commissions.services.disputes import dispute_accept, dispute_open, dispute_reject
from commissions.services.statements import statement_approve, statement_reject, statement_reopen, statement_submit
from kpi.services.periods import PeriodClosed
from tests.commissions import runs_world
from tests.commissions.runs_world import (
    JULY,
    OTHER_JULY,
    PEER_JULY,
    REP_JULY,
    amounts,
    close,
    make_plan,
    monthly,
    with_status,
)
from tests.factories import UserFactory
from tests.kpi.scorecard_world import sale

july = runs_world.july
run_now = runs_world.run_now
D = Decimal
Step = StatementLine.Step


def line_amounts(statement) -> list[tuple[str, Decimal]]:
    return [(line.step, line.amount) for line in statement.lines.order_by("position")]


# --- who may start a run, and for whom ---------------------------------------------------------------


def test_a_manager_runs_the_reps_of_their_team_with_a_plan(july, run_now, manager, rep, rep_peer, other_rep):
    run = run_now(manager)
    assert (run.status, run.total, run.done, run.skipped, run.progress) == ("done", 2, 2, 0, 100)
    assert set(Statement.objects.values_list("rep", flat=True)) == {rep.pk, rep_peer.pk}
    assert run.started_by == manager and run.started_at and run.finished_at and run.error == ""


@pytest.mark.parametrize("who", ["finance", "admin"])
def test_finance_and_admins_run_every_rep_with_a_plan(july, run_now, everyone, who):
    no_plan = UserFactory(roles=[Role.FIELD_REP], manager=everyone["manager"])
    run = run_now(everyone[who])
    assert (run.status, run.total, run.done) == ("done", 3, 3)
    reps = set(Statement.objects.values_list("rep", flat=True))
    assert reps == {everyone["rep"].pk, everyone["rep_peer"].pk, everyone["other_rep"].pk}
    assert no_plan.pk not in reps


def test_a_rep_whose_plan_ended_before_the_months_last_day_is_not_run(d, run_now, finance, rep, rep_peer):
    make_plan([rep])
    make_plan([rep_peer], end=date(2026, 7, 30))  # the plan that pays July is the one on 31 July
    assert run_now(finance).total == 1
    assert list(Statement.objects.values_list("rep", flat=True)) == [rep.pk]


@pytest.mark.parametrize("who", ["rep", "rep_peer"])
def test_a_rep_cannot_start_a_run(july, everyone, who):
    with pytest.raises(PermissionDenied):
        runs.run_start(actor=everyone[who], period=JULY)
    assert not CommissionRun.objects.exists()


def test_a_closed_period_refuses_a_run_naming_it(july, finance):
    close(JULY)
    with pytest.raises(PeriodClosed) as refused:
        runs.run_start(actor=finance, period=JULY)
    assert "2026-07" in str(refused.value) and refused.value.extra["periods"] == ["2026-07"]
    assert not CommissionRun.objects.exists()


@pytest.mark.parametrize("period", ["July", "2026-13", "2026-7", ""])
def test_a_bad_period_is_a_field_error(finance, period):
    with pytest.raises(ValidationError) as refused:
        runs.run_start(actor=finance, period=period)
    assert "period" in refused.value.message_dict


@pytest.mark.parametrize("months_ahead", [0, 1, 13])
def test_a_month_that_has_not_ended_is_refused_naming_it(finance, months_ahead):
    month = Month.current()
    for _step in range(months_ahead):
        month = month.next()
    with pytest.raises(ValidationError) as refused:
        runs.run_start(actor=finance, period=str(month))
    [message] = refused.value.message_dict["period"]
    assert str(month) in message and str(Month.current().previous()) in message
    assert not CommissionRun.objects.exists()


def test_the_last_month_that_has_ended_may_be_run(july, finance, rep, run_now, monkeypatch):
    monkeypatch.setattr(runs.Month, "current", classmethod(lambda cls: Month(2026, 8)))
    assert run_now(finance, JULY).status == "done"


def test_the_schedule_skips_a_month_that_has_not_ended(july, monkeypatch):
    assert runs.run_start_scheduled(period=Month.current()) is None
    assert not CommissionRun.objects.exists()


def test_the_run_is_queued_only_after_the_commit(july, finance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = runs.run_start(actor=finance, period=JULY)
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == ("queued", 3, 0)
    assert not Statement.objects.exists()


def test_starting_a_run_makes_the_period_row(july, finance, run_now):
    from kpi.models import Period

    Period.objects.filter(code=JULY).delete()
    run_now(finance)
    assert Period.objects.get(code=JULY).status == "open"


# --- the eager pipeline end to end ------------------------------------------------------------------


def test_an_eager_run_writes_each_reps_draft_with_the_computed_amounts_and_lines(
    july, run_now, finance, rep, rep_peer, other_rep
):
    run = run_now(finance)
    mine, peer, other = monthly(rep), monthly(rep_peer), monthly(other_rep)
    assert amounts(mine) == REP_JULY
    assert amounts(peer) == PEER_JULY
    assert amounts(other) == OTHER_JULY
    assert line_amounts(mine) == [
        (Step.BASE, D("120000.00")),
        (Step.GROSS, D("3100.00")),  # 50,000 × 2 % + 70,000 × 3 %
        (Step.NET, D("3100.00")),
        (Step.RETAINED, D("310.00")),
        (Step.PAYABLE, D("2790.00")),
    ]
    assert list(mine.lines.values_list("position", flat=True)) == [1, 2, 3, 4, 5]
    for statement in (mine, peer, other):
        assert statement.status == "draft" and statement.run == run and statement.plan == july
        assert statement.computed_at is not None
    # the creation is in the statement's state log, as by the one who started the run
    (created,) = StateChange.objects.for_object(mine)
    assert (created.transition, created.to_state, created.by) == ("create", "draft", finance)


def test_line_texts_are_not_stored_but_rendered_in_the_readers_language(july, run_now, finance, rep):
    from django.utils import translation

    with translation.override("zh-hans"):  # the language of whoever started the run does not matter
        run_now(finance)
    base = monthly(rep).lines.get(step=Step.BASE)
    assert base.description == ""  # no sentence stored
    with translation.override("en"):
        assert base.text.startswith("net sales in 2026-07")
    with translation.override("zh-hans"):
        assert base.text.startswith("2026-07 的净销售额")


# --- re-runs: drafts replaced, the others untouched ---------------------------------------------------


def test_a_rerun_replaces_drafts_and_never_touches_submitted_approved_paid_or_rejected(
    july, run_now, finance, rep, rep_peer, other_rep, d
):
    first = run_now(finance)
    Statement.objects.filter(rep=rep_peer).update(status=Statement.Status.SUBMITTED)
    Statement.objects.filter(rep=other_rep).update(**with_status("paid"))
    before = {s.rep_id: (amounts(s), line_amounts(s), s.run_id, s.updated_at) for s in Statement.objects.all()}
    # August news in July: 10,000.00 more for everyone
    sale(rep, d["A3"], date(2026, 7, 20), "10000.00")
    sale(rep_peer, d["P1"], date(2026, 7, 20), "10000.00")
    sale(other_rep, d["O1"], date(2026, 7, 20), "10000.00")

    second = run_now(finance)

    assert (second.status, second.total, second.done, second.skipped) == ("done", 3, 3, 2)
    mine = monthly(rep)
    # 130,000.00 → 1,000.00 + 80,000 × 3 % = 3,400.00; retained 340.00; payable 3,060.00
    assert amounts(mine) == (D("130000.00"), D("3400.00"), D("0.00"), D("3400.00"), D("340.00"), D("3060.00"))
    assert mine.run == second and mine.lines.count() == 5
    for other in (rep_peer, other_rep):
        statement = monthly(other)
        assert (amounts(statement), line_amounts(statement), statement.run_id, statement.updated_at) == before[other.pk]
        assert statement.run == first
    assert Statement.objects.count() == 3


@pytest.mark.parametrize("status", ["submitted", "approved", "rejected", "paid"])
def test_each_status_but_draft_is_skipped(july, run_now, finance, rep, status):
    run_now(finance)
    Statement.objects.filter(rep=rep).update(**with_status(status), base_amount=D("1.00"))
    run = run_now(finance)
    assert run.skipped == 1
    assert monthly(rep).base_amount == D("1.00")


def test_a_rejected_statement_reopened_is_recomputed(july, run_now, finance, manager, rep):
    run_now(finance)
    statement = statement_submit(actor=manager, statement=monthly(rep))
    statement_reject(actor=finance, statement=statement, reason="figures wrong")
    statement_reopen(actor=manager, statement=statement)
    assert run_now(finance).skipped == 0
    assert monthly(rep).status == "draft"


# --- interrupted runs ----------------------------------------------------------------------------------


def test_an_interrupted_run_run_again_ends_with_exactly_one_statement_per_rep(
    july, run_now, finance, rep, rep_peer, other_rep, monkeypatch
):
    """The computation fails for ``rep_peer`` the first time (chunks of one: ``rep`` is written before)."""
    monkeypatch.setattr(runs, "CHUNK_SIZE", 1)
    real = commission.compute_many
    failures = {"left": 1}

    def flaky(reps, month):
        if rep_peer.pk in list(reps) and failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("worker lost its mind")
        return real(reps, month)

    monkeypatch.setattr(commission, "compute_many", flaky)

    broken = run_now(finance)
    assert broken.status == "failed" and "RuntimeError: worker lost its mind" in broken.error
    assert broken.finished_at is not None and broken.done < broken.total
    assert list(Statement.objects.values_list("rep", flat=True)) == [rep.pk]

    again = run_now(finance)
    assert (again.status, again.done, again.total) == ("done", 3, 3)
    assert Statement.objects.count() == 3
    assert [amounts(monthly(who)) for who in (rep, rep_peer, other_rep)] == [REP_JULY, PEER_JULY, OTHER_JULY]


def test_a_failure_while_writing_a_rep_leaves_nothing_half_written(july, run_now, finance, rep, monkeypatch):
    """Killed between the statement and its lines: the rep's transaction leaves no statement at all."""
    real = runs._write_lines
    failures = {"left": 1}

    def dying(pairs, *args, **kwargs):  # killed after the statements are written, before their lines
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("killed")
        return real(pairs, *args, **kwargs)

    monkeypatch.setattr(runs, "_write_lines", dying)
    assert run_now(finance).status == "failed"
    assert not Statement.objects.filter(lines__isnull=True).exists()
    assert Statement.objects.count() == 0  # the first rep of the only chunk was the one killed

    run_now(finance)
    assert Statement.objects.count() == 3 and all(s.lines.count() == 5 for s in Statement.objects.all())


def test_a_chunk_delivered_twice_rewrites_the_same_drafts_and_counts_at_most_the_total(july, finance, rep):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=3)
    plan = runs.run_begin(run_id=run.pk)
    (chunk,) = plan.chunks
    tasks.compute_chunk(run.pk, chunk, JULY)
    first_ids = dict(Statement.objects.values_list("rep", "pk"))
    tasks.compute_chunk(run.pk, chunk, JULY)  # re-delivered (acks_late after a lost worker)
    assert dict(Statement.objects.values_list("rep", "pk")) == first_ids
    assert amounts(monthly(rep)) == REP_JULY and monthly(rep).lines.count() == 5
    run.refresh_from_db()
    assert run.done == 3  # capped at the total
    tasks.finish_run([], run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, run.progress) == ("done", 3, 100)


def test_a_chunk_of_a_finished_or_failed_run_computes_nothing(july, finance):
    for status in ("done", "failed"):
        run = CommissionRun.objects.create(period=JULY, started_by=finance, total=3, status=status)
        assert tasks.compute_chunk(run.pk, [1, 2, 3], JULY) == {"written": 0, "skipped": 0}
    assert not Statement.objects.exists()


def test_two_writers_racing_for_a_reps_first_statement_end_on_one_row(july, finance, rep, monkeypatch):
    """The lock finds no row, the insert then loses to the other writer's: the writer takes that row."""
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=1)
    (computation,) = commission.compute_many([rep.pk], JULY).values()
    winner = Statement.objects.create(rep=rep, period=JULY, kind="monthly")
    real_first = QuerySet.first
    missed = {"left": 1}

    def first(queryset):
        if queryset.model is Statement and missed["left"]:
            missed["left"] -= 1
            return None  # the other writer's insert was not visible yet
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first)
    assert runs.statement_write_draft(run=run, rep_id=rep.pk, period=JULY, computation=computation) is True
    assert list(Statement.objects.values_list("pk", flat=True)) == [winner.pk]
    assert amounts(monthly(rep)) == REP_JULY


# --- progress and chunks ------------------------------------------------------------------------------


def test_progress_grows_rep_by_rep(july, run_now, finance, monkeypatch):
    monkeypatch.setattr(runs, "CHUNK_SIZE", 1)
    real = commission.compute_many
    seen = []

    def spy(reps, month):
        run = CommissionRun.objects.get()
        seen.append((run.status, run.done, run.progress))
        return real(reps, month)

    monkeypatch.setattr(commission, "compute_many", spy)
    run = run_now(finance)
    assert seen == [("running", 0, 0), ("running", 1, 33), ("running", 2, 66)]
    assert (run.done, run.progress) == (3, 100)


def test_seven_reps_in_chunks_of_three_are_three_chunks(d, run_now, finance, manager, monkeypatch):
    reps = [UserFactory(roles=[Role.FIELD_REP], manager=manager) for _ in range(7)]
    make_plan(reps)
    monkeypatch.setattr(runs, "CHUNK_SIZE", 3)
    real = commission.compute_many
    chunks = []

    def spy(rep_ids, month):
        chunks.append(list(rep_ids))
        return real(rep_ids, month)

    monkeypatch.setattr(commission, "compute_many", spy)
    run = run_now(finance)
    ids = sorted(rep.pk for rep in reps)
    assert chunks == [ids[0:3], ids[3:6], ids[6:7]]
    assert (run.status, run.total, run.done) == ("done", 7, 7)
    assert Statement.objects.count() == 7


def test_chunks_of():
    assert runs.chunks_of([1, 2, 3, 4, 5, 6, 7], 3) == [[1, 2, 3], [4, 5, 6], [7]]
    assert runs.chunks_of([], 3) == []


def test_a_run_with_no_rep_is_done_at_once(run_now, manager):
    run = run_now(manager)
    assert (run.status, run.total, run.progress) == ("done", 0, 100)


# --- failures reported by the chord, and periods closed meanwhile -----------------------------------


def test_the_chords_error_callback_fails_the_run_and_a_late_finish_keeps_it_failed(finance):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=2, status="running")
    tasks.fail_run(None, OSError("chunk died"), None, run_id=run.pk)
    tasks.finish_run([], run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "OSError: chunk died")
    assert run.finished_at is not None


def test_the_chord_is_wired_with_the_error_callback(july, finance, monkeypatch):
    sent = {}

    class FakeChord:
        def __init__(self, header, body):
            sent["header"], sent["body"] = header, body

        def apply_async(self):
            sent["applied"] = True

    monkeypatch.setattr(tasks, "chord", FakeChord)
    run = CommissionRun.objects.create(period=JULY, started_by=finance)
    tasks.run_commissions(run.pk)
    assert sent["applied"]
    assert [task.task for task in sent["header"].tasks] == ["kpi.compute_chunk"]
    assert sent["header"].tasks[0].args[0] == run.pk and sent["header"].tasks[0].args[2] == JULY
    assert sent["body"].task == "kpi.finish_run" and sent["body"].args == (run.pk,)
    (errback,) = sent["body"].options["link_error"]
    assert errback["task"] == "kpi.fail_run" and errback["kwargs"] == {"run_id": run.pk}


def test_a_run_whose_period_was_closed_before_it_began_fails_saying_so(july, finance):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=3)
    close(JULY)
    tasks.run_commissions(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "2026-07" in run.error
    assert not Statement.objects.exists()


def test_a_writer_refuses_a_period_closed_meanwhile(july, finance, rep):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=1)
    (computation,) = commission.compute_many([rep.pk], JULY).values()
    close(JULY)
    with pytest.raises(PeriodClosed):
        runs.statement_write_draft(run=run, rep_id=rep.pk, period=JULY, computation=computation)
    assert not Statement.objects.exists()


def test_a_finished_run_is_not_begun_again(july, finance):
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=3, status="done")
    assert runs.run_begin(run_id=run.pk) is None


# --- accepted disputes and disputed lines across re-runs ------------------------------------------------


def test_an_accepted_dispute_becomes_one_adjustment_line_of_the_next_draft_across_reruns(
    july, run_now, manager, finance, rep, d
):
    run_now(finance, "2026-06")  # the plan runs from 1 January; June's 9,999.00 sale → gross 2 % = 199.98
    statement = statement_submit(actor=manager, statement=monthly(rep, "2026-06"))
    statement = statement_approve(actor=finance, statement=statement)
    gross = statement.lines.get(step=Step.GROSS)
    dispute = dispute_open(actor=rep, line=gross, expected_amount="299.98", justification="a sale is missing")
    dispute_accept(actor=manager, dispute=dispute)

    run_now(finance)
    july_statement = monthly(rep)
    adjustment = july_statement.lines.get(step=Step.ADJUSTMENT)
    assert adjustment.amount == D("100.00")
    # net 3,100.00 + 100.00 = 3,200.00; retained 320.00; payable 2,880.00
    assert (july_statement.net_amount, july_statement.retained_amount, july_statement.payable_amount) == (
        D("3200.00"),
        D("320.00"),
        D("2880.00"),
    )
    run_now(finance)  # the draft recomputed: the adjustment comes back once
    july_statement = monthly(rep)
    assert july_statement.lines.filter(step=Step.ADJUSTMENT).count() == 1
    assert july_statement.payable_amount == D("2880.00")
    dispute.refresh_from_db()
    assert dispute.adjustment_line.statement == july_statement
    assert amounts(monthly(rep, "2026-06"))[1] == D("199.98")  # the approved one stays as it was


def test_a_reopened_statement_with_an_answered_dispute_is_recomputed_and_the_dispute_follows_its_line(
    july, run_now, manager, finance, rep
):
    run_now(finance)
    statement = statement_submit(actor=manager, statement=monthly(rep))
    dispute = dispute_open(
        actor=rep, line=statement.lines.get(step=Step.GROSS), expected_amount="3200.00", justification="more"
    )
    dispute_reject(actor=manager, dispute=dispute, answer="no")
    statement_reject(actor=finance, statement=statement, reason="recheck")
    statement_reopen(actor=manager, statement=statement)

    run_now(finance)
    dispute.refresh_from_db()
    fresh = monthly(rep)
    assert dispute.line.statement == fresh and dispute.line.step == Step.GROSS
    assert line_amounts(fresh)[1] == (Step.GROSS, D("3100.00"))
    assert StatementLine.objects.filter(statement=fresh).count() == 5


# --- the monthly schedule --------------------------------------------------------------------------


def test_the_monthly_run_is_scheduled_on_day_one_at_two(settings):
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["monthly-commission-run"]
    assert entry["task"] == "kpi.monthly_commission_run"
    assert entry["schedule"] == crontab(day_of_month=1, hour=2, minute=0)


def test_the_monthly_run_computes_the_previous_month_as_the_system_once(
    july, finance, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks.Month, "current", classmethod(lambda cls: Month(2026, 8)))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.monthly_commission_run()
    run = CommissionRun.objects.get(pk=run_id)
    assert (run.period, run.started_by, run.status, run.total) == ("2026-07", None, "done", 3)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.monthly_commission_run() == run_id  # re-delivered: no second run
    assert CommissionRun.objects.count() == 1
    (created,) = StateChange.objects.for_object(Statement.objects.first())
    assert created.by is None


def test_the_monthly_run_skips_a_closed_month(july, monkeypatch):
    monkeypatch.setattr(tasks.Month, "current", classmethod(lambda cls: Month(2026, 8)))
    close(JULY)
    assert tasks.monthly_commission_run() is None
    assert not CommissionRun.objects.exists()


def test_the_pipeline_tasks_retry_database_and_broker_errors():
    from django.db import OperationalError

    for task in (tasks.run_commissions, tasks.compute_chunk, tasks.finish_run, tasks.monthly_commission_run):
        assert OperationalError in task.autoretry_for and task.retry_backoff is True and task.acks_late is True


def test_an_operational_error_in_a_chunk_does_not_fail_the_run_by_itself(july, finance, monkeypatch):
    from django.db import OperationalError

    def down(rep_ids, month):
        raise OperationalError("database restarting")

    monkeypatch.setattr(commission, "compute_many", down)
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=3, status="running")
    with pytest.raises(OperationalError):
        tasks.compute_chunk.run(run.pk, [1], JULY)  # the task body; Celery retries it with backoff
    run.refresh_from_db()
    assert run.status == "running"


def test_a_broker_out_of_reach_fails_the_run_instead_of_the_caller(
    july, finance, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"  # the run's error is kept in the deployment's language
    from kombu.exceptions import OperationalError as BrokerDown

    def unreachable(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_commissions, "delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.run_start(actor=finance, period=JULY)
    run.refresh_from_db()
    assert run.status == "failed" and "could not be queued" in run.error and "Connection refused" in run.error


def test_eager_mode_is_what_the_test_settings_use():
    assert settings.CELERY_TASK_ALWAYS_EAGER is True


# --- a month beyond what a statement holds ---------------------------------------------------------


def test_an_overflowing_month_is_reported_for_its_rep_while_the_others_are_computed(
    july, d, finance, rep, rep_peer, other_rep, run_now, client_as
):
    # rep_peer: 40,000.00 (July's world) + 9 × 999,999,999,999.00 = 9,000,000,039,991.00 of net sales: a base
    # beyond the 999,999,999,999.99 a statement holds. rep and other_rep are computed as usual.
    for day in range(1, 10):
        sale(rep_peer, d["P1"], date(2026, 7, day + 10), "999999999999.00")
    run = run_now(finance)
    assert (run.status, run.total, run.done) == ("done", 3, 3)
    assert amounts(monthly(rep)) == REP_JULY and amounts(monthly(other_rep)) == OTHER_JULY
    assert not Statement.objects.filter(rep=rep_peer).exists()
    [problem] = run.problems.all()
    assert (problem.rep, problem.code, problem.params["figure"]) == (rep_peer, "overflow", "base_amount")
    assert problem.params["amount"] == "9000000039991.00" and problem.params["limit"] == "999999999999.99"
    client = client_as(finance)
    client.cookies["django_language"] = "en"
    from django.urls import reverse

    body = client.get(reverse("commissions:run-detail", args=[run.pk])).content.decode()
    assert 'data-testid="run-problems"' in body and "9,000,000,039,991.00" in body and "李娜" in body
    # a manager of another team sees the run, but not the problem of a rep who is not theirs
    assert not run_problems(UserFactory(roles=[Role.CHANNEL_MANAGER]), run)
    # the pages that sum those facts answer as usual
    for url in (
        reverse("dashboard"),
        f"{reverse('kpi:sales-list')}?rep={rep_peer.pk}&date_from=2026-07-01&date_to=2026-07-31",
        f"{reverse('kpi:measures')}?period=2026-07",
        f"{reverse('commissions:statement-list')}?period=2026-07",
    ):
        assert client.get(url).status_code == 200, url


def test_a_scorecard_of_an_enormous_month_is_stored_without_its_unstorable_figures(d, manager, rep, templates):
    from kpi.services.scorecards import scorecard_compute
    from tests.kpi.scorecard_world import target

    # sales achievement: 9 × 99,999,999,999.00 = 899,999,999,991.00 / target 0.01 × 100 ≈ 9 × 10^15 %:
    # beyond the 16 digits of the column. The line keeps no actual and scores by the cap (1.2 × 100).
    for day in range(1, 10):
        sale(rep, d["A1"], date(2026, 7, day), "99999999999.00")
    target(rep, JULY, "0.01")
    card, _created = scorecard_compute(actor=manager, rep=rep, period=JULY, template=templates["mbo"])
    line = card.lines.get(item__metric="sales_achievement")
    assert line.actual is None and line.score == D("120.00")
