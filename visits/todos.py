"""What waits in visits (the dashboards' to-do counts, ``channelhub.todos``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from visits.models import VisitPlan
    from visits.selectors import plan_list, plans_to_review, review_queue

    register_todo(
        "flagged-waiting",
        roles=[Role.CHANNEL_MANAGER, Role.ADMIN],
        label=_("flagged visits to review"),
        rows=review_queue,
        url=queue_url("visits:review"),
    )
    register_todo(
        "plans-waiting",
        roles=[Role.CHANNEL_MANAGER, Role.ADMIN],
        label=_("week plans to approve"),
        rows=plans_to_review,
        url=queue_url("visits:plan-list", status="submitted"),
    )
    register_todo(
        "plans-returned",
        roles=[Role.FIELD_REP],
        label=_("week plans returned to you"),
        rows=lambda user: plan_list(user).filter(rep=user, status=VisitPlan.Status.RETURNED),
        url=queue_url("visits:plan-list", status="returned"),
    )
