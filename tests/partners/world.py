"""A small partner world for the partners tests (import the fixtures you use).

CN ─ EAST ─ SH ─ SH-PD (district) ; EAST ─ JS ─ JS-NJ
   └ SOUTH ─ GD ─ GD-GZ
manager covers EAST, other_manager covers SOUTH; rep/rep_peer report to manager, other_rep to other_manager.
"""

from __future__ import annotations

from datetime import date

import pytest

from partners.models import Agreement, Dealer, ProductLine
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from partners.services.territories import territory_create

FULL_REVIEW = [
    {"criterion": "business_licence", "weight": 20, "score": 100},
    {"criterion": "financial_standing", "weight": 30, "score": 80},
    {"criterion": "sales_network", "weight": 20, "score": 70},
    {"criterion": "warehouse", "weight": 15, "score": 80},
    {"criterion": "references", "weight": 15, "score": 60},
]  # total = 20 + 24 + 14 + 12 + 9 = 79.00


def make_tree() -> dict:
    """The territories of the picture above, by code."""
    t = {}
    t["CN"] = territory_create(code="CN", name="中国")
    t["EAST"] = territory_create(code="EAST", name="华东", parent=t["CN"])
    t["SOUTH"] = territory_create(code="SOUTH", name="华南", parent=t["CN"])
    t["SH"] = territory_create(code="SH", name="上海", parent=t["EAST"])
    t["JS"] = territory_create(code="JS", name="江苏", parent=t["EAST"])
    t["SH-SH"] = territory_create(code="SH-SH", name="上海市", parent=t["SH"])
    t["SH-PD"] = territory_create(code="SH-PD", name="浦东新区", parent=t["SH-SH"])
    t["JS-NJ"] = territory_create(code="JS-NJ", name="南京", parent=t["JS"])
    t["GD"] = territory_create(code="GD", name="广东", parent=t["SOUTH"])
    t["GD-GZ"] = territory_create(code="GD-GZ", name="广州", parent=t["GD"])
    return t


@pytest.fixture
def tree(db):
    return make_tree()


def make_lines() -> dict:
    return {code: ProductLine.objects.create(code=code, name=code) for code in ("kitchen", "water", "hvac")}


@pytest.fixture
def lines(db):
    return make_lines()


@pytest.fixture
def covered(tree, manager, other_manager, rep, rep_peer, other_rep):
    manager.profile.territories.add(tree["EAST"])
    other_manager.profile.territories.add(tree["SOUTH"])
    return tree


def make_dealer(actor, territory, owner, code, name="上海华丰贸易", **fields) -> Dealer:
    return dealer_services.dealer_create(actor=actor, code=code, name=name, territory=territory, owner=owner, **fields)


def qualify(dealer, manager, finance, credit_limit="500000.00") -> Dealer:
    dealer_services.dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
    return dealer_services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit=credit_limit)


def make_agreement(actor, dealer, territory, lines, start, end, exclusive=True, **fields) -> Agreement:
    return agreement_services.agreement_create(
        actor=actor,
        dealer=dealer,
        territory=territory,
        start_date=start,
        end_date=end,
        exclusive=exclusive,
        product_lines=lines,
        **fields,
    )


def signed(actor, agreement) -> Agreement:
    agreement_services.agreement_submit(actor=actor, agreement=agreement)
    return agreement_services.agreement_sign(actor=actor, agreement=agreement)


YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
