"""The statements API (SPEC §8): ``/api/v1/commission-statements/`` — scope per role, filters, the
detail with its lines, the actions and their error codes (400, 403, 404, 409 naming the state), no
writes other than the actions (405), and the list's pinned query count.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from channelhub.roles import Role
from commissions.models import Statement
from tests.commissions.statement_world import NEXT, PERIOD, make_statement
from tests.factories import UserFactory

S = Statement.Status
STATEMENTS = "/api/v1/commission-statements/"


def url(statement, action: str | None = None) -> str:
    return f"{STATEMENTS}{statement.pk}/" + (f"{action}/" if action else "")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world(rep, rep_peer, other_rep, manager, finance):
    return {
        "rep": make_statement(rep, status=S.SUBMITTED, submitted_by=manager),
        "rep_next": make_statement(rep, NEXT),
        "rep_peer": make_statement(rep_peer, status=S.APPROVED, submitted_by=manager, approved_by=finance),
        "other_rep": make_statement(other_rep),
    }


# --- scope -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("rep", {"rep", "rep_next"}),
        ("rep_peer", {"rep_peer"}),
        ("manager", {"rep", "rep_next", "rep_peer"}),
        ("other_manager", {"other_rep"}),
        ("finance", {"rep", "rep_next", "rep_peer", "other_rep"}),
        ("admin", {"rep", "rep_next", "rep_peer", "other_rep"}),
    ],
)
def test_each_role_lists_what_it_may_see(api_as, everyone, world, who, visible):
    assert ids(api_as(everyone[who]).get(STATEMENTS)) == {world[name].pk for name in visible}


@pytest.mark.parametrize(("who", "name"), [("rep", "rep_peer"), ("other_manager", "rep"), ("rep_peer", "rep")])
def test_a_statement_out_of_scope_is_404_for_reads_and_actions(api_as, everyone, world, who, name):
    client = api_as(everyone[who])
    assert client.get(url(world[name])).status_code == 404
    assert client.post(url(world[name], "approve")).status_code == 404
    assert client.post(url(world[name], "submit")).status_code == 404


def test_filters_rep_period_status_kind(api_as, finance, world, rep):
    client = api_as(finance)
    assert ids(client.get(STATEMENTS, {"rep": rep.pk})) == {world["rep"].pk, world["rep_next"].pk}
    assert ids(client.get(STATEMENTS, {"period": NEXT})) == {world["rep_next"].pk}
    assert ids(client.get(STATEMENTS, {"status": "approved"})) == {world["rep_peer"].pk}
    assert ids(client.get(STATEMENTS, {"kind": "year_end"})) == set()
    assert ids(client.get(STATEMENTS, {"kind": "monthly", "status": "draft"})) == {
        world["rep_next"].pk,
        world["other_rep"].pk,
    }
    assert client.get(STATEMENTS, {"period": "2031-13"}).status_code == 400


# --- detail ----------------------------------------------------------------------------------------


def test_detail_has_money_as_strings_the_lines_and_the_allowed_actions(api_as, world, finance, rep):
    body = api_as(finance).get(url(world["rep"])).json()
    assert body["rep"] == rep.pk and body["rep_name"] == "张伟" and body["period"] == PERIOD
    assert (body["kind"], body["status"], body["plan_name"]) == ("monthly", "submitted", "标准方案")
    assert (body["gross_amount"], body["deductions_amount"], body["net_amount"]) == ("4500.00", "400.00", "4100.00")
    assert (body["retained_amount"], body["payable_amount"]) == ("410.00", "3690.00")
    assert body["submitted_by_name"] == "陈经理" and body["allowed_actions"] == ["approve", "reject"]
    assert [(line["position"], line["step"], line["amount"]) for line in body["lines"]][:3] == [
        (1, "base", "100000.00"),
        (2, "gross", "5000.00"),
        (3, "scorecard", "4500.00"),
    ]
    assert all(line["disputable"] is False for line in body["lines"])  # finance disputes nothing
    rep_view = api_as(rep).get(url(world["rep"])).json()
    assert [line["step"] for line in rep_view["lines"] if line["disputable"]] == [
        "scorecard",
        "shortfall",
        "false_reports",
    ]
    assert rep_view["allowed_actions"] == []


def test_the_list_leaves_the_lines_out(api_as, world, finance):
    row = api_as(finance).get(STATEMENTS, {"period": NEXT}).json()["results"][0]
    assert "lines" not in row and row["payable_amount"] == "3690.00"


# --- no writes but the actions ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "finance", "manager"])
def test_statements_cannot_be_created_changed_or_deleted(api_as, everyone, world, who):
    client = api_as(everyone[who])
    statement = world["rep_peer"]  # approved
    assert client.post(STATEMENTS, {"rep": statement.rep_id, "period": "2031-12"}).status_code == 405
    assert client.patch(url(statement), {"payable_amount": "99999.00"}).status_code == 405
    assert client.put(url(statement), {"payable_amount": "99999.00", "status": "draft"}).status_code == 405
    assert client.delete(url(statement)).status_code == 405
    statement.refresh_from_db()
    assert (statement.status, str(statement.payable_amount)) == ("approved", "3690.00")


# --- actions ---------------------------------------------------------------------------------------


def test_the_whole_life_cycle_through_the_api(api_as, rep, manager, finance):
    statement = make_statement(rep, "2031-03")
    response = api_as(manager).post(url(statement, "submit"), {"comment": "请审批"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted" and response.json()["submitted_by"] == manager.pk
    response = api_as(finance).post(url(statement, "approve"))
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["allowed_actions"] == ["mark-paid"]
    today = timezone.localdate().isoformat()
    response = api_as(finance).post(url(statement, "mark-paid"), {"payment_reference": "BANK-1", "paid_on": today})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["payment_reference"], response.json()["paid_at"]) == (
        "paid",
        "BANK-1",
        today,
    )


def test_reject_needs_a_reason_and_reopen_brings_a_draft_back(api_as, world, finance, manager):
    statement = world["rep"]
    response = api_as(finance).post(url(statement, "reject"), {})
    assert response.status_code == 400 and "reason" in response.json()
    response = api_as(finance).post(url(statement, "reject"), {"reason": "扣款有误"})
    assert response.status_code == 200 and response.json()["rejection_reason"] == "扣款有误"
    assert response.json()["status"] == "rejected"
    response = api_as(manager).post(url(statement, "reopen"))
    assert response.status_code == 200 and response.json()["status"] == "draft"


def test_a_transition_not_allowed_now_is_409_naming_the_state(api_as, world, finance, manager):
    response = api_as(finance).post(url(world["rep_peer"], "approve"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["current_state"] == "approved" and "approved" in response.json()["detail"]
    response = api_as(manager).post(url(world["rep_peer"], "submit"))
    assert response.status_code == 409 and response.json()["current_state"] == "approved"


def test_roles_and_segregation_are_403(api_as, world, rep, manager, admin_user):
    assert api_as(manager).post(url(world["rep"], "approve")).status_code == 403
    assert api_as(rep).post(url(world["rep"], "approve")).status_code == 403
    assert api_as(rep).post(url(world["rep_next"], "submit")).status_code == 403
    mine = make_statement(world["rep"].rep, "2031-02", status=S.SUBMITTED, submitted_by=admin_user)
    response = api_as(admin_user).post(url(mine, "approve"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "submitted" in response.json()["detail"]
    mine.refresh_from_db()
    assert mine.status == "submitted"


def test_the_beneficiary_in_finance_is_refused_403(api_as, manager):
    rep_in_finance = UserFactory(username="rep_fin", roles=[Role.FIELD_REP, Role.FINANCE], manager=manager)
    statement = make_statement(rep_in_finance, status=S.SUBMITTED, submitted_by=manager)
    response = api_as(rep_in_finance).post(url(statement, "approve"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot approve a commission statement you submitted or are paid by."


def test_mark_paid_input_errors_are_400(api_as, world, finance):
    statement = world["rep_peer"]
    response = api_as(finance).post(url(statement, "mark-paid"), {"payment_reference": "B", "paid_on": "07/31/2031"})
    assert response.status_code == 400 and set(response.json()) == {"paid_on"}
    future = "2999-01-01"
    response = api_as(finance).post(url(statement, "mark-paid"), {"payment_reference": "B", "paid_on": future})
    assert response.status_code == 400 and "paid_on" in response.json()
    statement.refresh_from_db()
    assert statement.status == "approved"


# --- query counts ----------------------------------------------------------------------------------


def test_list_query_count_is_pinned(api_as, finance, rep, rep_peer, other_rep, django_assert_num_queries):
    for month in range(1, 4):
        make_statement(rep, f"2031-{month:02d}")
    client = api_as(finance)
    client.get(STATEMENTS)  # warm the session and the content types
    # session, user, roles (groups) · count · page of statements with rep, profile, plan, submitted_by, approved_by
    with django_assert_num_queries(5):
        assert len(client.get(STATEMENTS).json()["results"]) == 3
    for month in range(4, 13):
        make_statement(rep_peer, f"2031-{month:02d}")
        make_statement(other_rep, f"2031-{month:02d}")
    with django_assert_num_queries(5):
        assert len(client.get(STATEMENTS).json()["results"]) == 21


def test_detail_query_count_is_pinned(api_as, world, rep, django_assert_num_queries):
    client = api_as(rep)
    client.get(url(world["rep"]))
    # session, user, roles · the statement with its joins · its lines · their disputes · the lines that
    # carried its negative net forward
    with django_assert_num_queries(7):
        assert client.get(url(world["rep"])).status_code == 200


def test_role_and_state_are_refused_before_missing_input(api_as, world, rep, manager, finance):
    assert api_as(rep).post(url(world["rep"], "reject"), {}).status_code == 403
    response = api_as(finance).post(url(world["rep_peer"], "reject"), {})
    assert response.status_code == 409 and response.json()["current_state"] == "approved"
    assert api_as(manager).post(url(world["rep_peer"], "mark-paid"), {}).status_code == 403
    response = api_as(finance).post(url(world["rep_peer"], "mark-paid"), {})
    assert response.status_code == 400 and set(response.json()) == {"payment_reference", "paid_on"}
