"""Reads for partners: scoped lists with what their pages need, the exclusivity query, expiring agreements,
and the dealer page's overview (figures read through the selectors of the apps that own the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from channelhub.periods import Month
from channelhub.roles import Role, has_role, roles_of
from channelhub.scoping import scope, territory_paths
from evidence.models import Attachment
from evidence.selectors import attachments_for_objects, attachments_of
from kpi.selectors import dealer_conflict_count, dealer_month_facts, dealer_recordings, dealer_statements
from partners.models import Agreement, Dealer, DealerContact, ProductLine, QualificationReview, Territory
from partners.search import apply_search
from visits.selectors import dealer_period_visits, dealer_visit_counts


def territory_subtree(territory: Territory, field: str = "territory") -> Q:
    return Q(**{f"{field}__path__startswith": territory.path})


def covered_territories(user) -> QuerySet[Territory]:
    """The territories ``user`` works in: all for an admin, else the subtrees of those on their profile (where a
    manager puts dealers and agreements, where a manager or an inspector samples terminals)."""
    territories = Territory.objects.order_by("path")
    if has_role(user, Role.ADMIN):
        return territories
    covered = Q(pk__in=[])
    for path in territory_paths(user):
        covered |= Q(path__startswith=path)
    return territories.filter(covered)


def directory_dealers(user) -> QuerySet[Dealer]:
    """The dealers ``user`` may look up (``policies.directory_condition``): the scope rule's, and an
    inspector's territories' (read only) — for the dealer list and page and the inspections app only."""
    from partners.policies import directory_condition

    if not roles_of(user):
        return Dealer.objects.none()
    condition = directory_condition(user)
    return Dealer.objects.all() if condition is None else Dealer.objects.filter(condition)


def dealer_list(user, *, q: str = "") -> QuerySet[Dealer]:
    """The dealers ``user`` may see, with territory and owner loaded (no query per row)."""
    dealers = directory_dealers(user).select_related("territory", "owner")
    if q:
        dealers = apply_search(dealers, q)
    return dealers.order_by("code")


def dealer_detail(user) -> QuerySet[Dealer]:
    """For one dealer's page or API detail: everything it shows, in a fixed number of queries."""
    return (
        directory_dealers(user)
        .select_related("territory", "owner", "parent")
        .prefetch_related(
            "product_lines",
            Prefetch("contacts", queryset=DealerContact.objects.order_by("-is_primary", "name", "id")),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("territory", "rebate_program").prefetch_related(
                    "product_lines"
                ),
            ),
            Prefetch(
                "reviews",
                queryset=QualificationReview.objects.select_related("submitted_by", "decided_by").prefetch_related(
                    "items"
                ),
            ),
        )
    )


def agreement_min_prices(agreement: Agreement) -> list[tuple[ProductLine, Decimal]]:
    """The agreement's minimum shelf prices, each with its product line, in the lines' code order — one query
    (none without minimum prices). A code whose line is gone is left out."""
    stored = agreement.min_prices or {}
    if not stored:
        return []
    lines = ProductLine.objects.filter(code__in=list(stored)).order_by("code")
    return [(line, Decimal(str(stored[line.code]))) for line in lines]


def agreement_list(user) -> QuerySet[Agreement]:
    return (
        scope(user, Agreement.objects.all())
        .select_related("dealer", "territory", "rebate_program")
        .prefetch_related("product_lines")
        .order_by("-start_date", "-id")
    )


def conflicting_agreements(agreement: Agreement) -> QuerySet[Agreement]:
    """Signed exclusive agreements of other dealers that clash with ``agreement``: overlapping dates,
    a territory that is the same, an ancestor or a descendant, and at least one shared product line."""
    territory = agreement.territory
    return (
        Agreement.objects.filter(
            status=Agreement.Status.SIGNED,
            exclusive=True,
            start_date__lte=agreement.end_date,
            end_date__gte=agreement.start_date,
            product_lines__in=agreement.product_lines.all(),
        )
        .filter(Q(territory__path__startswith=territory.path) | Q(territory__path__in=territory.ancestor_paths()))
        .exclude(dealer_id=agreement.dealer_id)
        .exclude(pk=agreement.pk)
        .distinct()
        .order_by("start_date", "pk")
    )


def agreements_ending(today: date, within_days: int = 30) -> QuerySet[Agreement]:
    """Signed agreements whose end date falls in [today, today + within_days]."""
    return (
        Agreement.objects.filter(
            status=Agreement.Status.SIGNED, end_date__gte=today, end_date__lte=today + timedelta(days=within_days)
        )
        .select_related("dealer", "dealer__owner", "dealer__owner__profile", "dealer__territory", "territory")
        .order_by("end_date", "pk")
    )


# --- documents (SPEC §13): business licences, credit reports, signed contract scans ----------------------


@dataclass(frozen=True)
class Document:
    """A file kept on one of a dealer's reviews or agreements, with the record it is on."""

    attachment: Attachment
    record: QualificationReview | Agreement

    @property
    def on_review(self) -> bool:
        return isinstance(self.record, QualificationReview)


def dealer_documents(dealer: Dealer) -> list[Document]:
    """The documents of all of ``dealer``'s reviews and agreements, newest first — one query (none without
    reviews or agreements). ``dealer`` comes from ``dealer_detail`` (its reviews and agreements prefetched),
    so whoever sees the dealer sees them."""
    records = {(type(r), r.pk): r for r in [*dealer.reviews.all(), *dealer.agreements.all()]}
    found = attachments_for_objects(records.values())
    documents = [Document(a, records[key]) for key, attachments in found.items() for a in attachments]
    return sorted(documents, key=lambda d: (d.attachment.uploaded_at, d.attachment.pk), reverse=True)


def agreement_documents(agreement: Agreement) -> list[Attachment]:
    """The documents of ``agreement`` (which the reader may see), oldest first — one query."""
    return attachments_of(agreement)


# --- what a manager asks about a dealer first (the dealer's page, SPEC §7) ----------------------------

#: Months of the dealer page's chart, the current one included.
OVERVIEW_MONTHS = 12
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def monthly_sales_targets(agreements: Iterable[Agreement], months: Sequence[Month]) -> list[Decimal | None]:
    """Each month's share of the signed agreements' annual sales targets (``annual_sales_target`` / 12),
    in cents: the whole share for a month an agreement covers whole, the covered days' part of it for a
    month it starts or ends in, summed over the agreements; None for a month no signed agreement
    touches. Reads ``agreements`` as given (a prefetched list costs no query)."""
    signed = [a for a in agreements if a.status == Agreement.Status.SIGNED]
    targets: list[Decimal | None] = []
    for month in months:
        total = None
        days_in_month = (month.last_day - month.first_day).days + 1
        for agreement in signed:
            start, end = max(agreement.start_date, month.first_day), min(agreement.end_date, month.last_day)
            if start > end:
                continue
            covered = (end - start).days + 1
            share = agreement.annual_sales_target / 12 * covered / days_in_month
            total = share if total is None else total + share
        targets.append(None if total is None else total.quantize(CENT, rounding=ROUND_HALF_UP))
    return targets


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    net_sales: Decimal
    collections: Decimal
    sales_target: Decimal | None

    @property
    def sales_achievement(self) -> Decimal | None:
        """Net sales / target × 100 (two decimals); None when there is no target."""
        if not self.sales_target:
            return None
        return (self.net_sales / self.sales_target * 100).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DealerOverview:
    """What a manager asks about a dealer first, from the rows ``user`` may see."""

    months: list[MonthFigures]  #: oldest first, the current month last
    visits: list  #: the current month's visits (the newest ``limit``)
    visit_count: int  #: all of the current month's visits
    open_flagged_visits: int  #: flagged visits waiting for a verdict
    conflicts: int  #: channel-conflict sales over ``months``
    statements: list  #: the latest monthly statements of the reps and months with facts here
    recordings: list  #: the latest recordings of facts here

    @property
    def current(self) -> MonthFigures:
        return self.months[-1]

    @property
    def first_day(self) -> date:
        return self.months[0].month.first_day

    @property
    def last_day(self) -> date:
        return self.current.month.last_day


def dealer_overview(user, dealer: Dealer, *, today: date | None = None) -> DealerOverview:
    """The dealer page's figures for ``user``: the last ``OVERVIEW_MONTHS`` months of net sales and
    collections against the signed agreements' targets, this month's visits, the open flags, the latest
    statements and recordings — each only from rows ``user`` may see (``scope``), in seven queries at most
    whatever the number of rows. ``dealer`` comes from ``dealer_detail`` (its agreements prefetched)."""
    current = Month.of(today or timezone.localdate())
    months = [current]
    while len(months) < OVERVIEW_MONTHS:
        months.insert(0, months[0].previous())
    first, last = months[0].first_day, current.last_day
    facts = dealer_month_facts(user, dealer, first, last)
    targets = monthly_sales_targets(dealer.agreements.all(), months)
    figures = [
        MonthFigures(
            month=month,
            net_sales=facts.net_sales.get(str(month), ZERO),
            collections=facts.collections.get(str(month), ZERO),
            sales_target=target,
        )
        for month, target in zip(months, targets, strict=True)
    ]
    counts = dealer_visit_counts(user, dealer, current.first_day, current.last_day)
    return DealerOverview(
        months=figures,
        visits=dealer_period_visits(user, dealer, current.first_day, current.last_day),
        visit_count=counts["in_period"],
        open_flagged_visits=counts["open_flags"],
        conflicts=dealer_conflict_count(user, dealer, first, last),
        statements=dealer_statements(user, facts.rep_periods),
        recordings=dealer_recordings(user, dealer),
    )


# --- agreements that name a rebate program (rebate settlements, SPEC §15) --------------------------------


def rebate_agreements(first: date, last: date, *, dealer_ids=None, program_filter: dict | None = None) -> list[dict]:
    """The signed agreements in force some day from ``first`` to ``last`` that name a rebate program (and match
    ``program_filter``, lookups on the program), as ``{"id", "dealer_id", "rebate_program_id", "start_date",
    "end_date", "annual_sales_target", "payment_terms_days"}`` ordered by dealer and start — one query."""
    agreements = Agreement.objects.filter(
        status=Agreement.Status.SIGNED, rebate_program__isnull=False, start_date__lte=last, end_date__gte=first
    )
    if dealer_ids is not None:
        agreements = agreements.filter(dealer_id__in=list(dealer_ids))
    if program_filter:
        agreements = agreements.filter(**{f"rebate_program__{key}": value for key, value in program_filter.items()})
    return list(
        agreements.order_by("dealer_id", "start_date", "id").values(
            "id",
            "dealer_id",
            "rebate_program_id",
            "start_date",
            "end_date",
            "annual_sales_target",
            "payment_terms_days",
        )
    )


def payment_terms_rows(dealers: QuerySet | Iterable[int]) -> dict[int, list[tuple[date, date, int]]]:
    """Per dealer of ``dealers`` (IDs, or a query of dealers): (start, end, payment terms in days) of each
    agreement it signed — in force now or since ended or terminated (what was invoiced under it keeps its
    terms) — newest start first. One query."""
    ids = dealers.values("pk") if isinstance(dealers, QuerySet) else list(dealers)
    signed = Q(status=Agreement.Status.SIGNED) | Q(status=Agreement.Status.TERMINATED, signed_at__isnull=False)
    rows = (
        Agreement.objects.filter(signed, dealer_id__in=ids)
        .order_by("dealer_id", "-start_date", "-id")
        .values_list("dealer_id", "start_date", "end_date", "payment_terms_days")
    )
    found: dict[int, list[tuple[date, date, int]]] = {}
    for dealer_id, start, end, terms in rows:
        found.setdefault(dealer_id, []).append((start, end, terms))
    return found
