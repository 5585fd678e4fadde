"""Agreements named a bare ``rebate_rate`` before rebate programs existed (SPEC §15): the migration turns each
distinct rate above zero into a one-band program and points each agreement at it — nothing is lost, and run
backwards it gives each agreement its rate back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.commissions.test_migration import latest, migrate

D = Decimal
BEFORE = [("partners", "0003_year_range"), ("rebates", None), ("inventory", None), ("inspections", None)]
# inventory needs partners 0005, inspections partners 0006
AFTER = [("partners", "0004_agreement_rebate_program")]


@pytest.mark.django_db(transaction=True)
def test_each_distinct_rate_becomes_a_one_band_program_and_back(dealers, covered):
    old = migrate(BEFORE)
    Agreement = old.get_model("partners", "Agreement")

    def agreement(rate: str, year: int):
        return Agreement.objects.create(
            dealer_id=dealers["F1"].pk,
            territory_id=covered["SH-PD"].pk,
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 31),
            rebate_rate=D(rate),
        ).pk

    two, two_again, three_half, none = (
        agreement("2.00", 2024),
        agreement("2.00", 2025),
        agreement("3.50", 2026),
        agreement("0.00", 2027),
    )

    new = migrate(AFTER)
    Program, Tier = new.get_model("rebates", "RebateProgram"), new.get_model("rebates", "RebateTier")
    Agreement = new.get_model("partners", "Agreement")
    assert sorted(Program.objects.values_list("name", "basis", "frequency", "payout")) == [
        ("Flat rebate 2.00 %", "sell_in", "quarterly", "credit_note"),
        ("Flat rebate 3.50 %", "sell_in", "quarterly", "credit_note"),
    ]
    assert sorted(Tier.objects.values_list("program__name", "from_attainment", "rate")) == [
        ("Flat rebate 2.00 %", D("0.00"), D("2.00")),
        ("Flat rebate 3.50 %", D("0.00"), D("3.50")),
    ]
    programs = dict(Agreement.objects.values_list("pk", "rebate_program__name"))
    assert programs == {
        two: "Flat rebate 2.00 %",
        two_again: "Flat rebate 2.00 %",
        three_half: "Flat rebate 3.50 %",
        none: None,
    }

    back = migrate([("partners", "0003_year_range"), ("inventory", None), ("inspections", None)])
    rates = dict(back.get_model("partners", "Agreement").objects.values_list("pk", "rebate_rate"))
    assert rates == {two: D("2.00"), two_again: D("2.00"), three_half: D("3.50"), none: D("0.00")}
    migrate(latest())
