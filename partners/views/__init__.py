"""Dealer and agreement pages (SPEC §7). Each view: parse → scope → call a service → render.

Reads come from ``partners.selectors`` (scoped: an object out of scope is a 404), writes from
``partners.services``; a refused transition or a conflict (``DomainError``) becomes an error
message and a redirect in ``channelhub.middleware.DomainErrorMiddleware``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import history_rows, state_log
from channelhub.forms import CommentForm, ConfirmForm
from channelhub.pages import (
    PageAction,
    action_button,
    action_page,
    calls,
    filtered,
    paginate,
    posted,
    transition_action,
    transition_refusal,
)
from channelhub.roles import Role, has_role
from channelhub.scoping import check_segregation, may_approve
from partners import forms, policies
from partners.dealer_page import sections_for
from partners.filters import AgreementFilter, DealerFilter
from partners.models import Agreement, Dealer, QualificationReview
from partners.selectors import (
    DealerOverview,
    agreement_documents,
    agreement_list,
    agreement_min_prices,
    dealer_detail,
    dealer_documents,
    dealer_list,
    dealer_overview,
)
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from visits import policies as visit_policies
from visits.selectors import dealer_visits

User = get_user_model()


def _detail_url(obj: Model) -> str:
    if isinstance(obj, Agreement):
        return reverse("partners:agreement-detail", args=[obj.pk])
    return reverse("partners:dealer-detail", args=[obj.pk])


# --- dealers --------------------------------------------------------------------------------------


def dealer_list_page(request):
    filterset = DealerFilter(request.GET or None, request=request, queryset=dealer_list(request.user))
    forms.prepare_filter_form(filterset.form, request.user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "can_create": has_role(request.user, Role.ADMIN, Role.CHANNEL_MANAGER),
    }
    return render(request, "partners/dealer_list.html", context)


def _dealer(request, pk: int) -> Dealer:
    return get_object_or_404(dealer_detail(request.user), pk=pk)


def dealer_detail_page(request, pk: int):
    dealer = _dealer(request, pk)
    user = request.user
    if not policies.reads_dealer_business(user, dealer):
        return _directory_page(request, dealer)
    overview = dealer_overview(user, dealer)
    context = {
        "dealer": dealer,
        "overview": overview,
        "sales_chart": _sales_chart(overview),
        "actions": _dealer_buttons(user, dealer),
        "can_edit": dealer.status != Dealer.Status.TERMINATED and policies.can_edit_contact_data(user, dealer),
        "can_add_agreement": dealer.status != Dealer.Status.TERMINATED and policies.can_manage_dealer(user, dealer),
        "state_log": state_log(Dealer.workflow, dealer),
        "history": history_rows(dealer),
        "visits": dealer_visits(user, dealer),
        "shows_visits": visit_policies.can_log_visits(user) or visit_policies.is_reviewer(user),
        "can_log_visit": visit_policies.can_log_visits(user) and dealer.owner_id == user.pk,
        "documents": dealer_documents(dealer),
        "documents_review": _review_taking_documents(user, dealer),
        "dealer_sections": sections_for(user, dealer),
    }
    return render(request, "partners/dealer_detail.html", context)


def _directory_page(request, dealer: Dealer):
    """The dealer as a directory entry (an inspector of its territory, SPEC §17): who and where it is, its
    contacts and the sections that are the reader's own (inspections) — none of its business (figures,
    agreements, documents, visits, history)."""
    context = {
        "dealer": dealer,
        "actions": [],
        "dealer_sections": sections_for(request.user, dealer),
    }
    return render(request, "partners/dealer_directory.html", context)


def _review_taking_documents(user, dealer: Dealer) -> QualificationReview | None:
    """The pending review, when ``user`` may add documents to it now (the dealer page's upload form)."""
    review = _pending_review(dealer)
    if review is None:
        return None
    return review if policies.can_add_documents(user, review) else None


def _sales_chart(overview: DealerOverview) -> dict:
    """The overview's months for static/js/dashboard_charts.js: net sales and collections as bars, the
    agreements' monthly target as a line (Chart.js reads numbers; the page lists the exact amounts)."""

    def numbers(values) -> list[float | None]:
        return [None if value is None else float(value) for value in values]

    months = overview.months
    return {
        "id": "dealer-sales-chart",
        "type": "bar",
        "kind": "money",  # ticks and tooltips with ¥ and separators (static/js/figures.js)
        "labels": [str(row.month) for row in months],
        "datasets": [
            {"label": gettext("Net sales"), "data": numbers(row.net_sales for row in months)},
            {"label": gettext("Collections"), "data": numbers(row.collections for row in months)},
            {"label": gettext("Sales target"), "data": numbers(row.sales_target for row in months), "type": "line"},
        ],
    }


def _pending_review(dealer: Dealer) -> QualificationReview | None:
    """From the prefetched reviews (no query)."""
    return next((r for r in dealer.reviews.all() if r.decision == QualificationReview.Decision.PENDING), None)


def _dealer_buttons(user, dealer: Dealer) -> list[dict]:
    buttons = []
    for transition in policies.dealer_actions(user, dealer):
        if transition.name == "approve_qualification":
            review = _pending_review(dealer)
            if review is not None and not may_approve(actor=user, submitted_by=review.submitted_by):
                continue  # nobody decides a review they submitted
        buttons.append(action_button("partners:dealer", dealer, transition.action, DEALER_ACTIONS[transition.action]))
    return buttons


def dealer_create_page(request):
    policies.require(has_role(request.user, Role.ADMIN, Role.CHANNEL_MANAGER))
    form = forms.DealerForm(posted(request), user=request.user)
    contacts = forms.contact_formset(posted(request))
    if request.method == "POST" and all([form.is_valid(), contacts.is_valid()]):
        dealer = form.save(actor=request.user, contacts=forms.contacts_from(contacts))
        if dealer is not None:
            messages.success(request, gettext("Dealer %(dealer)s created.") % {"dealer": dealer})
            return redirect("partners:dealer-detail", pk=dealer.pk)
    return render(request, "partners/dealer_form.html", {"form": form, "contacts": contacts, "dealer": None})


def dealer_edit_page(request, pk: int):
    dealer = _dealer(request, pk)
    policies.require(policies.can_edit_contact_data(request.user, dealer))
    if dealer.status == Dealer.Status.TERMINATED:
        messages.error(request, gettext("A terminated dealer cannot be changed; it is kept for its history."))
        return redirect("partners:dealer-detail", pk=dealer.pk)
    form = forms.DealerForm(posted(request), user=request.user, dealer=dealer)
    contacts = forms.contact_formset(posted(request), dealer=dealer)
    valid = request.method == "POST" and all([form.is_valid(), contacts.is_valid()])
    if valid and form.save(actor=request.user, contacts=forms.contacts_from(contacts)) is not None:
        messages.success(request, gettext("Dealer %(dealer)s saved.") % {"dealer": dealer})
        return redirect("partners:dealer-detail", pk=dealer.pk)
    return render(request, "partners/dealer_form.html", {"form": form, "contacts": contacts, "dealer": dealer})


def _submit_review(*, actor, obj, form):
    dealer_services.dealer_submit_review(
        actor=actor, dealer=obj, items=form.items(), comment=form.cleaned_data["comment"]
    )
    return obj


def _dealer_move(name: str, **texts) -> PageAction:
    """The page of a plain dealer transition (``suspend``, ``reactivate``, ``terminate``), with a comment."""

    def run(*, actor, obj, form):
        return dealer_services.dealer_transition(actor=actor, dealer=obj, name=name, **form.cleaned_data)

    return PageAction(
        form_class=CommentForm,
        run=run,
        allowed=_may_move(name),
        refusal=transition_refusal(Dealer.workflow, name),
        **texts,
    )


def _may_approve(user, dealer: Dealer) -> bool:
    if not policies.can_decide_qualification(user):
        return False
    review = _pending_review(dealer)
    if review is not None:
        check_segregation(actor=user, submitted_by=review.submitted_by)  # 403 naming the reason
    return True


def _may_move(name: str):
    return lambda user, dealer: policies.may_run_dealer_transition(user, dealer, name)


DEALER_ACTIONS: dict[str, PageAction] = {
    "submit-review": PageAction(
        title=_("Submit for review"),
        form_class=forms.ReviewForm,
        run=_submit_review,
        allowed=_may_move("submit_review"),
        refusal=transition_refusal(Dealer.workflow, "submit_review"),
        success=_("Submitted for qualification review."),
        explanation=_("Score each criterion from 0 to 100 and weigh them; the weights must add up to 100."),
    ),
    "approve-qualification": transition_action(
        Dealer.workflow,
        "approve_qualification",
        dealer_services.dealer_approve_qualification,
        "dealer",
        allowed=_may_approve,
        title=_("Approve qualification"),
        form_class=forms.ApproveQualificationForm,
        success=_("Qualification approved."),
        explanation=_("The dealer becomes qualified with this credit limit."),
    ),
    "reject-qualification": transition_action(
        Dealer.workflow,
        "reject_qualification",
        dealer_services.dealer_reject_qualification,
        "dealer",
        allowed=lambda user, dealer: policies.can_decide_qualification(user),
        title=_("Reject qualification"),
        form_class=forms.RejectQualificationForm,
        success=_("Qualification rejected; the dealer is a prospect again."),
        danger=True,
        button=_("Reject"),
        explanation=_("The dealer goes back to prospect; the reason is kept with the review."),
    ),
    "suspend": _dealer_move("suspend", title=_("Suspend"), success=_("Dealer suspended.")),
    "reactivate": _dealer_move("reactivate", title=_("Reactivate"), success=_("Dealer reactivated.")),
    "terminate": _dealer_move(
        "terminate",
        title=_("Terminate"),
        success=_("Dealer terminated."),
        danger=True,
        button=_("Yes, terminate the dealer"),
        explanation=_("Terminating is final: the dealer keeps its history but can no longer be changed."),
    ),
}


def dealer_action_page(request, pk: int, action: str):
    dealer = _dealer(request, pk)
    cancel = reverse("partners:dealer-detail", args=[dealer.pk])
    return action_page(request, dealer, DEALER_ACTIONS[action], cancel_url=cancel, done_url=_detail_url)


# --- agreements -----------------------------------------------------------------------------------


def agreement_list_page(request):
    filterset = AgreementFilter(request.GET or None, request=request, queryset=agreement_list(request.user))
    forms.prepare_filter_form(filterset.form, request.user)
    return render(
        request,
        "partners/agreement_list.html",
        {"filter": filterset, "page_obj": paginate(request, filtered(filterset))},
    )


def _agreement(request, pk: int) -> Agreement:
    agreements = agreement_list(request.user).select_related(
        "dealer__territory", "dealer__owner", "previous", "renewal"
    )
    return get_object_or_404(agreements, pk=pk)


def agreement_detail_page(request, pk: int):
    agreement = _agreement(request, pk)
    context = {
        "agreement": agreement,
        "renewal": agreement_services.renewal_of(agreement),
        "min_prices": agreement_min_prices(agreement),
        "actions": _agreement_buttons(request.user, agreement),
        "can_edit": agreement_services.edit_refusal(agreement) is None
        and policies.can_manage_agreement(request.user, agreement),
        "state_log": state_log(Agreement.workflow, agreement),
        "history": history_rows(agreement),
        "documents": agreement_documents(agreement),
        "can_add_documents": policies.can_add_documents(request.user, agreement),
    }
    return render(request, "partners/agreement_detail.html", context)


def _agreement_buttons(user, agreement: Agreement) -> list[dict]:
    names = [t.action for t in policies.agreement_actions(user, agreement)]
    names += [name for name in ("renew", "confirm-deposit") if name not in names]
    return [
        action_button("partners:agreement", agreement, name, AGREEMENT_ACTIONS[name])
        for name in names
        if AGREEMENT_ACTIONS[name].allowed(user, agreement) and AGREEMENT_ACTIONS[name].refusal(agreement) is None
    ]


def agreement_create_page(request, dealer_pk: int):
    dealer = get_object_or_404(dealer_list(request.user), pk=dealer_pk)
    policies.require(policies.can_manage_dealer(request.user, dealer))
    form = forms.AgreementForm(posted(request), user=request.user, dealer=dealer)
    if request.method == "POST" and form.is_valid():
        agreement = form.save(actor=request.user)
        if agreement is not None:
            messages.success(request, gettext("%(agreement)s created as a draft.") % {"agreement": agreement})
            return redirect("partners:agreement-detail", pk=agreement.pk)
    return render(request, "partners/agreement_form.html", {"form": form, "dealer": dealer, "agreement": None})


def agreement_edit_page(request, pk: int):
    agreement = _agreement(request, pk)
    policies.require(policies.can_manage_agreement(request.user, agreement))
    if refusal := agreement_services.edit_refusal(agreement):
        messages.error(request, str(refusal))
        return redirect("partners:agreement-detail", pk=agreement.pk)
    form = forms.AgreementForm(posted(request), user=request.user, dealer=agreement.dealer, agreement=agreement)
    if request.method == "POST" and form.is_valid() and form.save(actor=request.user) is not None:
        messages.success(request, gettext("%(agreement)s saved.") % {"agreement": agreement})
        return redirect("partners:agreement-detail", pk=agreement.pk)
    context = {"form": form, "dealer": agreement.dealer, "agreement": agreement}
    return render(request, "partners/agreement_form.html", context)


def _renew(*, actor, obj, form):
    return agreement_services.agreement_renew(actor=actor, agreement=obj)


def _refusal_text(rule):
    """A service's refusal rule (``… -> Conflict | None``) as the text a page shows."""

    def refusal(agreement: Agreement) -> str | None:
        conflict = rule(agreement)
        return str(conflict) if conflict else None

    return refusal


def _agreement_move(name: str, service, **fields) -> PageAction:
    """The page of an agreement transition, with a comment, for whoever manages the agreement."""
    return transition_action(
        Agreement.workflow,
        name,
        service,
        "agreement",
        form_class=CommentForm,
        allowed=policies.can_manage_agreement,
        **fields,
    )


AGREEMENT_ACTIONS: dict[str, PageAction] = {
    "submit": _agreement_move(
        "submit", agreement_services.agreement_submit, title=_("Submit"), success=_("Agreement submitted for approval.")
    ),
    "sign": _agreement_move(
        "sign",
        agreement_services.agreement_sign,
        title=_("Sign"),
        success=_("Agreement signed."),
        explanation=_("An exclusive agreement is refused when another dealer's exclusive agreement covers it."),
    ),
    "terminate": _agreement_move(
        "terminate",
        agreement_services.agreement_terminate,
        title=_("Terminate"),
        success=_("Agreement terminated."),
        danger=True,
        button=_("Yes, terminate the agreement"),
        explanation=_("Terminating is final; the agreement can still be renewed afterwards."),
    ),
    "renew": PageAction(
        title=_("Renew"),
        form_class=ConfirmForm,
        run=_renew,
        allowed=policies.can_manage_agreement,
        refusal=_refusal_text(agreement_services.renewal_refusal),
        success=_("Renewal created as a draft; check it and submit it."),
        explanation=_("Copies this agreement into a new draft starting the day after it ends."),
    ),
    "confirm-deposit": PageAction(
        title=_("Confirm deposit"),
        form_class=forms.DepositForm,
        run=calls(agreement_services.agreement_confirm_deposit, "agreement"),
        allowed=lambda user, agreement: policies.can_confirm_deposit(user),
        refusal=_refusal_text(agreement_services.deposit_refusal),
        success=_("Deposit receipt recorded."),
    ),
}


def agreement_action_page(request, pk: int, action: str):
    agreement = _agreement(request, pk)
    cancel = reverse("partners:agreement-detail", args=[agreement.pk])
    return action_page(request, agreement, AGREEMENT_ACTIONS[action], cancel_url=cancel, done_url=_detail_url)
