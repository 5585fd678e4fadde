"""The bulk actions of the review queue (``channelhub.bulk_actions``): confirm several flagged visits, approve
several week plans — each row through the one-row service, on its own. Pages and API share them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name
from channelhub.bulk_actions import BulkAction
from visits import policies
from visits.selectors import plan_detail, visit_list
from visits.services import plans as plan_services
from visits.services import visits as visit_services

CONFIRM_VISITS = BulkAction(
    title=_("Confirm the ticked visits"),
    allowed=policies.is_reviewer,
    rows=visit_list,
    run=lambda *, actor, row, comment: visit_services.visit_review(
        actor=actor, visit=row, name="confirm", comment=comment
    ),
    describe=lambda visit: f"{visit.visited_on:%Y-%m-%d} · {display_name(visit.rep)} · {visit.dealer.name}",
    url_of=lambda visit: reverse("visits:visit-detail", args=[visit.pk]),
    back_url=lambda request: reverse("visits:review"),
)


APPROVE_PLANS = BulkAction(
    title=_("Approve the ticked week plans"),
    allowed=policies.is_reviewer,
    rows=lambda user: plan_detail(user).prefetch_related(None),
    run=lambda *, actor, row, comment: plan_services.plan_approve(actor=actor, plan=row, comment=comment),
    describe=lambda plan: f"{display_name(plan.rep)} · {plan.iso_week}",
    url_of=lambda plan: reverse("visits:plan-detail", args=[plan.pk]),
    back_url=lambda request: (
        f"{reverse('visits:plan-list')}?status=submitted"
        if request.POST.get("next") == "plan-list"
        else reverse("visits:review")
    ),
)
