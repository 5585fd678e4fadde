"""Fact reads (sales, collections, expenses, periods), always through ``channelhub.scoping.scope``:
a fact out of scope is absent from lists and totals, and a 404 in details.

Each list comes with what its page or API shows joined in, so no query per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum

from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from kpi.models import Fact, Period, SalesRecord
from kpi.services.conflicts import signed_agreement_territories
from kpi.services.facts import model_of
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
