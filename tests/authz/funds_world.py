"""The channel funds of the authorization matrix's world (``tests.authz.world``): rep's fund request
(submitted), rep's claim (open, of an approved request), deposits and a material; the same kinds for
rep_peer's and other_rep's dealers, so that a list or a total that leaks them shows PEER-D1 / LEAK-D1 (their
dealers' names) or other_rep's amounts (above 500,000.00).

Budgets: CN's (every manager sees it: it lies above their territories; the detail rows use it) with rep's
approved request charged to it, and SOUTH's (other_rep's requests are charged to it), so that no figure a
manager of EAST sees includes another team's money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from funds.models import DepositEntry, FundBudget, FundRequest, Material

D = Decimal


def _funds_of(objects: dict, who, amount: Decimal, budget: FundBudget) -> dict:
    """The world's own request and claim (``tests.authz.world._fund_objects``) under the API rows' names, the
    claimed request charged to ``budget``, and a received deposit."""
    claim = objects["claim"]
    FundRequest.objects.filter(pk=claim.request_id).update(
        budget=budget, approved_amount=claim.request.requested_amount
    )
    claim.request.refresh_from_db()
    DepositEntry.objects.create(dealer=objects["dealer"], kind="received", amount=amount * 5, date=date(2026, 1, 2))
    return {"fund_claim": claim}


def add_funds(world: dict, people: dict, tree: dict) -> None:
    """Add the funds objects to ``world`` (``mine``, ``peer``, ``leak`` and ``reference``)."""
    year = timezone.localdate().year
    cn = FundBudget.objects.create(
        category="promotion", territory=tree["CN"], year=year, amount=D("45000.00"), max_cost_ratio=D("10.00")
    )
    south = FundBudget.objects.create(
        category="promotion", territory=tree["SOUTH"], year=year, amount=D("999999.99"), max_cost_ratio=D("10.00")
    )
    world["mine"] |= _funds_of(world["mine"], people["rep"], D("100.00"), cn)
    world["peer"] |= _funds_of(world["peer"], people["rep_peer"], D("200.00"), cn)
    world["leak"] |= _funds_of(world["leak"], people["other_rep"], D("987654.32"), south)
    world["reference"] |= {
        "fund_budget": cn,
        "material": Material.objects.create(code="POSTER", name="海报", unit="张", unit_cost=D("2.00")),
    }
