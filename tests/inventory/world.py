"""The stock tests' world (fixtures registered by the root conftest): the partner tree and dealers of
``tests.funds.base`` (F1, F2 of rep under manager; P1 of rep_peer; O1 of other_rep under other_manager) and
helpers that write a line's report with figures that balance.

    D1 (distributor, SH-PD, rep) ─ T1, T2, T3 (its terminals, SH-PD, rep)
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from channelhub.periods import Month
from inventory.services.reports import report_input, reports_write
from partners.models import Dealer
from tests.partners.world import make_dealer

D = Decimal


def figures(opening, received, sold, adjustment="0", *, price="10", reason=""):
    """A line's figures that balance: quantities as given, amounts at ``price`` each (cost)."""
    o, r, s, a = D(opening), D(received), D(sold), D(adjustment)
    p = D(price)
    values = {
        "opening_qty": o,
        "received_qty": r,
        "sold_qty": s,
        "adjustment_qty": a,
        "closing_qty": o + r - s + a,
        "opening_amount": o * p,
        "received_amount": r * p,
        "sold_amount": s * p,
        "adjustment_amount": a * p,
        "closing_amount": (o + r - s + a) * p,
    }
    if reason:
        values["adjustment_reason"] = reason
    return values


def write(actor, dealer, period, line, values, **kwargs):
    """One report (``reports_write`` with one row); answers the stored report."""
    result = reports_write(actor=actor, rows=[report_input(dealer, Month.parse(period), line, values)], **kwargs)
    return result.reports[0]


def history(actor, dealer, line, months: list[tuple[str, str, str]], *, start="2026-01", price="10"):
    """Consecutive months from ``start``: each ``(received, sold, adjustment)``, opening from the month before."""
    month = Month.parse(start)
    closing = D("0")
    made = []
    for received, sold, adjustment in months:
        values = figures(closing, received, sold, adjustment, price=price, reason="stocktake" if D(adjustment) else "")
        made.append(write(actor, dealer, str(month), line, values))
        closing = values["closing_qty"]
        month = month.next()
    return made


@pytest.fixture
def stock_dealers(covered, manager, rep, other_manager, other_rep):
    made = {
        "D1": make_dealer(manager, covered["SH-PD"], rep, "D1", name="浦东总经销", kind=Dealer.Kind.DISTRIBUTOR),
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
    Dealer.objects.filter(pk__in=[d.pk for d in made.values()]).update(status=Dealer.Status.ACTIVE)
    for dealer in made.values():
        dealer.refresh_from_db()
    return made
