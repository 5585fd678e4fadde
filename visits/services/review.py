"""What reviewing a visit and a plan share: who may review, and how a verdict is recorded."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from channelhub.roles import Role, require_role
from channelhub.scoping import SegregationOfDutiesError, scope
from visits.models import Visit, VisitPlan


def verdict_apply(
    obj: Visit | VisitPlan,
    name: str,
    *,
    actor,
    comment: str,
    now: datetime,
    own_refusal: str,
    reason_required: str = "",
) -> None:
    """Move ``obj`` along the review transition ``name`` as ``actor`` (a manager or an admin who can
    see it, never its own rep), keeping who reviewed, when and the comment on the row. With
    ``reason_required`` (the message), an empty comment is refused (400) once role, scope and state
    allow the transition."""
    require_role(actor, Role.CHANNEL_MANAGER, Role.ADMIN)
    if obj.rep_id == actor.pk:
        raise SegregationOfDutiesError(own_refusal)
    if not scope(actor, type(obj).objects.filter(pk=obj.pk)).exists():
        # a manager reviews their team's work (and visits in their territories), nobody else's
        raise PermissionDenied(_("Your role does not allow this."))
    comment = (comment or "").strip()
    if reason_required and not comment and type(obj).workflow.can(obj, name):
        raise ValidationError({"comment": reason_required})
    type(obj).workflow.apply(
        obj,
        name,
        by=actor,
        comment=comment,
        changes={"reviewed_by": actor, "reviewed_at": now, "review_comment": comment},
    )
