"""The next actor is always told: a notification when something waits for someone, and
each dashboard opening with its to-do counts, each linking to the queue where the work is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from channelhub.notifications.models import Notification
from channelhub.periods import Month, week_start
from commissions.models import Statement
from commissions.services.statements import statement_approve, statement_reject, statement_submit
from kpi.services.targets import target_approve, target_propose
from partners.services.dealers import dealer_approve_qualification, dealer_reject_qualification, dealer_submit_review
from tests.commissions.statement_world import make_statement
from tests.partners.world import FULL_REVIEW, make_dealer
from tests.visits.world import log
from visits.services.plans import plan_create, plan_return, plan_submit

LAST_MONTH = str(Month.current().previous())


def kinds(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def todos(client) -> dict[str, dict]:
    return {todo["key"]: todo for todo in client.get("/").context["todos"]}


# --- finance: qualification reviews and statements ---------------------------------------------------


def test_finance_is_told_of_a_submitted_review_and_counts_it(client_as, covered, manager, rep, finance):
    dealer = make_dealer(manager, covered["SH-SH"], rep, "SH001")
    dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
    assert kinds(finance) == ["dealer.review_submitted"]
    assert kinds(manager) == []  # not the one who submitted it
    with translation.override("en"):
        note = Notification.objects.get(recipient=finance)
        assert "SH001" in note.title_text
    waiting = todos(client_as(finance))["reviews-waiting"]
    assert waiting["count"] == 1
    queue = client_as(finance).get(waiting["url"])
    assert queue.status_code == 200
    assert b"SH001" in queue.content


@pytest.mark.parametrize("verdict", ["approved", "rejected"])
def test_the_rep_and_the_submitter_hear_the_review_decided(covered, manager, rep, finance, verdict):
    dealer = make_dealer(manager, covered["SH-SH"], rep, "SH001")
    dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
    if verdict == "approved":
        dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit="500000.00")
    else:
        dealer_reject_qualification(actor=finance, dealer=dealer, reason="仓库不足")
    assert kinds(rep) == ["dealer.review_decided"]
    assert kinds(manager) == ["dealer.review_decided"]
    assert Notification.objects.get(recipient=rep).params["verdict"] == verdict


def test_finance_is_told_of_a_submitted_statement_and_counts_it(client_as, manager, rep, finance):
    statement = make_statement(rep, period=LAST_MONTH)
    statement_submit(actor=manager, statement=statement)
    assert kinds(finance) == ["statement.submitted"]
    counts = todos(client_as(finance))
    assert counts["statements-to-approve"]["count"] == 1
    assert counts["statements-to-approve"]["url"] == reverse("commissions:approval-queue")
    assert counts["statements-to-pay"]["count"] == 0


def test_finance_counts_approved_statements_to_pay_and_links_to_their_month(client_as, manager, rep, finance):
    make_statement(rep, period=LAST_MONTH, status=Statement.Status.APPROVED, submitted_by=manager, approved_by=finance)
    to_pay = todos(client_as(finance))["statements-to-pay"]
    assert to_pay["count"] == 1
    assert to_pay["url"] == f"{reverse('commissions:payout-export')}?period={LAST_MONTH}"
    assert client_as(finance).get(to_pay["url"]).status_code == 200


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_rep_hears_the_statement_decided(manager, rep, finance, decision):
    statement = make_statement(rep, period=LAST_MONTH)
    statement_submit(actor=manager, statement=statement)
    if decision == "approve":
        statement_approve(actor=finance, statement=statement)
        assert kinds(rep) == ["statement.approved"]
    else:
        statement_reject(actor=finance, statement=statement, reason="缺少发票")
        assert kinds(rep) == ["statement.rejected"]
        assert kinds(manager) == ["statement.rejected"]


def test_the_manager_counts_draft_statements_of_ended_months_only(client_as, manager, rep, rep_peer):
    make_statement(rep, period=LAST_MONTH)
    make_statement(rep_peer, period=str(Month.current()))  # the month is not over: nothing to submit yet
    assert todos(client_as(manager))["statements-to-submit"]["count"] == 1


# --- the manager: week plans and flagged visits -------------------------------------------------------


def test_the_manager_is_told_of_a_submitted_week_plan_and_counts_it(client_as, d, manager, rep):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    plan = plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])
    plan_submit(actor=rep, plan=plan)
    assert kinds(manager) == ["plan.submitted"]
    waiting = todos(client_as(manager))["plans-waiting"]
    assert waiting["count"] == 1
    queue = client_as(manager).get(waiting["url"])
    assert queue.status_code == 200
    assert reverse("visits:plan-detail", args=[plan.pk]).encode() in queue.content


def test_the_rep_counts_a_returned_week_plan(client_as, d, manager, rep):
    monday = week_start(timezone.localdate()) + timedelta(days=7)
    plan = plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])
    plan_submit(actor=rep, plan=plan)
    plan_return(actor=manager, plan=plan, comment="周三多排一家")
    assert "plan.returned" in kinds(rep)
    assert todos(client_as(rep))["plans-returned"]["count"] == 1


def test_the_manager_is_told_of_a_flagged_visit_and_counts_it(client_as, d, manager, rep):
    yesterday = timezone.localtime() - timedelta(days=1)
    log(rep, d["A1"], yesterday, latitude=None, longitude=None)  # no position: flagged
    log(rep, d["A2"], yesterday)  # at the dealer: nothing to review
    assert kinds(manager) == ["visit.flagged"]
    waiting = todos(client_as(manager))["flagged-waiting"]
    assert waiting["count"] == 1
    assert waiting["url"] == reverse("visits:review")


# --- the rep: targets ------------------------------------------------------------------------------


def test_the_rep_hears_a_target_approved_and_counts_it_to_acknowledge(client_as, manager, rep):
    target = target_propose(actor=rep, rep=rep, period=str(Month.current().next()), sales_target="100000.00")
    assert todos(client_as(manager))["targets-to-approve"]["count"] == 1
    target_approve(actor=manager, target=target)
    assert kinds(rep) == ["target.approved"]
    assert todos(client_as(rep))["targets-to-acknowledge"]["count"] == 1


# --- every dashboard opens with its to-dos -----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "keys"),
    [
        (
            "rep",
            [
                "plans-returned",
                "targets-to-acknowledge",
                "fund-requests-to-claim",
                "stock-reports-returned",
                "rectifications-to-answer",
                "complaints-open",
            ],
        ),
        (
            "manager",
            [
                "flagged-waiting",
                "plans-waiting",
                "statements-to-submit",
                "disputes-to-answer",
                "targets-to-approve",
                "fund-requests-to-approve",
                "fund-claims-to-check",
                "rebate-settlements-to-submit",
                "stock-reports-to-confirm",
                "inspections-planned",
                "inspections-to-review",
                "rectifications-to-verify",
                "complaints-open",
            ],
        ),
        ("inspector", ["inspections-planned", "rectifications-to-verify"]),
        (
            "finance",
            [
                "statements-to-approve",
                "statements-to-pay",
                "reviews-waiting",
                "fund-requests-finance",
                "fund-claims-to-settle",
                "deposit-refunds-to-decide",
                "rebate-settlements-to-approve",
                "rebate-settlements-to-pay",
            ],
        ),
    ],
)
def test_each_dashboard_opens_with_its_todos_linking_to_their_queues(client_as, everyone, inspector, who, keys):
    client = client_as({**everyone, "inspector": inspector}[who])
    response = client.get("/")
    assert sorted(todos(client)) == sorted(keys)
    html = response.content.decode()
    for todo in response.context["todos"]:
        assert f'data-testid="{todo["key"]}"' in html
        assert client.get(todo["url"]).status_code == 200, todo["key"]


def test_the_todos_of_a_role_are_counted_in_one_query(manager, finance, django_assert_num_queries):
    from channelhub.roles import Role
    from channelhub.todos import todos_for

    # the user's roles and the scope's territories (each read once a request), then the thirteen counts at once
    # (stock reports to confirm, inspections planned and to review, rectifications to verify, complaints among them)
    with django_assert_num_queries(3):
        assert len(todos_for(manager, Role.CHANNEL_MANAGER)) == 13
    # finance sees everything (no territories): the roles, the eight counts, the oldest month to pay
    with django_assert_num_queries(3):
        assert len(todos_for(finance, Role.FINANCE)) == 8
