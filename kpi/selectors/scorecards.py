"""Reads of scorecards: the lists and details a user may see (through ``scope``), the reps whose
scorecards a user may see or compute, and ``RepMonth``, what one rep's month offers the metrics."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from channelhub.workflow.models import StateChange
from kpi.models import SalesRecord, Scorecard, ScorecardLine, Target, TargetCategoryShare
from kpi.selectors.measures import ZERO, Measures, rep_measures
from partners.models import Dealer
from visits.models import Visit
from visits.selectors.compliance import Compliance, rep_compliance

User = get_user_model()


def scorecard_list(user) -> QuerySet[Scorecard]:
    """The scorecards ``user`` may see (rep: own; manager: team; finance and admin: all), ready to list."""
    return (
        scope(user, Scorecard)
        .select_related("rep", "template", "confirmed_by")
        .order_by("-period", "rep__username", "template__code", "pk")
    )


def scorecard_detail(user) -> QuerySet[Scorecard]:
    lines = ScorecardLine.objects.select_related("item", "item__category").order_by("item__position", "item_id")
    return scorecard_list(user).prefetch_related(Prefetch("lines", queryset=lines))


def visible_reps(user) -> QuerySet:
    """The field reps whose figures ``user`` may see: admin and finance all, a manager the team, a rep self."""
    return scope(user, User).filter(groups__name=Role.FIELD_REP).order_by("username")


def computable_reps(user) -> QuerySet:
    """The reps whose scorecards ``user`` may compute: a manager's team, every rep for an admin."""
    if has_role(user, Role.ADMIN):
        return visible_reps(user)
    if has_role(user, Role.CHANNEL_MANAGER):
        return visible_reps(user).filter(profile__manager=user)
    return User.objects.none()


class RepMonth:
    """What one rep's month offers the metrics; each part is read only when an item asks for it."""

    def __init__(self, rep, month: Month) -> None:
        self.rep = rep
        self.month = month

    @cached_property
    def measures(self) -> Measures:
        return rep_measures(self.rep, self.month)

    @property
    def target(self) -> Target | None:
        return self.measures.parts[0].target

    @cached_property
    def category_sales(self) -> dict[int, Decimal]:
        rows = (
            SalesRecord.objects.filter(rep=self.rep, date__range=(self.month.first_day, self.month.last_day))
            .values("category_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        return {row["category_id"]: row["total"] or ZERO for row in rows}

    @cached_property
    def category_share_targets(self) -> dict[int, Decimal]:
        if self.target is None:
            return {}
        return dict(TargetCategoryShare.objects.filter(target=self.target).values_list("category_id", "share"))

    @cached_property
    def new_dealers(self) -> int:
        """Dealers the rep owns that became active in the month: the ``activate`` transition
        (qualified → active, when the first agreement is signed), dated in the month. A dealer
        reactivated after a suspension is not new."""
        start, end = self.month.bounds()
        activated = StateChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Dealer),
            transition="activate",
            to_state=Dealer.Status.ACTIVE,
            at__gte=start,
            at__lt=end,
        ).values("object_id")
        return Dealer.objects.filter(owner=self.rep, pk__in=activated).count()

    @cached_property
    def compliance(self) -> Compliance:
        return rep_compliance(self.rep, self.month)

    @cached_property
    def visit_kinds(self) -> dict[str, int]:
        """Counted visits of the month that were trainings, and the complaints (``inspections``) received in
        the month, assigned to the rep and handled late (responded more than 4 hours after receipt, or not
        responded to when the 4 hours are over)."""
        from inspections.selectors import complaints_late

        counts = Visit.objects.filter(
            rep=self.rep,
            status__in=Visit.COUNTED,
            visited_on__range=(self.month.first_day, self.month.last_day),
        ).aggregate(trainings=Count("pk", filter=Q(kind=Visit.Kind.TRAINING)))
        counts["complaints_late"] = complaints_late(self.month, assignee_ids=[self.rep.pk]).get(self.rep.pk, 0)
        return counts
