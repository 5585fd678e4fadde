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

from funds.models import DepositEntry, FundBudget, FundClaim, FundRequest, Material

D = Decimal


def _request(dealer, who, tag: str, n: int, status: str, amount: Decimal, budget=None) -> FundRequest:
    year = timezone.localdate().year
    charged = status in FundRequest.CHARGED
    return FundRequest.objects.create(
        number=f"FR-{tag}-{n}",
        dealer=dealer,
        category="promotion",
        title=f"{tag}-FUND",
        start_date=date(year, 3, 1),
        end_date=date(year, 3, 31),
        requested_amount=amount,
        expected_sales=amount * 20,
        requested_by=who,
        submitted_by=who,
        submitted_at=timezone.now(),
        status=status,
        budget=budget if charged else None,
        approved_amount=amount if charged else None,
    )


def _funds_of(objects: dict, who, tag: str, amount: Decimal, budget: FundBudget) -> dict:
    dealer = objects["dealer"]
    request = _request(dealer, who, tag, 1, FundRequest.Status.SUBMITTED, amount)
    claimed = _request(dealer, who, tag, 2, FundRequest.Status.CLAIMED, amount, budget)
    claim = FundClaim.objects.create(request=claimed, actual_amount=amount, actual_sales=amount * 10, claimed_by=who)
    DepositEntry.objects.create(dealer=dealer, kind="received", amount=amount * 5, date=date(2026, 1, 2))
    return {"fund_request": request, "fund_claim": claim}


def add_funds(world: dict, people: dict, tree: dict) -> None:
    """Add the funds objects to ``world`` (``mine``, ``peer``, ``leak`` and ``reference``)."""
    year = timezone.localdate().year
    cn = FundBudget.objects.create(
        category="promotion", territory=tree["CN"], year=year, amount=D("50000.00"), max_cost_ratio=D("10.00")
    )
    south = FundBudget.objects.create(
        category="promotion", territory=tree["SOUTH"], year=year, amount=D("999999.99"), max_cost_ratio=D("10.00")
    )
    world["mine"] |= _funds_of(world["mine"], people["rep"], "MINE", D("100.00"), cn)
    world["peer"] |= _funds_of(world["peer"], people["rep_peer"], "PEER", D("200.00"), cn)
    world["leak"] |= _funds_of(world["leak"], people["other_rep"], "LEAK", D("987654.32"), south)
    world["reference"] |= {
        "fund_budget": cn,
        "material": Material.objects.create(code="POSTER", name="海报", unit="张", unit_cost=D("2.00")),
    }
