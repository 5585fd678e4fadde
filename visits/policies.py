"""Who may do what with visits and plans (SPEC §2). Visibility (which rows) is ``channelhub.scoping``;
these answer "may this user act on this row", always for a row the user can already see."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext

from channelhub.roles import Role, has_role
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


def can_edit_plan(user, plan: VisitPlan) -> bool:
    return plan.rep_id == user.pk and plan.status in (VisitPlan.Status.DRAFT, VisitPlan.Status.RETURNED)
