"""The dealer account (往来账, SPEC §15): reads only — it stores nothing of its own.

**Receivable** of a dealer at the end of a day = its sales (invoices, less credit notes: ``kpi``) − its
collections (``kpi``) − the rebates credited to it (settlements here approved or paid whose program pays by
credit note, on their period's last day ``period_end``, at their ``net_amount``) − the fund settlements payable to it (settled fund claims, by ``settled_on``, at their
``settled_amount``: ``funds``). Rebates paid in cash do not touch it (a memo line). Every reader here sums the
same columns (``account_columns``): one source for the statement of account, the aging, the over-credit flag
and the deposit refund.

**Statement of account** (对账单) of a month: the receivable at the end of the month before (opening), the
month's movements, the closing balance; the deposit's movements and balance beside it (a memo).

**Aging** (账龄), first in, first out: each sale above 0 is an invoice due its date + the payment terms of the
agreement in force on its date (the dealer's signed agreement covering the date, the newest one started when
several do; else its latest signed agreement; else 30 days). Everything else that pays — collections, credit
notes, rebates credited, fund settlements — pays the oldest invoices first, whatever its own date. An invoice
is open by what the dealer's credits leave of it: its running sum (the dealer's invoices up to it, in date and
ID order: a window function) less all the credits, at most its amount. Buckets by days past due: current (not
due yet), 1–30, 31–60, 61–90, > 90. A dealer whose credits exceed its invoices has a credit balance.

Each reader takes a set of dealers (IDs or a query of them) and reads in a fixed number of queries whatever
their number: the aging of 10,000 dealers is two queries (their credits joined to their open invoices, and the
agreements' terms).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channelhub.periods import Month
from funds.selectors import deposit_entries, settled_claim_rows, settled_claims_column
from kpi.selectors import dealer_account_columns, dealer_account_rows, dealer_balance_columns, dealer_invoices_running
from partners.models import Dealer
from partners.selectors import payment_terms_rows
from rebates.models import RebateProgram, RebateSettlement

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=18, decimal_places=2)
#: Payment terms when the dealer never signed an agreement.
DEFAULT_TERMS_DAYS = 30
#: The aging buckets, by days past due: (key, first day, last day); ``None``: no end.
BUCKETS = (
    ("current", None, 0),
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("over_90", 91, None),
)
BUCKET_KEYS = tuple(key for key, _first, _last in BUCKETS)
#: What people read for each bucket.
BUCKET_LABELS = {
    "current": pgettext_lazy("aging bucket: not due yet", "Current"),
    "days_1_30": _("1–30 days overdue"),
    "days_31_60": _("31–60 days overdue"),
    "days_61_90": _("61–90 days overdue"),
    "over_90": _("Over 90 days overdue"),
}
OVERDUE_KEYS = BUCKET_KEYS[1:]


def _cent(value: Any) -> Decimal:
    """A sum read back from the database (SQLite answers floats for raw SQL) as exact cents."""
    if value is None:
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _dealer_ids(dealers: QuerySet | Iterable[int]) -> QuerySet | list[int]:
    return dealers.values("pk") if isinstance(dealers, QuerySet) else list(dealers)


# --- the columns every reader sums -------------------------------------------------------------------------


def _rebates_column(payout: str, first: date | None, last: date | None, dealer) -> Coalesce:
    """A period's rebate is the dealer's once finance approves it, on the period's last day (a quarter's rebate
    in its last month's statement), whenever the credit note is issued."""
    settlements = RebateSettlement.objects.filter(
        dealer_id=dealer, status__in=RebateSettlement.FINAL, program__payout=payout
    )
    if first is not None:
        settlements = settlements.filter(period_end__gte=first)
    if last is not None:
        settlements = settlements.filter(period_end__lte=last)
    total = settlements.order_by().values("dealer_id").annotate(total=Sum("net_amount")).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def account_columns(
    *, first: date | None = None, last: date | None = None, prefix: str = "", dealer: Any = None
) -> dict[str, Any]:
    """The figures of a dealer's account dated from ``first`` to ``last`` (either open) as columns to annotate a
    query of dealers with (``dealer``: the outer dealer's ID, ``OuterRef("pk")`` by default): ``invoiced``,
    ``credit_notes`` (≤ 0) and ``collections`` from kpi, ``rebates_credited`` from here, ``fund_settlements``
    from funds — each under ``prefix``."""
    dealer = OuterRef("pk") if dealer is None else dealer
    return {
        **dealer_account_columns(first=first, last=last, prefix=prefix, dealer=dealer),
        f"{prefix}rebates_credited": _rebates_column(RebateProgram.Payout.CREDIT_NOTE, first, last, dealer),
        f"{prefix}fund_settlements": settled_claims_column(first=first, last=last, dealer=dealer),
    }


def _credits_expression(prefix: str = "") -> ExpressionWrapper:
    """What pays invoices: collections, credit notes (stored below 0), rebates credited, fund settlements."""
    return ExpressionWrapper(
        F(f"{prefix}collections")
        - F(f"{prefix}credit_notes")
        + F(f"{prefix}rebates_credited")
        + F(f"{prefix}fund_settlements"),
        output_field=MONEY,
    )


def _owed(sales: Decimal, row: Mapping[str, Any], prefix: str = "") -> Decimal:
    """``sales`` (net of credit notes) less what pays them: collections, rebates credited, fund settlements."""
    return (
        sales
        - _cent(row[f"{prefix}collections"])
        - _cent(row[f"{prefix}rebates_credited"])
        - _cent(row[f"{prefix}fund_settlements"])
    )


def _receivable_of(row: Mapping[str, Any], prefix: str = "") -> Decimal:
    return _owed(_cent(row[f"{prefix}invoiced"]) + _cent(row[f"{prefix}credit_notes"]), row, prefix)


def balance_columns() -> dict[str, Any]:
    """Everything recorded at the dealer of the outer row, whatever its date: the facts from the roll-up
    (``kpi.selectors.dealer_balance_columns``), rebates credited and fund settlements — ``_balance_of`` of
    them is the receivable now."""
    dealer = OuterRef("pk")
    return {
        **dealer_balance_columns(dealer=dealer),
        "rebates_credited": _rebates_column(RebateProgram.Payout.CREDIT_NOTE, None, None, dealer),
        "fund_settlements": settled_claims_column(dealer=dealer),
    }


def _balance_of(row: Mapping[str, Any]) -> Decimal:
    return _owed(_cent(row["net_sales"]), row)


def receivables(dealers: QuerySet | Iterable[int], day: date | None = None) -> dict[int, Decimal]:
    """Each dealer's receivable at the end of ``day`` (``None``: everything recorded, whatever its date, read
    from the roll-ups) — one query; a dealer with nothing recorded owes 0.00."""
    rows = Dealer.objects.filter(pk__in=_dealer_ids(dealers)).order_by().values("pk")
    if day is None:
        return {row["pk"]: _balance_of(row) for row in rows.annotate(**balance_columns())}
    return {row["pk"]: _receivable_of(row) for row in rows.annotate(**account_columns(last=day))}


def receivable(dealer_id: int, day: date | None = None) -> Decimal:
    """What ``dealer_id`` owes at the end of ``day`` (``None``: now) — below 0 a credit balance. One query."""
    return receivables([dealer_id], day).get(dealer_id, ZERO)


# --- the statement of account --------------------------------------------------------------------------


@dataclass
class Statement:
    """对账单 of a dealer and month: ``closing`` = ``opening`` + ``sales`` − ``collections`` −
    ``rebates_credited`` − ``fund_settlements``; ``rebates_cash`` is a memo (paid out, not netted)."""

    dealer_id: int
    month: Month
    opening: Decimal = ZERO
    invoiced: Decimal = ZERO
    credit_notes: Decimal = ZERO
    collections: Decimal = ZERO
    rebates_credited: Decimal = ZERO
    fund_settlements: Decimal = ZERO
    rebates_cash: Decimal = ZERO
    deposit: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list] = field(default_factory=dict)

    @property
    def sales(self) -> Decimal:
        """Net sales of the month: invoices less credit notes."""
        return self.invoiced + self.credit_notes

    @property
    def closing(self) -> Decimal:
        return self.opening + self.sales - self.collections - self.rebates_credited - self.fund_settlements

    @property
    def first_day(self) -> date:
        return self.month.first_day

    @property
    def last_day(self) -> date:
        return self.month.last_day


def statements(dealers: QuerySet | Iterable[int], month: Month) -> dict[int, Statement]:
    """The statement of account of ``month`` of each dealer (its figures; no deposit, no rows) — one query."""
    before = month.first_day - timedelta(days=1)
    rows = (
        Dealer.objects.filter(pk__in=_dealer_ids(dealers))
        .order_by()
        .values("pk")
        .annotate(
            **account_columns(last=before, prefix="before_"),
            **account_columns(first=month.first_day, last=month.last_day, prefix="month_"),
            month_rebates_cash=_rebates_column(
                RebateProgram.Payout.CASH, month.first_day, month.last_day, OuterRef("pk")
            ),
        )
    )
    found = {}
    for row in rows:
        found[row["pk"]] = Statement(
            dealer_id=row["pk"],
            month=month,
            opening=_receivable_of(row, "before_"),
            invoiced=_cent(row["month_invoiced"]),
            credit_notes=_cent(row["month_credit_notes"]),
            collections=_cent(row["month_collections"]),
            rebates_credited=_cent(row["month_rebates_credited"]),
            fund_settlements=_cent(row["month_fund_settlements"]),
            rebates_cash=_cent(row["month_rebates_cash"]),
        )
    return found


def deposit_memo(dealer_id: int, month: Month) -> dict[str, Any]:
    """The deposit's movements in ``month`` (``received``, ``deducted``, ``refunded``, and their ``entries``) and
    its ``balance`` at the month's end, from the funds ledger (one query). A memo: the deposit is not part of the
    receivable."""
    memo: dict[str, Any] = {"received": ZERO, "deducted": ZERO, "refunded": ZERO, "balance": ZERO}
    entries = []
    for entry in deposit_entries(dealer_id):
        if entry.date > month.last_day:
            continue
        memo["balance"] += entry.amount if entry.kind == "received" else -entry.amount
        if entry.date >= month.first_day:
            memo[entry.kind] += entry.amount
            entries.append(entry)
    memo["entries"] = entries
    return memo


def credited_rebates(dealer_id: int, first: date, last: date) -> list[RebateSettlement]:
    """The dealer's approved or paid settlements whose period ends from ``first`` to ``last`` (credit notes and
    cash), oldest first (one query)."""
    return list(
        RebateSettlement.objects.filter(
            dealer_id=dealer_id, status__in=RebateSettlement.FINAL, period_end__gte=first, period_end__lte=last
        )
        .select_related("program")
        .order_by("period_end", "id")
    )


def statement_of_account(dealer_id: int, month: Month, *, with_rows: bool = True) -> Statement:
    """One dealer's statement of ``month`` with its deposit memo and (``with_rows``) the month's rows: sales,
    collections, rebates approved or paid for a period ending in the month, settled fund claims — two queries, six with the rows."""
    statement = statements([dealer_id], month).get(dealer_id) or Statement(dealer_id=dealer_id, month=month)
    statement.deposit = deposit_memo(dealer_id, month)
    if with_rows:
        statement.rows = {
            **dealer_account_rows(dealer_id, month.first_day, month.last_day),
            "rebates": credited_rebates(dealer_id, month.first_day, month.last_day),
            "fund_settlements": settled_claim_rows(dealer_id, month.first_day, month.last_day),
        }
    return statement


# --- aging -------------------------------------------------------------------------------------------------


@dataclass
class Aging:
    """A dealer's receivable at ``day`` by days past due (``BUCKET_KEYS``); ``credit_balance`` > 0 when its
    credits exceed its invoices (then every bucket is 0.00)."""

    dealer_id: int
    day: date
    receivable: Decimal = ZERO
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKET_KEYS, ZERO))
    oldest_due: date | None = None

    @property
    def credit_balance(self) -> Decimal:
        return -self.receivable if self.receivable < 0 else ZERO

    @property
    def overdue(self) -> Decimal:
        return sum((self.buckets[key] for key in OVERDUE_KEYS), ZERO)

    @property
    def over_60(self) -> Decimal:
        return self.buckets["days_61_90"] + self.buckets["over_90"]

    def __getattr__(self, name: str) -> Decimal:
        # ``aging.days_1_30`` in templates and serializers
        buckets = self.__dict__.get("buckets")
        if buckets is not None and name in buckets:
            return buckets[name]
        raise AttributeError(name)


def terms_on(agreements: list[tuple[date, date, int]], day: date) -> int:
    """The payment terms of an invoice dated ``day``: the agreement covering the day (the newest started when
    several do), else the latest signed one, else ``DEFAULT_TERMS_DAYS``. ``agreements`` newest first."""
    for start, end, terms in agreements:
        if start <= day <= end:
            return terms
    return agreements[0][2] if agreements else DEFAULT_TERMS_DAYS


def bucket_of(days_past_due: int) -> str:
    for key, first, last in BUCKETS:
        if (first is None or days_past_due >= first) and (last is None or days_past_due <= last):
            return key
    raise AssertionError(days_past_due)


def _open_invoices_sql(dealers: QuerySet | Iterable[int], day: date) -> tuple[str, list]:
    """Each dealer (invoiced, credits) left-joined to its invoices that its credits do not cover."""
    ids = _dealer_ids(dealers)
    accounts = (
        Dealer.objects.filter(pk__in=ids)
        .order_by()
        .annotate(**account_columns(last=day, prefix="acc_"))
        .annotate(acc_credits=_credits_expression("acc_"))
        .values(acc_dealer=F("pk"), acc_invoiced_total=F("acc_invoiced"), acc_credit_total=F("acc_credits"))
        # DISTINCT (a no-op: one row per dealer) keeps PostgreSQL and SQLite from flattening this subquery into
        # the join, which would sum each dealer's credits again for every one of its invoices
        .distinct()
    )
    invoices = dealer_invoices_running(ids, day).values(
        inv_dealer=F("dealer_id"), inv_id=F("id"), inv_date=F("date"), inv_amount=F("amount"), inv_running=F("running")
    )
    accounts_sql, accounts_params = accounts.query.sql_with_params()
    invoices_sql, invoices_params = invoices.query.sql_with_params()
    sql = (
        "SELECT a.acc_dealer, a.acc_invoiced_total, a.acc_credit_total, i.inv_date, i.inv_amount, i.inv_running "
        f"FROM ({accounts_sql}) a LEFT OUTER JOIN ({invoices_sql}) i "
        "ON i.inv_dealer = a.acc_dealer AND i.inv_running > a.acc_credit_total "
        "ORDER BY a.acc_dealer, i.inv_date, i.inv_id"
    )
    return sql, [*accounts_params, *invoices_params]


def aging(dealers: QuerySet | Iterable[int], day: date | None = None) -> dict[int, Aging]:
    """The aging of each dealer at the end of ``day`` (today by default) — two queries whatever the number of
    dealers: their credits joined to the invoices those do not cover (SQL window function), and the terms."""
    day = day or timezone.localdate()
    try:
        sql, params = _open_invoices_sql(dealers, day)
    except EmptyResultSet:  # no dealer can match (a manager who covers no territory)
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found: dict[int, Aging] = {}
    open_by_dealer: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for dealer_id, invoiced, credits, inv_date, inv_amount, inv_running in rows:
        if dealer_id not in found:
            found[dealer_id] = Aging(dealer_id=dealer_id, day=day, receivable=_cent(invoiced) - _cent(credits))
        if inv_date is None:
            continue
        left = min(_cent(inv_amount), _cent(inv_running) - _cent(credits))
        if left > 0:
            open_by_dealer[dealer_id].append((_day(inv_date), left))
    if found:
        # the terms are read even when nothing is open (then of one dealer): the same two queries whatever the
        # figures, so a page's query count does not depend on what a dealer owes
        terms = payment_terms_rows(list(open_by_dealer) or list(found)[:1])
        for dealer_id, invoices in open_by_dealer.items():
            result = found[dealer_id]
            for invoice_day, left in invoices:
                due = invoice_day + timedelta(days=terms_on(terms.get(dealer_id, []), invoice_day))
                result.buckets[bucket_of((day - due).days)] += left
                if result.oldest_due is None or due < result.oldest_due:
                    result.oldest_due = due
    return found


def dealer_aging(dealer_id: int, day: date | None = None) -> Aging:
    return aging([dealer_id], day).get(dealer_id) or Aging(dealer_id=dealer_id, day=day or timezone.localdate())


# --- over credit (kpi's sale check) ---------------------------------------------------------------------------


def flag_over_credit(rows: list[dict[str, Any]]) -> None:
    """``kpi.services.facts.register_sale_check``: set ``over_credit`` on each new sale above 0 that takes its
    dealer's receivable — everything recorded so far, plus the batch's earlier sales of the dealer in the
    batch's order (credit notes lower it) — strictly above the dealer's ``credit_limit`` (a limit of 0.00 is
    no credit at all). One query for the whole batch."""
    if not rows:
        return
    dealer_ids = {row["dealer_id"] for row in rows}
    accounts = (
        Dealer.objects.filter(pk__in=dealer_ids).order_by().values("pk", "credit_limit").annotate(**balance_columns())
    )
    owed: dict[int, Decimal] = {}
    limits: dict[int, Decimal] = {}
    for account in accounts:
        owed[account["pk"]] = _balance_of(account)
        limits[account["pk"]] = account["credit_limit"]
    for row in rows:
        dealer_id = row["dealer_id"]
        owed[dealer_id] = owed.get(dealer_id, ZERO) + row["amount"]
        row["over_credit"] = row["amount"] > 0 and owed[dealer_id] > limits.get(dealer_id, ZERO)


# --- the aging report (scoped) ------------------------------------------------------------------------------


@dataclass
class AgingRow:
    dealer: Dealer
    aging: Aging
    group: Any = None  # the territory the row is grouped under


@dataclass
class AgingGroup:
    territory: Any
    rows: list[AgingRow] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)


TOTAL_KEYS = ("receivable", *BUCKET_KEYS, "overdue", "credit_balance")


def _figures(aging_of: Aging) -> dict[str, Decimal]:
    return {
        "receivable": aging_of.receivable,
        **aging_of.buckets,
        "overdue": aging_of.overdue,
        "credit_balance": aging_of.credit_balance,
    }


def totals_of(rows: Iterable[AgingRow]) -> dict[str, Decimal]:
    totals = dict.fromkeys(TOTAL_KEYS, ZERO)
    for row in rows:
        for key, value in _figures(row.aging).items():
            totals[key] += value
    return totals


def group_level(territory=None) -> int:
    """The territory level the report groups dealers by: provinces, or the level below the territory chosen."""
    from partners.models import Territory

    province = Territory.Level.PROVINCE
    return province if territory is None else max(province, territory.level + 1)


def aging_report(
    user,
    *,
    territory=None,
    dealer_id: int | None = None,
    min_overdue: Decimal | None = None,
    day: date | None = None,
) -> dict[str, Any]:
    """The aging of the dealers ``user`` sees (in ``territory``'s subtree, or one dealer) that owe something or
    hold a credit balance, with at least ``min_overdue`` past due: ``{"day", "rows", "groups", "totals"}`` —
    rows by territory path and dealer code, grouped by the territory at ``group_level`` above each dealer's.
    Four queries however many dealers: the dealers, their aging (two), the groups' territories."""
    from channelhub.scoping import scope
    from partners.models import Territory

    day = day or timezone.localdate()
    dealers = scope(user, Dealer).select_related("territory")
    if territory is not None:
        dealers = dealers.filter(territory__path__startswith=territory.path)
    if dealer_id is not None:
        dealers = dealers.filter(pk=dealer_id)
    figures = aging(dealers, day)
    level = group_level(territory)
    rows = []
    for dealer in dealers.order_by("territory__path", "code", "pk"):
        found = figures.get(dealer.pk)
        if found is None or found.receivable == 0:
            continue
        if min_overdue is not None and found.overdue < min_overdue:
            continue
        codes = dealer.territory.path.strip("/").split("/")
        rows.append(AgingRow(dealer=dealer, aging=found, group="/" + "/".join(codes[: level + 1]) + "/"))
    names = Territory.objects.in_bulk({row.group for row in rows}, field_name="path") if rows else {}
    groups: dict[str, AgingGroup] = {}
    for row in rows:
        row.group = names.get(row.group) or row.dealer.territory
        groups.setdefault(row.group.path, AgingGroup(territory=row.group)).rows.append(row)
    for group in groups.values():
        group.totals = totals_of(group.rows)
    return {"day": day, "rows": rows, "groups": list(groups.values()), "totals": totals_of(rows)}


def empty_report(day: date | None = None) -> dict[str, Any]:
    return {"day": day or timezone.localdate(), "rows": [], "groups": [], "totals": dict.fromkeys(TOTAL_KEYS, ZERO)}


def top_overdue_over_60(user, limit: int = 5, day: date | None = None) -> dict[str, Any]:
    """What the dashboards show: past due more than 60 days, in all and for the ``limit`` dealers owing most of
    it, among the dealers ``user`` sees (three queries)."""
    from channelhub.scoping import scope

    day = day or timezone.localdate()
    figures = aging(scope(user, Dealer), day)
    owing = sorted(
        ((found.over_60, dealer_id) for dealer_id, found in figures.items() if found.over_60 > 0),
        key=lambda pair: (-pair[0], pair[1]),
    )
    top = owing[:limit]
    dealers = Dealer.objects.in_bulk([dealer_id for _amount, dealer_id in top]) if top else {}
    return {
        "day": day,
        "total": sum((amount for amount, _dealer_id in owing), ZERO),
        "dealers": len(owing),
        "top": [{"dealer": dealers[dealer_id], "amount": amount} for amount, dealer_id in top],
    }
