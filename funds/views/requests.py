"""Fund request pages (SPEC §7, §14): the list, the form, a request with its claim, and the approval queues.

Each view: parse → scope (``funds.selectors``; out of scope is a 404) → call a service → render. The action
views take POST only (a GET goes back to the request) and check the role first: a role that never takes
part in the action gets 403; what the state, the step or segregation of duties refuses (a service's
``ValidationError``, ``PermissionDenied``) comes back as an error message on the page the button was on,
and a conflict (``DomainError``) through ``channelhub.middleware.DomainErrorMiddleware``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from channelhub.audit import history_rows, state_log
from channelhub.forms import style_fields
from channelhub.pages import filtered, paginate, posted
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from evidence.models import Attachment
from evidence.selectors import attachments_of, with_origins
from evidence.services import attachments_add
from funds import policies, selectors
from funds.filters import FundRequestFilter
from funds.forms.requests import EVIDENCE_INPUTS, CheckForm, ClaimForm, EvidenceForm, FundRequestForm, RejectForm
from funds.models import FundClaim, FundRequest
from funds.services import claims as claim_services
from funds.services import requests as request_services
from visits.selectors import visit_list

#: How far before an activity a claim may link the dealer's visits.
VISITS_BEFORE = timedelta(days=30)

# --- reading -----------------------------------------------------------------------------------------------


def _fund_request(request, pk: int) -> FundRequest:
    return selectors.request_detail(request.user, pk)


def _claim(request, pk: int) -> FundClaim:
    return get_object_or_404(selectors.claims_for(request.user), pk=pk)


def _claim_of(fund_request: FundRequest) -> FundClaim | None:
    try:
        return fund_request.claim
    except ObjectDoesNotExist:
        return None


def _detail_url(pk: int) -> str:
    return reverse("funds:request-detail", args=[pk])


def _back(request, pk: int) -> str:
    """Where an action returns: the approvals page when its button was there (``next=approvals``)."""
    return reverse("funds:approvals") if request.POST.get("next") == "approvals" else _detail_url(pk)


def request_list_page(request):
    user = request.user
    filterset = FundRequestFilter(request.GET or None, queryset=selectors.requests_for(user))
    style_fields(filterset.form)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "can_request": policies.may_request(user),
    }
    return render(request, "funds/request_list.html", context)


def request_detail_page(request, pk: int):
    fund_request = _fund_request(request, pk)
    user = request.user
    claim = _claim_of(fund_request)
    budget = fund_request.budget or selectors.budget_for(
        fund_request.dealer, fund_request.category, fund_request.start_date
    )
    shows_budget = selectors.may_see_budget(user, budget)
    log = state_log(FundRequest.workflow, fund_request)
    context = {
        "fund_request": fund_request,
        "claim": claim,
        "request_actions": policies.request_actions(user, fund_request),
        "can_edit": policies.may_edit(user, fund_request),
        "budget": budget if shows_budget else None,
        "budget_figures": selectors.budget_figures(budget) if shows_budget else None,
        "ratio_limit": (
            request_services.ratio_limit(fund_request.expected_sales, budget.max_cost_ratio) if shows_budget else None
        ),
        "overlapping": (
            list(scope(user, selectors.overlapping_requests(fund_request)).select_related("dealer"))
            if fund_request.possible_split
            else []
        ),
        "reject_form": RejectForm(),
        "history": history_rows(fund_request),
    }
    if claim is not None:
        claim_actions = policies.claim_actions(user, claim)
        attachments = with_origins(user, attachments_of(claim))
        log = sorted([*log, *state_log(FundClaim.workflow, claim)], key=lambda change: (change.at, change.pk))
        context |= {
            "claim_actions": claim_actions,
            "attachments": attachments,
            "photos": [a for a in attachments if a.kind == Attachment.Kind.PHOTO],
            "invoices": [a for a in attachments if a.kind != Attachment.Kind.PHOTO],
            "missing_evidence": claim_services.missing_evidence(claim),
            # the linked visits as far as the reader sees visits (finance sees none: SPEC §2)
            "claim_visits": list(scope(user, claim.visits.order_by("-visited_at"))),
            "evidence_forms": (
                [EvidenceForm(kind=kind) for kind in EVIDENCE_INPUTS] if "attachments" in claim_actions else []
            ),
            "expense_reference": claim_services.expense_reference(fund_request) if claim.expense_id else "",
        }
    context["state_log"] = log
    return render(request, "funds/request_detail.html", context)


# --- the form ----------------------------------------------------------------------------------------------


def _save(*, actor, fields: dict, submit: bool, fund_request=None, dealer=None) -> FundRequest:
    """Create or change the draft, and submit it when asked: both or neither (a refused submission keeps
    the form as it was sent, with the reason on its field)."""
    with transaction.atomic():
        if fund_request is None:
            saved = request_services.request_create(actor=actor, dealer=dealer, **fields)
        else:
            saved = request_services.request_update(actor=actor, request=fund_request, **fields)
        if submit:
            request_services.request_submit(actor=actor, request=saved)
    return saved


def _saved_message(saved: FundRequest, submit: bool) -> str:
    if submit:
        return gettext("Fund request %(number)s submitted to the dealer's channel manager.") % {"number": saved.number}
    return gettext("Fund request %(number)s saved as a draft.") % {"number": saved.number}


def request_create_page(request):
    user = request.user
    policies.require(policies.may_request(user), gettext("Only field reps, channel managers and admins request funds."))
    dealers = selectors.requestable_dealers(user)
    initial_dealer = request.GET.get("dealer") if (request.GET.get("dealer") or "").isdigit() else None
    form = FundRequestForm(posted(request), dealers=dealers, initial_dealer=initial_dealer)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        saved = form.run(
            _save, actor=user, dealer=form.cleaned_data["dealer"], fields=form.request_fields(), submit=submit
        )
        if saved is not None:
            messages.success(request, _saved_message(saved, submit))
            return redirect("funds:request-detail", pk=saved.pk)
    return render(request, "funds/request_form.html", {"form": form, "fund_request": None})


def request_edit_page(request, pk: int):
    fund_request = _fund_request(request, pk)
    user = request.user
    policies.require(policies.can_request_for(user, fund_request.dealer))
    if not policies.may_edit(user, fund_request):
        messages.error(request, gettext("Only a draft can be changed."))
        return redirect("funds:request-detail", pk=fund_request.pk)
    form = FundRequestForm(posted(request), dealers=None, fund_request=fund_request)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        saved = form.run(_save, actor=user, fund_request=fund_request, fields=form.request_fields(), submit=submit)
        if saved is not None:
            messages.success(request, _saved_message(saved, submit))
            return redirect("funds:request-detail", pk=saved.pk)
    return render(request, "funds/request_form.html", {"form": form, "fund_request": fund_request})


# --- the actions -------------------------------------------------------------------------------------------


def _act(request, *, back: str, run: Callable[[], object], success: Callable[[object], str] | str):
    """POST: run the service and say what happened on ``back``; a GET just goes there."""
    if request.method != "POST":
        return redirect(back)
    try:
        result = run()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:  # not this user's step, or their own request: said, not a bare 403
        messages.error(request, str(error) or gettext("Your role does not allow this."))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(back)


def request_submit_page(request, pk: int):
    fund_request = _fund_request(request, pk)
    policies.require(policies.can_request_for(request.user, fund_request.dealer))
    return _act(
        request,
        back=_back(request, pk),
        run=lambda: request_services.request_submit(actor=request.user, request=fund_request),
        success=lambda saved: _saved_message(saved, submit=True),
    )


def _approved_message(approved: FundRequest) -> str:
    if approved.status == FundRequest.Status.MANAGER_APPROVED:
        return gettext("Fund request %(number)s approved; it waits for finance.") % {"number": approved.number}
    return gettext("Fund request %(number)s approved: its amount is committed against the budget.") % {
        "number": approved.number
    }


def request_approve_page(request, pk: int):
    fund_request = _fund_request(request, pk)
    policies.require(policies.decides_for(request.user, fund_request.dealer))
    return _act(
        request,
        back=_back(request, pk),
        run=lambda: request_services.request_approve(
            actor=request.user, request=fund_request, comment=(request.POST.get("comment") or "")[:2000]
        ),
        success=_approved_message,
    )


def request_reject_page(request, pk: int):
    fund_request = _fund_request(request, pk)
    policies.require(policies.decides_for(request.user, fund_request.dealer))
    form = RejectForm(posted(request))
    reason = form.cleaned_data["reason"] if form.is_valid() else (request.POST.get("reason") or "")[:2000]
    return _act(
        request,
        back=_back(request, pk),
        run=lambda: request_services.request_reject(actor=request.user, request=fund_request, reason=reason),
        success=gettext("Fund request %(number)s rejected.") % {"number": fund_request.number},
    )


def request_cancel_page(request, pk: int):
    fund_request = _fund_request(request, pk)
    user = request.user
    policies.require(policies.can_request_for(user, fund_request.dealer) or policies.is_finance(user))
    return _act(
        request,
        back=_back(request, pk),
        run=lambda: request_services.request_cancel(
            actor=user, request=fund_request, comment=(request.POST.get("comment") or "")[:2000]
        ),
        success=gettext("Fund request %(number)s cancelled.") % {"number": fund_request.number},
    )


# --- the claim ---------------------------------------------------------------------------------------------


def claim_create_page(request, pk: int):
    """GET: the claim's form (an approved request); POST: make the claim, then add its evidence on the request."""
    fund_request = _fund_request(request, pk)
    user = request.user
    policies.require(policies.can_request_for(user, fund_request.dealer))
    if request.method != "POST" and not policies.may_claim(user, fund_request):
        messages.error(
            request,
            gettext("Fund request %(number)s is “%(state)s”: only an approved request can be claimed.")
            % {"number": fund_request.number, "state": fund_request.get_status_display()},
        )
        return redirect("funds:request-detail", pk=fund_request.pk)
    visits = visit_list(user).filter(
        dealer=fund_request.dealer, visited_on__gte=fund_request.start_date - VISITS_BEFORE
    )
    form = ClaimForm(posted(request), visits=visits.order_by("-visited_at"))
    if request.method == "POST" and form.is_valid():
        claim = form.run(claim_services.claim_create, actor=user, request=fund_request, **form.cleaned_data)
        if claim is not None:
            messages.success(
                request, gettext("Claim made. Add its photos and invoices: the check needs at least one of each.")
            )
            return redirect(reverse("funds:request-detail", args=[fund_request.pk]) + "#claim")
    return render(request, "funds/claim_form.html", {"form": form, "fund_request": fund_request})


def claim_evidence_page(request, pk: int):
    """POST: add photos or invoices to an open claim (from the phone's camera); back to the request."""
    claim = _claim(request, pk)
    user = request.user
    policies.require(
        policies.can_request_for(user, claim.request.dealer),
        gettext("Only the dealer's rep, its channel manager or an admin may add evidence to a claim."),
    )
    back = _detail_url(claim.request_id) + "#claim"
    if request.method != "POST":
        return redirect(back)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        results = form.run(
            attachments_add, actor=user, obj=claim, files=form.cleaned_data["files"], kind=form.cleaned_data["kind"]
        )
        if results is not None:
            added = sum(1 for _attachment, created in results if created)
            messages.success(
                request, ngettext("%(count)d file added.", "%(count)d files added.", added) % {"count": added}
            )
            return redirect(back)
    for message in form.non_field_errors() + form.errors.get("files", []) + form.errors.get("kind", []):
        messages.error(request, message)
    return redirect(back)


def claim_check_page(request, pk: int):
    claim = _claim(request, pk)
    policies.require(policies.checks_for(request.user, claim.request.dealer))
    form = CheckForm(posted(request))
    if request.method == "POST" and not form.is_valid():
        messages.error(request, gettext("Choose whether the evidence is met or not."))
        return redirect(_back(request, claim.request_id))

    def success(checked: FundClaim) -> str:
        if checked.status == FundClaim.Status.MET:
            return gettext("Evidence met: the claim waits for finance to settle it.")
        return gettext("Evidence not met: the claim settles at 0.00.")

    return _act(
        request,
        back=_back(request, claim.request_id),
        run=lambda: claim_services.claim_check(actor=request.user, claim=claim, **form.check_fields()),
        success=success,
    )


def claim_settle_page(request, pk: int):
    claim = _claim(request, pk)
    policies.require(policies.is_finance(request.user), gettext("Only finance settles a claim."))
    return _act(
        request,
        back=_back(request, claim.request_id),
        run=lambda: claim_services.claim_settle(actor=request.user, claim=claim),
        success=lambda settled: gettext("The claim of %(number)s is settled.") % {"number": claim.request.number},
    )


# --- the approval queues -----------------------------------------------------------------------------------


def approvals_page(request):
    """What waits for the manager (requests to approve, claims to check) and for finance (requests to approve,
    claims to settle), each row with its buttons."""
    user = request.user
    policies.require(has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN))
    queues = selectors.approval_queues(user)
    for row in queues["manager"] + queues["finance"]:
        row.actions = [name for name in policies.request_actions(user, row) if name in ("approve", "reject")]
    for claim in queues["check"] + queues["settle"]:
        claim.actions = [name for name in policies.claim_actions(user, claim) if name in ("check", "settle")]
    context = {
        "queues": queues,
        "shows_manager": has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN),
        "shows_finance": has_role(user, Role.FINANCE, Role.ADMIN),
        "reject_form": RejectForm(),
    }
    return render(request, "funds/approvals.html", context)
