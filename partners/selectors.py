"""Reads for partners: scoped lists with what their pages need, the exclusivity query, expiring agreements."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Prefetch, Q, QuerySet

from channelhub.scoping import scope
from partners.models import Agreement, Dealer, DealerContact, QualificationReview, Territory
from partners.search import apply_search


def territory_subtree(territory: Territory, field: str = "territory") -> Q:
    return Q(**{f"{field}__path__startswith": territory.path})


def dealer_list(user, *, q: str = "") -> QuerySet[Dealer]:
    """The dealers ``user`` may see, with territory and owner loaded (no query per row)."""
    dealers = scope(user, Dealer.objects.all()).select_related("territory", "owner")
    if q:
        dealers = apply_search(dealers, q)
    return dealers.order_by("code")


def dealer_detail(user) -> QuerySet[Dealer]:
    """For one dealer's page or API detail: everything it shows, in a fixed number of queries."""
    return (
        scope(user, Dealer.objects.all())
        .select_related("territory", "owner", "parent")
        .prefetch_related(
            "product_lines",
            Prefetch("contacts", queryset=DealerContact.objects.order_by("-is_primary", "name", "id")),
            Prefetch(
                "agreements",
                queryset=Agreement.objects.select_related("territory").prefetch_related("product_lines"),
            ),
            Prefetch(
                "reviews",
                queryset=QualificationReview.objects.select_related("submitted_by", "decided_by").prefetch_related(
                    "items"
                ),
            ),
        )
    )


def agreement_list(user) -> QuerySet[Agreement]:
    return (
        scope(user, Agreement.objects.all())
        .select_related("dealer", "territory")
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
