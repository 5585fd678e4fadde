"""The disputes API (SPEC §8): ``/api/v1/disputes/`` — the rep opens one, the manager accepts or rejects
it, scope per role (hidden lines are unknown), error codes and the list's pinned query count.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

import pytest

from commissions.models import Statement
from commissions.services.disputes import dispute_open
from tests.commissions.statement_world import NEXT, PERIOD, line_of, make_statement

S = Statement.Status
DISPUTES = "/api/v1/disputes/"


def url(dispute, action: str | None = None) -> str:
    return f"{DISPUTES}{dispute.pk}/" + (f"{action}/" if action else "")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def july(rep, manager, finance):
    return make_statement(rep, PERIOD, S.APPROVED, submitted_by=manager, approved_by=finance)


def test_rep_opens_a_dispute_with_money_as_strings(api_as, july, rep):
    line = line_of(july, "shortfall")
    response = api_as(rep).post(
        DISPUTES,
        {"line": line.pk, "expected_amount": "100.00", "justification": "两次拜访已补录", "status": "accepted"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["statement"], body["period"], body["line"], body["step"]) == (july.pk, PERIOD, line.pk, "shortfall")
    assert (body["line_amount"], body["expected_amount"], body["adjustment_amount"]) == ("300.00", "100.00", "200.00")
    assert (body["status"], body["rep"], body["rep_name"], body["allowed_actions"]) == ("open", rep.pk, "张伟", [])


def test_an_open_dispute_has_no_adjustment_statement_and_the_schema_says_it_may_be_null(api_as, july, rep):
    # Schemathesis found it: the schema said an integer, an open dispute answered null.
    dispute = dispute_open(actor=rep, line=line_of(july, "scorecard"), expected_amount="4800", justification="x")
    client = api_as(rep)
    assert client.get(url(dispute)).json()["adjustment_statement"] is None
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["Dispute"]["properties"]["adjustment_statement"]["nullable"] is True


def test_open_errors_400_403_409(api_as, july, rep, rep_peer, manager):
    line = line_of(july, "shortfall")
    client = api_as(rep)
    response = client.post(DISPUTES, {"line": line.pk, "expected_amount": "1.005", "justification": "x"})
    assert response.status_code == 400 and "expected_amount" in response.json()
    response = client.post(DISPUTES, {"line": line_of(july, "net").pk, "expected_amount": "1", "justification": "x"})
    assert response.status_code == 400 and "line" in response.json()
    draft = make_statement(rep, NEXT)
    response = client.post(
        DISPUTES, {"line": line_of(draft, "shortfall").pk, "expected_amount": "1", "justification": "x"}
    )
    assert response.status_code == 409 and response.json()["current_state"] == "draft"
    # the manager sees the line, but only the rep disputes
    response = api_as(manager).post(DISPUTES, {"line": line.pk, "expected_amount": "1", "justification": "x"})
    assert response.status_code == 403
    # another rep does not even see it: an unknown line
    response = api_as(rep_peer).post(DISPUTES, {"line": line.pk, "expected_amount": "1", "justification": "x"})
    assert response.status_code == 400 and "line" in response.json()


def test_manager_accepts_and_the_adjustment_is_reported(api_as, july, rep, manager):
    august = make_statement(rep, NEXT)
    dispute = dispute_open(actor=rep, line=line_of(july, "scorecard"), expected_amount="4800", justification="x")
    assert api_as(manager).get(url(dispute)).json()["allowed_actions"] == ["accept", "reject"]
    response = api_as(manager).post(url(dispute, "accept"), {"answer": "同意"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["answer"], body["answered_by"]) == ("accepted", "同意", manager.pk)
    assert body["adjustment_statement"] == august.pk and body["adjustment_line"] is not None
    response = api_as(manager).post(url(dispute, "reject"), {"answer": "改判"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and response.json()["current_state"] == "accepted"


def test_reject_needs_an_answer_and_others_may_not_answer(api_as, july, rep, manager, finance, other_manager):
    dispute = dispute_open(actor=rep, line=line_of(july, "scorecard"), expected_amount="4800", justification="x")
    assert api_as(manager).post(url(dispute, "reject"), {}).status_code == 400
    assert api_as(finance).post(url(dispute, "reject"), {"answer": "no"}).status_code == 403
    assert api_as(rep).post(url(dispute, "accept")).status_code == 403
    assert api_as(other_manager).post(url(dispute, "accept")).status_code == 404  # not in their scope
    response = api_as(manager).post(url(dispute, "reject"), {"answer": "记分卡正确"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("rep", True),
        ("manager", True),
        ("finance", True),
        ("admin", True),
        ("rep_peer", False),
        ("other_manager", False),
    ],
)
def test_scope_of_disputes(api_as, everyone, july, rep, who, visible):
    dispute = dispute_open(actor=rep, line=line_of(july, "scorecard"), expected_amount="4800", justification="x")
    client = api_as(everyone[who])
    assert ids(client.get(DISPUTES)) == ({dispute.pk} if visible else set())
    assert client.get(url(dispute)).status_code == (200 if visible else 404)


def test_filters_statement_status_period(api_as, july, rep, manager):
    first = dispute_open(actor=rep, line=line_of(july, "scorecard"), expected_amount="4800", justification="x")
    other_month = make_statement(rep, "2031-05", S.SUBMITTED, submitted_by=manager)
    second = dispute_open(actor=rep, line=line_of(other_month, "shortfall"), expected_amount="0", justification="y")
    client = api_as(manager)
    assert ids(client.get(DISPUTES, {"statement": july.pk})) == {first.pk}
    assert ids(client.get(DISPUTES, {"period": "2031-05"})) == {second.pk}
    assert ids(client.get(DISPUTES, {"status": "open", "rep": rep.pk})) == {first.pk, second.pk}
    assert ids(client.get(DISPUTES, {"status": "accepted"})) == set()


def test_list_query_count_is_pinned(api_as, rep, manager, finance, django_assert_num_queries):
    for month in range(1, 4):
        statement = make_statement(rep, f"2031-{month:02d}", S.APPROVED, submitted_by=manager, approved_by=finance)
        dispute_open(actor=rep, line=line_of(statement, "shortfall"), expected_amount="0", justification="x")
    client = api_as(manager)
    client.get(DISPUTES)
    # session, user, roles · count · page of disputes with rep, profile, line, statement, answerer, adjustment
    with django_assert_num_queries(5):
        assert len(client.get(DISPUTES).json()["results"]) == 3
    for month in range(4, 13):
        statement = make_statement(rep, f"2031-{month:02d}", S.APPROVED, submitted_by=manager, approved_by=finance)
        dispute_open(actor=rep, line=line_of(statement, "scorecard"), expected_amount="1", justification="x")
    with django_assert_num_queries(5):
        assert len(client.get(DISPUTES).json()["results"]) == 12
