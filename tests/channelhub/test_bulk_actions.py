"""Bulk actions on queues: confirm several flagged visits, approve several week plans,
approve several statements — each row checked on its own by the one-row service (role, scope, segregation,
state); the result lists what was done and what was refused, with why. Pages and API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from channelhub.bulk_actions import MAX_ROWS, apply_each, parse_ids
from channelhub.errors import Conflict
from channelhub.periods import Month, week_start
from channelhub.roles import Role
from commissions.models import Statement
from tests.commissions.statement_world import make_statement
from tests.factories import UserFactory
from tests.visits.world import log
from visits.models import Visit, VisitPlan
from visits.services.plans import plan_create, plan_submit

LAST_MONTH = str(Month.current().previous())


def flagged(rep, dealer):
    """A visit logged four days late: flagged ``late_entry``, waiting for the manager."""
    now = timezone.localtime()
    return log(rep, dealer, now - timedelta(days=4), now=now)


def submitted_plan(rep, dealer, weeks_ahead=1):
    monday = week_start(timezone.localdate()) + timedelta(weeks=weeks_ahead)
    plan = plan_create(rep=rep, week_start=monday, items=[{"dealer": dealer, "planned_date": monday}])
    return plan_submit(actor=rep, plan=plan)


def statuses(model, rows) -> list[str]:
    found = dict(model.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", "status"))
    return [found[row.pk] for row in rows]


def result_rows(response, testid) -> dict[int, str]:
    """``data-id`` → ``data-status`` (or "") of the result page's list ``testid``."""
    import re

    html = response.content.decode()
    if f'data-testid="{testid}"' not in html:
        return {}
    block = html.split(f'data-testid="{testid}"', 1)[1].split("</ul>", 1)[0]
    return {int(pk): status for pk, status in re.findall(r'data-id="(\d+)"(?: data-status="(\d+)")?', block)}


# --- the rule: each on its own ---------------------------------------------------------------------


def test_a_refused_row_changes_nothing_and_does_not_stop_the_others(d, rep, manager):
    visits = [flagged(rep, d["A1"]), flagged(rep, d["A2"]), flagged(rep, d["A3"])]

    def confirm_unless_second(visit):
        visit.status = Visit.Status.CONFIRMED
        visit.save(update_fields=["status"])
        if visit.pk == visits[1].pk:
            raise Conflict("refused after writing")

    result = apply_each(queryset=Visit.objects.all(), ids=[v.pk for v in visits], run=confirm_unless_second)
    assert [o.pk for o in result.done] == [visits[0].pk, visits[2].pk]
    assert [(o.pk, o.status, o.reason) for o in result.refused] == [(visits[1].pk, 409, "refused after writing")]
    # the second's write was rolled back with its savepoint; the others stay
    assert statuses(Visit, visits) == ["confirmed", "submitted", "confirmed"]


def test_an_id_out_of_scope_is_refused_like_one_that_does_not_exist(d, rep, other_rep):
    mine, theirs = flagged(rep, d["A1"]), flagged(other_rep, d["O1"])
    result = apply_each(
        queryset=Visit.objects.filter(rep=rep), ids=[theirs.pk, 999_999, mine.pk, mine.pk], run=lambda v: None
    )
    assert [o.pk for o in result.done] == [mine.pk]  # the same id twice counts once
    refused = [(o.status, o.reason) for o in result.refused]
    assert refused[0] == refused[1]  # out of scope reads exactly like unknown
    assert refused[0][0] == 404


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "at least one"),
        (["12", "abc"], "abc"),
        (["0"], "“0”"),
        ([str(2**63)], "is not a row"),
        (["1"] * (MAX_ROWS + 1), "at most 200"),
    ],
)
def test_page_ids_are_checked_before_anything_is_done(values, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        parse_ids(values)
    assert message in " ".join(refused.value.messages)


# --- pages -----------------------------------------------------------------------------------------


def test_the_manager_confirms_three_flagged_visits_at_once(client_as, d, rep, rep_peer, manager, other_rep):
    three = [flagged(rep, d["A1"]), flagged(rep, d["A2"]), flagged(rep_peer, d["P1"])]
    already = flagged(rep, d["A3"])
    client = client_as(manager)
    client.post(reverse("visits:visit-confirm", args=[already.pk]), {})
    theirs = flagged(other_rep, d["O1"])
    page = client.get(reverse("visits:review"))
    assert page.content.count(b'name="ids"') == 3
    with translation.override("en"):
        response = client.post(
            reverse("visits:review-confirm"),
            {"ids": [v.pk for v in [*three, already, theirs]]},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert statuses(Visit, three) == ["confirmed"] * 3
    assert statuses(Visit, [theirs]) == ["submitted"]
    assert result_rows(response, "bulk-done") == {v.pk: "" for v in three}
    assert result_rows(response, "bulk-refused") == {already.pk: "409", theirs.pk: "404"}
    html = response.content.decode()
    assert d["O1"].name not in html  # an out-of-scope row is named by its id only
    assert d["A1"].name in html and reverse("visits:review") in html


def test_the_manager_approves_three_week_plans_at_once_from_the_plan_list(client_as, d, rep, rep_peer, manager):
    plans = [submitted_plan(rep, d["A1"], 1), submitted_plan(rep, d["A1"], 2), submitted_plan(rep_peer, d["P1"], 1)]
    draft = plan_create(rep=rep, week_start=week_start(timezone.localdate()) + timedelta(weeks=3))
    client = client_as(manager)
    listed = client.get(f"{reverse('visits:plan-list')}?status=submitted")
    assert listed.content.count(b'name="ids"') == 3
    response = client.post(
        reverse("visits:plan-approve-many"), {"ids": [p.pk for p in [*plans, draft]], "next": "plan-list"}
    )
    assert statuses(VisitPlan, plans) == ["approved"] * 3
    assert statuses(VisitPlan, [draft]) == ["draft"]
    assert result_rows(response, "bulk-refused") == {draft.pk: "409"}
    assert f"{reverse('visits:plan-list')}?status=submitted" in response.content.decode()


def test_finance_approves_several_statements_each_checked_for_segregation(client_as, manager, rep, rep_peer, finance):
    finance_rep = UserFactory(roles=[Role.FINANCE, Role.FIELD_REP], manager=manager)
    theirs = make_statement(rep, period=LAST_MONTH, status=Statement.Status.SUBMITTED, submitted_by=manager)
    peers = make_statement(rep_peer, period=LAST_MONTH, status=Statement.Status.SUBMITTED, submitted_by=manager)
    own = make_statement(finance_rep, period=LAST_MONTH, status=Statement.Status.SUBMITTED, submitted_by=manager)
    draft = make_statement(rep, period=str(Month.current()))
    client = client_as(finance_rep)
    queue = client.get(reverse("commissions:approval-queue"))
    assert queue.content.count(b'name="ids"') == 2  # not its own
    response = client.post(
        reverse("commissions:statement-approve-many"), {"ids": [theirs.pk, own.pk, peers.pk, draft.pk]}
    )
    assert statuses(Statement, [theirs, peers, own, draft]) == ["approved", "approved", "submitted", "draft"]
    assert result_rows(response, "bulk-refused") == {own.pk: "403", draft.pk: "409"}
    html = response.content.decode()
    with translation.override("zh-hans"):
        assert "您不能核准自己提交或受益的提成单" in html


def test_bad_ids_change_nothing_and_say_why(client_as, d, rep, manager):
    visit = flagged(rep, d["A1"])
    response = client_as(manager).post(reverse("visits:review-confirm"), {"ids": [visit.pk, "x"]}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("visits:review")
    assert statuses(Visit, [visit]) == ["submitted"]
    assert "“x”" in response.content.decode()


def test_a_role_that_may_not_take_the_action_gets_403(client_as, d, rep, finance, manager):
    visit = flagged(rep, d["A1"])
    assert client_as(rep).post(reverse("visits:review-confirm"), {"ids": [visit.pk]}).status_code == 403
    assert client_as(manager).post(reverse("commissions:statement-approve-many"), {"ids": [1]}).status_code == 403
    assert client_as(finance).post(reverse("visits:plan-approve-many"), {"ids": [1]}).status_code == 403
    assert statuses(Visit, [visit]) == ["submitted"]


def test_a_get_goes_back_to_the_queue(client_as, manager):
    response = client_as(manager).get(reverse("visits:review-confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("visits:review")


# --- API -------------------------------------------------------------------------------------------


def test_the_api_confirms_several_visits_and_lists_the_refused(api_as, d, rep, manager, other_rep):
    mine = [flagged(rep, d["A1"]), flagged(rep, d["A2"])]
    theirs = flagged(other_rep, d["O1"])
    response = api_as(manager).post(
        "/api/v1/visits/confirm/", {"ids": [mine[0].pk, theirs.pk, mine[1].pk]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["done"] == [mine[0].pk, mine[1].pk]
    assert [(r["id"], r["status"]) for r in response.json()["refused"]] == [(theirs.pk, 404)]
    assert statuses(Visit, [*mine, theirs]) == ["confirmed", "confirmed", "submitted"]


def test_the_api_approves_several_plans_and_statements(api_as, d, rep, rep_peer, manager, finance):
    plans = [submitted_plan(rep, d["A1"]), submitted_plan(rep_peer, d["P1"])]
    response = api_as(manager).post("/api/v1/visit-plans/approve/", {"ids": [p.pk for p in plans]}, format="json")
    assert response.json() == {"done": [p.pk for p in plans], "refused": []}
    submitted = make_statement(rep, period=LAST_MONTH, status=Statement.Status.SUBMITTED, submitted_by=manager)
    approved = make_statement(
        rep_peer, period=LAST_MONTH, status=Statement.Status.APPROVED, submitted_by=manager, approved_by=finance
    )
    response = api_as(finance).post(
        "/api/v1/commission-statements/approve/", {"ids": [submitted.pk, approved.pk]}, format="json"
    )
    assert response.json()["done"] == [submitted.pk]
    assert [(r["id"], r["status"]) for r in response.json()["refused"]] == [(approved.pk, 409)]


@pytest.mark.parametrize(
    "payload", [{}, {"ids": []}, {"ids": ["x"]}, {"ids": [2**63]}, {"ids": list(range(1, MAX_ROWS + 2))}]
)
def test_the_api_refuses_a_bad_body_with_400_and_does_nothing(api_as, d, rep, manager, payload):
    visit = flagged(rep, d["A1"])
    response = api_as(manager).post("/api/v1/visits/confirm/", payload, format="json")
    assert response.status_code == 400
    assert "ids" in response.json()
    assert statuses(Visit, [visit]) == ["submitted"]


def test_the_api_refuses_a_role_with_403(api_as, d, rep, manager):
    visit = flagged(rep, d["A1"])
    assert api_as(rep).post("/api/v1/visits/confirm/", {"ids": [visit.pk]}, format="json").status_code == 403
    assert (
        api_as(manager).post("/api/v1/commission-statements/approve/", {"ids": [1]}, format="json").status_code == 403
    )
    assert statuses(Visit, [visit]) == ["submitted"]
