"""Closing a period (SPEC §6): only when every monthly statement of the month is approved or paid and
every rep with a plan has one; who may; what a closed period refuses afterwards (facts, runs, a run
already in flight); the close is logged."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from channelhub.errors import Conflict
from channelhub.workflow.models import StateChange
from commissions.models import CommissionRun, Statement
from commissions.selectors import period_rows
from commissions.services import runs
from commissions.services.closing import PeriodNotSettled, period_close, period_hold_open
from kpi.models import Period
from kpi.services.facts import facts_record
from kpi.services.periods import PeriodClosed
from tests.commissions import runs_world
from tests.commissions.runs_world import JULY, with_status

july = runs_world.july
run_now = runs_world.run_now


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def settle(status="approved", **only):
    Statement.objects.filter(period=JULY, **only).update(**with_status(status))


def test_a_period_with_drafts_cannot_be_closed_and_the_refusal_counts_and_names_them(
    july, run_now, finance, rep, rep_peer
):
    run_now(finance)
    settle("approved", rep__in=[rep])
    with pytest.raises(PeriodNotSettled) as refused:
        period_close(actor=finance, period=JULY)
    message = str(refused.value)
    assert "2026-07" in message and "2 monthly statements are not approved or paid yet" in message
    assert "李娜" in message and "刘洋" in message and "张伟" not in message
    assert refused.value.extra["not_settled"] == 2 and refused.value.extra["without_statement"] == 0
    assert refused.value.status_code == 409
    period = Period.objects.get(code=JULY)
    assert (period.status, period.closed_at, period.closed_by) == ("open", None, None)


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_any_statement_not_approved_or_paid_blocks_the_close(july, run_now, finance, rep, status):
    run_now(finance)
    settle("paid")
    Statement.objects.filter(rep=rep).update(**with_status(status))
    with pytest.raises(PeriodNotSettled):
        period_close(actor=finance, period=JULY)


def test_a_rep_with_a_plan_but_no_statement_blocks_the_close(july, finance, rep, rep_peer, other_rep):
    Statement.objects.create(rep=rep, period=JULY, status="approved")
    with pytest.raises(PeriodNotSettled) as refused:
        period_close(actor=finance, period=JULY)
    assert "2 reps with a plan have no statement for it" in str(refused.value)
    assert refused.value.extra["without_statement"] == 2


def test_the_refusal_names_five_reps_at_most(d, finance, manager):
    from channelhub.roles import Role
    from tests.factories import UserFactory

    reps = [UserFactory(roles=[Role.FIELD_REP], manager=manager, name=f"代表{n}") for n in range(7)]
    for rep in reps:
        Statement.objects.create(rep=rep, period=JULY)
    with pytest.raises(PeriodNotSettled) as refused:
        period_close(actor=finance, period=JULY)
    assert "7 monthly statements" in str(refused.value) and "…" in str(refused.value)
    assert len(refused.value.extra["reps"]) == 5


@pytest.mark.parametrize("who", ["finance", "admin"])
def test_finance_and_admins_close_a_settled_period_and_the_close_is_logged(july, run_now, everyone, who):
    run_now(everyone["finance"])
    settle("approved")
    Statement.objects.filter(rep=everyone["rep"]).update(**with_status("paid"))
    year_end = Statement.objects.create(rep=everyone["rep"], period=JULY, kind="year_end")  # not a monthly one
    period = period_close(actor=everyone[who], period=JULY)
    assert period.status == "closed" and period.closed_by == everyone[who] and period.closed_at is not None
    (logged,) = StateChange.objects.for_object(period)
    assert (logged.transition, logged.from_state, logged.to_state, logged.by) == (
        "close",
        "open",
        "closed",
        everyone[who],
    )
    assert year_end.status == "draft"


def test_an_empty_month_without_plans_may_be_closed(finance):
    assert period_close(actor=finance, period="2026-03").status == "closed"


@pytest.mark.parametrize("who", ["manager", "rep"])
def test_only_finance_and_admins_close_a_period(july, everyone, who):
    with pytest.raises(PermissionDenied):
        period_close(actor=everyone[who], period=JULY)


def test_a_closed_period_cannot_be_closed_again(finance):
    period_close(actor=finance, period="2026-03")
    with pytest.raises(Conflict) as refused:
        period_close(actor=finance, period="2026-03")
    assert "closed already" in str(refused.value) and refused.value.extra["current_state"] == "closed"


def test_a_bad_period_code_is_a_field_error(finance):
    with pytest.raises(ValidationError) as refused:
        period_close(actor=finance, period="2026-3")
    assert "period" in refused.value.message_dict


# --- after the close -----------------------------------------------------------------------------------


@pytest.fixture
def closed_july(july, run_now, finance):
    run_now(finance)
    settle("approved")
    return period_close(actor=finance, period=JULY)


def test_a_closed_period_refuses_new_runs_naming_it(closed_july, manager, finance):
    for actor in (manager, finance):
        with pytest.raises(PeriodClosed) as refused:
            runs.run_start(actor=actor, period=JULY)
        assert "2026-07" in str(refused.value)
    assert runs.run_start_scheduled(period=JULY) is None


def test_a_closed_period_refuses_new_facts(closed_july, finance):
    with pytest.raises(PeriodClosed) as refused:
        facts_record(
            actor=finance,
            kind="sales",
            items=[{"reference": "LATE", "date": "2026-07-31", "dealer_code": "A1", "amount": "1.00"}],
        )
    assert "2026-07" in str(refused.value)


def test_a_run_in_flight_stops_at_the_close(closed_july, finance, rep):
    """A run begun before the close that reaches a rep afterwards writes nothing and fails saying why."""
    run = CommissionRun.objects.create(period=JULY, started_by=finance, total=1, status="running")
    Statement.objects.filter(rep=rep).delete()
    from commissions import tasks

    with pytest.raises(PeriodClosed):
        tasks.compute_chunk(run.pk, [rep.pk], JULY)
    run.refresh_from_db()
    assert run.status == "failed" and "2026-07" in run.error
    assert not Statement.objects.filter(rep=rep).exists()


def test_holding_a_period_open_refuses_a_closed_one(closed_july):
    with pytest.raises(PeriodClosed):
        period_hold_open(JULY)
    period_hold_open("2026-08")  # open: nothing happens


def test_other_months_stay_open(closed_july, run_now, finance, rep, d):
    assert run_now(finance, "2026-06").status == "done"
    facts_record(
        actor=finance,
        kind="sales",
        items=[{"reference": "AUG-1", "date": str(date(2026, 8, 1)), "dealer_code": "A1", "amount": "1.00"}],
    )


def test_the_periods_are_listed_with_their_statement_counts(july, run_now, finance, manager):
    run_now(finance)
    settle("approved", rep__username="rep_a1")
    Period.objects.get_or_create(code="2026-05")
    rows = {period.code: (period.statements, period.not_settled) for period in period_rows(manager)}
    assert rows["2026-07"] == (3, 2) and rows["2026-05"] == (0, 0)
