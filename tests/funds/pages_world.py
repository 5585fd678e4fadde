"""A small world for the fund pages' tests: budgets in both teams'
territories, dealers of each team with a deposit, materials with counts.

    manager (EAST) ── rep: MINE-D1 in SH-PD;  rep_peer: PEER-D1 in JS-NJ
    other_manager (SOUTH) ── other_rep: LEAK-D1 in GD-GZ
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone

from funds.models import DepositEntry, FundBudget, FundRequest, Material, MaterialCount, MaterialIssue
from tests.partners.world import make_dealer

D = Decimal
YEAR = 2026


def make_dealers(covered, manager, other_manager, rep, rep_peer, other_rep) -> dict:
    """The tests' ``dealers`` fixture: rep's (mine), rep_peer's (peer) and other_rep's (leak)."""
    return {
        "mine": make_dealer(manager, covered["SH-PD"], rep, "MINE-D1", name="MINE-D1 经销商"),
        "peer": make_dealer(manager, covered["JS-NJ"], rep_peer, "PEER-D1", name="PEER-D1 经销商"),
        "leak": make_dealer(other_manager, covered["GD-GZ"], other_rep, "LEAK-D1", name="LEAK-D1 经销商"),
    }


def budget(territory, amount="100000.00", *, category="promotion", year=YEAR, quarter=None, by=None, ratio="8.00"):
    return FundBudget.objects.create(
        territory=territory,
        category=category,
        year=year,
        quarter=quarter,
        amount=D(amount),
        max_cost_ratio=D(ratio),
        created_by=by,
    )


_numbers = iter(range(1, 100000))


def charged(budget_row, dealer, requested_by, status, approved, settled=None) -> FundRequest:
    """A request charged to ``budget_row`` in ``status`` (approved, claimed or settled), written directly: the
    request workflow is tested in the services' tests; here only the budget's figures matter."""
    return FundRequest.objects.create(
        number=f"FR-{YEAR}-{next(_numbers):05d}",
        dealer=dealer,
        category=budget_row.category,
        title="活动",
        start_date=date(YEAR, 3, 1),
        end_date=date(YEAR, 3, 31),
        requested_amount=D(approved),
        expected_sales=D(approved) * 100,
        requested_by=requested_by,
        status=status,
        budget=budget_row,
        approved_amount=D(approved),
        settled_amount=None if settled is None else D(settled),
    )


def received(dealer, amount, day=None) -> DepositEntry:
    return DepositEntry.objects.create(
        dealer=dealer, kind=DepositEntry.Kind.RECEIVED, amount=D(amount), date=day or date(YEAR, 1, 5)
    )


def material(code="POSTER", name="海报", unit="张", cost="2.50", active=True) -> Material:
    return Material.objects.create(code=code, name=name, unit=unit, unit_cost=D(cost), active=active)


def issued(dealer, item, quantity, day=date(YEAR, 2, 1), by=None) -> MaterialIssue:
    return MaterialIssue.objects.create(dealer=dealer, material=item, quantity=D(quantity), date=day, issued_by=by)


def counted(dealer, item, *, issued_qty, used, count, flagged, day=date(YEAR, 3, 1), by=None) -> MaterialCount:
    variance = D(issued_qty) - D(used) - D(count)
    return MaterialCount.objects.create(
        dealer=dealer,
        material=item,
        date=day,
        counted_quantity=D(count),
        used_quantity=D(used),
        issued_quantity=D(issued_qty),
        variance=variance,
        variance_flagged=flagged,
        counted_by=by,
    )


def today() -> date:
    return timezone.localdate()
