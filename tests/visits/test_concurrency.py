"""Simultaneous requests on PostgreSQL (SQLite serialises writers, so these only run in CI).

* a phone's post and its retry arriving together → one visit (the unique (rep, client_uuid)
  constraint decides, the loser answers with the winner's visit);
* two reviewers deciding the same visit or plan together → one decision, one TransitionNotAllowed
  (``StateMachine.apply`` locks the row).
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection

from channelhub.errors import TransitionNotAllowed
from channelhub.roles import Role
from channelhub.workflow.models import StateChange
from tests.factories import UserFactory
from tests.visits.world import at, log
from visits.models import Visit, VisitPlan, VisitPlanItem
from visits.services import visits as visit_services
from visits.services.plans import plan_approve, plan_return
from visits.services.visits import visit_log, visit_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = at(2026, 11, 20, 15, 0)


def run_together(*calls):
    """Start ``calls`` in threads released at the same moment; each closes its own connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = ("ok", call())
        except Exception as error:  # reported to the test below
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


def test_the_same_post_twice_at_the_same_moment_gives_one_visit(d, rep, monkeypatch):
    original = visit_services.visit_apply_checks

    def slow_checks(visit):
        original(visit)
        time.sleep(0.3)  # both posts have looked for the uuid (and found nothing) before either inserts

    monkeypatch.setattr(visit_services, "visit_apply_checks", slow_checks)
    key = uuid.uuid4()

    def post():
        return visit_log(
            rep=rep,
            dealer=d["A1"],
            visited_at=NOW - timedelta(hours=1),
            kind="maintenance",
            purpose="补货",
            latitude=d["A1"].latitude,
            longitude=d["A1"].longitude,
            client_uuid=key,
            now=NOW,
        )

    results = run_together(post, post)
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    (first, first_created), (second, second_created) = (value for _kind, value in results)
    assert first.pk == second.pk
    assert sorted([first_created, second_created]) == [False, True]
    assert Visit.objects.filter(rep=rep, client_uuid=key).count() == 1
    assert Visit.objects.count() == 1
    assert StateChange.objects.filter(transition="create", to_state="submitted").count() == 1


def test_two_managers_confirming_the_same_visit_at_once_give_one_decision(d, covered, rep, manager, monkeypatch):
    co_manager = UserFactory(username="manager_a2", roles=[Role.CHANNEL_MANAGER])
    co_manager.profile.territories.add(covered["EAST"])  # sees the visit at A1 through the territory
    visit = log(rep, d["A1"], NOW - timedelta(hours=1), now=NOW)
    original_save = Visit.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)  # widen the window between reading the state and writing it
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Visit, "save", slow_save)

    def confirm(user):
        return lambda: visit_review(actor=user, visit=Visit.objects.get(pk=visit.pk), name="confirm", now=NOW)

    results = run_together(confirm(manager), confirm(co_manager))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    [refusal] = [value for kind, value in results if kind == "error"]
    assert isinstance(refusal, TransitionNotAllowed)
    [winner] = [value for kind, value in results if kind == "ok"]
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.status == Visit.Status.CONFIRMED
    assert stored.reviewed_by_id == winner.reviewed_by_id
    assert StateChange.objects.filter(transition="confirm").count() == 1


def test_approving_and_returning_a_plan_at_once_give_one_decision(d, rep, manager, admin_user, monkeypatch):
    week = at(2026, 12, 7).date()
    plan = VisitPlan.objects.create(rep=rep, week_start=week, status=VisitPlan.Status.SUBMITTED)
    VisitPlanItem.objects.create(plan=plan, dealer=d["A1"], planned_date=week)
    original_save = VisitPlan.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(VisitPlan, "save", slow_save)
    results = run_together(
        lambda: plan_approve(actor=manager, plan=VisitPlan.objects.get(pk=plan.pk), now=NOW),
        lambda: plan_return(actor=admin_user, plan=VisitPlan.objects.get(pk=plan.pk), comment="重做", now=NOW),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert isinstance(next(value for kind, value in results if kind == "error"), TransitionNotAllowed)
    stored = VisitPlan.objects.get(pk=plan.pk)
    assert stored.status in (VisitPlan.Status.APPROVED, VisitPlan.Status.RETURNED)
    assert StateChange.objects.filter(transition__in=["approve", "return"]).count() == 1
