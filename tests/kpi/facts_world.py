"""Builders for the fact tests (sales, collections, expenses, imports, channel conflicts).

On top of the visit world (``d``: A1…A9 owned by ``rep`` in SH-PD, P1 by ``rep_peer`` in JS-NJ, O1 by
``other_rep`` in GD-GZ; manager covers EAST, other_manager SOUTH) and the product lines (``lines``).

    CN ─ EAST ─ SH ─ SH-SH ─ SH-PD
       │      └ JS ─ JS-NJ
       └ SOUTH ─ GD ─ GD-GZ

Dates are in October 2026 (the past, when these tests were written, and open unless a test closes it).
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl

from kpi.models import Period
from kpi.services.facts import facts_record
from tests.partners.world import make_agreement, qualify, signed

OCT = date(2026, 10, 1)


def day(n: int) -> date:
    return date(2026, 10, n)


def sale(**fields) -> dict:
    """An item for ``facts_record`` (sales): A-dealer code, 1 000.00 on 1 October, unless told otherwise."""
    item = {"reference": "INV-1", "date": "2026-10-01", "dealer_code": "A1", "amount": "1000.00"}
    item.update(fields)
    return item


def record(actor, kind: str, *items: dict, **options):
    return facts_record(actor=actor, kind=kind, items=list(items), **options)


def close(code: str) -> Period:
    period, _created = Period.objects.update_or_create(code=code, defaults={"status": Period.Status.CLOSED})
    return period


def draft_agreement(dealer, territory, start, end, *, manager, lines):
    return make_agreement(manager, dealer, territory, list(lines), start, end, exclusive=False)


def signed_agreement(dealer, territory, start, end, *, manager, finance, lines):
    """A signed (non-exclusive) agreement of ``dealer`` over ``territory`` from ``start`` to ``end``;
    the dealer is qualified first when it is still a prospect."""
    from partners.models import Dealer

    if Dealer.objects.get(pk=dealer.pk).status == Dealer.Status.PROSPECT:
        qualify(dealer, manager, finance)
    agreement = make_agreement(manager, dealer, territory, list(lines), start, end, exclusive=False)
    return signed(manager, agreement)


def csv_file(header: list[str], rows: list[list]) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return output.getvalue().encode("utf-8")


def xlsx_file(header: list[str], rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
