"""Recording facts (SPEC §5): ``facts_record`` — every rule by hand-made cases, all or nothing with
every bad item reported by index and field, unchanged re-records, closed periods, who may write, and
a query count that does not grow with the batch.

Dealers (``d``): A1…A9 owned by rep in SH-PD, P1 by rep_peer in JS-NJ, O1 by other_rep in GD-GZ.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from channelhub.roles import Role
from kpi.models import Collection, Expense, Period, SalesRecord
from kpi.services.fact_input import parse_amount
from kpi.services.facts import MAX_BATCH, FactError, FactsRejected, fact_record
from kpi.services.periods import PeriodClosed
from partners.services import dealers as dealer_services
from tests.factories import UserFactory
from tests.kpi.facts_world import close, record, sale
from tests.partners.world import make_dealer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rejected(actor, kind, *items) -> list[tuple[int, str, str]]:
    """(index, field, message) of each error of a refused batch; asserts that nothing was saved."""
    model = {"sales": SalesRecord, "collections": Collection, "expenses": Expense}[kind]
    before = model.objects.count()
    with pytest.raises(FactsRejected) as refused:
        record(actor, kind, *items)
    assert model.objects.count() == before
    return [(e.index, e.field, e.message) for e in refused.value.errors]


def fields_of(errors) -> list[tuple[int, str]]:
    return [(index, name) for index, name, _message in errors]


# --- one fact: defaults and what is stored ---------------------------------------------------------


def test_finance_records_a_sale_with_the_owner_as_rep_and_the_dealers_territory_as_ship_to(finance, d, lines):
    batch = record(finance, "sales", sale(category="kitchen", note="首批"))
    assert len(batch.new) == 1 and batch.unchanged == []
    stored = SalesRecord.objects.get()
    assert stored.reference == "INV-1"
    assert stored.date == date(2026, 10, 1)
    assert stored.dealer == d["A1"]
    assert stored.rep == d["A1"].owner  # rep, the owner today
    assert stored.amount == Decimal("1000.00")
    assert stored.category == lines["kitchen"]
    assert stored.ship_to_territory == d["A1"].territory  # SH-PD
    assert stored.note == "首批"
    assert stored.created_by == finance
    assert Period.objects.get(code="2026-10").status == Period.Status.OPEN  # made on demand


def test_rep_can_be_named_by_id_or_username_and_must_be_a_field_rep(finance, d, rep_peer, manager):
    record(finance, "collections", sale(reference="R-1", rep=rep_peer.pk), sale(reference="R-2", rep_username="rep_a2"))
    assert list(Collection.objects.order_by("reference").values_list("rep__username", flat=True)) == [
        "rep_a2",
        "rep_a2",
    ]
    errors = rejected(
        finance,
        "collections",
        sale(reference="R-3", rep=manager.pk),
        sale(reference="R-4", rep_username="nobody"),
        sale(reference="R-5", rep=999_999),
    )
    assert errors == [
        (0, "rep", "manager_a is not a field rep."),
        (1, "rep_username", "Unknown user."),
        (2, "rep", "Unknown user."),
    ]


def test_a_dealer_without_owner_needs_a_rep(finance, manager, covered, rep):
    ownerless = make_dealer(manager, covered["SH-PD"], None, "NOOWN", name="无主经销商")
    errors = rejected(finance, "sales", sale(dealer_code="NOOWN"))
    assert errors == [(0, "rep", "The dealer NOOWN has no owner: name the rep.")]
    record(finance, "sales", sale(dealer_code="NOOWN", rep=rep))
    assert SalesRecord.objects.get().dealer == ownerless


def test_dealer_is_required_and_must_exist(finance, d):
    errors = rejected(
        finance,
        "expenses",
        sale(reference="E-1", dealer_code=""),
        sale(reference="E-2", dealer_code="ZZ9"),
        sale(reference="E-3", dealer_code=None, dealer="abc"),
        sale(reference="E-4", dealer_code=None, dealer=999_999),
        sale(reference="E-5", dealer=d["P1"].pk, dealer_code="A1"),
    )
    assert errors == [
        (0, "dealer_code", "A dealer code is required."),
        (1, "dealer_code", "Unknown dealer “ZZ9”."),
        (2, "dealer", "Give the dealer's ID."),
        (3, "dealer", "Unknown dealer."),
        (4, "dealer_code", "This is not the code of the dealer given by ID."),
    ]


def test_a_dealer_may_be_given_by_id(finance, d):
    record(finance, "sales", sale(dealer_code=None, dealer=d["P1"].pk))
    stored = SalesRecord.objects.get()
    assert (stored.dealer, stored.rep.username, stored.ship_to_territory.code) == (d["P1"], "rep_a2", "JS-NJ")


# --- amounts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1250", "1250.00"),
        ("1250.5", "1250.50"),
        (".5", "0.50"),
        ("+7", "7.00"),
        ("12.340", "12.34"),  # trailing zeros are not more decimals
        ("1,250.00", "1250.00"),  # thousands separators as Excel writes them
        (" 99.90 ", "99.90"),
        (Decimal("7.10"), "7.10"),
        (42, "42.00"),
        (1250.25, "1250.25"),  # a number cell of a workbook
        ("999999999999.99", "999999999999.99"),  # the largest amount 14 digits hold
    ],
)
def test_amounts_written_plainly_are_read_exactly(written, stored):
    assert parse_amount(written) == Decimal(stored)
    assert str(parse_amount(written)) == stored


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("12.345", "An amount has at most two decimals; it is never rounded."),
        ("0.001", "An amount has at most two decimals; it is never rounded."),
        (0.30000000000000004, "An amount has at most two decimals; it is never rounded."),
        # Decided: scientific notation is refused, even where it would be exact (1e3 = 1000).
        ("1e3", "Write the amount as a plain number such as 1250.00 (no letters, no exponent)."),
        ("1E-2", "Write the amount as a plain number such as 1250.00 (no letters, no exponent)."),
        ("NaN", "Write the amount as a plain number such as 1250.00 (no letters, no exponent)."),
        ("Infinity", "Write the amount as a plain number such as 1250.00 (no letters, no exponent)."),
        ("¥100", "Write the amount as a plain number such as 1250.00 (no letters, no exponent)."),
        ("12,50", "Write the amount as a plain number such as 1250.00 (no letters, no exponent)."),
        ("", "An amount is required."),
        (None, "An amount is required."),
        (True, "Write the amount as a number such as 1250.00."),
        ("1000000000000", "The amount is too large."),
    ],
)
def test_amounts_that_would_need_rounding_or_guessing_are_refused(finance, d, written, reason):
    assert rejected(finance, "collections", sale(amount=written)) == [(0, "amount", reason)]


def test_amount_signs_per_kind(finance, d):
    record(finance, "sales", sale(reference="CN-1", amount="-300.00"))  # a credit note
    assert SalesRecord.objects.get().amount == Decimal("-300.00")
    assert rejected(finance, "sales", sale(reference="S-0", amount="0.00")) == [
        (0, "amount", "A sale's amount cannot be 0 (a negative amount is a credit note).")
    ]
    for kind in ("collections", "expenses"):
        assert fields_of(rejected(finance, kind, sale(amount="0"), sale(reference="X-2", amount="-5"))) == [
            (0, "amount"),
            (1, "amount"),
        ]


# --- dates, references, notes ------------------------------------------------------------------------


def test_dates_are_iso_or_spreadsheet_dates(finance, d):
    record(
        finance,
        "collections",
        sale(reference="D-1", date="2026-10-03"),
        sale(reference="D-2", date="2026/10/4"),
        sale(reference="D-3", date=date(2026, 10, 5)),
        sale(reference="D-4", date=datetime(2026, 10, 6)),  # a workbook's date cell
        sale(reference="D-5", date="2026-10-07 00:00:00"),  # the same, turned into text
    )
    assert sorted(Collection.objects.values_list("date", flat=True)) == [date(2026, 10, n) for n in (3, 4, 5, 6, 7)]
    errors = rejected(
        finance,
        "collections",
        sale(reference="D-6", date="03.10.2026"),
        sale(reference="D-7", date="2026-02-30"),
        sale(reference="D-8", date=""),
        sale(reference="D-9", date="0999-01-01"),
        sale(reference="D-10", date="2026-10-07T10:30"),  # a moment, not a date
    )
    assert errors == [
        (0, "date", "Enter a date as YYYY-MM-DD."),
        (1, "date", "This date does not exist."),
        (2, "date", "A date is required."),
        (3, "date", "Enter a date between 1900 and 2999."),
        (4, "date", "Enter a date as YYYY-MM-DD."),
    ]


def test_reference_is_required_short_and_unique_within_a_batch(finance, d):
    errors = rejected(
        finance,
        "sales",
        sale(reference=""),
        sale(reference="X" * 65),
        sale(reference="INV-7"),
        sale(reference="INV-7", amount="5"),
    )
    assert errors == [
        (0, "reference", "A reference is required."),
        (1, "reference", "A reference has at most 64 characters."),
        (3, "reference", "The reference INV-7 is already used by item 3 of this batch."),
    ]


def test_a_reference_is_unique_per_kind_not_across_kinds(finance, d):
    for kind in ("sales", "collections", "expenses"):
        record(finance, kind, sale(reference="2026-0001"))
    assert (SalesRecord.objects.count(), Collection.objects.count(), Expense.objects.count()) == (1, 1, 1)


def test_note_has_at_most_200_characters(finance, d):
    assert rejected(finance, "sales", sale(note="备" * 201)) == [(0, "note", "A note has at most 200 characters.")]


# --- categories and ship-to ------------------------------------------------------------------------


def test_sales_category_is_a_product_line_code_and_ship_to_a_territory_code(finance, d, lines, covered):
    record(finance, "sales", sale(category="water", ship_to="JS-NJ"), sale(reference="INV-2", category=""))
    first, second = SalesRecord.objects.order_by("reference")
    assert (first.category.code, first.ship_to_territory.code) == ("water", "JS-NJ")
    assert (second.category, second.ship_to_territory.code) == (None, "SH-PD")
    errors = rejected(finance, "sales", sale(reference="INV-3", category="toys", ship_to="MARS"))
    assert errors == [
        (0, "category", "Unknown product line “toys”."),
        (0, "ship_to", "Unknown territory “MARS”."),
    ]


def test_expense_category_comes_from_the_choices_and_defaults_to_other(finance, d):
    record(finance, "expenses", sale(reference="E-1", category="travel"), sale(reference="E-2"))
    assert dict(Expense.objects.values_list("reference", "category")) == {"E-1": "travel", "E-2": "other"}
    assert rejected(finance, "expenses", sale(reference="E-3", category="bribes")) == [
        (
            0,
            "category",
            "Unknown expense category “bribes”; use one of: travel, promotion, advertising, entertainment, "
            "subsidy, other.",
        )
    ]


# --- all or nothing --------------------------------------------------------------------------------


def test_one_bad_item_saves_nothing_and_every_bad_item_is_reported_by_index_and_field(finance, d):
    items = [
        sale(reference="B-0"),
        sale(reference="B-1", amount="12.345"),
        sale(reference="B-2"),
        sale(reference="B-3", dealer_code="NOPE", date="31/10/2026"),
        sale(reference="B-4"),
    ]
    with pytest.raises(FactsRejected) as refused:
        record(finance, "sales", *items)
    assert SalesRecord.objects.count() == 0
    assert Period.objects.count() == 0
    assert refused.value.errors == [
        FactError(1, "amount", "An amount has at most two decimals; it is never rounded.", "12.345"),
        FactError(3, "date", "Enter a date as YYYY-MM-DD.", "31/10/2026"),
        FactError(3, "dealer_code", "Unknown dealer “NOPE”.", "NOPE"),
    ]
    assert refused.value.bad_items == 2
    # As a plain ValidationError (forms, the generic API handler): keyed by field, items numbered from 1.
    assert refused.value.message_dict == {
        "amount": ["Item 2: An amount has at most two decimals; it is never rounded."],
        "date": ["Item 4: Enter a date as YYYY-MM-DD."],
        "dealer_code": ["Item 4: Unknown dealer “NOPE”."],
    }
    del items[3], items[1]
    assert len(record(finance, "sales", *items).new) == 3


def test_an_empty_batch_and_one_beyond_the_limit_are_refused(finance, d):
    with pytest.raises(ValidationError, match="nothing to record"):
        record(finance, "sales")
    too_many = [sale(reference=f"M-{n}") for n in range(MAX_BATCH + 1)]
    with pytest.raises(ValidationError, match="At most 5000 facts can be recorded at once; this batch has 5001"):
        record(finance, "sales", *too_many)
    assert SalesRecord.objects.count() == 0


# --- re-recording: unchanged or refused ------------------------------------------------------------


def test_the_same_fact_again_is_skipped_as_unchanged(finance, d):
    record(finance, "sales", sale(reference="S-1"), sale(reference="S-2", amount="-20"))
    batch = record(
        finance, "sales", sale(reference="S-1"), sale(reference="S-2", amount="-20.00"), sale(reference="S-3")
    )
    assert [index for index, _fact in batch.new] == [2]
    assert [index for index, _pk in batch.unchanged] == [0, 1]
    assert SalesRecord.objects.count() == 3


def test_the_same_reference_with_other_values_is_refused_since_facts_never_change(finance, d, lines):
    record(finance, "sales", sale(reference="S-1", category="kitchen"))
    errors = rejected(
        finance,
        "sales",
        sale(reference="S-1", amount="1100.00", category="kitchen"),
        sale(reference="S-9"),
    )
    assert errors == [
        (
            0,
            "reference",
            "The reference S-1 is already recorded with other values (amount). Facts cannot be changed: record "
            "a correction under a new reference.",
        )
    ]
    assert "(dealer, category)" in rejected(finance, "sales", sale(reference="S-1", dealer_code="A2"))[0][2]


def test_a_re_record_leaving_rep_and_ship_to_empty_keeps_the_attribution_of_its_day(finance, manager, d, rep_peer):
    """The rep defaults to the owner *at the time*: after the dealer changes hands, the same file is
    still the same facts, not a conflicting one."""
    record(finance, "sales", sale(reference="S-1"))
    dealer_services.dealer_update(actor=manager, dealer=d["A1"], owner=rep_peer)
    batch = record(finance, "sales", sale(reference="S-1"))
    assert batch.new == [] and len(batch.unchanged) == 1
    assert SalesRecord.objects.get().rep.username == "rep_a1"
    # Naming a different rep explicitly is a different fact.
    assert fields_of(rejected(finance, "sales", sale(reference="S-1", rep=rep_peer))) == [(0, "reference")]


def test_fact_record_returns_the_fact_and_whether_it_is_new(finance, d):
    first, created = fact_record(actor=finance, kind="collections", **sale(reference="R-1"))
    again, created_again = fact_record(actor=finance, kind="collections", **sale(reference="R-1"))
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk


# --- closed periods --------------------------------------------------------------------------------


def test_a_fact_in_a_closed_period_refuses_the_whole_batch_naming_the_period(finance, d):
    close("2026-09")
    with pytest.raises(PeriodClosed) as refused:
        record(finance, "sales", sale(reference="S-1"), sale(reference="S-2", date="2026-09-30"))
    assert refused.value.status_code == 409
    assert "2026-09" in str(refused.value)
    assert refused.value.extra == {"periods": ["2026-09"]}
    assert SalesRecord.objects.count() == 0


def test_a_closed_period_is_named_even_when_items_are_also_bad(finance, d):
    close("2026-09")
    with pytest.raises(PeriodClosed, match="2026-09"):
        record(finance, "sales", sale(reference="S-1", date="2026-09-01", amount="1e3"))


def test_re_importing_facts_of_a_closed_period_unchanged_adds_nothing_and_is_not_refused(finance, d):
    record(finance, "sales", sale(reference="S-1", date="2026-09-15"))
    close("2026-09")
    batch = record(finance, "sales", sale(reference="S-1", date="2026-09-15"), sale(reference="S-2"))
    assert len(batch.new) == 1 and len(batch.unchanged) == 1


# --- who may write ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_reps_and_managers_only_read_facts(everyone, d, who):
    with pytest.raises(PermissionDenied):
        record(everyone[who], "sales", sale())
    assert SalesRecord.objects.count() == 0


def test_admins_record_facts_too(admin_user, d):
    record(admin_user, "expenses", sale(reference="E-1"))
    assert Expense.objects.get().created_by == admin_user


@pytest.mark.parametrize("kind", ["sales", "collections", "expenses"])
def test_nobody_records_a_fact_attributed_to_themselves(d, manager, kind):
    # segregation of duties (§2): a finance user who is also a field rep cannot record their own figures
    both = UserFactory(username="rep_fin", roles=[Role.FIELD_REP, Role.FINANCE], manager=manager)
    errors = rejected(both, kind, sale(reference="S-1"), sale(reference="S-2", rep_username="rep_fin"))
    assert fields_of(errors) == [(1, "rep_username")]
    assert "Segregation of duties" in errors[0][2] and "rep_fin" in errors[0][2]
    # another member of finance records it
    record(UserFactory(roles=[Role.FINANCE]), kind, sale(reference="S-2", rep_username="rep_fin"))


# --- set-based -------------------------------------------------------------------------------------


def _batch(start: int, count: int, d) -> list[dict]:
    codes = ["A1", "A2", "A3", "P1", "O1"]
    return [
        sale(reference=f"Q-{n}", dealer_code=codes[n % 5], amount=f"{n}.50", ship_to=["SH-PD", "JS-NJ"][n % 2])
        for n in range(start, start + count)
    ]


def test_a_batch_costs_the_same_queries_for_20_items_as_for_400(finance, d, covered):
    """Reading: roles, dealers, reps (with the owners), territories, product lines, existing references,
    closed periods, agreements. Writing: periods (read, insert), period lock, closed periods again, the
    INSERTs in a savepoint, and the conflict notification (every sale here is flagged: no agreement)
    for the two managers covering the dealers. Only the number of INSERTs grows, as SQLite's parameter
    limit splits them (12 columns a row: 83 rows a statement)."""
    record(finance, "sales", *_batch(0, 5, d))

    def split(queries):
        inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "kpi_salesrecord"')]
        return len(queries) - len(inserts), len(inserts)

    with CaptureQueriesContext(connection) as small:
        record(finance, "sales", *_batch(100, 20, d))
    with CaptureQueriesContext(connection) as large:
        record(finance, "sales", *_batch(1000, 400, d))
    assert split(large.captured_queries)[0] == split(small.captured_queries)[0] <= 40
    assert split(large.captured_queries)[1] <= 5
    assert SalesRecord.objects.count() == 425


def test_a_reference_recorded_by_someone_else_meanwhile_refuses_the_batch_with_409(finance, d, monkeypatch):
    """Two imports racing with the same references: the database's unique constraint decides; the
    loser records nothing and is told to send the batch again."""
    from channelhub.errors import Conflict

    record(finance, "sales", sale(reference="S-1"))
    monkeypatch.setattr("kpi.services.facts._existing", lambda model, references: {})  # as if read before
    with pytest.raises(Conflict, match="recorded by someone else a moment ago") as refused:
        record(finance, "sales", sale(reference="S-2"), sale(reference="S-1"))
    assert refused.value.status_code == 409
    assert sorted(SalesRecord.objects.values_list("reference", flat=True)) == ["S-1"]
