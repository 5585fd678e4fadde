"""Fact reads (sales, collections, expenses, periods), always through ``channelhub.scoping.scope``:
a fact out of scope is absent from lists and totals, and a 404 in details.

Each list comes with what its page or API shows joined in, so no query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, TruncMinute, TruncMonth

from channelhub.formatting import round_cent
from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from commissions.models import Statement
from commissions.selectors import statement_list
from kpi.models import Collection, DealerMonthTotal, Expense, Fact, Period, RepMonthTotal, SalesRecord
from kpi.services.conflicts import signed_agreement_territories
from kpi.services.facts import Kind, model_of
from partners.models import Dealer, Territory

ZERO = Decimal("0.00")


def fact_list(user, kind: str) -> QuerySet[Fact]:
    """The facts of ``kind`` that ``user`` may see (SPEC §2: rep own, manager team, finance and admin all)."""
    model = model_of(kind)
    related = ["dealer", "rep"]
    if model is SalesRecord:
        related += ["category", "ship_to_territory"]
    return scope(user, model).select_related(*related).order_by("-date", "-id")


def fact_totals(queryset: QuerySet[Fact]) -> dict:
    """How many rows and their amount (one aggregate query); ``queryset`` is already scoped and filtered."""
    totals = queryset.order_by().aggregate(count=Count("id"), amount=Sum("amount"))
    return {"count": totals["count"], "amount": totals["amount"] if totals["amount"] is not None else ZERO}


def fact_reps(user) -> QuerySet:
    """The field reps whose facts ``user`` may see, for filter choices."""
    return scope(user, get_user_model()).filter(groups__name=Role.FIELD_REP).distinct().order_by("username")


def fact_dealers(user, facts: QuerySet[Fact]) -> QuerySet[Dealer]:
    """The dealers a fact list may be filtered by: those ``user`` may see, and those of ``facts`` (a
    manager sees the team's facts, also at dealers outside their territories)."""
    return Dealer.objects.filter(
        Q(pk__in=scope(user, Dealer).values("pk")) | Q(pk__in=facts.order_by().values("dealer_id"))
    )


def period_list(user) -> QuerySet[Period]:
    return scope(user, Period).select_related("closed_by")


# --- channel conflicts -----------------------------------------------------------------------------


def conflict_list(user) -> QuerySet[SalesRecord]:
    """Flagged sales at the dealers ``user`` may see: a manager those in their territories (whoever the
    rep), finance and admins all. A rep sees only their own flagged sales at their own dealers."""
    flagged = (
        SalesRecord.objects.filter(channel_conflict=True, dealer__in=scope(user, Dealer).values("pk"))
        .select_related("dealer", "dealer__territory", "rep", "ship_to_territory", "category")
        .order_by("-date", "-id")
    )
    if not has_role(user, Role.ADMIN, Role.FINANCE, Role.CHANNEL_MANAGER):
        flagged = flagged.filter(pk__in=scope(user, SalesRecord).values("pk"))
    return flagged


def attach_agreement_territories(sales: Iterable[SalesRecord]) -> list[SalesRecord]:
    """Give each sale ``agreement_territories``: the territories of its dealer's signed agreements in
    force on its date (what the ship-to was compared with) — two queries for the whole page."""
    sales = list(sales)
    agreements = signed_agreement_territories({sale.dealer_id for sale in sales})
    paths = {path for rows in agreements.values() for _start, _end, path in rows}
    names = dict(Territory.objects.filter(path__in=paths).values_list("path", "name")) if paths else {}
    for sale in sales:
        in_force = sorted(
            {path for start, end, path in agreements.get(sale.dealer_id, ()) if start <= sale.date <= end}
        )
        sale.agreement_territories = [names.get(path, path) for path in in_force]
    return sales


# --- one dealer's figures (the dealer's page) --------------------------------------------------------


@dataclass(frozen=True)
class DealerMonthFacts:
    """A dealer's net sales and collections by period (``YYYY-MM``), and the (rep ID, period) pairs they
    count for: the statements that paid for them."""

    net_sales: dict[str, Decimal]
    collections: dict[str, Decimal]
    rep_periods: frozenset[tuple[int, str]]


def dealer_month_facts(user, dealer, first: date, last: date) -> DealerMonthFacts:
    """``dealer``'s sales and collections in the months from ``first`` to ``last`` (a month's first and a
    month's last day) that ``user`` may see (a manager: the team's; another team's facts at the dealer are
    not counted), by month — one query of the roll-up (``DealerMonthTotal``: a row per month and rep)."""
    totals: dict[str, dict[str, Decimal]] = {
        "sales": defaultdict(lambda: ZERO),
        "collections": defaultdict(lambda: ZERO),
    }
    rep_periods = set()
    rows = scope(user, DealerMonthTotal).filter(dealer=dealer, month__gte=first.replace(day=1), month__lte=last)
    for row in rows.order_by():
        if row.net_sales == ZERO and row.collections == ZERO and row.expenses != ZERO:
            continue  # only expenses: no sale or collection of this rep's month at the dealer
        period = str(Month.of(row.month))
        totals["sales"][period] += round_cent(row.net_sales)
        totals["collections"][period] += round_cent(row.collections)
        rep_periods.add((row.rep_id, period))
    return DealerMonthFacts(dict(totals["sales"]), dict(totals["collections"]), frozenset(rep_periods))


def dealer_conflict_count(user, dealer, first: date, last: date) -> int:
    """``dealer``'s channel-conflict sales dated from ``first`` to ``last``, as the conflict list shows them
    to ``user`` (one query)."""
    return conflict_list(user).filter(dealer=dealer, date__gte=first, date__lte=last).count()


def dealer_statements(user, rep_periods: Iterable[tuple[int, str]], limit: int = 5) -> list[Statement]:
    """The monthly commission statements ``user`` may see of ``rep_periods`` (the reps and months with facts
    at a dealer: ``DealerMonthFacts.rep_periods``), newest first — one query, none without pairs."""
    pairs = sorted(rep_periods)
    if not pairs:
        return []
    condition = Q()
    for rep_id, period in pairs:
        condition |= Q(rep_id=rep_id, period=period)
    return list(statement_list(user).filter(condition, kind=Statement.Kind.MONTHLY)[:limit])


@dataclass(frozen=True)
class Recording:
    """Facts of one kind recorded for a dealer by one person within one minute: one form, API call or
    import (facts do not say which; imports keep no log of their own)."""

    kind: str
    at: datetime
    recorded_by: Any
    rows: int
    amount: Decimal
    first_date: date
    last_date: date

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


def dealer_recordings(user, dealer, limit: int = 5) -> list[Recording]:
    """The latest recordings of facts at ``dealer`` among the facts ``user`` may see, newest first (one
    query: the three kinds grouped by recorder and minute, in a UNION)."""
    User = get_user_model()
    person = ("created_by_id", "created_by__username", "created_by__first_name", "created_by__last_name")
    parts = [
        scope(user, model_of(kind))
        .filter(dealer=dealer)
        .annotate(kind=Value(kind, output_field=CharField()), at=TruncMinute("created_at"))
        .values("kind", "at", *person)
        .annotate(rows=Count("id"), amount=Sum("amount"), first_date=Min("date"), last_date=Max("date"))
        .order_by()
        for kind in Kind.values
    ]
    latest = parts[0].union(*parts[1:], all=True).order_by("-at", "kind")[:limit]
    recordings = []
    for row in latest:
        by = None
        if row["created_by_id"] is not None:
            by = User(
                pk=row["created_by_id"],
                username=row["created_by__username"],
                first_name=row["created_by__first_name"],
                last_name=row["created_by__last_name"],
            )
        recordings.append(
            Recording(
                kind=row["kind"],
                at=row["at"],
                recorded_by=by,
                rows=row["rows"],
                amount=row["amount"],
                first_date=row["first_date"],
                last_date=row["last_date"],
            )
        )
    return recordings


# --- a rep's month of facts: the one source of the figures (runs, measures, scorecards, dashboards) --------


@dataclass(frozen=True)
class MonthFacts:
    """A rep's (or a team's) month: net sales (credit notes included), collections and expenses."""

    net_sales: Decimal = ZERO
    collections: Decimal = ZERO
    expenses: Decimal = ZERO


#: The fact models behind each figure of ``MonthFacts``.
FACT_FIGURES = {"net_sales": SalesRecord, "collections": Collection, "expenses": Expense}


def _month_sum(figure: str, month: Month) -> Subquery:
    """``figure`` of ``month`` of the rep of the outer row (``OuterRef("pk")``), from the roll-up
    (``RepMonthTotal``: one row per rep and month, kept with the facts — not a sum over the facts)."""
    rows = RepMonthTotal.objects.filter(rep_id=OuterRef("pk"), month=month.first_day).values(figure)
    return Subquery(rows, output_field=DecimalField(max_digits=18, decimal_places=2))


def month_fact_columns(month: Month, prefix: str = "") -> dict[str, Subquery]:
    """The columns of ``MonthFacts`` for ``month``, to annotate a query of users (reps) with, named
    ``<prefix><figure>``: how every reader of a rep's month sums it."""
    return {f"{prefix}{name}": _month_sum(name, month) for name in FACT_FIGURES}


def month_facts_of(row: dict, prefix: str = "") -> MonthFacts:
    """``MonthFacts`` from a row annotated with ``month_fact_columns`` (SQLite sums decimals with extra
    places, 652751.630000000: back to cents, exactly)."""
    return MonthFacts(**{name: round_cent(row.get(f"{prefix}{name}") or ZERO) for name in FACT_FIGURES})


def rep_month_facts(rep_ids: Iterable[int], months: Iterable[Month]) -> dict[tuple[int, str], MonthFacts]:
    """Each rep's facts in each month, keyed ``(rep ID, "YYYY-MM")``, zeros where nothing happened: one
    query of the roll-up (``RepMonthTotal``) whatever the number of reps and months."""
    rep_ids, months = list(dict.fromkeys(rep_ids)), list(months)
    if not rep_ids or not months:
        return {}
    rows = RepMonthTotal.objects.filter(rep_id__in=rep_ids, month__in=[month.first_day for month in months])
    found = {(row["rep_id"], str(Month.of(row["month"]))): row for row in rows.values("rep_id", "month", *FACT_FIGURES)}
    return {
        (rep_id, str(month)): month_facts_of(found.get((rep_id, str(month)), {}))
        for rep_id in rep_ids
        for month in months
    }


# --- a period of dealers' facts, by day (rebate settlements and dealer accounts, SPEC §15) ---------------


class DealerDaySales(NamedTuple):
    """A dealer's sales of one day, product line and conflict flag: ``amount`` net, ``credit`` the part of it
    that is credit notes and returns (≤ 0), ``count`` the sales. (A named tuple: a run reads a few hundred
    thousand of them.)"""

    dealer_id: int
    day: date
    category_id: int | None
    channel_conflict: bool
    amount: Decimal
    credit: Decimal
    count: int


def dealer_day_sales(dealer_ids: Iterable[int], first: date, last: date) -> list[DealerDaySales]:
    """The sales of ``dealer_ids`` dated from ``first`` to ``last``, summed by dealer, day, product line and
    conflict flag — one query (no scope: the rebate run and the accounts read every dealer they are given)."""
    rows = (
        SalesRecord.objects.filter(dealer_id__in=list(dealer_ids), date__gte=first, date__lte=last)
        .values_list("dealer_id", "date", "category_id", "channel_conflict")
        .annotate(
            total=Sum("amount"),
            credit=Sum("amount", filter=Q(amount__lt=0)),
            count=Count("id"),
        )
        .order_by()
    )
    make = DealerDaySales._make
    return [make(row) if row[5] is not None else make((*row[:5], ZERO, row[6])) for row in rows]


def dealer_day_collections(dealer_ids: Iterable[int], first: date, last: date) -> dict[int, list[tuple[date, Decimal]]]:
    """The collections of ``dealer_ids`` dated from ``first`` to ``last``, summed by dealer and day — one query."""
    found: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    rows = (
        Collection.objects.filter(dealer_id__in=list(dealer_ids), date__gte=first, date__lte=last)
        .values_list("dealer_id", "date")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for dealer_id, day, total in rows:
        found[dealer_id].append((day, total))
    return dict(found)


# --- a dealer's account (SPEC §15): the facts' part of the receivable, per dealer -------------------------

ACCOUNT_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _dealer_sum(model, dealer, first: date | None, last: date | None, condition: Q | None = None):
    rows = model.objects.filter(dealer_id=dealer)
    if first is not None:
        rows = rows.filter(date__gte=first)
    if last is not None:
        rows = rows.filter(date__lte=last)
    if condition is not None:
        rows = rows.filter(condition)
    total = rows.order_by().values("dealer_id").annotate(total=Sum("amount")).values("total")
    return Coalesce(Subquery(total, output_field=ACCOUNT_MONEY), Value(ZERO), output_field=ACCOUNT_MONEY)


def dealer_account_columns(
    *, first: date | None = None, last: date | None = None, prefix: str = "", dealer: Any = None
) -> dict[str, Any]:
    """The facts' figures of a dealer's account dated from ``first`` to ``last`` (either open), as columns to
    annotate a query of dealers with (``dealer``: the outer dealer's ID, ``OuterRef("pk")`` by default), named
    ``<prefix>invoiced`` (sales above 0), ``<prefix>credit_notes`` (sales below 0, a negative sum) and
    ``<prefix>collections`` — each read through the (dealer, date) index of its table, 0.00 when none.
    No scope: the account is the dealer's, whoever the facts count for."""
    dealer = OuterRef("pk") if dealer is None else dealer
    return {
        f"{prefix}invoiced": _dealer_sum(SalesRecord, dealer, first, last, Q(amount__gt=0)),
        f"{prefix}credit_notes": _dealer_sum(SalesRecord, dealer, first, last, Q(amount__lt=0)),
        f"{prefix}collections": _dealer_sum(Collection, dealer, first, last),
    }


def _dealer_total(figure: str, dealer):
    rows = DealerMonthTotal.objects.filter(dealer_id=dealer).order_by().values("dealer_id")
    total = rows.annotate(total=Sum(figure)).values("total")
    return Coalesce(Subquery(total, output_field=ACCOUNT_MONEY), Value(ZERO), output_field=ACCOUNT_MONEY)


def dealer_balance_columns(*, prefix: str = "", dealer: Any = None) -> dict[str, Any]:
    """Everything recorded at a dealer, whatever its date, as columns to annotate a query of dealers with:
    ``<prefix>net_sales`` (invoices and credit notes) and ``<prefix>collections`` — read from the roll-up
    (``DealerMonthTotal``: a row per month and rep, not every fact), 0.00 when none. No scope: the account
    is the dealer's, whoever the facts count for."""
    dealer = OuterRef("pk") if dealer is None else dealer
    return {f"{prefix}{figure}": _dealer_total(figure, dealer) for figure in ("net_sales", "collections")}


def dealer_invoices_running(dealers: QuerySet | Iterable[int], day: date) -> QuerySet:
    """The invoices (sales above 0) of ``dealers`` (IDs, or a query of dealers) dated up to ``day``, as rows
    ``dealer_id, id, date, amount, running``: ``running`` the dealer's invoices summed in date and ID order up
    to and including this one (a window function, one pass however many dealers) — what FIFO aging compares
    with the dealer's credits. Not evaluated here: the dealer accounts join it to their credits."""
    ids = dealers.values("pk") if isinstance(dealers, QuerySet) else list(dealers)
    running = Window(
        Sum("amount"),
        partition_by=[F("dealer_id")],
        order_by=[F("date").asc(), F("id").asc()],
        output_field=ACCOUNT_MONEY,
    )
    return (
        SalesRecord.objects.filter(dealer_id__in=ids, amount__gt=0, date__lte=day)
        .annotate(running=running)
        .values("dealer_id", "id", "date", "amount", "running")
        .order_by()
    )


def dealer_account_rows(dealer_id: int, first: date, last: date) -> dict[str, list]:
    """A dealer's sales and collections dated from ``first`` to ``last`` (the statement of account's lines),
    oldest first: ``{"sales": [...], "collections": [...]}`` of ``date, reference, amount, note`` (and
    ``over_credit`` for sales) — two queries. No scope: the caller shows the account of a dealer it may see."""
    fields = ("id", "date", "reference", "amount", "note")
    return {
        "sales": list(
            SalesRecord.objects.filter(dealer_id=dealer_id, date__gte=first, date__lte=last)
            .order_by("date", "id")
            .values(*fields, "over_credit", "channel_conflict")
        ),
        "collections": list(
            Collection.objects.filter(dealer_id=dealer_id, date__gte=first, date__lte=last)
            .order_by("date", "id")
            .values(*fields)
        ),
    }


# --- our net sales to dealers by product line and month (stock reports' receipt check, SPEC §16) ----------


def dealer_line_month_sales(
    dealer_ids: Iterable[int], first: Month, last: Month
) -> dict[tuple[int, int, str], Decimal]:
    """Net sales to ``dealer_ids`` from month ``first`` to ``last`` by (dealer, product line, ``YYYY-MM``) — one
    query, no scope (the stock report services read the dealers they are given)."""
    rows = (
        SalesRecord.objects.filter(
            dealer_id__in=list(dealer_ids), date__gte=first.first_day, date__lte=last.last_day, category__isnull=False
        )
        .annotate(month=TruncMonth("date"))
        .values_list("dealer_id", "category_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(dealer_id, line_id, str(Month.of(month))): round_cent(total) for dealer_id, line_id, month, total in rows}
