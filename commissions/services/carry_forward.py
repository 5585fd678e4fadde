"""Negative months carried forward (SPEC §6): a statement whose net is negative pays nothing; once it is
approved, the rep's next monthly statement starts with a carry-forward line of that amount, naming it.

A negative month is carried once, ever: the line points at its statement (``StatementLine.carried_from``).
Which draft takes it: the rep's earliest draft monthly statement of a later period — the run that writes
that draft adds the line (``pending_carries``), and if the draft exists already when the negative
statement is approved, the approval adds it at once (``disputes.statement_apply_adjustments``). Both look
with the rep's lock held (``disputes.reps_hold``), so they cannot miss each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef

from commissions.models import Statement, StatementLine


def pending_carries(rep_ids, *, period: str, drafts=()) -> dict[int, list[Statement]]:
    """The approved or paid negative months of ``rep_ids`` before ``period`` that the drafts being written
    must start with, by rep, oldest first (one query): those not carried yet, and those carried into
    one of ``drafts`` (statement IDs whose lines are being replaced)."""
    carried_elsewhere = StatementLine.objects.filter(carried_from=OuterRef("pk")).exclude(statement_id__in=list(drafts))
    sources = (
        Statement.objects.filter(
            rep_id__in=list(rep_ids),
            kind=Statement.Kind.MONTHLY,
            status__in=Statement.FINAL,
            carried_forward__lt=0,
            period__lt=period,
        )
        .exclude(Exists(carried_elsewhere))
        .order_by("period", "pk")
    )
    found: dict[int, list[Statement]] = {}
    for source in sources:
        found.setdefault(source.rep_id, []).append(source)
    return found


def carry_line_of(source: Statement) -> tuple[dict[str, Any], Decimal, int]:
    """The carry-forward line a negative month becomes (inputs, amount, the statement's ID), for
    ``Computation.add_carried``."""
    inputs = {"statement": source.pk, "period": source.period, "carried_forward": f"{source.carried_forward:.2f}"}
    return inputs, source.carried_forward, source.pk
