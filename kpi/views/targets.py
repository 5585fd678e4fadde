"""Target pages (SPEC §7 "kpi: targets"): the list, a target, propose/set, annual spread, approve, acknowledge.

Each view: parse → scope (``kpi.selectors.targets.target_list``; out of scope is a 404) → call a service → render.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name
from channelhub.audit import history_rows, state_log
from channelhub.forms import CommentForm, style_fields
from channelhub.pages import (
    PageAction,
    action_page,
    filtered,
    paginate,
    posted,
    transition_action,
    transition_buttons,
    transition_refusal,
)
from channelhub.roles import Role, has_role, roles_of
from channelhub.scoping import scope, segregation_refusal
from kpi.filters import TargetFilter
from kpi.forms.targets import AnnualTargetForm, ApproveForm, TargetEditForm, TargetForm
from kpi.models import Target
from kpi.policies import can_acknowledge, can_approve, can_propose, can_update, is_approver, may_change
from kpi.selectors.targets import target_detail, target_list
from kpi.services import targets as target_services


def _require_role(user) -> None:
    if not roles_of(user):
        raise PermissionDenied(gettext("Your role does not allow this."))


def _require_setter(user) -> None:
    if not can_propose(user):
        raise PermissionDenied(gettext("Your role does not allow this."))


def _target(request, pk: int) -> Target:
    return get_object_or_404(target_detail(request.user), pk=pk)


# --- list and detail -------------------------------------------------------------------------------


def target_list_page(request):
    """A rep's own targets; a manager's team's; finance's and admins' all (finance read-only)."""
    user = request.user
    _require_role(user)
    filterset = TargetFilter(request.GET or None, request=request, queryset=target_list(user))
    rep_field = filterset.form.fields["rep"]
    rep_field.queryset = scope(user, get_user_model()).filter(groups__name=Role.FIELD_REP).order_by("username")
    rep_field.label_from_instance = display_name
    style_fields(filterset.form)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "can_set": can_propose(user),
        "sees_others": has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN),
    }
    return render(request, "kpi/targets/target_list.html", context)


def target_detail_page(request, pk: int):
    target = _target(request, pk)
    user = request.user
    shares = list(target.category_shares.all())
    context = {
        "target": target,
        "shares": shares,
        "share_total": sum(share.share for share in shares),
        "actions": transition_buttons(user, target, Target.workflow, TARGET_ACTIONS, "kpi:target"),
        "can_edit": can_update(user, target),
        # the manager who set this target may not approve it (segregation of duties): say who must
        "needs_other_approver": Target.workflow.can(target, "approve")
        and is_approver(user, target)
        and not can_approve(user, target),
        "state_log": state_log(Target.workflow, target),
        "history": history_rows(target),
    }
    return render(request, "kpi/targets/target_detail.html", context)


# --- propose, change, annual spread ----------------------------------------------------------------


def target_create_page(request):
    """A rep proposes their own target; a manager sets one for a rep of the team (both ``proposed``)."""
    user = request.user
    _require_setter(user)
    initial = {}
    if (rep_id := request.GET.get("rep", "")).isdigit():
        initial["rep"] = int(rep_id)
    form = TargetForm(posted(request), actor=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = form.run(target_services.target_propose, actor=user, **form.service_kwargs())
        if target is not None:
            messages.success(request, gettext("Target for %(period)s proposed.") % {"period": target.period})
            return redirect("kpi:target-detail", pk=target.pk)
    return render(request, "kpi/targets/target_form.html", {"form": form})


def target_edit_page(request, pk: int):
    target = _target(request, pk)
    user = request.user
    if not may_change(user, target):
        raise PermissionDenied(gettext("Only the proposer, the rep's manager or an administrator may change a target."))
    if not can_update(user, target):
        messages.error(request, gettext("Only a proposed target can be changed."))
        return redirect("kpi:target-detail", pk=target.pk)
    form = TargetEditForm(posted(request), target=target)
    if request.method == "POST" and form.is_valid():
        saved = form.run(target_services.target_update, actor=user, target=target, **form.service_kwargs())
        if saved is not None:
            messages.success(request, gettext("Target saved."))
            return redirect("kpi:target-detail", pk=target.pk)
    return render(request, "kpi/targets/target_form.html", {"form": form, "target": target})


def target_annual_page(request):
    """A year's targets entered once and spread over the twelve months (all proposed)."""
    user = request.user
    _require_setter(user)
    form = AnnualTargetForm(posted(request), actor=user)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        made = form.run(target_services.targets_spread, actor=user, **kwargs)
        if made is not None:
            year = kwargs["year"]
            messages.success(request, gettext("12 monthly targets for %(year)s proposed.") % {"year": year})
            query = urlencode({"rep": kwargs["rep"].pk, "period_from": f"{year}-01", "period_to": f"{year}-12"})
            return redirect(f"{reverse('kpi:target-list')}?{query}")
    return render(request, "kpi/targets/target_annual.html", {"form": form})


# --- transitions -----------------------------------------------------------------------------------


def _approve(*, actor, obj, form):
    return target_services.target_approve(actor=actor, target=obj, **form.service_kwargs())


def _approve_segregation(user, target: Target) -> str | None:
    """A manager who proposed the target, or whose own it is, is told why they may not approve it."""
    if not is_approver(user, target):
        return None
    return segregation_refusal(actor=user, proposed_by=target.proposed_by, beneficiary=target.rep)


TARGET_ACTIONS: dict[str, PageAction] = {
    "approve": PageAction(
        title=_("Approve"),
        form_class=ApproveForm,  # bound to the target in ``target_action_page``
        run=_approve,
        allowed=can_approve,
        segregation=_approve_segregation,
        refusal=transition_refusal(Target.workflow, "approve"),
        success=_("Target approved; the rep is asked to acknowledge it."),
        explanation=_("You may change the figures before approving (top-down); the changes are kept in the history."),
    ),
    "acknowledge": transition_action(
        Target.workflow,
        "acknowledge",
        target_services.target_acknowledge,
        "target",
        title=_("Acknowledge"),
        form_class=CommentForm,
        allowed=can_acknowledge,
        success=_("Target acknowledged."),
        explanation=_("By acknowledging you sign off these targets for the month (目标责任书)."),
    ),
}


def target_action_page(request, pk: int, action: str):
    target = _target(request, pk)
    page_action, template = TARGET_ACTIONS[action], "partials/action_form.html"
    if action == "approve":
        page_action = replace(page_action, form_class=partial(ApproveForm, target=target))
        template = "kpi/targets/target_approve.html"
    cancel = reverse("kpi:target-detail", args=[target.pk])
    return action_page(request, target, page_action, cancel_url=cancel, done_url=lambda obj: cancel, template=template)
