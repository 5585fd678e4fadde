"""Closing the books (SPEC §6): closing a period, and the year-end settlement of retained commission.

**Period close** — finance (or an admin) closes a month once every monthly statement of it is approved
or paid, and every rep with a plan for the month has one (a month never computed cannot be closed
by mistake). A closed period refuses new facts (``kpi.services.periods.check_open``) and new runs.
Closing and writing a statement are serialised per period on PostgreSQL: a run's writer holds the
period's advisory lock shared (``period_hold_open``), the close holds it exclusively, so a run in
flight either finishes its rep before the close looks, or sees the period closed and stops.

**Year-end settlement** — ``year_end_settle`` releases each rep's retained balance as one statement of
kind ``year_end`` for period ``YYYY-12`` (one per rep, period and kind, like every statement):

    balance = Σ retained of the rep's monthly statements up to December of the year that are
              approved or paid
            − Σ released by the rep's year-end statements of earlier years (whatever their state)

Only approved and paid months count: a draft or submitted month may still change, and its retention
is released by a later settlement once it is approved (it is carried over). The statement is a
``draft`` with one line per month of the year, a line for what was carried over from earlier years
(when any) and the release line; it then follows the statements' life cycle. Settling a year again
refreshes the drafts and leaves submitted, approved and paid ones untouched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict
from channelhub.locking import KeySpace, hold
from channelhub.periods import YEARS, Month
from commissions.models import Statement, StatementLine
from commissions.policies import may_close
from commissions.selectors import reps_with_plan
from kpi.models import Period
from kpi.services.periods import check_open, periods_ensure

ZERO = Decimal("0.00")
#: The period locks (keyed by the month's code, ``YYYY-MM``): writers share, a close is exclusive.
PERIOD = KeySpace("period")
#: How many reps a refusal names before "…".
NAMED = 5


class PeriodNotSettled(Conflict):
    """A close refused because statements of the month are not approved or paid yet (409)."""


# --- the period lock -----------------------------------------------------------------------------------


def _period_lock(code: str, *, shared: bool) -> None:
    hold(PERIOD, str(Month.parse(code)), shared=shared)


def period_hold_open(code: str) -> None:
    """Inside a transaction that writes into ``code``: wait for a close of it in progress, then refuse
    (``PeriodClosed``, 409) when it is closed. Writers of one period do not wait for each other."""
    _period_lock(code, shared=True)
    check_open([Month.parse(code).first_day])


# --- closing a period ------------------------------------------------------------------------------


def _names(reps: list) -> str:
    names = [display_name(rep) for rep in reps[:NAMED]]
    return "、".join(names) + ("…" if len(reps) > NAMED else "")


@transaction.atomic
def period_close(*, actor, period: Period | str) -> Period:
    """Close ``period`` (a ``Period`` or ``YYYY-MM``): finance and admins only (403). Refused with 409
    before the month has ended, when it is closed already, or while a monthly statement of it is not approved or paid or a rep with
    a plan for it has no statement (the refusal counts them and names some reps)."""
    if not may_close(actor):
        raise PermissionDenied(_("Only finance or an administrator closes a period."))
    code = period.code if isinstance(period, Period) else str(_month(period, "period"))
    month = Month.parse(code)
    if month >= Month.current():
        raise Conflict(_("%(period)s has not ended: a month is closed once it is over.") % {"period": code})
    _period_lock(code, shared=False)
    periods_ensure([month.first_day])
    locked = Period.objects.select_for_update().get(code=code)
    if locked.is_closed:
        raise Conflict(_("The period %(period)s is closed already.") % {"period": code}, current_state=locked.status)

    monthly = Statement.objects.filter(period=code, kind=Statement.Kind.MONTHLY)
    pending = list(
        monthly.exclude(status__in=Statement.FINAL).select_related("rep").order_by("rep__username", "rep_id")
    )
    missing = list(reps_with_plan(month).exclude(pk__in=monthly.values("rep_id")).order_by("username", "pk"))
    if pending or missing:
        reasons = []
        if pending:
            reasons.append(
                ngettext(
                    "%(count)d monthly statement is not approved or paid yet (%(reps)s)",
                    "%(count)d monthly statements are not approved or paid yet (%(reps)s)",
                    len(pending),
                )
                % {"count": len(pending), "reps": _names([statement.rep for statement in pending])}
            )
        if missing:
            reasons.append(
                ngettext(
                    "%(count)d rep with a plan has no statement for it (%(reps)s): run the period first",
                    "%(count)d reps with a plan have no statement for it (%(reps)s): run the period first",
                    len(missing),
                )
                % {"count": len(missing), "reps": _names(missing)}
            )
        raise PeriodNotSettled(
            _("The period %(period)s cannot be closed: %(reasons)s.") % {"period": code, "reasons": "; ".join(reasons)},
            current_state=locked.status,
            not_settled=len(pending),
            without_statement=len(missing),
            reps=[display_name(rep) for rep in [s.rep for s in pending][:NAMED] + missing[:NAMED]],
        )

    Period.workflow.apply(locked, "close", by=actor, changes={"closed_at": timezone.now(), "closed_by": actor})
    return locked


def _month(value: Any, field_name: str) -> Month:
    try:
        return Month.parse(value)
    except ValidationError as error:
        raise ValidationError({field_name: error.messages}) from None


# --- the year-end settlement -----------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementLine:
    step: str
    inputs: dict
    amount: Decimal

    @property
    def description(self) -> str:
        from commissions.services.line_texts import line_text

        return line_text(self.step, self.inputs, self.amount)


@dataclass
class Settlement:
    """What ``year_end_settle`` did: statement IDs made, refreshed (drafts) and left (no longer drafts)."""

    year: int
    created: list[int] = field(default_factory=list)
    refreshed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)


@dataclass
class _Balance:
    months: list[dict] = field(default_factory=list)  # this year's approved or paid months
    retained_before: Decimal = ZERO
    released_before: Decimal = ZERO
    plan_id: int | None = None

    @property
    def carried(self) -> Decimal:
        return self.retained_before - self.released_before

    @property
    def amount(self) -> Decimal:
        return sum((month["retained_amount"] for month in self.months), ZERO) + self.carried


def _balances(year: int) -> dict[int, _Balance]:
    december, january = f"{year:04d}-12", f"{year:04d}-01"
    balances: dict[int, _Balance] = defaultdict(_Balance)
    retained = (
        Statement.objects.filter(
            kind=Statement.Kind.MONTHLY, status__in=Statement.FINAL, period__lte=december, retained_amount__gt=0
        )
        .order_by("rep_id", "period")
        .values("pk", "rep_id", "period", "status", "retained_amount", "plan_id")
    )
    for row in retained:
        balance = balances[row["rep_id"]]
        if row["period"] >= january:
            balance.months.append(row)
        else:
            balance.retained_before += row["retained_amount"]
        balance.plan_id = row["plan_id"] or balance.plan_id
    released = (
        Statement.objects.filter(kind=Statement.Kind.YEAR_END, period__lt=december)
        .values("rep_id")
        .annotate(total=Sum("payable_amount"))
        .order_by()
    )
    for row in released:
        balances[row["rep_id"]].released_before += row["total"] or ZERO
    return balances


def _settlement_lines(year: int, balance: _Balance) -> list[SettlementLine]:
    lines = [
        SettlementLine(
            step=StatementLine.Step.RETAINED,
            inputs={"period": month["period"], "statement": month["pk"], "status": month["status"]},
            amount=month["retained_amount"],
        )
        for month in balance.months
    ]
    if balance.carried:
        lines.append(
            SettlementLine(
                step=StatementLine.Step.RETAINED,
                inputs={
                    "year": year,
                    "retained": str(balance.retained_before),
                    "released": str(balance.released_before),
                },
                amount=balance.carried,
            )
        )
    lines.append(
        SettlementLine(
            step=StatementLine.Step.RELEASE,
            inputs={"year": year, "months": len(balance.months), "carried": str(balance.carried)},
            amount=balance.amount,
        )
    )
    return lines


@transaction.atomic
def year_end_settle(*, actor, year: int) -> Settlement:
    """Write the year-end statements of ``year`` (finance and admins; 403 otherwise; 400 for a year
    still to come). Idempotent: drafts are refreshed, the others left as they are."""
    from commissions.services.runs import statement_lock_or_create, statement_replace_lines

    if not may_close(actor):
        raise PermissionDenied(_("Only finance or an administrator settles a year."))
    if not isinstance(year, int) or year not in YEARS or year > timezone.localdate().year:
        raise ValidationError(
            {"year": _("Enter a year that has begun, e.g. %(year)s.") % {"year": timezone.localdate().year}}
        )
    period = f"{year:04d}-12"
    periods_ensure([Month(year, 12).first_day])
    balances = _balances(year)
    existing = set(
        Statement.objects.filter(kind=Statement.Kind.YEAR_END, period=period).values_list("rep_id", flat=True)
    )
    result = Settlement(year=year)
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):  # stored once, read by everyone
        for rep_id in sorted(set(balances) | existing):
            balance = balances.get(rep_id) or _Balance()
            if rep_id not in existing and not balance.amount:
                continue  # nothing retained, nothing to release
            amount = balance.amount
            values = {
                "base_amount": amount,
                "gross_amount": amount,
                "deductions_amount": ZERO,
                "net_amount": amount,
                "retained_amount": ZERO,
                "payable_amount": amount,
                "plan_id": balance.plan_id,
                "run": None,
                "computed_at": now,
            }
            statement, created = statement_lock_or_create(
                rep_id=rep_id, period=period, kind=Statement.Kind.YEAR_END, values=values
            )
            if statement.status != Statement.Status.DRAFT:
                result.unchanged.append(statement.pk)
                continue
            if created:
                Statement.workflow.record_creation(
                    statement, by=actor, note="year_end_settlement", note_params={"year": year}
                )
                result.created.append(statement.pk)
            else:
                for name, value in values.items():
                    setattr(statement, name, value)
                statement._history_user = actor
                statement.save()
                result.refreshed.append(statement.pk)
            statement_replace_lines(statement, _settlement_lines(year, balance))
    return result
