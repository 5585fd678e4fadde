"""The funds tests' world (import the fixtures you use): the partner tree of ``tests.partners.world``,
active dealers, a second finance user, and helpers that take a request through its life cycle.

    CN ─ EAST ─ SH ─ SH-SH ─ SH-PD   (dealers F1, F2 of rep; manager covers EAST)
       │      └ JS ─ JS-NJ           (dealer P1 of rep_peer)
       └ SOUTH ─ GD ─ GD-GZ          (dealer O1 of other_rep; other_manager covers SOUTH)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from channelhub.roles import Role
from funds.models import FundBudget
from funds.services.budgets import budget_create
from funds.services.claims import claim_create
from funds.services.requests import request_approve, request_create, request_submit
from partners.models import Dealer
from tests.factories import UserFactory
from tests.partners.world import make_dealer

D = Decimal


@pytest.fixture
def finance_b(db):
    return UserFactory(username="finance_b", name="钱会计", roles=[Role.FINANCE])


@pytest.fixture
def dealers(covered, manager, other_manager, rep, rep_peer, other_rep):
    made = {
        "F1": make_dealer(manager, covered["SH-PD"], rep, "F1", name="浦东华丰"),
        "F2": make_dealer(manager, covered["SH-PD"], rep, "F2", name="浦东兴业"),
        "P1": make_dealer(manager, covered["JS-NJ"], rep_peer, "P1", name="南京广源"),
        "O1": make_dealer(other_manager, covered["GD-GZ"], other_rep, "O1", name="广州信达"),
    }
    Dealer.objects.filter(pk__in=[dealer.pk for dealer in made.values()]).update(status=Dealer.Status.ACTIVE)
    for dealer in made.values():
        dealer.refresh_from_db()
    return made


def budget(actor, territory, amount, *, category="promotion", year=2026, quarter=None, ratio="8.00") -> FundBudget:
    return budget_create(
        actor=actor,
        territory=territory,
        category=category,
        year=year,
        quarter=quarter,
        amount=D(amount),
        max_cost_ratio=D(ratio),
    )


def draft(actor, dealer, amount, *, sales="600000.00", start=date(2026, 12, 10), end=None, category="promotion"):
    return request_create(
        actor=actor,
        dealer=dealer,
        category=category,
        title="年末促销",
        start_date=start,
        end_date=end or start,
        requested_amount=D(amount),
        expected_sales=D(sales),
    )


def approved(requester, manager_approver, finance_approver, dealer, amount, **fields):
    """A request of ``amount`` taken through submission and both approvals."""
    request = draft(requester, dealer, amount, **fields)
    request_submit(actor=requester, request=request)
    request_approve(actor=manager_approver, request=request)
    return request_approve(actor=finance_approver, request=request)


def claimed(request, actor, amount, sales="0.00"):
    return claim_create(actor=actor, request=request, actual_amount=D(amount), actual_sales=D(sales))
