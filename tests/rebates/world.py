"""The rebates tests' world (fixtures registered by the root conftest): the partner tree and dealers of
``tests.funds.base`` (F1, F2 of rep under manager; P1 of rep_peer; O1 of other_rep under other_manager),
a four-band program and helpers to sign agreements and record facts.

    program "Tiered 2026": bands 0 % → 0 %, 80 % → 1 %, 100 % → 2 %, 120 % → 3 %; 10 % forfeited per flagged
    窜货 sale; quarterly; paid by credit note; all product lines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kpi.services.facts import facts_record
from partners.models import Dealer
from rebates.models import RebateProgram, RebateTier
from tests.partners.world import make_agreement, signed

D = Decimal
BANDS = (("0", "0"), ("80", "1"), ("100", "2"), ("120", "3"))


def make_program(name="Tiered 2026", bands=BANDS, *, lines=(), **fields) -> RebateProgram:
    program = RebateProgram.objects.create(name=name, **{"conflict_penalty": D("10"), **fields})
    RebateTier.objects.bulk_create(RebateTier(program=program, from_attainment=D(a), rate=D(r)) for a, r in bands)
    program.product_lines.set(lines)
    return program


@pytest.fixture
def program(db):
    return make_program()


def sign(
    manager,
    finance,
    dealer,
    territory,
    lines,
    program,
    *,
    start=date(2026, 1, 1),
    end=date(2026, 12, 31),
    target="4000000.00",
    terms=30,
    exclusive=False,
):
    """A signed agreement of ``dealer`` naming ``program`` (annual target 4 000 000.00: 1 000 000.00 a quarter)."""
    Dealer.objects.filter(pk=dealer.pk).update(status=Dealer.Status.ACTIVE)
    agreement = make_agreement(
        manager,
        dealer,
        territory,
        list(lines),
        start,
        end,
        exclusive=exclusive,
        annual_sales_target=D(target),
        rebate_program=program,
        payment_terms_days=terms,
    )
    return signed(manager, agreement)


_counter = {"n": 0}


def record(actor, kind: str, dealer, day: date, amount: str, **fields):
    """One fact of ``kind`` (``sales``, ``collections``) at ``dealer``, under a fresh reference."""
    _counter["n"] += 1
    item = {
        "reference": f"{kind[:3].upper()}-{_counter['n']}",
        "date": day.isoformat(),
        "dealer": dealer.pk,
        "amount": amount,
        **fields,
    }
    return facts_record(actor=actor, kind=kind, items=[item]).created[0]
