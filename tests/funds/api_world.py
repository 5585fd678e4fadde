"""A small funds world for the API, admin and import tests (import the fixtures a test module uses).

    manager (EAST) ── rep, rep_peer            other_manager (SOUTH) ── other_rep
    finance, admin_user

* ``fw["A"]`` rep's active dealer in SH-PD, ``fw["P"]`` rep_peer's in JS-NJ, ``fw["O"]`` other_rep's in GD-GZ;
* ``fw["budget"]``: EAST's promotion budget for this year, 10,000.00 at a cost ratio of 10 %;
  ``fw["south_budget"]``: SOUTH's, 20,000.00 at 10 %.

``draft(...)``, ``submitted(...)``, ``manager_approved(...)``, ``approved(...)`` and ``claimed(...)`` make a
request of ``fw["A"]`` in that state through the services.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from funds.services import budgets as budget_services
from funds.services import claims as claim_services
from funds.services import requests as request_services
from partners.services.agreements import agreement_confirm_deposit
from tests.partners.world import make_agreement, make_dealer, qualify, signed

D = Decimal


def this_year() -> int:
    return timezone.localdate().year


def in_year(month: int, day: int) -> date:
    return date(this_year(), month, day)


def active_dealer(boss, finance, territory, owner, code, lines, deposit="0.00"):
    """A dealer made active by a signed agreement; its deposit (if any) confirmed received on 2 January."""
    dealer = qualify(make_dealer(boss, territory, owner, code, name=f"基金经销商{code}"), boss, finance)
    agreement = make_agreement(
        boss,
        dealer,
        territory,
        [lines["kitchen"]],
        in_year(1, 1),
        in_year(12, 31),
        exclusive=False,
        deposit_amount=D(deposit),
    )
    signed(boss, agreement)
    if D(deposit) > 0:
        agreement_confirm_deposit(actor=finance, agreement=agreement, received_on=in_year(1, 2))
    dealer.refresh_from_db()
    return dealer


@pytest.fixture
def fw(covered, lines, manager, other_manager, rep, rep_peer, other_rep, finance):
    """The dealers (A has a deposit of 5,000.00 received, O one of 600,000.00) and the budgets."""
    world = {}
    for key, territory, owner, boss, deposit in (
        ("A", "SH-PD", rep, manager, "5000.00"),
        ("P", "JS-NJ", rep_peer, manager, "0.00"),
        ("O", "GD-GZ", other_rep, other_manager, "600000.00"),
    ):
        world[key] = active_dealer(boss, finance, covered[territory], owner, f"F-{key}", lines, deposit)
    year = this_year()
    world["budget"] = budget_services.budget_create(
        actor=finance,
        category="promotion",
        territory=covered["EAST"],
        year=year,
        quarter=None,
        amount=D("10000.00"),
        max_cost_ratio=D("10.00"),
    )
    world["south_budget"] = budget_services.budget_create(
        actor=finance,
        category="promotion",
        territory=covered["SOUTH"],
        year=year,
        quarter=None,
        amount=D("20000.00"),
        max_cost_ratio=D("10.00"),
    )
    return world


def draft(actor, dealer, *, amount="1000.00", sales="20000.00", start=(3, 1), end=(3, 31), **fields):
    fields.setdefault("category", "promotion")
    fields.setdefault("title", "春季促销")
    return request_services.request_create(
        actor=actor,
        dealer=dealer,
        start_date=in_year(*start),
        end_date=in_year(*end),
        requested_amount=D(amount),
        expected_sales=D(sales),
        **fields,
    )


def submitted(actor, dealer, **kwargs):
    return request_services.request_submit(actor=actor, request=draft(actor, dealer, **kwargs))


def manager_approved(actor, dealer, manager, **kwargs):
    return request_services.request_approve(actor=manager, request=submitted(actor, dealer, **kwargs))


def approved(actor, dealer, manager, finance, **kwargs):
    return request_services.request_approve(actor=finance, request=manager_approved(actor, dealer, manager, **kwargs))


def claimed(actor, dealer, manager, finance, *, actual="800.00", **kwargs):
    request = approved(actor, dealer, manager, finance, **kwargs)
    return claim_services.claim_create(
        actor=actor, request=request, actual_amount=D(actual), actual_sales=D("15000.00"), note="完成"
    )
