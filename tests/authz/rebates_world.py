"""Rebates in the authorization matrix's world (``tests.authz.world``): a rebate program and a finished run
(reference data), and for each of rep's, rep_peer's and other_rep's dealers a submitted rebate settlement of
2026-Q3 (submitted by the dealer's manager) with its lines and an accrual — other_rep's with the leak amounts,
so a list or a total that leaks it shows LEAK-D1 or 987,654.32.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from rebates.models import RebateAccrual, RebateLine, RebateProgram, RebateRun, RebateSettlement, RebateTier

D = Decimal
PERIOD = "2026-Q3"


def _settlement(objects: dict, program: RebateProgram, manager, net: Decimal) -> dict:
    settlement = RebateSettlement.objects.create(
        dealer=objects["dealer"],
        program=program,
        period=PERIOD,
        status="submitted",
        basis_amount=net * 50,
        target_amount=net * 50,
        attainment=D("100.00"),
        rate=D("2.00"),
        gross_amount=net,
        net_amount=net,
        submitted_by=manager,
        submitted_at=timezone.now(),
    )
    RebateLine.objects.bulk_create(
        [
            RebateLine(settlement=settlement, position=1, step="basis", inputs={"basis": "sell_in"}, amount=net * 50),
            RebateLine(settlement=settlement, position=2, step="net", inputs={}, amount=net),
        ]
    )
    accrual = RebateAccrual.objects.create(
        dealer=objects["dealer"], program=program, month="2026-11", period="2026-Q4", amount=net
    )
    return {"rebate_settlement": settlement, "rebate_accrual": accrual}


def add_rebates(world: dict, people: dict) -> None:
    program = RebateProgram.objects.create(name="AUTHZ-REBATE", conflict_penalty=D("10"))
    RebateTier.objects.create(program=program, from_attainment=D("0"), rate=D("2"))
    for key in ("mine", "peer", "leak"):
        world[key]["agreement"].__class__.objects.filter(pk=world[key]["agreement"].pk).update(rebate_program=program)
    world["mine"] |= _settlement(world["mine"], program, people["manager"], D("100.00"))
    world["peer"] |= _settlement(world["peer"], program, people["manager"], D("200.00"))
    world["leak"] |= _settlement(world["leak"], program, people["other_manager"], D("987654.32"))
    world["reference"] |= {
        "rebate_program": program,
        "rebate_run": RebateRun.objects.create(
            period=PERIOD, started_by=people["finance"], status="done", total=3, done=3
        ),
    }
