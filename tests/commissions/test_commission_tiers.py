"""Commission steps 2 and 8 (SPEC §6): tiers on the month's total — marginal like tax brackets, flat at
the rate of the band the base falls in — at and across the band edges, a negative base (claw-back),
and rounding half up at each line. The month's figures are given (``Figures``), so only the
arithmetic is under test; every figure is worked out by hand in the comments."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.utils import translation

from channelhub.periods import Month
from commissions.models import StatementLine
from commissions.services.commission import Figures, apply_tiers, compute
from commissions.services.plans import plan_create

D = Decimal
JULY = Month(2026, 7)
Step = StatementLine.Step
_names = itertools.count(1)

#: 0 → 2 %, 50,000.00 → 3 %, 100,000.00 → 4 %
THREE_BANDS = (("0.00", "2.00"), ("50000.00", "3.00"), ("100000.00", "4.00"))


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def plan(mode="marginal", tiers=THREE_BANDS, **fields):
    """A plan with only tiers: no gate, no scorecard, no deductions, no retention (unless given)."""
    fields = {"false_report_deduction": D(0), "fabricated_deduction": D(0), **fields}
    return plan_create(
        name=f"Plan {next(_names)}",
        tier_mode=mode,
        tiers=[{"from_amount": start, "rate": rate} for start, rate in tiers],
        **fields,
    )


def gross(the_plan, net_sales: str, **figures) -> Decimal:
    return run(the_plan, net_sales, **figures).gross_amount


def run(the_plan, net_sales: str, **figures):
    return compute(1, JULY, the_plan, figures=Figures(rep_id=1, period="2026-07", net_sales=D(net_sales), **figures))


# --- marginal: each band's part at its own rate ------------------------------------------------------


@pytest.mark.parametrize(
    ("net_sales", "expected"),
    [
        # 49,999.99 × 2 % = 999.9998 → 1,000.00
        ("49999.99", "1000.00"),
        # exactly at the second band's start: 50,000.00 × 2 % = 1,000.00; nothing in the 3 % band
        ("50000.00", "1000.00"),
        # 1,000.00 + 0.01 × 3 % (0.0003 → 0.00) = 1,000.00
        ("50000.01", "1000.00"),
        # 1,000.00 + 50,000.00 × 3 % = 1,500.00 → 2,500.00
        ("100000.00", "2500.00"),
        # 1,000.00 + 1,500.00 + 23,456.00 × 4 % = 938.24 → 3,438.24
        ("123456.00", "3438.24"),
        ("0.00", "0.00"),
    ],
)
def test_marginal_tiers_pay_each_band_at_its_own_rate(net_sales, expected):
    assert gross(plan("marginal"), net_sales) == D(expected)


def test_the_tiers_line_spells_out_each_band():
    line = run(plan("marginal"), "123456.00").lines[1]
    assert (line.step, line.amount) == (Step.GROSS, D("3438.24"))
    assert line.description == (
        "net sales ¥123,456.00 × tiers (marginal): ¥0.00–¥50,000.00 at 2.00 % = ¥1,000.00; "
        "¥50,000.00–¥100,000.00 at 3.00 % = ¥1,500.00; ¥100,000.00–¥123,456.00 at 4.00 % = ¥938.24 → ¥3,438.24"
    )
    assert line.inputs["mode"] == "marginal"
    assert line.inputs["bands"][2] == {
        "from_amount": "100000.00",
        "to_amount": "",
        "rate": "4.00",
        "portion": "23456.00",
        "amount": "938.24",
    }


# --- flat: the whole base at the rate of its band ------------------------------------------------------


@pytest.mark.parametrize(
    ("net_sales", "expected"),
    [
        # one cent below the second band: 49,999.99 × 2 % = 999.9998 → 1,000.00
        ("49999.99", "1000.00"),
        # exactly at its start the base belongs to it: 50,000.00 × 3 % = 1,500.00
        ("50000.00", "1500.00"),
        # 99,999.99 × 3 % = 2,999.9997 → 3,000.00
        ("99999.99", "3000.00"),
        # 100,000.00 × 4 % = 4,000.00
        ("100000.00", "4000.00"),
        # 123,456.00 × 4 % = 4,938.24
        ("123456.00", "4938.24"),
    ],
)
def test_flat_tiers_pay_the_whole_base_at_its_bands_rate(net_sales, expected):
    assert gross(plan("flat"), net_sales) == D(expected)


def test_the_flat_line_names_the_band():
    line = run(plan("flat"), "50000.00").lines[1]
    assert line.description == (
        "net sales ¥50,000.00 × tiers (flat): in the band ¥50,000.00–¥100,000.00, the whole base at 3.00 % → ¥1,500.00"
    )


# --- a negative base: credit notes exceeding the month's sales ------------------------------------


@pytest.mark.parametrize("mode", ["marginal", "flat"])
def test_a_negative_base_is_clawed_back_at_the_first_bands_rate(mode):
    # −20,000.00 × 2 % = −400.00, whatever the mode
    computation = run(plan(mode), "-20000.00")
    assert computation.gross_amount == D("-400.00")
    assert computation.lines[1].description == (
        "net sales -¥20,000.00 is negative (returns exceed sales): claw-back at the first band's rate 2.00 % → -¥400.00"
    )


# --- rounding half up at each line -----------------------------------------------------------------


def test_a_half_cent_rounds_up():
    # 0.50 × 1 % = 0.005 → 0.01 (half up; banker's rounding would give 0.00)
    assert gross(plan(tiers=(("0", "1.00"),)), "0.50") == D("0.01")
    # −0.50 × 1 % = −0.005 → −0.01 (half away from zero)
    assert gross(plan(tiers=(("0", "1.00"),)), "-0.50") == D("-0.01")


def test_each_bands_amount_is_rounded_before_they_are_added():
    # bands 0 → 1 %, 0.50 → 1 %; base 1.00: 0.50 × 1 % = 0.005 → 0.01, twice → 0.02
    # (1.00 × 1 % = 0.01 unrounded: the line shows two amounts of 0.01, and adds what it shows)
    computation = run(plan(tiers=(("0", "1.00"), ("0.50", "1.00"))), "1.00")
    assert computation.gross_amount == D("0.02")
    assert "¥0.00–¥0.50 at 1.00 % = ¥0.01; ¥0.50–¥1.00 at 1.00 % = ¥0.01 → ¥0.02" in computation.lines[1].description


def test_the_scorecard_factor_line_rounds_half_up(templates):
    # gross 1.00 × 1 % = 0.01; × scorecard 50.00 / 100 = 0.005 → 0.01
    the_plan = plan(tiers=(("0", "1.00"),), use_scorecard=True, scorecard_template=templates["mbo"])
    computation = run(the_plan, "1.00", scorecard_total=D("50.00"))
    assert [(line.step, line.amount) for line in computation.lines[1:3]] == [
        (Step.GROSS, D("0.01")),
        (Step.SCORECARD, D("0.01")),
    ]


def test_retention_rounds_half_up():
    # gross 12.50 × 2 % = 0.25; retained 10 % × 0.25 = 0.025 → 0.03; payable 0.25 − 0.03 = 0.22
    computation = run(plan(retention=D("10.00")), "12.50")
    assert (computation.net_amount, computation.retained_amount, computation.payable_amount) == (
        D("0.25"),
        D("0.03"),
        D("0.22"),
    )


def test_apply_tiers_without_tiers_pays_nothing():
    assert apply_tiers(D("1000"), [], "marginal") == (D("0.00"), [])
