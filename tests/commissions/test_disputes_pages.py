"""Dispute pages: the form on each disputable line of the rep's statement, opening one, the manager's
accept and reject pages, the disputes list per role, and its query count.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissions.models import Dispute, Statement
from commissions.services.disputes import dispute_accept, dispute_open
from tests.commissions.statement_world import NEXT, PERIOD, line_of, make_statement

S = Statement.Status


@pytest.fixture
def july(rep, manager, finance):
    return make_statement(rep, PERIOD, S.APPROVED, submitted_by=manager, approved_by=finance)


def detail(statement) -> str:
    return reverse("commissions:statement-detail", args=[statement.pk])


def create_url(line) -> str:
    return reverse("commissions:dispute-create", args=[line.pk])


def test_the_rep_gets_a_dispute_form_on_each_disputable_line_only(page_as, july, rep, manager):
    body = page_as(rep).get(detail(july)).content.decode()
    forms = {
        step
        for step in ("base", "gross", "scorecard", "shortfall", "false_reports", "net", "retained", "payable")
        if create_url(line_of(july, step)) in body
    }
    assert forms == {"scorecard", "shortfall", "false_reports"}
    assert 'data-testid="dispute-form"' not in page_as(manager).get(detail(july)).content.decode()
    draft = make_statement(rep, NEXT)
    assert 'data-testid="dispute-form"' not in page_as(rep).get(detail(draft)).content.decode()


def test_the_rep_opens_a_dispute_from_the_statement_page(page_as, july, rep):
    line = line_of(july, "shortfall")
    response = page_as(rep).post(create_url(line), {"expected_amount": "100.00", "justification": "已补录两次拜访"})
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{detail(july)}#dispute-{dispute.pk}"
    assert (dispute.line, dispute.expected_amount) == (line, Decimal("100.00"))
    body = page_as(rep).get(detail(july)).content.decode()
    assert f'id="dispute-{dispute.pk}"' in body and "已补录两次拜访" in body
    assert create_url(line) not in body  # one open dispute per line: no form any more


def test_a_bad_dispute_shows_the_errors_and_changes_nothing(page_as, july, rep):
    line = line_of(july, "shortfall")
    response = page_as(rep).post(create_url(line), {"expected_amount": "300.00", "justification": "x"})
    assert response.status_code == 200 and "enter the amount you expected instead" in response.content.decode()
    response = page_as(rep).post(create_url(line), {"expected_amount": "", "justification": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Dispute.objects.exists()


def test_others_may_not_open_disputes(page_as, july, manager, rep_peer, finance):
    line = line_of(july, "shortfall")
    assert page_as(manager).get(create_url(line)).status_code == 403
    assert page_as(finance).post(create_url(line), {"expected_amount": "1", "justification": "x"}).status_code == 403
    assert page_as(rep_peer).get(create_url(line)).status_code == 404
    assert page_as(july.rep).get(create_url(line_of(july, "net"))).status_code == 403


def test_manager_accepts_and_the_draft_shows_the_adjustment(page_as, july, rep, manager):
    august = make_statement(rep, NEXT)
    dispute = dispute_open(actor=rep, line=line_of(july, "scorecard"), expected_amount="4800", justification="x")
    client = page_as(manager)
    body = client.get(detail(july)).content.decode()
    accept = reverse("commissions:dispute-accept", args=[dispute.pk])
    assert accept in body and reverse("commissions:dispute-reject", args=[dispute.pk]) in body
    assert client.get(accept).status_code == 200
    response = client.post(accept, {"answer": ""})
    assert response.status_code == 302 and response["Location"] == f"{detail(july)}#dispute-{dispute.pk}"
    dispute.refresh_from_db()
    assert dispute.status == "accepted" and dispute.adjustment_line.statement == august
    body = client.get(detail(july)).content.decode()
    assert 'data-testid="dispute-settlement"' in body and detail(august) in body and "300.00" in body
    august_body = page_as(rep).get(detail(august)).content.decode()
    assert 'data-figure="payable">¥3,960.00<' in august_body and 'data-testid="adjustment-source"' in august_body


def test_manager_rejects_with_a_required_answer(page_as, july, rep, manager):
    dispute = dispute_open(actor=rep, line=line_of(july, "shortfall"), expected_amount="0", justification="x")
    reject = reverse("commissions:dispute-reject", args=[dispute.pk])
    client = page_as(manager)
    assert client.post(reject, {"answer": ""}).status_code == 200
    assert client.post(reject, {"answer": "缺访属实"}).status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.answer) == ("rejected", "缺访属实")
    assert "缺访属实" in page_as(rep).get(detail(july)).content.decode()


def test_answer_pages_refuse_others(page_as, july, rep, finance, other_manager, manager):
    dispute = dispute_open(actor=rep, line=line_of(july, "shortfall"), expected_amount="0", justification="x")
    accept = reverse("commissions:dispute-accept", args=[dispute.pk])
    assert page_as(rep).get(accept).status_code == 403
    assert page_as(finance).post(accept, {"answer": ""}).status_code == 403
    assert page_as(other_manager).get(accept).status_code == 404
    dispute_accept(actor=manager, dispute=dispute)
    response = page_as(manager).get(accept)  # answered already: a message, back to the statement
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("who", "visible"),
    [("rep", True), ("manager", True), ("finance", True), ("rep_peer", False), ("other_manager", False)],
)
def test_dispute_list_per_role(page_as, everyone, july, rep, who, visible):
    dispute = dispute_open(actor=rep, line=line_of(july, "shortfall"), expected_amount="0", justification="x")
    body = page_as(everyone[who]).get(reverse("commissions:dispute-list")).content.decode()
    assert (f'data-dispute="{dispute.pk}"' in body) is visible
    answer_link = reverse("commissions:dispute-accept", args=[dispute.pk]) in body
    assert answer_link is (who == "manager")


def test_dispute_list_query_count_does_not_grow(page_as, rep, manager, finance, django_assert_max_num_queries):
    statement = make_statement(rep, "2031-01", S.APPROVED, submitted_by=manager, approved_by=finance)
    dispute_open(actor=rep, line=line_of(statement, "shortfall"), expected_amount="0", justification="x")
    client = page_as(manager)
    # session, user, roles · count · the page of disputes with rep, profile, line, statement, answerer,
    # adjustment · the bell's count · the rep filter's choices = 7; two spare for the navigation
    with django_assert_max_num_queries(9) as one:
        assert client.get(reverse("commissions:dispute-list")).status_code == 200
    for month in range(2, 13):
        statement = make_statement(rep, f"2031-{month:02d}", S.APPROVED, submitted_by=manager, approved_by=finance)
        for step in ("shortfall", "scorecard"):
            dispute_open(actor=rep, line=line_of(statement, step), expected_amount="1", justification="x")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("commissions:dispute-list")).status_code == 200
