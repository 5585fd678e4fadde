"""The dealer account (SPEC §15): the receivable from every source, the statement of account of a month, FIFO
aging by the payment terms of the agreement in force, the over-credit flag and the deposit refund that nets the
receivable. Every figure is worked out by hand in the test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from channelhub.periods import Month
from funds.models import DepositEntry
from funds.selectors import open_receivable, settled_claims_by_dealer
from funds.services import deposits as deposit_services
from kpi.models import SalesRecord
from kpi.services.facts import facts_record
from partners.models import Dealer
from rebates import accounts
from tests.rebates import accounts_world
from tests.rebates.accounts_world import agreement, paid_rebate, settled_claim
from tests.rebates.world import make_program, record

# the fixtures of the accounts' world
f1_terms_30 = accounts_world.f1_terms_30
may_world = accounts_world.may_world

D = Decimal
pytestmark = pytest.mark.django_db


# --- aging ------------------------------------------------------------------------------------------------


def test_fifo_aging_across_partial_collections(finance, dealers, f1_terms_30):
    f1 = dealers["F1"]
    record(finance, "sales", f1, date(2026, 2, 1), "1000.00")  # due 3 March
    record(finance, "sales", f1, date(2026, 3, 15), "2000.00")  # due 14 April
    record(finance, "sales", f1, date(2026, 5, 10), "1500.00")  # due 9 June
    record(finance, "sales", f1, date(2026, 6, 20), "800.00")  # due 20 July
    record(finance, "collections", f1, date(2026, 3, 1), "600.00")
    record(finance, "collections", f1, date(2026, 5, 20), "1000.00")
    record(finance, "sales", f1, date(2026, 6, 25), "-100.00")  # a credit note pays like a collection
    aging = accounts.dealer_aging(f1.pk, date(2026, 6, 30))
    # credits 600 + 1,000 + 100 = 1,700.00, oldest invoices first:
    #   1 Feb  1,000.00 → paid (700.00 of credits left)
    #   15 Mar 2,000.00 → 1,300.00 open; due 14 Apr: 16 + 31 + 30 = 77 days past due → 61–90
    #   10 May 1,500.00 → open; due 9 Jun: 21 days → 1–30
    #   20 Jun   800.00 → open; due 20 Jul: not yet → current
    assert aging.buckets == {
        "current": D("800.00"),
        "days_1_30": D("1500.00"),
        "days_31_60": D("0.00"),
        "days_61_90": D("1300.00"),
        "over_90": D("0.00"),
    }
    # receivable 5,300.00 − 1,700.00 = 3,600.00 = 800 + 1,500 + 1,300
    assert (aging.receivable, aging.overdue, aging.over_60, aging.credit_balance) == (
        D("3600.00"),
        D("2800.00"),
        D("1300.00"),
        D("0.00"),
    )
    assert aging.oldest_due == date(2026, 4, 14)
    # the same dealer on 31 March: invoices 1,000 + 2,000, credits 600 → 1 Feb has 400.00 open, due 3 Mar:
    # 28 days → 1–30; 15 Mar 2,000.00 due 14 Apr → current
    early = accounts.dealer_aging(f1.pk, date(2026, 3, 31))
    assert (early.buckets["days_1_30"], early.buckets["current"], early.receivable) == (
        D("400.00"),
        D("2000.00"),
        D("2400.00"),
    )


def test_aging_reaches_over_90_days(finance, dealers, f1_terms_30):
    f1 = dealers["F1"]
    record(finance, "sales", f1, date(2026, 1, 10), "250.50")  # due 9 Feb
    aging = accounts.dealer_aging(f1.pk, date(2026, 5, 20))
    # 9 Feb → 20 May: 19 + 31 + 30 + 20 = 100 days past due
    assert aging.buckets["over_90"] == D("250.50")
    assert accounts.dealer_aging(f1.pk, date(2026, 5, 10)).buckets["days_61_90"] == D("250.50")  # 90 days


def test_terms_are_those_of_the_agreement_in_force_on_the_invoice_date(finance, manager, dealers, covered, lines):
    f1, f2, p1 = dealers["F1"], dealers["F2"], dealers["P1"]
    agreement(manager, f1, covered["SH"], lines, date(2026, 1, 1), date(2026, 6, 30), 30)
    agreement(manager, f1, covered["SH"], lines, date(2026, 7, 1), date(2026, 12, 31), 60)
    agreement(manager, p1, covered["JS"], lines, date(2026, 10, 1), date(2027, 9, 30), 90)
    record(finance, "sales", f1, date(2026, 6, 20), "1000.00")  # first agreement: 30 days → due 20 Jul
    record(finance, "sales", f1, date(2026, 7, 10), "2000.00")  # second: 60 days → due 8 Sep
    record(finance, "sales", f2, date(2026, 8, 20), "500.00")  # no agreement: 30 days → due 19 Sep
    record(finance, "sales", p1, date(2026, 8, 1), "300.00")  # none in force: the latest signed, 90 → due 30 Oct
    figures = accounts.aging([f1.pk, f2.pk, p1.pk], date(2026, 9, 30))
    # F1: 20 Jul → 30 Sep = 72 days (61–90); 8 Sep → 30 Sep = 22 days (1–30)
    assert figures[f1.pk].buckets["days_61_90"] == D("1000.00")
    assert figures[f1.pk].buckets["days_1_30"] == D("2000.00")
    # F2: 19 Sep → 30 Sep = 11 days
    assert figures[f2.pk].buckets["days_1_30"] == D("500.00")
    # P1: not due before 30 Oct (with 30 days it would be 30 days past due)
    assert figures[p1.pk].buckets["current"] == D("300.00")


def test_a_dealer_whose_credits_exceed_its_invoices_has_a_credit_balance(finance, dealers):
    f2 = dealers["F2"]
    record(finance, "sales", f2, date(2026, 4, 1), "500.00")
    record(finance, "collections", f2, date(2026, 4, 20), "700.00")
    aging = accounts.dealer_aging(f2.pk, date(2026, 6, 30))
    # 500.00 − 700.00 = −200.00: we owe the dealer 200.00, nothing is open
    assert (aging.receivable, aging.credit_balance, aging.overdue) == (D("-200.00"), D("200.00"), D("0.00"))
    assert set(aging.buckets.values()) == {D("0.00")}


def test_aging_of_many_dealers_is_two_queries(finance, dealers, f1_terms_30, django_assert_num_queries):
    for n, dealer in enumerate(dealers.values()):
        record(finance, "sales", dealer, date(2026, 3, 1 + n), "100.00")
        record(finance, "sales", dealer, date(2026, 4, 1 + n), "200.00")
        record(finance, "collections", dealer, date(2026, 4, 2 + n), "150.00")
    # the dealers' credits joined to their open invoices (a window function); the agreements' terms
    with django_assert_num_queries(2):
        figures = accounts.aging(Dealer.objects.all(), date(2026, 6, 30))
    # each: 300.00 − 150.00 = 150.00 open: 1 Mar's 100.00 paid, 50.00 of 1 Apr's paid
    assert {found.receivable for found in figures.values()} == {D("150.00")}
    # F1's open 150.00 of 1 Apr is due 1 May (30 days); 1 May → 30 Jun = 30 + 30 = 60 days past due → 31–60
    assert figures[dealers["F1"].pk].buckets["days_31_60"] == D("150.00")


# --- the statement of account ----------------------------------------------------------------------------


def test_the_statement_of_a_month(may_world):
    statement = accounts.statement_of_account(may_world.pk, Month(2026, 5))
    # opening (30 April): sales 1,000 + 2,000 − collection 600 − rebate credited 50 − fund settlement 70 = 2,280.00
    assert statement.opening == D("2280.00")
    # May: sales 1,500.00 − credit note 200.00 = 1,300.00
    assert (statement.invoiced, statement.credit_notes, statement.sales) == (D("1500.00"), D("-200.00"), D("1300.00"))
    assert statement.collections == D("1000.00")
    # no quarter ends in May: no rebate is credited in its statement (Q2's, paid in June, are June's)
    assert (statement.rebates_credited, statement.rebates_cash) == (D("0.00"), D("0.00"))
    assert statement.fund_settlements == D("300.00")
    # closing: 2,280.00 + 1,300.00 − 1,000.00 − 0.00 − 300.00 = 2,280.00
    assert statement.closing == D("2280.00")
    # the deposit (a memo): received in April, 200.00 deducted in May → 4,800.00 at the end of May
    memo = statement.deposit
    assert (memo["received"], memo["deducted"], memo["refunded"], memo["balance"]) == (
        D("0.00"),
        D("200.00"),
        D("0.00"),
        D("4800.00"),
    )
    # the month's rows
    assert [row["amount"] for row in statement.rows["sales"]] == [D("1500.00"), D("-200.00")]
    assert [row["amount"] for row in statement.rows["collections"]] == [D("1000.00")]
    assert statement.rows["rebates"] == []
    assert [c["settled_amount"] for c in statement.rows["fund_settlements"]] == [D("300.00")]
    # June opens where May closed: 2,280.00; Q2's rebates credited on 30 June: 120.00 + 30.00 by credit note
    # (the 45.00 in cash is a memo); closes at 2,280.00 − 400.00 − 150.00 = 1,730.00
    june = accounts.statement_of_account(may_world.pk, Month(2026, 6))
    assert (june.opening, june.rebates_credited, june.rebates_cash, june.closing) == (
        D("2280.00"),
        D("150.00"),
        D("45.00"),
        D("1730.00"),
    )
    assert [s.net_amount for s in june.rows["rebates"]] == [D("120.00"), D("45.00"), D("30.00")]
    assert accounts.receivable(may_world.pk, date(2026, 5, 31)) == D("2280.00")
    assert accounts.receivable(may_world.pk) == D("1730.00")


def test_every_credit_pays_the_oldest_invoice_first(may_world):
    aging = accounts.dealer_aging(may_world.pk, date(2026, 5, 31))
    # invoices 1,000 (1 Feb), 2,000 (15 Mar), 1,500 (10 May) = 4,500.00; credits: collections 1,600, credit note
    # 200, rebates credited 50 (2025-Q4's; Q2's are credited on 30 June), fund settlements 70 + 300 = 2,220.00
    # → 1 Feb paid, 15 Mar 2,000 − 1,220 = 780.00 open, due 14 Apr: 47 days (31–60); 10 May 1,500.00 current
    assert aging.buckets["days_31_60"] == D("780.00")
    assert aging.buckets["current"] == D("1500.00")
    assert aging.receivable == D("2280.00")


def test_the_fund_selector_answers_settlements_per_dealer_and_range(may_world, dealers):
    assert settled_claims_by_dealer([may_world.pk, dealers["F2"].pk], date(2026, 5, 1), date(2026, 5, 31)) == {
        may_world.pk: D("300.00")
    }
    assert settled_claims_by_dealer([may_world.pk], None, None) == {may_world.pk: D("370.00")}


# --- over credit -------------------------------------------------------------------------------------------


def limit(dealer, amount: str) -> None:
    Dealer.objects.filter(pk=dealer.pk).update(credit_limit=D(amount))


def test_a_sale_exactly_at_the_limit_is_not_over_credit_one_cent_more_is(finance, dealers):
    f1 = dealers["F1"]
    limit(f1, "1000.00")
    record(finance, "sales", f1, date(2026, 11, 2), "700.00")
    record(finance, "collections", f1, date(2026, 11, 3), "200.00")
    # owed 500.00; + 500.00 = 1,000.00: at the limit, not above
    at_limit = record(finance, "sales", f1, date(2026, 11, 4), "500.00")
    # 1,000.00 + 0.01 = 1,000.01 > 1,000.00
    above = record(finance, "sales", f1, date(2026, 11, 5), "0.01")
    assert SalesRecord.objects.get(pk=at_limit.pk).over_credit is False
    assert SalesRecord.objects.get(pk=above.pk).over_credit is True
    # a credit note is never over credit, even above the limit
    credit_note = record(finance, "sales", f1, date(2026, 11, 6), "-0.01")
    assert SalesRecord.objects.get(pk=credit_note.pk).over_credit is False


def test_a_batch_counts_its_earlier_sales_in_order(finance, dealers):
    f1, f2 = dealers["F1"], dealers["F2"]
    limit(f1, "1000.00")
    limit(f2, "0.00")  # no credit at all: any sale owed is over it
    items = [
        ("S1", f1, "600.00"),  # 600.00
        ("S2", f1, "400.00"),  # 1,000.00: at the limit
        ("S3", f2, "5.00"),  # F2: 5.00 > 0.00
        ("S4", f1, "-100.00"),  # a credit note: 900.00
        ("S5", f1, "100.00"),  # 1,000.00 again
        ("S6", f1, "0.01"),  # 1,000.01
        ("S7", f1, "-0.01"),  # 1,000.00: a credit note, never flagged
    ]
    batch = facts_record(
        actor=finance,
        kind="sales",
        items=[
            {"reference": ref, "date": "2026-11-10", "dealer": dealer.pk, "amount": amount}
            for ref, dealer, amount in items
        ],
    )
    assert [values["over_credit"] for _index, values in batch.new_rows] == [
        False,
        False,
        True,
        False,
        False,
        True,
        False,
    ]
    assert set(SalesRecord.objects.filter(over_credit=True).values_list("reference", flat=True)) == {"S3", "S6"}


def test_a_dry_run_says_which_sales_would_be_over_credit(finance, dealers):
    limit(dealers["F1"], "100.00")
    batch = facts_record(
        actor=finance,
        kind="sales",
        items=[{"reference": "DRY-1", "date": "2026-11-10", "dealer": dealers["F1"].pk, "amount": "100.01"}],
        dry_run=True,
    )
    assert batch.new_rows[0][1]["over_credit"] is True
    assert not SalesRecord.objects.exists()


@pytest.mark.postgres
def test_an_import_written_with_copy_keeps_the_flag(finance, dealers):
    limit(dealers["F1"], "100.00")
    facts_record(
        actor=finance,
        kind="sales",
        items=[
            {"reference": "COPY-1", "date": "2026-11-10", "dealer": dealers["F1"].pk, "amount": "100.00"},
            {"reference": "COPY-2", "date": "2026-11-11", "dealer": dealers["F1"].pk, "amount": "0.01"},
        ],
        returning=False,
    )
    assert dict(SalesRecord.objects.values_list("reference", "over_credit")) == {"COPY-1": False, "COPY-2": True}


def test_rebates_credited_and_fund_settlements_lower_what_counts_against_the_limit(finance, rep, dealers):
    f1 = dealers["F1"]
    limit(f1, "1000.00")
    record(finance, "sales", f1, date(2026, 10, 1), "1000.00")
    paid_rebate(f1, make_program("Credit"), "30.00", date(2026, 10, 5))
    settled_claim(f1, rep, "20.00", date(2026, 10, 6))
    # owed 1,000.00 − 30.00 − 20.00 = 950.00: 50.00 more reaches the limit, 50.01 passes it
    assert record(finance, "sales", f1, date(2026, 11, 2), "50.00").over_credit is False
    assert record(finance, "sales", f1, date(2026, 11, 3), "0.01").over_credit is True


# --- the deposit refund nets the receivable --------------------------------------------------------------------


def test_the_deposit_refund_nets_the_real_receivable(finance, manager, dealers):
    f1 = dealers["F1"]
    DepositEntry.objects.create(dealer=f1, kind="received", amount=D("50000.00"), date=date(2026, 3, 1))
    record(finance, "sales", f1, date(2026, 9, 1), "15000.00")
    record(finance, "collections", f1, date(2026, 9, 20), "3000.00")
    # receivable 15,000.00 − 3,000.00 = 12,000.00
    assert open_receivable(f1.pk) == D("12000.00")
    Dealer.workflow.apply(f1, "terminate", by=manager)
    f1.refresh_from_db()
    refund = deposit_services.deposit_refund_propose(actor=manager, dealer=f1)
    # 50,000.00 − 12,000.00 = 38,000.00
    assert (refund.balance, refund.open_receivable, refund.amount) == (D("50000.00"), D("12000.00"), D("38000.00"))
    # the dealer pays 2,000.00 more before finance decides: 50,000.00 − 10,000.00 = 40,000.00
    record(finance, "collections", f1, timezone.localdate(), "2000.00")
    refund = deposit_services.deposit_refund_decide(actor=finance, refund=refund, approve=True)
    assert (refund.open_receivable, refund.amount, refund.entry.amount) == (
        D("10000.00"),
        D("40000.00"),
        D("40000.00"),
    )


def test_a_credit_balance_is_not_added_to_the_refund(finance, dealers):
    f2 = dealers["F2"]
    record(finance, "collections", f2, date(2026, 9, 20), "300.00")
    assert accounts.receivable(f2.pk) == D("-300.00")
    assert open_receivable(f2.pk) == D("0.00")


def test_a_manager_who_covers_no_territory_ages_no_dealer(finance, dealers, page_as, django_assert_num_queries):
    from channelhub.roles import Role
    from tests.factories import UserFactory

    record(finance, "sales", dealers["F1"], date(2026, 3, 1), "100.00")
    nobody = UserFactory(username="manager_nowhere", roles=[Role.CHANNEL_MANAGER])
    with django_assert_num_queries(2):  # the roles, the territories (none): no dealer can match, nothing more
        assert accounts.aging_report(nobody)["rows"] == []
    assert page_as(nobody).get("/").status_code == 200
