"""The rebate API tests' world: the dealers of ``tests.funds.base`` with signed 2026 agreements naming the program
of ``tests.rebates.world`` (bands 0 % → 0 %, 80 % → 1 %, 100 % → 2 %, 120 % → 3 %; a quarter's target
1 000 000.00), and their sales of 2026-Q3, each figure worked out by hand:

    F1 (rep, SH-PD)          1 040 000.00 → 104 % → 2 % → 20 800.00
    F2 (rep, SH-PD)            500 000.00 →  50 % → 0 % →      0.00
    P1 (rep_peer, JS-NJ)       850 000.00 →  85 % → 1 % →  8 500.00
    O1 (other_rep, GD-GZ)    1 300 000.00 → 130 % → 3 % → 39 000.00

manager covers EAST (F1, F2, P1), other_manager SOUTH (O1). ``build(...)`` answers ``{"dealers", "program"}``;
each test module makes it a fixture (``rw``) of the fixtures it needs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rebates.models import RebateSettlement
from tests.rebates.world import record, sign

D = Decimal
Q3 = "2026-Q3"
NET = {"F1": D("20800.00"), "F2": D("0.00"), "P1": D("8500.00"), "O1": D("39000.00")}
SALES = {"F1": "1040000.00", "F2": "500000.00", "P1": "850000.00", "O1": "1300000.00"}


def build(*, dealers, covered, lines, manager, other_manager, finance, program) -> dict:
    territories = {"F1": "SH-PD", "F2": "SH-PD", "P1": "JS-NJ", "O1": "GD-GZ"}
    for code, territory in territories.items():
        boss = other_manager if code == "O1" else manager
        sign(boss, finance, dealers[code], covered[territory], [lines["kitchen"]], program)
        record(finance, "sales", dealers[code], date(2026, 8, 10), SALES[code], category="kitchen")
    return {"dealers": dealers, "program": program}


def settlement_of(dealer, period: str = Q3) -> RebateSettlement:
    return RebateSettlement.objects.get(dealer=dealer, period=period)
