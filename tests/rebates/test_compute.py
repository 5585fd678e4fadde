"""The rebate computation (SPEC §15) with figures computed by hand and written out.

Unless a test says otherwise: dealer F1 (territory SH-PD) signed an agreement for 2026 over SH-PD with an annual
sales target of 4 000 000.00, so a quarter's target is 4 000 000.00 × ¼ = 1 000 000.00; the program's bands are
0 % → 0 %, 80 % → 1 %, 100 % → 2 %, 120 % → 3 %, with 10 % forfeited per flagged 窜货 sale.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rebates.models import RebateSettlement
from rebates.periods import RebatePeriod
from rebates.services.compute import compute_many
from tests.rebates.world import make_program, record, sign

D = Decimal
Q3 = RebatePeriod.parse("2026-Q3")
Q4 = RebatePeriod.parse("2026-Q4")


@pytest.fixture
def f1(dealers, covered, lines, manager, finance, program):
    sign(manager, finance, dealers["F1"], covered["SH-PD"], [lines["kitchen"], lines["water"]], program)
    return dealers["F1"]


def only(computations):
    (computation,) = computations
    return computation


def test_104_percent_with_two_flagged_sales_under_a_10_percent_penalty(f1, finance, lines):
    # basis: 600 000.00 + 440 000.00 = 1 040 000.00 (the two sales shipped to Guangzhou are flagged and left out)
    record(finance, "sales", f1, date(2026, 7, 10), "600000.00", category="kitchen")
    record(finance, "sales", f1, date(2026, 9, 30), "440000.00", category="water")
    record(finance, "sales", f1, date(2026, 8, 1), "30000.00", category="kitchen", ship_to="GD-GZ")
    record(finance, "sales", f1, date(2026, 8, 2), "25000.00", category="kitchen", ship_to="GD-GZ")
    record(finance, "sales", f1, date(2026, 6, 30), "99999.00")  # Q2: not in the basis
    result = only(compute_many([f1.pk], Q3))
    # attainment 1 040 000.00 ÷ 1 000 000.00 = 104 % → band 100 % → 2 %
    # gross 1 040 000.00 × 2 % = 20 800.00; penalty 2 × 10 % = 20 % → 4 160.00; net 16 640.00
    assert result.basis_amount == D("1040000.00")
    assert result.target_amount == D("1000000.00")
    assert result.attainment == D("104.00")
    assert result.rate == D("2.00")
    assert result.gross_amount == D("20800.00")
    assert result.conflict_count == 2
    assert result.penalty_amount == D("4160.00")
    assert result.clawback_amount == D("0.00")
    assert result.net_amount == D("16640.00")
    steps = [(line.step, line.amount) for line in result.lines]
    assert steps == [
        ("basis", D("1040000.00")),
        ("target", D("1000000.00")),
        ("attainment", None),
        ("gross", D("20800.00")),
        ("penalty", D("-4160.00")),
        ("net", D("16640.00")),
    ]
    assert result.lines[0].inputs["excluded_conflicts"] == "55000.00"


@pytest.mark.parametrize(
    ("amount", "attainment", "rate", "gross"),
    [
        ("1000000.00", "100.00", "2.00", "20000.00"),  # exactly at the edge: the 2 % band
        ("999999.99", "100.00", "1.00", "10000.00"),  # 99.999999 % (shown 100.00): still the 1 % band
        ("800000.00", "80.00", "1.00", "8000.00"),
        ("799999.99", "80.00", "0.00", "0.00"),
        ("1200000.00", "120.00", "3.00", "36000.00"),
    ],
)
def test_band_edges_compare_the_exact_attainment(f1, finance, amount, attainment, rate, gross):
    record(finance, "sales", f1, date(2026, 8, 15), amount)
    result = only(compute_many([f1.pk], Q3))
    assert (result.attainment, result.rate, result.gross_amount) == (D(attainment), D(rate), D(gross))


def test_an_agreement_starting_mid_quarter_prorates_its_target_by_days(
    dealers, covered, lines, manager, finance, program
):
    dealer = dealers["F2"]
    sign(manager, finance, dealer, covered["SH-PD"], [lines["kitchen"]], program, start=date(2026, 8, 16))
    record(finance, "sales", dealer, date(2026, 8, 15), "300000.00")  # the day before: not covered
    record(finance, "sales", dealer, date(2026, 8, 16), "275000.00")
    result = only(compute_many([dealer.pk], Q3))
    # Q3 has 92 days, the agreement 46 of them (16–31 August: 16, September: 30)
    # target 4 000 000.00 × ¼ × 46/92 = 500 000.00; attainment 275 000.00 ÷ 500 000.00 = 55 % → 0 %
    assert result.target_amount == D("500000.00")
    assert result.basis_amount == D("275000.00")
    assert result.attainment == D("55.00") and result.rate == D("0.00")
    assert result.lines[1].inputs["agreements"][0]["days"] == 46


@pytest.mark.parametrize(("collected", "gross"), [("900000.00", "20000.00"), ("899999.99", "0.00")])
def test_the_collection_gate_at_and_below(dealers, covered, lines, manager, finance, collected, gross):
    program = make_program("Gated", min_collection_rate=D("90"))
    dealer = dealers["F1"]
    sign(manager, finance, dealer, covered["SH-PD"], [lines["kitchen"]], program)
    record(finance, "sales", dealer, date(2026, 7, 1), "1000000.00")
    record(finance, "collections", dealer, date(2026, 9, 1), collected)
    result = only(compute_many([dealer.pk], Q3))
    # 900 000.00 ÷ 1 000 000.00 = 90 %: met, 20 000.00 paid; 89.999999 %: below, nothing
    assert result.gross_amount == D(gross) and result.net_amount == D(gross)
    gate = next(line for line in result.lines if line.step == "gate")
    assert gate.inputs["decision"] == ("met" if gross != "0.00" else "below")


@pytest.mark.parametrize(
    ("conflicts", "penalty", "net"),
    [(0, "0.00", "20000.00"), (1, "2000.00", "18000.00"), (11, "20000.00", "0.00")],
)
def test_the_conflict_penalty_is_per_flagged_sale_and_capped_at_100(f1, finance, conflicts, penalty, net):
    record(finance, "sales", f1, date(2026, 7, 1), "1000000.00")
    for n in range(conflicts):
        record(finance, "sales", f1, date(2026, 7, 2 + n), "100.00", ship_to="GD-GZ")
    result = only(compute_many([f1.pk], Q3))
    # gross 1 000 000.00 × 2 % = 20 000.00; 1 × 10 % = 2 000.00; 11 × 10 % = 110 % → capped at 100 %
    assert (result.conflict_count, result.penalty_amount, result.net_amount) == (conflicts, D(penalty), D(net))


def test_a_credit_note_after_a_settled_quarter_claws_back_at_the_rate_it_paid(f1, finance, manager):
    record(finance, "sales", f1, date(2026, 7, 10), "1040000.00")
    record(finance, "sales", f1, date(2026, 8, 1), "100.00", ship_to="GD-GZ")
    record(finance, "sales", f1, date(2026, 8, 2), "100.00", ship_to="GD-GZ")
    q3 = only(compute_many([f1.pk], Q3))
    settled = RebateSettlement.objects.create(
        dealer=f1, program_id=q3.program_id, period="2026-Q3", status="approved", **q3.amounts()
    )
    assert (settled.basis_amount, settled.net_amount) == (D("1040000.00"), D("16640.00"))
    record(finance, "sales", f1, date(2026, 10, 5), "-52000.00")  # goods of Q3 come back in October
    record(finance, "sales", f1, date(2026, 11, 5), "900000.00")
    q4 = only(compute_many([f1.pk], Q4))
    # Q4 basis: the credit note leaves it, 900 000.00 → 90 % → 1 % → 9 000.00
    # claw-back: 52 000.00 × (16 640.00 ÷ 1 040 000.00 = 1.6 %) = 832.00; net 9 000.00 − 832.00 = 8 168.00
    assert q4.basis_amount == D("900000.00")
    assert q4.gross_amount == D("9000.00")
    assert q4.clawback_amount == D("-832.00")
    assert q4.net_amount == D("8168.00")
    clawback = next(line for line in q4.lines if line.step == "clawback")
    assert clawback.clawed_from == settled.pk and clawback.amount == D("-832.00")


def test_without_a_settled_quarter_a_credit_note_reduces_its_own_quarter(f1, finance):
    record(finance, "sales", f1, date(2026, 10, 5), "-52000.00")
    record(finance, "sales", f1, date(2026, 11, 5), "900000.00")
    q4 = only(compute_many([f1.pk], Q4))
    # 900 000.00 − 52 000.00 = 848 000.00 → 84.8 % → 1 % = 8 480.00, nothing clawed back
    assert (q4.basis_amount, q4.gross_amount, q4.clawback_amount) == (D("848000.00"), D("8480.00"), D("0.00"))


def test_the_program_lines_filter_the_basis(dealers, covered, lines, manager, finance):
    program = make_program("Kitchen only", lines=[lines["kitchen"]])
    dealer = dealers["F1"]
    sign(manager, finance, dealer, covered["SH-PD"], [lines["kitchen"], lines["water"]], program)
    record(finance, "sales", dealer, date(2026, 7, 1), "700000.00", category="kitchen")
    record(finance, "sales", dealer, date(2026, 7, 2), "500000.00", category="water")
    result = only(compute_many([dealer.pk], Q3))
    # only kitchen counts: 700 000.00 → 70 % → 0 %
    assert (result.basis_amount, result.rate) == (D("700000.00"), D("0.00"))
