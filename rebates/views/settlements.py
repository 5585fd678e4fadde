"""Rebate settlement pages (SPEC §15): the list (a rep's own dealers, a manager's territories, finance's all) with
the totals of the filtered rows, a settlement with its explained lines and the actions allowed now, and the
action pages (submit, approve, reject, mark paid).

Each view: parse → scope (``rebates.selectors``; out of scope is a 404) → call a service → render. The action
views take POST only (a GET goes back to the settlement) and check the role first: a role that never takes the
action gets 403; the state (409) and segregation of duties come back as an error message on the settlement's
page; bad input (a missing reason or payment reference) re-renders the page with the form's errors (400).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import history_rows, state_log
from channelhub.errors import DomainError
from channelhub.forms import PageForm, style_fields
from channelhub.pages import filtered, paginate, transition_refusal
from channelhub.roles import Role, has_role, require_role
from partners.selectors import dealer_list
from rebates import policies, selectors
from rebates.filters import SettlementPageFilter
from rebates.forms import CommentForm, MarkPaidForm, RejectForm
from rebates.models import RebateProgram, RebateSettlement
from rebates.periods import RebatePeriod
from rebates.services import settlements as settlement_services

ANY_ROLE = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)
#: The list's filters: a query naming none of them shows the latest period with settlements.
FILTERS = frozenset(SettlementPageFilter.base_filters)
DETAIL_TEMPLATE = "rebates/settlements/settlement_detail.html"


def _settlement(request, pk: int) -> RebateSettlement:
    return get_object_or_404(selectors.settlement_detail(request.user), pk=pk)


def _detail_url(pk: int) -> str:
    return reverse("rebates:settlement-detail", args=[pk])


# --- the list ----------------------------------------------------------------------------------------------


def _chosen_dealer(user, filterset):
    """The dealer named by ``?dealer=ID`` (the dealer page's link), shown as a removable badge."""
    if filterset.is_valid() and (dealer_id := filterset.form.cleaned_data.get("dealer")):
        return dealer_list(user).filter(pk=dealer_id).first()
    return None


def settlement_list_page(request):
    """``?period=&status=&program=&territory=&q=&dealer=``: the settlements, pages of 50, with the totals of every
    filtered row the user may see; without any filter, the latest period with settlements (``period=``: all)."""
    user = request.user
    require_role(user, *ANY_ROLE)
    params, default_period = request.GET.copy(), None
    if not FILTERS & set(params):
        default_period = selectors.latest_settlement_period(user)
        if default_period:
            params["period"] = default_period
    filterset = SettlementPageFilter(params, queryset=selectors.settlement_list(user))
    style_fields(filterset.form)
    rows = filtered(filterset)
    context = {
        "filter": filterset,
        "filtering": bool(FILTERS & set(request.GET)),
        "default_period": default_period,
        "page_obj": paginate(request, rows),
        "totals": selectors.settlement_totals(rows),
        "dealer": _chosen_dealer(user, filterset),
        "sees_others": has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN),
        "may_run": policies.may_start_runs(user),
    }
    return render(request, "rebates/settlements/settlement_list.html", context)


# --- a settlement ------------------------------------------------------------------------------------------


def _links(settlement: RebateSettlement) -> dict[str, str]:
    """One click to the rows behind the figures: the dealer's sales (or collections) and flagged sales of the
    period, the dealer, its other settlements, the program."""
    period = RebatePeriod.parse(settlement.period)
    days = urlencode(
        {
            "dealer": settlement.dealer_id,
            "date_from": period.first_day.isoformat(),
            "date_to": period.last_day.isoformat(),
        }
    )
    on_collections = settlement.program.basis == RebateProgram.Basis.COLLECTIONS
    return {
        "basis": f"{reverse('kpi:collection-list' if on_collections else 'kpi:sales-list')}?{days}",
        "sales": f"{reverse('kpi:sales-list')}?{days}",
        "collections": f"{reverse('kpi:collection-list')}?{days}",
        "conflicts": f"{reverse('kpi:conflicts')}?{days}",
        "dealer": reverse("partners:dealer-detail", args=[settlement.dealer_id]),
        "settlements": f"{reverse('rebates:settlement-list')}?{urlencode({'dealer': settlement.dealer_id})}",
        "program": reverse("rebates:program-detail", args=[settlement.program_id]),
    }


def _detail_context(request, settlement: RebateSettlement, bound: dict[str, PageForm] | None = None) -> dict:
    """What the settlement's page shows; ``bound``: an action's form sent back with its errors (opened)."""
    user = request.user
    bound = bound or {}
    payout = settlement.program.payout
    return {
        "settlement": settlement,
        "lines": list(settlement.lines.all()),
        "settlement_actions": policies.settlement_actions(user, settlement),
        "submit_form": bound.get("submit"),
        "approve_form": bound.get("approve"),
        "reject_form": bound.get("reject") or RejectForm(auto_id="reject_%s"),
        "pay_form": bound.get("mark-paid") or MarkPaidForm(payout=payout, auto_id="pay_%s"),
        "opened": next(iter(bound), ""),
        # finance who submitted it (an admin, or a finance user who is a channel manager too): why not a button
        "segregation_note": settlement.status == RebateSettlement.Status.SUBMITTED
        and policies.is_finance(user)
        and policies.decision_refusal(user, settlement) is not None,
        "links": _links(settlement),
        "run_url": (
            reverse("rebates:run-detail", args=[settlement.run_id])
            if settlement.run_id and policies.may_start_runs(user)
            else None
        ),
        "state_log": state_log(RebateSettlement.workflow, settlement),
        "history": history_rows(settlement),
    }


def settlement_detail_page(request, pk: int):
    settlement = _settlement(request, pk)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, settlement))


# --- the actions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementAction:
    """One action of the settlement's page: who may ever take it (else 403), its form and its service."""

    transition: str
    allowed: Callable[[object, RebateSettlement], bool]
    form: Callable[[object, RebateSettlement], PageForm]  # (POST data, settlement) → the bound form
    service: Callable[..., RebateSettlement]
    success: str | Promise
    #: segregation of duties: why this user may not take it on this settlement (a sentence), or None
    refusal: Callable[[object, RebateSettlement], str | None] | None = None


def _deciding(user, settlement: RebateSettlement) -> str | None:
    if settlement.status != RebateSettlement.Status.SUBMITTED:
        return None  # the state's refusal comes first
    return policies.decision_refusal(user, settlement)


ACTIONS: dict[str, SettlementAction] = {
    "submit": SettlementAction(
        "submit",
        lambda user, settlement: policies.submits_for(user, settlement.dealer),
        lambda data, settlement: CommentForm(data),
        settlement_services.settlement_submit,
        _("Rebate settlement submitted to finance."),
    ),
    "approve": SettlementAction(
        "approve",
        lambda user, settlement: policies.is_finance(user),
        lambda data, settlement: CommentForm(data),
        settlement_services.settlement_approve,
        _("Rebate settlement approved; the dealer's manager is told."),
        refusal=_deciding,
    ),
    "reject": SettlementAction(
        "reject",
        lambda user, settlement: policies.is_finance(user),
        lambda data, settlement: RejectForm(data, auto_id="reject_%s"),
        settlement_services.settlement_reject,
        _("Rebate settlement rejected: it is a draft again, and the dealer's manager is told why."),
        refusal=_deciding,
    ),
    "mark-paid": SettlementAction(
        "mark_paid",
        lambda user, settlement: policies.is_finance(user),
        lambda data, settlement: MarkPaidForm(data, payout=settlement.program.payout, auto_id="pay_%s"),
        settlement_services.settlement_mark_paid,
        _("Rebate settlement marked paid."),
    ),
}


def _act(request, pk: int, name: str):
    """POST: take the action ``name`` and go back to the settlement; a GET goes back straight away."""
    settlement = _settlement(request, pk)
    action, user = ACTIONS[name], request.user
    if not action.allowed(user, settlement):
        raise PermissionDenied(gettext("Your role does not allow this."))
    back = _detail_url(settlement.pk)
    if request.method != "POST":
        return redirect(back)
    refusal = transition_refusal(RebateSettlement.workflow, action.transition)(settlement) or (
        action.refusal(user, settlement) if action.refusal else None
    )
    if refusal:
        messages.error(request, refusal)
        return redirect(back)
    form = action.form(request.POST, settlement)
    if form.is_valid():
        try:
            done = form.run(action.service, actor=user, settlement=settlement, **form.cleaned_data)
        except (DomainError, PermissionDenied) as refused:  # changed meanwhile (409), or segregation of duties
            messages.error(request, str(refused) or gettext("Your role does not allow this."))
            return redirect(back)
        if done is not None:
            messages.success(request, action.success)
            return redirect(back)
    return render(request, DETAIL_TEMPLATE, _detail_context(request, settlement, {name: form}), status=400)


def settlement_submit_page(request, pk: int):
    return _act(request, pk, "submit")


def settlement_approve_page(request, pk: int):
    return _act(request, pk, "approve")


def settlement_reject_page(request, pk: int):
    return _act(request, pk, "reject")


def settlement_mark_paid_page(request, pk: int):
    return _act(request, pk, "mark-paid")
