"""Stock in the authorization matrix's world (``tests.authz.world``): for each of rep's, rep_peer's and other_rep's
dealers a submitted stock report of 2026-10 (kitchen), submitted by the dealer's rep — other_rep's with the leak
amount, so a list, a chart or a total that leaks it shows LEAK-D1 or 987,654.32.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from inventory.models import StockReport

D = Decimal
PERIOD = "2026-10"


def _report(objects: dict, line, rep, amount: Decimal) -> dict:
    report = StockReport.objects.create(
        dealer=objects["dealer"],
        period=PERIOD,
        product_line=line,
        opening_qty=D("10"),
        received_qty=D("0"),
        sold_qty=D("0"),
        closing_qty=D("10"),
        opening_amount=amount,
        received_amount=D("0"),
        sold_amount=D("0"),
        closing_amount=amount,
        days_of_stock=None,
        slow_moving=True,
        submitted_by=rep,
        submitted_at=timezone.now(),
    )
    return {"stock_report": report}


def add_inventory(world: dict, people: dict, lines: dict) -> None:
    line = lines["kitchen"]
    world["mine"] |= _report(world["mine"], line, people["rep"], D("1000.00"))
    world["peer"] |= _report(world["peer"], line, people["rep_peer"], D("2000.00"))
    world["leak"] |= _report(world["leak"], line, people["other_rep"], D("987654.32"))
