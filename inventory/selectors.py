"""Reads of dealer stock (SPEC §16), always through ``channelhub.scoping.scope``: a report out of scope is absent
from lists, charts and totals, and a 404 in details.

* ``stock_report_list`` and ``stock_health`` — the reports a user may see, with what their rows show joined in;
* ``dealer_stock_history`` — a dealer's last twelve months by line (the stock tab and its chart);
* ``pareto`` — the 80/20 of a distributor's (or a territory's) terminals over a quarter's sell-out;
* ``coverage_table`` and ``rep_coverage`` — distribution coverage (铺货率): terminals with stock or sell-out of
  a line ÷ active terminals, by territory and line, and over a rep's terminals for the commission gate.

A *terminal* is a dealer of kind ``retail_terminal``; a distributor's terminals are those that buy from it
(``parent``). Sell-out is a report's ``sold_amount`` (at cost).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from channelhub.periods import Month
from channelhub.scoping import scope
from inventory.models import StockReport
from partners.models import Dealer, ProductLine, Territory
from rebates.periods import RebatePeriod

ZERO = Decimal("0.00")
#: The share (%) of sell-out the key terminals make together.
PARETO_SHARE = Decimal("80")
FLAGS = ("overstock", "stockout", "slow_moving", "receipt_mismatch")


def stock_report_list(user) -> QuerySet[StockReport]:
    return scope(user, StockReport).select_related(
        "dealer", "dealer__territory", "dealer__owner", "product_line", "submitted_by", "confirmed_by"
    )


def flagged_condition() -> Q:
    return Q(overstock=True) | Q(stockout=True) | Q(slow_moving=True) | Q(receipt_mismatch=True)


def stock_health(user, period: Month | str | None = None) -> QuerySet[StockReport]:
    """The reports of a month (the latest reported month the user sees, unless given), flagged ones first, then
    by days of stock, longest first (SPEC §16 "the manager's stock health list")."""
    reports = stock_report_list(user)
    if period is None:
        period = latest_period(user)
    flagged = Case(When(flagged_condition(), then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        reports.filter(period=str(period) if period else "")
        .annotate(unflagged=flagged)
        .order_by("unflagged", "-days_of_stock", "dealer__code", "product_line__code")
    )


def latest_period(user) -> str | None:
    """The latest month with a report ``user`` sees (one query; ``None`` without any)."""
    return scope(user, StockReport).order_by("-period").values_list("period", flat=True).first()


def health_counts(queryset: QuerySet[StockReport]) -> dict[str, int]:
    """How many reports of ``queryset`` carry each flag, and how many dealers are flagged — one query."""
    # the aggregates are named apart from the fields: a ``Q(overstock=True)`` would read an aggregate of that name
    totals = queryset.order_by().aggregate(
        reports=Count("id"),
        **{f"{flag}_count": Count("id", filter=Q(**{flag: True})) for flag in FLAGS},
        dealers=Count("dealer_id", filter=flagged_condition(), distinct=True),
    )
    return {
        "reports": totals["reports"],
        **{flag: totals[f"{flag}_count"] for flag in FLAGS},
        "dealers": totals["dealers"],
    }


def dealer_stock_history(dealer: Dealer, months: int = 12, until: Month | None = None) -> list[StockReport]:
    """The dealer's reports of the ``months`` months up to ``until`` (the latest reported month), oldest first —
    one query, lines joined in. The caller has already checked that the user sees the dealer."""
    reports = StockReport.objects.filter(dealer=dealer).select_related("product_line")
    if until is None:
        latest = reports.order_by("-period").values_list("period", flat=True).first()
        if latest is None:
            return []
        until = Month.parse(latest)
    first = until
    for _n in range(months - 1):
        first = first.previous()
    return list(reports.filter(period__gte=str(first), period__lte=str(until)).order_by("period", "product_line__code"))


def chart_series(reports: Iterable[StockReport]) -> dict:
    """Months and, per month, the sums of closing stock and sell-out in amounts (the stock tab's chart)."""
    closing: dict[str, Decimal] = defaultdict(lambda: ZERO)
    sold: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for report in reports:
        closing[report.period] += report.closing_amount
        sold[report.period] += report.sold_amount
    months = sorted(closing)
    return {
        "months": months,
        "closing_amount": [str(closing[m]) for m in months],
        "sold_amount": [str(sold[m]) for m in months],
    }


# --- 80/20 ---------------------------------------------------------------------------------------------------


def terminals() -> QuerySet[Dealer]:
    return Dealer.objects.filter(kind=Dealer.Kind.RETAIL_TERMINAL)


@dataclass(frozen=True)
class ParetoRow:
    dealer_id: int
    code: str
    name: str
    amount: Decimal
    share: Decimal | None
    cumulative: Decimal | None
    key: bool
    is_key_account: bool
    pinned: bool


def quarter_months(quarter: RebatePeriod) -> list[str]:
    return [str(month) for month in quarter.months]  # a property


def pareto_set(amounts: list[tuple[int, Decimal]]) -> set[int]:
    """The smallest set of terminals (``(id, amount)``, any order) whose sell-out makes 80 % of the total, the
    largest first — with the terminals that tie the last one taken in too (equal sell-out, equal standing).
    Exact: a set reaches 80 % when its sum × 100 ≥ 80 × the total. Nothing sold: no key terminals."""
    total = sum((amount for _id, amount in amounts if amount > 0), ZERO)
    if total <= 0:
        return set()
    ordered = sorted(((i, a) for i, a in amounts if a > 0), key=lambda item: -item[1])
    chosen: set[int] = set()
    running = ZERO
    last = None
    for dealer_id, amount in ordered:
        if last is not None and running * 100 >= PARETO_SHARE * total and amount != last:
            break
        chosen.add(dealer_id)
        running += amount
        last = amount
    return chosen


def terminal_sell_out(terminal_ids: QuerySet | Iterable[int], quarter: RebatePeriod) -> dict[int, Decimal]:
    """Each terminal's sell-out (sum of ``sold_amount``) over the quarter's months — one query."""
    rows = (
        StockReport.objects.filter(dealer_id__in=terminal_ids, period__in=quarter_months(quarter))
        .values_list("dealer_id")
        .annotate(total=Sum("sold_amount"))
        .order_by()
    )
    return dict(rows)


def pareto(
    user, quarter: RebatePeriod, *, distributor: Dealer | None = None, territory: Territory | None = None
) -> list[ParetoRow]:
    """The terminals ``user`` sees that buy from ``distributor`` (or lie in ``territory``), with their sell-out in
    the quarter, share, cumulative share and whether the 80/20 pass makes them key — largest first. Two queries."""
    candidates = scope(user, terminals())
    if distributor is not None:
        candidates = candidates.filter(parent=distributor)
    if territory is not None:
        candidates = candidates.filter(territory__path__startswith=territory.path)
    dealers = list(candidates.only("id", "code", "name", "is_key_account", "key_account_pinned"))
    amounts = terminal_sell_out([d.pk for d in dealers], quarter)
    total = sum(amounts.values(), ZERO)
    key = pareto_set([(d.pk, amounts.get(d.pk, ZERO)) for d in dealers])
    ordered = sorted(dealers, key=lambda d: (-amounts.get(d.pk, ZERO), d.code))
    rows, running = [], ZERO
    for dealer in ordered:
        amount = amounts.get(dealer.pk, ZERO)
        running += amount
        rows.append(
            ParetoRow(
                dealer_id=dealer.pk,
                code=dealer.code,
                name=dealer.name,
                amount=amount,
                share=(amount * 100 / total).quantize(Decimal("0.01")) if total else None,
                cumulative=(running * 100 / total).quantize(Decimal("0.01")) if total else None,
                key=dealer.pk in key,
                is_key_account=dealer.is_key_account,
                pinned=dealer.key_account_pinned,
            )
        )
    return rows


# --- distribution coverage (铺货率) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    covered: int
    active: int

    @property
    def rate(self) -> Decimal | None:
        """covered ÷ active × 100, to 0.01 (for showing); ``None`` without active terminals."""
        if not self.active:
            return None
        return (Decimal(self.covered) * 100 / self.active).quantize(Decimal("0.01"))

    def below(self, gate: Decimal) -> bool:
        """Exactly: covered × 100 < gate × active (never a rounded rate). No active terminals: never below."""
        return bool(self.active) and Decimal(self.covered) * 100 < gate * self.active


def _stocked(period: str, product_line: ProductLine | None = None) -> QuerySet[StockReport]:
    reports = StockReport.objects.filter(period=period).filter(Q(closing_qty__gt=0) | Q(sold_qty__gt=0))
    if product_line is not None:
        reports = reports.filter(product_line=product_line)
    return reports


def coverage_table(
    user, period: Month | str, territories: list[Territory], lines: list[ProductLine]
) -> dict[tuple[int, int], Coverage]:
    """Coverage of each of ``territories`` (their subtrees) and ``lines`` in the month, over the active terminals
    ``user`` sees — two queries whatever the number of territories and lines."""
    active = scope(user, terminals()).filter(status=Dealer.Status.ACTIVE)
    counts = {}
    for territory in territories:
        counts[territory.pk] = Q(territory__path__startswith=territory.path)
    active_counts = (
        active.aggregate(**{f"t{pk}": Count("id", filter=condition) for pk, condition in counts.items()})
        if counts
        else {}
    )
    covered_rows = (
        _stocked(str(period))
        .filter(dealer__in=active, product_line__in=lines)
        .values_list("product_line_id", "dealer__territory__path")
        .annotate(terminals=Count("dealer_id", distinct=True))
        .order_by()
    )
    covered: dict[tuple[int, int], int] = defaultdict(int)
    for line_id, path, count in covered_rows:
        for territory in territories:
            if path.startswith(territory.path):
                covered[(territory.pk, line_id)] += count
    return {
        (territory.pk, line.pk): Coverage(covered[(territory.pk, line.pk)], active_counts.get(f"t{territory.pk}") or 0)
        for territory in territories
        for line in lines
    }


def rep_coverage(rep_ids: Iterable[int], period: Month | str) -> dict[int, Coverage]:
    """Each rep's coverage in the month: their active terminals (``owner``) with stock or sell-out of any line ÷
    their active terminals — two queries, no scope (the commission run reads every rep it is given)."""
    rep_ids = list(rep_ids)
    active = dict(
        terminals()
        .filter(status=Dealer.Status.ACTIVE, owner_id__in=rep_ids)
        .values_list("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    covered = dict(
        _stocked(str(period))
        .filter(
            dealer__kind=Dealer.Kind.RETAIL_TERMINAL, dealer__status=Dealer.Status.ACTIVE, dealer__owner_id__in=rep_ids
        )
        .values_list("dealer__owner_id")
        .annotate(n=Count("dealer_id", distinct=True))
        .order_by()
    )
    return {rep_id: Coverage(covered.get(rep_id, 0), active.get(rep_id, 0)) for rep_id in rep_ids}


# --- what waits (to-dos, dashboard panels) ---------------------------------------------------------------------


def reports_to_confirm(user) -> QuerySet[StockReport]:
    """Submitted reports of the manager's territories that someone else submitted."""
    return scope(user, StockReport).filter(status=StockReport.Status.SUBMITTED).exclude(submitted_by=user)


def reports_returned(user) -> QuerySet[StockReport]:
    """Returned reports of the rep's dealers, to correct."""
    return scope(user, StockReport).filter(status=StockReport.Status.RETURNED)


def reports_due(user, period: Month | str) -> QuerySet[Dealer]:
    """The rep's active distributors and dealers (those without a parent too) that have no report for ``period``
    yet — the rep's dashboard panel "reports due"."""
    reported = StockReport.objects.filter(period=str(period)).values("dealer_id")
    return scope(user, Dealer).filter(status=Dealer.Status.ACTIVE, owner=user).exclude(pk__in=reported).order_by("code")
