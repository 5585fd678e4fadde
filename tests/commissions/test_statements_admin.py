"""Django admin for statements and disputes: read only. An approved statement posted to its change
form stays as it was; nothing is added or deleted; no bulk actions; the lists' query counts are fixed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commissions.models import Dispute, Statement
from commissions.services.disputes import dispute_open
from tests.commissions.statement_world import PERIOD, STANDARD_AMOUNTS, line_of, make_statement

S = Statement.Status


@pytest.fixture
def approved(rep, manager, finance):
    return make_statement(rep, PERIOD, S.APPROVED, submitted_by=manager, approved_by=finance)


def admin_url(model: str, view: str, *args) -> str:
    return reverse(f"admin:commissions_{model}_{view}", args=args)


def test_the_change_page_shows_the_statement_read_only_with_its_lines(client_as, admin_user, approved):
    response = client_as(admin_user).get(admin_url("statement", "change", approved.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "3690.00" in body and "shortfall line" in body
    assert 'name="payable_amount"' not in body and 'name="status"' not in body and 'name="_save"' not in body
    assert admin_url("statement", "delete", approved.pk) not in body


def test_posting_to_the_change_form_of_an_approved_statement_changes_nothing(client_as, admin_user, approved):
    data = {
        "status": "draft",
        "payable_amount": "99999.00",
        "net_amount": "99999.00",
        "retained_amount": "0.00",
        "payment_reference": "HACK",
        "_save": "Save",
    }
    response = client_as(admin_user).post(admin_url("statement", "change", approved.pk), data)
    assert response.status_code == 403
    approved.refresh_from_db()
    assert approved.status == S.APPROVED and approved.payment_reference == ""
    assert {name: getattr(approved, name) for name in STANDARD_AMOUNTS} == STANDARD_AMOUNTS


def test_statements_cannot_be_added_or_deleted_nor_changed_in_bulk(client_as, admin_user, approved):
    client = client_as(admin_user)
    assert client.get(admin_url("statement", "add")).status_code == 403
    assert client.post(admin_url("statement", "delete", approved.pk), {"post": "yes"}).status_code == 403
    changelist = client.get(admin_url("statement", "changelist"))
    assert changelist.status_code == 200 and 'name="action"' not in changelist.content.decode()
    response = client.post(
        admin_url("statement", "changelist"),
        {"action": "delete_selected", "_selected_action": [approved.pk], "post": "yes"},
    )
    assert Statement.objects.filter(pk=approved.pk, status=S.APPROVED).exists()
    assert response.status_code in (200, 302)


def test_disputes_are_read_only_too(client_as, admin_user, approved, rep):
    dispute = dispute_open(actor=rep, line=line_of(approved, "shortfall"), expected_amount="0", justification="x")
    client = client_as(admin_user)
    assert client.get(admin_url("dispute", "change", dispute.pk)).status_code == 200
    response = client.post(admin_url("dispute", "change", dispute.pk), {"status": "accepted", "answer": "ok"})
    assert response.status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN
    assert client.get(admin_url("dispute", "add")).status_code == 403


def test_admin_lists_have_a_fixed_query_count(
    client_as, admin_user, rep, rep_peer, manager, finance, django_assert_max_num_queries
):
    client = client_as(admin_user)
    statement = make_statement(rep, "2031-01", S.APPROVED, submitted_by=manager, approved_by=finance)
    dispute_open(actor=rep, line=line_of(statement, "shortfall"), expected_amount=Decimal("0"), justification="x")
    with django_assert_max_num_queries(12) as one_statement:
        assert client.get(admin_url("statement", "changelist")).status_code == 200
    with django_assert_max_num_queries(12) as one_dispute:
        assert client.get(admin_url("dispute", "changelist")).status_code == 200
    for month in range(2, 13):
        more = make_statement(rep_peer, f"2031-{month:02d}", S.APPROVED, submitted_by=manager, approved_by=finance)
        dispute_open(actor=rep_peer, line=line_of(more, "scorecard"), expected_amount="1", justification="x")
    with django_assert_max_num_queries(len(one_statement.captured_queries)):
        assert client.get(admin_url("statement", "changelist")).status_code == 200
    with django_assert_max_num_queries(len(one_dispute.captured_queries)):
        assert client.get(admin_url("dispute", "changelist")).status_code == 200
