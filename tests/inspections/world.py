"""The inspection tests' world (fixtures registered by the root conftest).

    manager (EAST) ── rep, rep_peer; other_manager (SOUTH) ── other_rep; inspector (EAST, group ``inspector``)

    D1 (distributor, SH-PD, rep; signed agreement: kitchen ≥ 100.00) ─ T1, T2, T3 (terminals, SH-PD, rep)
    P1 (dealer, SH-PD, rep_peer)      X1 (distributor, GD-GZ, other_rep) ─ XT (terminal)

Templates: the three shipped ones; ``price_template`` is the shipped 价格与窜货 with a price item for kitchen
(weights: price tags 20, no goods from other territories 40 (critical, photo), no unauthorised promotion 20,
kitchen price 20).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from channelhub.roles import Role
from inspections.models import ChecklistItem, ChecklistTemplate
from inspections.texts import PRICE_ITEM_TEXT, ensure_shipped_templates
from partners.models import Agreement, Dealer
from tests.factories import UserFactory
from tests.partners.world import make_dealer

D = Decimal


@pytest.fixture
def inspector(covered):
    user = UserFactory(username="inspector_e", name="周巡检", roles=[Role.INSPECTOR])
    user.profile.territories.add(covered["EAST"])
    return user


def signed_agreement(dealer, territory, lines, **min_prices) -> Agreement:
    agreement = Agreement.objects.create(
        dealer=dealer,
        territory=territory,
        start_date=date(2020, 1, 1),
        end_date=date(2099, 12, 31),
        status=Agreement.Status.SIGNED,
        signed_at=timezone.now(),
        min_prices={code: str(price) for code, price in min_prices.items()},
    )
    agreement.product_lines.set(lines)
    return agreement


@pytest.fixture
def insp_dealers(covered, lines, manager, rep, rep_peer, other_manager, other_rep):
    made = {
        "D1": make_dealer(manager, covered["SH-PD"], rep, "D1", name="浦东总经销", kind=Dealer.Kind.DISTRIBUTOR),
        "P1": make_dealer(manager, covered["SH-PD"], rep_peer, "P1", name="浦东同事店"),
        "X1": make_dealer(
            other_manager, covered["GD-GZ"], other_rep, "X1", name="广州总经销", kind=Dealer.Kind.DISTRIBUTOR
        ),
    }
    for code in ("T1", "T2", "T3"):
        made[code] = make_dealer(
            manager,
            covered["SH-PD"],
            rep,
            code,
            name=f"终端{code}",
            kind=Dealer.Kind.RETAIL_TERMINAL,
            parent=made["D1"],
        )
    made["XT"] = make_dealer(
        other_manager,
        covered["GD-GZ"],
        other_rep,
        "XT",
        name="广州终端",
        kind=Dealer.Kind.RETAIL_TERMINAL,
        parent=made["X1"],
    )
    Dealer.objects.filter(pk__in=[d.pk for d in made.values()]).update(status=Dealer.Status.ACTIVE)
    for dealer in made.values():
        dealer.refresh_from_db()
    signed_agreement(made["D1"], covered["SH-PD"], [lines["kitchen"]], kitchen="100.00")
    return made


@pytest.fixture
def templates(db):
    ensure_shipped_templates()  # a live-server test before this one flushed the database
    return {template.code: template for template in ChecklistTemplate.objects.all()}


@pytest.fixture
def price_template(templates, lines):
    template = templates["price"]
    weights = {"price_tags": "20", "no_cross_goods": "40", "no_promo": "20"}
    for item in template.items.all():
        item.weight = D(weights[item.code])
        item.save()
    ChecklistItem.objects.create(
        template=template,
        code="price_kitchen",
        text=PRICE_ITEM_TEXT,
        kind=ChecklistItem.Kind.PRICE,
        product_line=lines["kitchen"],
        weight=D("20"),
        position=100,
    )
    return template
