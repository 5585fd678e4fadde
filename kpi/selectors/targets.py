"""Reads of targets: the lists and details a user may see (through ``scope``), the reps a user may set
targets for, and the targets that count (``targets_for``: approved or acknowledged only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from kpi.models import Target, TargetCategoryShare

#: The statuses in which a target counts as the rep's target (measures, scorecards, dashboards).
COUNTED = (Target.Status.APPROVED, Target.Status.ACKNOWLEDGED)


def settable_reps(user) -> QuerySet:
    """The field reps ``user`` may set targets for: an admin all, a manager the team, a rep themself."""
    reps = get_user_model()._default_manager.filter(groups__name=Role.FIELD_REP, is_active=True)
    if has_role(user, Role.ADMIN):
        return reps
    condition = Q(pk__in=[])
    if has_role(user, Role.CHANNEL_MANAGER):
        condition |= Q(profile__manager=user)
    if has_role(user, Role.FIELD_REP):
        condition |= Q(pk=user.pk)
    return reps.filter(condition).distinct()


def target_list(user) -> QuerySet[Target]:
    """The targets ``user`` may see, with what a list shows (rep, proposer, approver) joined in."""
    return (
        scope(user, Target)
        .select_related("rep", "rep__profile", "proposed_by", "approved_by")
        .order_by("-period", "rep__username", "id")
    )


def target_detail(user) -> QuerySet[Target]:
    """``target_list`` with the category shares (one more query for any number of targets)."""
    shares = TargetCategoryShare.objects.select_related("category").order_by("category__code")
    return target_list(user).prefetch_related(Prefetch("category_shares", queryset=shares))


def targets_for(
    reps: Iterable[Any], months: Iterable[Month | str], *, with_shares: bool = False
) -> dict[tuple[int, str], Target]:
    """The targets that count, by ``(rep_id, "YYYY-MM")``: only ``approved`` and ``acknowledged`` ones.

    ``reps`` are users or IDs, ``months`` ``Month``s or ``"YYYY-MM"``. One query (two with the category
    shares). Not scoped: the caller passes reps the user may see. A missing key means "no target".
    """
    rep_ids = {getattr(rep, "pk", rep) for rep in reps}
    codes = {str(Month.parse(str(month))) for month in months}
    if not rep_ids or not codes:
        return {}
    targets = Target.objects.filter(rep_id__in=rep_ids, period__in=codes, status__in=COUNTED)
    if with_shares:
        targets = targets.prefetch_related(
            Prefetch("category_shares", queryset=TargetCategoryShare.objects.select_related("category"))
        )
    return {(target.rep_id, target.period): target for target in targets}
