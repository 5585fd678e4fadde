"""Builders for the commission-run, period-close and year-end tests.

July 2026, one plan for ``rep``, ``rep_peer`` (team of ``manager``) and ``other_rep`` (team of
``other_manager``): marginal tiers 0 → 2 %, 50,000.00 → 3 %, retention 10 %, no deductions.

* ``rep``: sales 100,000.00 + 20,000.00 = 120,000.00 → gross 50,000 × 2 % + 70,000 × 3 % = 1,000.00
  + 2,100.00 = 3,100.00; retained 10 % = 310.00; payable 2,790.00;
* ``rep_peer``: sales 40,000.00 → gross 800.00; retained 80.00; payable 720.00;
* ``other_rep``: no sales → everything 0.00.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from commissions.models import CommissionRun, Statement
from commissions.services.plans import plan_create
from commissions.services.runs import run_start
from kpi.models import Period
from tests.kpi.scorecard_world import sale

D = Decimal
JULY = "2026-07"
TIERS = [{"from_amount": "0.00", "rate": "2.00"}, {"from_amount": "50000.00", "rate": "3.00"}]
#: (base, gross, deductions, net, retained, payable) of each rep's July, worked out above.
REP_JULY = (D("120000.00"), D("3100.00"), D("0.00"), D("3100.00"), D("310.00"), D("2790.00"))
PEER_JULY = (D("40000.00"), D("800.00"), D("0.00"), D("800.00"), D("80.00"), D("720.00"))
OTHER_JULY = (D("0.00"),) * 6
_names = itertools.count(1)


def make_plan(reps, *, start=date(2026, 1, 1), end=None, **fields):
    fields = {"false_report_deduction": D(0), "fabricated_deduction": D(0), "retention": D("10.00"), **fields}
    return plan_create(
        name=f"Run plan {next(_names)}",
        tiers=TIERS,
        assignments=[{"rep": rep, "start_date": start, "end_date": end} for rep in reps],
        **fields,
    )


def amounts(statement: Statement) -> tuple[Decimal, ...]:
    s = statement
    return (s.base_amount, s.gross_amount, s.deductions_amount, s.net_amount, s.retained_amount, s.payable_amount)


def monthly(rep, period: str = JULY) -> Statement:
    return Statement.objects.get(rep=rep, period=period, kind=Statement.Kind.MONTHLY)


def with_status(status: str) -> dict:
    """The fields of a statement in ``status``, set directly by a test (a paid one has its payment
    date and reference, as the database demands)."""
    fields = {"status": status}
    if status == Statement.Status.PAID:
        fields.update(paid_at=date(2026, 8, 5), payment_reference="BANK-0001")
    return fields


def close(code: str) -> Period:
    period, _created = Period.objects.update_or_create(code=code, defaults={"status": Period.Status.CLOSED})
    return period


@pytest.fixture
def july(d, rep, rep_peer, other_rep):
    plan = make_plan([rep, rep_peer, other_rep])
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    sale(rep, d["A2"], date(2026, 7, 15), "20000.00")
    sale(rep_peer, d["P1"], date(2026, 7, 3), "40000.00")
    sale(rep, d["A1"], date(2026, 6, 30), "9999.00")  # June: not July's
    return plan


@pytest.fixture
def run_now(django_capture_on_commit_callbacks):
    """``run_now(actor, period)`` → the run, started and (eagerly) run to its end, read afresh."""

    def run(actor, period: str = JULY) -> CommissionRun:
        with django_capture_on_commit_callbacks(execute=True):
            started = run_start(actor=actor, period=period)
        started.refresh_from_db()
        return started

    return run
