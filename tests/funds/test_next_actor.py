"""The next actor is told (STYLE): each step of a request, claim and deposit refund notifies whoever acts
next and shows in their dashboard's to-do counts; whoever caused it is not told."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from channelhub.notifications.models import Notification
from channelhub.roles import Role
from channelhub.todos import todos_for
from funds.services.claims import claim_check, claim_settle
from funds.services.requests import request_approve, request_reject, request_submit
from tests.funds.base import budget, claimed, draft

D = Decimal


def told(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def counts(user, role) -> dict[str, int]:
    return {todo["key"]: todo["count"] for todo in todos_for(user, role) if todo["key"].startswith(("fund", "deposit"))}


@pytest.fixture
def q4(covered, finance):
    return budget(finance, covered["SH"], "600000.00", quarter=4)


def test_each_step_tells_the_next_actor_and_counts_in_their_todos(
    q4, dealers, rep, manager, other_manager, finance, finance_b, monkeypatch
):
    request = draft(rep, dealers["F1"], "30000.00", start=timezone.localdate())
    request_submit(actor=rep, request=request)
    assert told(manager) == ["fund_request.submitted"] and told(other_manager) == []
    assert counts(manager, Role.CHANNEL_MANAGER) == {"fund-requests-to-approve": 1, "fund-claims-to-check": 0}
    request_approve(actor=manager, request=request)
    assert told(finance) == told(finance_b) == ["fund_request.manager_approved"]
    assert counts(finance, Role.FINANCE)["fund-requests-finance"] == 1
    assert counts(manager, Role.CHANNEL_MANAGER)["fund-requests-to-approve"] == 0
    request_approve(actor=finance, request=request)
    assert told(rep) == ["fund_request.approved"]
    assert counts(rep, Role.FIELD_REP) == {"fund-requests-to-claim": 1}
    claim = claimed(request, rep, "27500.00")
    assert counts(rep, Role.FIELD_REP) == {"fund-requests-to-claim": 0}
    assert "fund_claim.claimed" in told(manager)
    assert counts(manager, Role.CHANNEL_MANAGER)["fund-claims-to-check"] == 1
    monkeypatch.setattr("funds.services.claims.missing_evidence", lambda claim: [])
    claim_check(actor=manager, claim=claim, met=True)
    assert told(finance_b).count("fund_claim.checked") == 1
    assert counts(finance_b, Role.FINANCE)["fund-claims-to-settle"] == 1
    claim_settle(actor=finance_b, claim=claim)
    assert "fund_claim.settled" in told(rep)
    assert "fund_claim.settled" not in told(finance_b)
    assert counts(finance, Role.FINANCE) == {
        "fund-requests-finance": 0,
        "fund-claims-to-settle": 0,
        "deposit-refunds-to-decide": 0,
    }


def test_a_rejection_tells_the_requester_with_the_reason_in_their_words(q4, dealers, rep, manager):
    request = draft(rep, dealers["F1"], "30000.00")
    request_submit(actor=rep, request=request)
    request_reject(actor=manager, request=request, reason="活动方案不完整")
    (notification,) = Notification.objects.filter(recipient=rep)
    with translation.override("en"):
        assert notification.title_text == f"Fund request {request.number} was rejected"
    assert notification.body_text == "活动方案不完整"
    with translation.override("zh-hans"):
        assert request.number in notification.title_text
