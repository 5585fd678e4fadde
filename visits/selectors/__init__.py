"""Visit reads, always through ``channelhub.scoping.scope``: a row out of scope is absent (404).

Each returns a queryset with what its page or API list shows joined in, so no query per row.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from channelhub.periods import Month
from channelhub.roles import Role
from channelhub.scoping import scope
from visits.models import FLAGGED, Visit, VisitMonth, VisitPlan, VisitPlanItem


def visit_list(user) -> QuerySet[Visit]:
    return scope(user, Visit).select_related("rep", "dealer", "dealer__territory")


def visit_detail(user) -> QuerySet[Visit]:
    return visit_list(user).select_related("reviewed_by")


def review_queue(user) -> QuerySet[Visit]:
    """Flagged visits waiting for a verdict, among those ``user`` may see, not their own — oldest first."""
    return (
        visit_list(user).filter(FLAGGED, status=Visit.Status.SUBMITTED).exclude(rep=user).order_by("visited_at", "id")
    )


def dealer_visits(user, dealer, limit: int = 20) -> list[Visit]:
    """The dealer's visit timeline (newest first) as far as ``user`` may see it."""
    return list(visit_list(user).filter(dealer=dealer)[:limit])


def plan_list(user) -> QuerySet[VisitPlan]:
    # Django drops Meta.ordering from a GROUP BY query (the Count): order explicitly, or pages shuffle.
    return (
        scope(user, VisitPlan)
        .select_related("rep")
        .annotate(item_count=Count("items"))
        .order_by("-week_start", "rep_id")
    )


def plan_detail(user) -> QuerySet[VisitPlan]:
    items = VisitPlanItem.objects.select_related("dealer").order_by("planned_date", "id")
    return scope(user, VisitPlan).select_related("rep", "reviewed_by").prefetch_related(Prefetch("items", items))


def plans_to_review(user) -> QuerySet[VisitPlan]:
    return plan_list(user).filter(status=VisitPlan.Status.SUBMITTED).exclude(rep=user).order_by("week_start", "id")


def dealer_visit_counts(user, dealer, first: date, last: date) -> dict[str, int]:
    """Of ``dealer``'s visits that ``user`` may see: how many fall from ``first`` to ``last`` (``in_period``)
    and how many flagged ones, of any date, wait for a verdict (``open_flags``) — one query."""
    return (
        scope(user, Visit)
        .filter(dealer=dealer)
        .aggregate(
            in_period=Count("id", filter=Q(visited_on__gte=first, visited_on__lte=last)),
            open_flags=Count("id", filter=FLAGGED & Q(status=Visit.Status.SUBMITTED)),
        )
    )


def dealer_period_visits(user, dealer, first: date, last: date, limit: int = 10) -> list[Visit]:
    """``dealer``'s visits from ``first`` to ``last`` that ``user`` may see, newest first, up to ``limit``."""
    visits = visit_list(user).filter(dealer=dealer, visited_on__gte=first, visited_on__lte=last)
    return list(visits.order_by("-visited_at", "-id")[:limit])


# --- a rep's month of visits: the one source of the counts (runs, compliance, scorecards, dashboards) -----


def counted_visits_column(month: Month) -> Subquery:
    """How many of the visits of ``month`` of the rep of the outer row (``OuterRef("pk")``) count
    (``Visit.COUNTED``), to annotate a query of users (reps) with: read from the roll-up (``VisitMonth``,
    a few rows per rep and month — one per dealer visited — instead of every visit)."""
    rows = (
        VisitMonth.objects.filter(rep_id=OuterRef("pk"), month=month.first_day)
        .order_by()
        .values("rep_id")
        .annotate(count=Sum(sum((F(status) for status in Visit.COUNTED[1:]), F(Visit.COUNTED[0]))))
        .values("count")
    )
    return Subquery(rows, output_field=IntegerField())


def rep_month_visits(rep_ids, month: Month) -> dict[int, int]:
    """The counted visits of each rep in ``month`` (one query), zeros included."""
    rep_ids = list(dict.fromkeys(rep_ids))
    rows = dict(
        get_user_model()
        ._default_manager.filter(pk__in=rep_ids)
        .order_by()
        .annotate(counted=counted_visits_column(month))
        .values_list("pk", "counted")
    )
    return {rep_id: rows.get(rep_id) or 0 for rep_id in rep_ids}


def reps_without_plan(monday: date) -> QuerySet:
    """Active field reps with no submitted or approved plan for the week starting ``monday``."""
    handed_in = VisitPlan.objects.filter(
        week_start=monday, status__in=[VisitPlan.Status.SUBMITTED, VisitPlan.Status.APPROVED]
    ).values("rep_id")
    return (
        get_user_model()
        ._default_manager.filter(is_active=True, groups__name=Role.FIELD_REP)
        .exclude(pk__in=handed_in)
        .distinct()
    )
