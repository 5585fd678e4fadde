"""Who may do what with visits and plans (SPEC §2): the checks answer "may this user act on this row",
always for a row the user can already see; the scope rules (which rows) are at the end."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext

from channelhub.db import any_of
from channelhub.errors import Conflict
from channelhub.roles import Role, has_role, roles_of
from channelhub.scoping import in_territories_of, scope_rule, team_ids
from partners.models import Dealer
from visits.models import Visit, VisitPlan

#: A rep may change a visit for this long after logging it (SPEC §2: "edit within 24 h").
EDIT_WINDOW = timedelta(hours=24)
#: A visit logged more than this long after it happened is flagged ``late_entry``.
LATE_ENTRY_AFTER = timedelta(hours=72)
#: A position farther than this from the dealer is flagged ``far_from_dealer`` (metres).
FAR_FROM_DEALER_M = 1000


def can_log_visits(user) -> bool:
    return has_role(user, Role.FIELD_REP)


def is_reviewer(user) -> bool:
    return has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN)


def can_review(user, obj: Visit | VisitPlan) -> bool:
    """Managers (and admins) review what they can see; nobody reviews their own visit or plan."""
    return is_reviewer(user) and obj.rep_id != user.pk


def own_review_refusal(user, obj: Visit | VisitPlan) -> str | None:
    """Segregation of duties: what a reviewer is told about their own visit or plan (None: not theirs)."""
    if not is_reviewer(user) or obj.rep_id != user.pk:
        return None
    if isinstance(obj, VisitPlan):
        return gettext("You cannot review your own plan.")
    return gettext("You cannot review your own visit.")


def edit_deadline(visit: Visit):
    return visit.created_at + EDIT_WINDOW


def can_edit(user, visit: Visit, now=None) -> bool:
    now = now or timezone.now()
    return visit.rep_id == user.pk and visit.status == Visit.Status.SUBMITTED and now <= edit_deadline(visit)


def check_add_photos(user, visit: Visit, now=None) -> None:
    """Photos go with the visit: its rep adds them while they may still change it (24 h, not reviewed)."""
    if visit.rep_id != user.pk:
        raise PermissionDenied(gettext("Only the rep who logged a visit may add its photos."))
    now = now or timezone.now()
    if visit.status != Visit.Status.SUBMITTED:
        raise Conflict(
            gettext("This visit is “%(state)s”: a reviewed visit takes no more photos.")
            % {"state": visit.get_status_display()},
            current_state=visit.status,
        )
    if now > edit_deadline(visit):
        raise Conflict(
            gettext("Photos can be added for 24 hours after a visit is logged; this one took them until %(deadline)s.")
            % {"deadline": formats.date_format(timezone.localtime(edit_deadline(visit)), "Y-m-d H:i")}
        )


def can_add_photos(user, visit: Visit, now=None) -> bool:
    return can_edit(user, visit, now)


def can_edit_plan(user, plan: VisitPlan) -> bool:
    return plan.rep_id == user.pk and plan.status in (VisitPlan.Status.DRAFT, VisitPlan.Status.RETURNED)


# --- visibility (SPEC §2 row "visits"): the scope rules of this app ----------------------------------


def visit_condition(user, rep_field: str = "rep", dealer_prefix: str | None = "dealer__") -> Q | None:
    """``None`` means everything (admin). Reps: their own; managers: their team's, and — when the
    rows have a dealer — those at dealers in their territories. Finance sees none."""
    if has_role(user, Role.ADMIN):
        return None
    visible = Q(pk__in=[])
    if has_role(user, Role.CHANNEL_MANAGER):
        visible |= any_of(rep_field, team_ids(user))
        if dealer_prefix is not None:
            dealers = Dealer.objects.filter(in_territories_of(user)).order_by().values("pk")
            visible |= any_of(f"{dealer_prefix}id", dealers)
    if has_role(user, Role.FIELD_REP):
        visible |= Q(**{rep_field: user.pk})
    return visible


def _visits_rule(rep_field: str, dealer_prefix: str | None):
    def rule(user, queryset: QuerySet) -> QuerySet:
        condition = visit_condition(user, rep_field, dealer_prefix)
        return queryset if condition is None else queryset.filter(condition)

    return rule


scope_rule("visits.Visit")(_visits_rule("rep", "dealer__"))
scope_rule("visits.VisitPlan")(_visits_rule("rep", None))
scope_rule("visits.VisitPlanItem")(_visits_rule("plan__rep", None))
scope_rule("visits.Quota")(_visits_rule("rep", None))
scope_rule("visits.VisitMonth")(_visits_rule("rep", None))


def visit_reps(user) -> QuerySet:
    """The reps whose visit compliance ``user`` may see: admin all reps, a manager the team, a rep self."""
    reps = get_user_model()._default_manager.filter(groups__name=Role.FIELD_REP)
    condition = visit_condition(user, "pk", None)
    if not roles_of(user):
        return reps.none()
    return reps if condition is None else reps.filter(condition)
