"""The roll-ups (each rep's and dealer's month of facts, each rep's month of visits per dealer): written in the
same transaction as the facts and visits, equal to a recomputation after any mix of writes, rebuilt by
``manage.py rebuild_rollups``. Figures by hand in each test."""

from __future__ import annotations

import contextlib
import itertools
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi.models import DealerMonthTotal, RepMonthTotal
from kpi.services.facts import FactsRejected
from kpi.services.periods import PeriodClosed
from kpi.services.rollups import rollups_differences, rollups_rebuild
from tests.kpi.facts_world import close, record, sale
from tests.visits.world import at, log
from visits.models import VisitMonth
from visits.services.rollups import visit_rollups_differences, visit_rollups_rebuild
from visits.services.visits import visit_review, visit_update

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
_references = itertools.count(1)


def totals(model, **keys) -> tuple:
    row = model.objects.get(**keys)
    return (row.net_sales, row.collections, row.expenses)


def counts(**keys) -> tuple:
    row = VisitMonth.objects.get(**keys)
    return (row.submitted, row.confirmed, row.false_report, row.fabricated)


def test_facts_are_added_to_the_month_of_their_rep_and_dealer(finance, rep, rep_peer, d):
    record(
        finance,
        "sales",
        sale(reference="S1", date="2026-10-03", amount="1000.00"),
        sale(reference="S2", date="2026-10-31", amount="250.50"),
        sale(reference="S3", date="2026-10-15", amount="-100.25"),  # a credit note
        sale(reference="S4", date="2026-11-01", amount="7.00"),
        sale(reference="S5", date="2026-10-09", amount="40.00", dealer_code="P1"),
    )
    record(finance, "collections", sale(reference="C1", date="2026-10-20", amount="900.00"))
    record(finance, "expenses", sale(reference="E1", date="2026-10-21", amount="12.34"))
    # October at A1 (rep): 1000.00 + 250.50 − 100.25 = 1150.25 sales, 900.00 collected, 12.34 spent
    assert totals(RepMonthTotal, rep=rep, month=OCTOBER) == (Decimal("1150.25"), Decimal("900.00"), Decimal("12.34"))
    assert totals(RepMonthTotal, rep=rep, month=NOVEMBER) == (Decimal("7.00"), Decimal("0.00"), Decimal("0.00"))
    assert totals(RepMonthTotal, rep=rep_peer, month=OCTOBER) == (Decimal("40.00"), Decimal("0.00"), Decimal("0.00"))
    assert totals(DealerMonthTotal, dealer=d["A1"], rep=rep, month=OCTOBER) == (
        Decimal("1150.25"),
        Decimal("900.00"),
        Decimal("12.34"),
    )
    assert RepMonthTotal.objects.count() == 3 and DealerMonthTotal.objects.count() == 3
    # the same batch again records nothing new, and adds nothing
    record(finance, "collections", sale(reference="C1", date="2026-10-20", amount="900.00"))
    assert totals(RepMonthTotal, rep=rep, month=OCTOBER)[1] == Decimal("900.00")
    assert rollups_differences() == {"repmonthtotal": [], "dealermonthtotal": []}


def test_a_refused_batch_adds_nothing(finance, rep, d):
    record(finance, "sales", sale(reference="S1", date="2026-10-03", amount="10.00"))
    with pytest.raises(FactsRejected):
        record(
            finance,
            "sales",
            sale(reference="S2", date="2026-10-04", amount="20.00"),
            sale(reference="S3", date="2026-10-05", amount="0"),  # refused: zero
        )
    close("2026-11")
    with pytest.raises(PeriodClosed):
        record(finance, "sales", sale(reference="S4", date="2026-11-04", amount="30.00"))
    assert totals(RepMonthTotal, rep=rep, month=OCTOBER) == (Decimal("10.00"), Decimal("0.00"), Decimal("0.00"))
    assert not RepMonthTotal.objects.filter(month=NOVEMBER).exists()


def test_a_visit_moves_between_counters_when_reviewed_or_corrected(manager, rep, d):
    visit = log(rep, d["A1"], at(2026, 10, 31, 20))
    assert counts(rep=rep, month=OCTOBER, dealer=d["A1"]) == (1, 0, 0, 0)
    # the rep's correction within 24 h: another dealer, the next month → out of October at A1, into November at A2
    visit_update(actor=rep, visit=visit, now=at(2026, 10, 31, 21), dealer=d["A2"], visited_at=at(2026, 10, 31, 19))
    visit_update(actor=rep, visit=visit, now=at(2026, 11, 1, 9), visited_at=at(2026, 11, 1, 8))
    assert counts(rep=rep, month=OCTOBER, dealer=d["A1"]) == (0, 0, 0, 0)
    assert not VisitMonth.objects.filter(month=OCTOBER, dealer=d["A2"]).exists() or counts(
        rep=rep, month=OCTOBER, dealer=d["A2"]
    ) == (0, 0, 0, 0)
    assert counts(rep=rep, month=NOVEMBER, dealer=d["A2"]) == (1, 0, 0, 0)
    visit_review(actor=manager, visit=visit, name="mark_false", comment="不在现场", now=at(2026, 11, 2, 9))
    assert counts(rep=rep, month=NOVEMBER, dealer=d["A2"]) == (0, 0, 1, 0)
    assert visit_rollups_differences() == []


def test_rebuild_and_check(finance, rep, d, capsys):
    record(finance, "sales", sale(reference="S1", date="2026-10-03", amount="10.00"))
    log(rep, d["A1"], at(2026, 10, 30, 10))
    call_command("rebuild_rollups", "--check")
    RepMonthTotal.objects.update(net_sales=Decimal("11.00"))
    VisitMonth.objects.update(submitted=3)
    with pytest.raises(CommandError):
        call_command("rebuild_rollups", "--check")
    out = capsys.readouterr().out
    assert "repmonthtotal: 1 keys differ" in out and "visitmonth: 1 keys differ" in out
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")
    assert totals(RepMonthTotal, rep=rep, month=OCTOBER)[0] == Decimal("10.00")
    assert counts(rep=rep, month=OCTOBER, dealer=d["A1"]) == (1, 0, 0, 0)
    assert rollups_rebuild() == {"repmonthtotal": 1, "dealermonthtotal": 1}
    assert visit_rollups_rebuild() == 1


# --- any mix of writes: the roll-ups equal a recomputation -----------------------------------------------

amounts = st.decimals(min_value=Decimal("-5000.00"), max_value=Decimal("99999.99"), places=2).filter(lambda a: a != 0)
fact_writes = st.tuples(
    st.sampled_from(["sales", "collections", "expenses"]),
    st.sampled_from(["A1", "A2", "P1", "O1"]),
    st.integers(min_value=0, max_value=60),  # days after 1 October
    amounts,
)
visit_writes = st.tuples(
    st.sampled_from(["A1", "A2", "A3"]),
    st.integers(min_value=0, max_value=40),
    st.sampled_from([None, "confirm", "mark_false", "mark_fabricated", "move"]),
)
batches = st.lists(st.one_of(st.lists(fact_writes, min_size=1, max_size=6), visit_writes), min_size=1, max_size=8)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=batches)
def test_rollups_equal_a_recomputation_after_any_mix_of_writes(writes, finance, manager, rep, d):
    for write in writes:
        if isinstance(write, list):  # a batch of facts, recorded together (all or nothing)
            items = []
            for kind, dealer, offset, amount in write:
                if kind != "sales":
                    amount = abs(amount)
                day = date(2026, 10, 1) + timedelta(days=offset)
                items.append(
                    sale(
                        reference=f"H{next(_references)}", dealer_code=dealer, date=day.isoformat(), amount=str(amount)
                    )
                )
            kind = write[0][0]
            with contextlib.suppress(FactsRejected):  # refused: nothing was written, nothing added
                record(finance, kind, *items)
            continue
        dealer, offset, then = write
        day = date(2026, 10, 1) + timedelta(days=offset)
        moment = at(day.year, day.month, day.day, 9)
        visit = log(rep, d[dealer], moment)
        if then == "move":
            visit_update(actor=rep, visit=visit, now=moment + timedelta(hours=1), dealer=d["A4"])
        elif then:
            visit_review(actor=manager, visit=visit, name=then, comment="核实", now=moment + timedelta(hours=2))
    assert rollups_differences() == {"repmonthtotal": [], "dealermonthtotal": []}
    assert visit_rollups_differences() == []


# --- at the same moment (PostgreSQL) ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_month_at_once_lose_nothing(finance, rep, d):
    barrier = threading.Barrier(2)
    errors = []

    def import_batch(prefix: str) -> None:
        try:
            barrier.wait()
            items = [
                sale(reference=f"{prefix}{n}", date="2026-10-03", dealer_code=("A1", "A2")[n % 2], amount="1.01")
                for n in range(200)
            ]
            record(finance, "sales", *items)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=import_batch, args=(prefix,)) for prefix in ("X", "Y")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # 2 × 200 × 1.01 = 404.00, 202.00 at each dealer
    assert totals(RepMonthTotal, rep=rep, month=OCTOBER)[0] == Decimal("404.00")
    assert totals(DealerMonthTotal, dealer=d["A1"], rep=rep, month=OCTOBER)[0] == Decimal("202.00")
