"""Periods (``YYYY-MM``): made on demand, open until finance closes them (closing arrives with
commissions). A fact dated in a closed period is refused with a message naming it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.periods import Month
from kpi.models import Period


def period_code(day: date) -> str:
    return str(Month.of(day))


def closed_codes(codes: Iterable[str]) -> list[str]:
    """Which of ``codes`` are closed (one query), sorted."""
    return sorted(
        Period.objects.filter(code__in=set(codes), status=Period.Status.CLOSED).values_list("code", flat=True)
    )


class PeriodClosed(Conflict):
    """A write into a closed period (409)."""


def check_open(days: Iterable[date]) -> None:
    """Refuse (409, naming the periods) when any of ``days`` lies in a closed period."""
    closed = closed_codes(period_code(day) for day in days)
    if closed:
        raise PeriodClosed(
            _("The period %(periods)s is closed; nothing dated in it can be added or changed.")
            % {"periods": ", ".join(closed)},
            periods=closed,
        )


def periods_ensure(days: Iterable[date]) -> None:
    """Make the (open) period rows for ``days`` that do not exist yet."""
    codes = {period_code(day) for day in days}
    existing = set(Period.objects.filter(code__in=codes).values_list("code", flat=True))
    Period.objects.bulk_create([Period(code=code) for code in sorted(codes - existing)], ignore_conflicts=True)


def month_locked_for_rep(rep_id: int, day: date) -> str | None:
    """Why nothing more can be dated on ``day`` for the rep — the period is closed, or the rep's monthly
    statement of it is approved or paid (a correction then goes through a dispute) — or None."""
    from commissions.models import Statement

    code = period_code(day)
    if closed_codes([code]):
        return _("The period %(period)s is closed; nothing dated in it can be added or changed.") % {"period": code}
    final = Statement.objects.filter(
        rep_id=rep_id, period=code, kind=Statement.Kind.MONTHLY, status__in=Statement.FINAL
    ).exists()
    if final:
        return _(
            "The commission statement for %(period)s is already approved; nothing dated in it can be added. "
            "A correction goes through a dispute on the statement."
        ) % {"period": code}
    return None
