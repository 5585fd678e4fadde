"""``channelhub.db``'s bulk writers: ``copy_rows_with_ids`` (PostgreSQL: IDs from the sequence, then COPY) and
``update_rows`` (PostgreSQL: COPY into a temporary table and one UPDATE … FROM; ``bulk_update`` elsewhere)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from channelhub.db import copy_rows_with_ids, update_rows
from rebates.models import RebateProgram, RebateSettlement

D = Decimal


@pytest.fixture
def two(dealers):
    program = RebateProgram.objects.create(name="Bulk")
    return [
        RebateSettlement.objects.create(dealer=dealers[code], program=program, period="2026-Q3", basis_amount=D("1.00"))
        for code in ("F1", "F2")
    ]


def test_update_rows_writes_the_named_fields_only(two):
    first, second = two
    first.basis_amount, first.net_amount = D("10.50"), D("0.21")
    second.basis_amount, second.rate = D("20.00"), D("9.99")  # rate is not named: not written
    assert update_rows(RebateSettlement, [first, second], ["basis_amount", "net_amount"]) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.basis_amount, first.net_amount) == (D("10.50"), D("0.21"))
    assert (second.basis_amount, second.rate) == (D("20.00"), D("0.00"))


@pytest.mark.postgres
def test_update_rows_twice_in_one_transaction_reuses_its_scratch_table(two):
    first, _second = two
    with transaction.atomic():
        first.net_amount = D("1.00")
        update_rows(RebateSettlement, [first], ["net_amount"])
        first.net_amount = D("2.00")
        update_rows(RebateSettlement, [first], ["net_amount"])
    first.refresh_from_db()
    assert first.net_amount == D("2.00")


@pytest.mark.postgres
def test_copy_rows_with_ids_gives_each_row_its_id(dealers):
    program = RebateProgram.objects.create(name="Copied")
    rows = [
        RebateSettlement(dealer=dealers[code], program=program, period="2026-Q3", period_end=date(2026, 9, 30))
        for code in ("F1", "F2", "P1")
    ]
    with transaction.atomic():
        copy_rows_with_ids(RebateSettlement, rows)
    assert all(row.pk for row in rows)
    stored = dict(RebateSettlement.objects.filter(program=program).values_list("pk", "dealer__code"))
    assert stored == {row.pk: row.dealer.code for row in rows}
