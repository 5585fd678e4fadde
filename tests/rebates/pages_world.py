"""The rebate pages' world (import the fixtures you use): the dealers of ``tests.funds.base`` — F1, F2 of rep and
P1 of rep_peer under manager (EAST), O1 of other_rep under other_manager (SOUTH) — and settlements of the program
"Tiered 2026" (``tests.rebates.world``) written directly (the computation has its own tests), each with a basis line
and a net line.

    2026-Q3: F1 draft (basis 1 040 000.00, net 16 640.00), F2 submitted by manager (basis 500 000.00, net 0.00),
             P1 approved (basis 900 000.00, net 9 000.00), O1 draft (basis 987 654.32, net 9 876.54)
    2026-Q2: F1 paid (basis 800 000.00, net 8 000.00)
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from rebates.models import RebateLine, RebateSettlement

D = Decimal


def settle(dealer, program, period: str, *, basis: str, net: str, status: str = "draft", **fields) -> RebateSettlement:
    """A settlement of ``dealer`` written as a run would, with a basis line and a net line."""
    basis_amount, net_amount = D(basis), D(net)
    settlement = RebateSettlement.objects.create(
        dealer=dealer,
        program=program,
        period=period,
        status=status,
        basis_amount=basis_amount,
        target_amount=D("1000000.00"),
        attainment=(basis_amount / D("10000")).quantize(D("0.01")),
        rate=D("2.00") if net_amount else D("0.00"),
        collection_rate=D("95.00"),
        gross_amount=net_amount,
        net_amount=net_amount,
        computed_at=timezone.now(),
        **fields,
    )
    RebateLine.objects.bulk_create(
        [
            RebateLine(
                settlement=settlement,
                position=1,
                step="basis",
                inputs={"basis": "sell_in", "days": [["2026-07-01", "2026-09-30"]], "lines": []},
                amount=basis_amount,
            ),
            RebateLine(
                settlement=settlement,
                position=2,
                step="net",
                inputs={"gross": net, "penalty": "0.00", "clawback": "0.00"},
                amount=net_amount,
            ),
        ]
    )
    return settlement


@pytest.fixture
def settlements(dealers, program, manager, finance):
    now = timezone.now()
    return {
        "F1": settle(dealers["F1"], program, "2026-Q3", basis="1040000.00", net="16640.00"),
        "F2": settle(
            dealers["F2"],
            program,
            "2026-Q3",
            basis="500000.00",
            net="0.00",
            status="submitted",
            submitted_by=manager,
            submitted_at=now,
        ),
        "P1": settle(
            dealers["P1"],
            program,
            "2026-Q3",
            basis="900000.00",
            net="9000.00",
            status="approved",
            submitted_by=manager,
            submitted_at=now,
            approved_by=finance,
            approved_at=now,
        ),
        "O1": settle(dealers["O1"], program, "2026-Q3", basis="987654.32", net="9876.54"),
        "F1-Q2": settle(
            dealers["F1"],
            program,
            "2026-Q2",
            basis="800000.00",
            net="8000.00",
            status="paid",
            paid_on=timezone.localdate(),
            payment_reference="CN-2026-0007",
            paid_by=finance,
        ),
    }
