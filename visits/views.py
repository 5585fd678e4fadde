"""Visit pages (SPEC §7): new visit (phone-first), visits, a visit, review queue, week plans, compliance;
the visit list and compliance as CSV/XLSX (``visits.exports``), scoped and filtered as their pages.

Each view: parse → scope (``visits.selectors``; out of scope is a 404) → call a service → render.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import history_rows, state_log
from channelhub.forms import ConfirmForm, style_fields
from channelhub.pages import (
    PageAction,
    action_page,
    bulk_action_page,
    download,
    filtered,
    paginate,
    posted,
    requested_format,
    transition_action,
    transition_buttons,
    transition_refusal,
)
from channelhub.periods import Month, iso_week_label, parse_iso_week, week_start
from channelhub.roles import Role, has_role
from evidence.selectors import attachments_of, count_column, with_origins, with_photos
from evidence.services import attachments_add
from partners.models import Dealer
from visits import bulk, exports, forms, policies
from visits.filters import VisitFilter, VisitPlanFilter
from visits.models import Visit, VisitPlan, plan_due_at
from visits.policies import visit_reps
from visits.selectors import compliance as compliance_selectors
from visits.selectors import plan_detail, plan_list, plans_to_review, review_queue, visit_detail, visit_list
from visits.services import plans as plan_services
from visits.services import visits as visit_services

# --- visits ----------------------------------------------------------------------------------------


def _prepare_filter(filterset, user):
    form = filterset.form
    form.fields["rep"].queryset = visit_reps(user).order_by("username")
    form.fields["rep"].label_from_instance = lambda u: u.get_full_name() or u.username
    form.fields.pop("dealer", None)
    style_fields(form)
    return filterset


def _visit_filter(request):
    user = request.user
    if not (policies.can_log_visits(user) or policies.is_reviewer(user)):
        raise PermissionDenied(gettext("Your role does not allow this."))
    return _prepare_filter(VisitFilter(request.GET or None, request=request, queryset=visit_list(user)), user)


def visit_list_page(request):
    user = request.user
    filterset = _visit_filter(request)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset).annotate(photo_count=count_column(Visit))),
        "can_log": policies.can_log_visits(user),
        "mine_only": not policies.is_reviewer(user),
    }
    return render(request, "visits/visit_list.html", context)


def visit_export_page(request):
    """``?format=csv|xlsx`` and the list's filters: every visit the list holds (all pages)."""
    file_format = requested_format(request)
    content = exports.visit_export(visits=filtered(_visit_filter(request)), file_format=file_format)
    return download(content, file_format, f"visits-{timezone.localdate():%Y-%m-%d}.{file_format}")


def visit_create_page(request):
    user = request.user
    if not policies.can_log_visits(user):
        raise PermissionDenied(gettext("Only field reps log visits."))
    initial_dealer = None
    if dealer_id := request.GET.get("dealer"):
        initial_dealer = Dealer.objects.filter(pk=dealer_id).first() if dealer_id.isdigit() else None
    form = forms.VisitForm(posted(request), request.FILES or None, rep=user, initial_dealer=initial_dealer)
    if request.method == "POST" and form.is_valid():
        result = form.run(
            visit_services.visit_log_with_photos, rep=user, photos=form.cleaned_data["photos"], **form.visit_fields()
        )
        if result is not None:
            visit, created = result
            if created:
                messages.success(request, _visit_logged_message(visit))
            else:
                messages.info(request, gettext("This visit was already logged."))
            return _go(request, reverse("visits:visit-detail", args=[visit.pk]))
    return render(request, "visits/visit_form.html", {"form": form})


def _go(request, url: str):
    """Where to go next: a redirect, or — for the phone form's own sending (``visit_form.js``, which retries
    on a bad connection) — 200 naming the page in ``X-Location``, so that its flash message waits for it."""
    if request.headers.get("X-Requested-With") == "fetch":
        response = HttpResponse(status=200)
        response["X-Location"] = url
        return response
    return redirect(url)


def _visit_logged_message(visit: Visit) -> str:
    message = gettext("Visit to %(dealer)s logged.") % {"dealer": visit.dealer.name}
    if visit.is_flagged:
        message += " " + gettext("It is flagged for your manager: %(flags)s.") % {
            "flags": gettext(", ").join(visit.flag_labels)
        }
    return message


def _visit(request, pk: int) -> Visit:
    return get_object_or_404(visit_detail(request.user), pk=pk)


def visit_detail_page(request, pk: int):
    visit = _visit(request, pk)
    user = request.user
    context = {
        "visit": visit,
        "photos": with_origins(user, attachments_of(visit)),
        "photo_form": forms.PhotosForm() if policies.can_add_photos(user, visit) else None,
        # every review action is ``policies.can_review``'s
        "actions": transition_buttons(user, visit, Visit.workflow, VISIT_ACTIONS, "visits:visit"),
        "can_edit": policies.can_edit(user, visit),
        "edit_deadline": policies.edit_deadline(visit),
        "far_limit_m": policies.FAR_FROM_DEALER_M,
        "state_log": state_log(Visit.workflow, visit),
        "history": history_rows(visit),
    }
    return render(request, "visits/visit_detail.html", context)


def visit_photos_page(request, pk: int):
    """POST: add photos to the visit (its rep, within 24 h); back to the visit with what happened."""
    visit = _visit(request, pk)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied(gettext("Only the rep who logged a visit may add its photos."))
    if request.method != "POST":
        return redirect("visits:visit-detail", pk=visit.pk)
    form = forms.PhotosForm(request.POST, request.FILES)
    if form.is_valid():
        results = form.run(attachments_add, actor=request.user, obj=visit, files=form.cleaned_data["photos"])
        if results is not None:
            added = sum(1 for _attachment, created in results if created)
            messages.success(
                request, ngettext("%(count)d photo added.", "%(count)d photos added.", added) % {"count": added}
            )
            return redirect("visits:visit-detail", pk=visit.pk)
    for message in form.non_field_errors() + form.errors.get("photos", []):
        messages.error(request, message)
    return redirect("visits:visit-detail", pk=visit.pk)


def visit_edit_page(request, pk: int):
    visit = _visit(request, pk)
    if visit.rep_id != request.user.pk:
        raise PermissionDenied(gettext("Only the rep who logged a visit may change it."))
    if not policies.can_edit(request.user, visit):
        messages.error(request, gettext("This visit can no longer be changed (24 hours after logging, or reviewed)."))
        return redirect("visits:visit-detail", pk=visit.pk)
    form = forms.VisitEditForm(posted(request), visit=visit)
    valid = request.method == "POST" and form.is_valid()
    if valid and form.run(visit_services.visit_update, actor=request.user, visit=visit, **form.changes()) is not None:
        messages.success(request, gettext("Visit saved."))
        return redirect("visits:visit-detail", pk=visit.pk)
    return render(request, "visits/visit_edit.html", {"form": form, "visit": visit})


#: a manager or an admin reviews, never their own visit or plan
_REVIEWER = {"allowed": policies.can_review, "segregation": policies.own_review_refusal}


def _review(name: str, form_class, **texts) -> PageAction:
    """The page of the review verdict ``name`` (``mark_false``) on a visit."""

    def run(*, actor, obj, form):
        return visit_services.visit_review(actor=actor, visit=obj, name=name, comment=form.cleaned_data["comment"])

    return PageAction(
        form_class=form_class, run=run, refusal=transition_refusal(Visit.workflow, name), **_REVIEWER, **texts
    )


VISIT_ACTIONS: dict[str, PageAction] = {
    "confirm": _review(
        "confirm",
        forms.ReviewForm,
        title=_("Confirm"),
        success=_("Visit confirmed."),
        explanation=_("The visit is accepted as reported and counts towards the quota."),
    ),
    "mark-false": _review(
        "mark_false",
        forms.ReasonForm,
        title=_("Mark as false report"),
        success=_("Visit marked as a false report."),
        danger=True,
        explanation=_("A false report (虚报) no longer counts towards the quota and is deducted from the commission."),
    ),
    "mark-fabricated": _review(
        "mark_fabricated",
        forms.ReasonForm,
        title=_("Mark as fabricated"),
        success=_("Visit marked as fabricated."),
        danger=True,
        explanation=_(
            "A fabricated visit (弄虚作假) no longer counts towards the quota and is deducted from the commission."
        ),
    ),
}


def visit_action_page(request, pk: int, action: str):
    visit = _visit(request, pk)
    cancel = reverse("visits:visit-detail", args=[visit.pk])
    return action_page(
        request,
        visit,
        VISIT_ACTIONS[action],
        cancel_url=cancel,
        # The review queue's quick buttons come back to the queue.
        done_url=lambda obj: reverse("visits:review") if request.POST.get("next") == "review" else cancel,
    )


def review_page(request):
    """The manager's queue: flagged visits waiting for a verdict, and submitted week plans."""
    if not policies.is_reviewer(request.user):
        raise PermissionDenied(gettext("Your role does not allow this."))
    page_obj = paginate(request, review_queue(request.user))
    page_obj.object_list = with_photos(request.user, list(page_obj.object_list))
    context = {"page_obj": page_obj, "plans": list(plans_to_review(request.user)[:50])}
    return render(request, "visits/review.html", context)


def review_confirm_page(request):
    """Confirm several flagged visits of the review queue at once (each checked on its own)."""
    return bulk_action_page(request, bulk.CONFIRM_VISITS)


# --- week plans ------------------------------------------------------------------------------------


def plan_list_page(request):
    user = request.user
    if not (policies.can_log_visits(user) or policies.is_reviewer(user)):
        raise PermissionDenied(gettext("Your role does not allow this."))
    filterset = VisitPlanFilter(
        request.GET or None, request=request, queryset=plan_list(user).order_by("-week_start", "rep__username")
    )
    _prepare_filter(filterset, user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "can_plan": policies.can_log_visits(user),
        "can_review": policies.is_reviewer(user),
        "this_week": iso_week_label(week_start(timezone.localdate())),
        "next_week": iso_week_label(week_start(timezone.localdate()) + timedelta(days=7)),
    }
    return render(request, "visits/plan_list.html", context)


def _requested_week(request):
    """``?week=2026-W49`` (default: next week)."""
    if "week" in request.GET:
        try:
            return parse_iso_week(request.GET["week"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
    return week_start(timezone.localdate()) + timedelta(days=7)


def my_plan_page(request):
    """The rep's plan for a week: write it (draft or returned) or see it (submitted or approved)."""
    user = request.user
    if not policies.can_log_visits(user):
        raise PermissionDenied(gettext("Only field reps plan visits."))
    monday = _requested_week(request)
    plan = plan_detail(user).filter(rep=user, week_start=monday).first()
    if plan is not None and not policies.can_edit_plan(user, plan) and request.method != "POST":
        return redirect("visits:plan-detail", pk=plan.pk)
    note_form = forms.PlanNoteForm(posted(request), initial={"note": plan.note if plan else ""})
    items = forms.plan_formset(posted(request), rep=user, week_start=monday, plan=plan)
    if request.method == "POST" and note_form.is_valid() and items.is_valid():
        note = note_form.cleaned_data["note"]
        if plan is None:
            saved = note_form.run(
                plan_services.plan_create, rep=user, week_start=monday, items=items.items(), note=note
            )
        else:
            saved = note_form.run(plan_services.plan_update, actor=user, plan=plan, items=items.items(), note=note)
        if saved is not None:
            if "submit" in request.POST:
                submitted = plan_services.plan_submit(actor=user, plan=saved)
                if submitted.is_late:
                    messages.warning(
                        request, gettext("Plan submitted to your manager, late: it was due by Saturday 23:59.")
                    )
                else:
                    messages.success(request, gettext("Plan submitted to your manager."))
            else:
                messages.success(request, gettext("Plan saved as a draft."))
            return redirect("visits:plan-detail", pk=saved.pk)
    context = {
        "plan": plan,
        "week_start": monday,
        "week_end": monday + timedelta(days=6),
        "iso_week": iso_week_label(monday),
        "previous_week": iso_week_label(monday - timedelta(days=7)),
        "following_week": iso_week_label(monday + timedelta(days=7)),
        "due_date": monday - timedelta(days=2),
        "overdue": timezone.now() >= plan_due_at(monday) and (plan is None or plan.submitted_at is None),
        "note_form": note_form,
        "items": items,
    }
    return render(request, "visits/plan_form.html", context)


def plan_detail_page(request, pk: int):
    plan = get_object_or_404(plan_detail(request.user), pk=pk)
    user = request.user
    context = {
        "plan": plan,
        "actions": transition_buttons(user, plan, VisitPlan.workflow, PLAN_ACTIONS, "visits:plan"),
        "can_edit": policies.can_edit_plan(user, plan),
        "state_log": state_log(VisitPlan.workflow, plan),
        "history": history_rows(plan),
    }
    return render(request, "visits/plan_detail.html", context)


PLAN_ACTIONS: dict[str, PageAction] = {
    "submit": transition_action(
        VisitPlan.workflow,
        "submit",
        plan_services.plan_submit,
        "plan",
        allowed=policies.can_edit_plan,
        title=_("Submit"),
        form_class=ConfirmForm,
        success=_("Plan submitted to your manager."),
        explanation=_("Plans are due by Saturday 23:59 of the week before; later ones are marked late."),
    ),
    "approve": transition_action(
        VisitPlan.workflow,
        "approve",
        plan_services.plan_approve,
        "plan",
        **_REVIEWER,
        title=_("Approve"),
        form_class=forms.ReviewForm,
        success=_("Plan approved."),
    ),
    "return": transition_action(
        VisitPlan.workflow,
        "return",
        plan_services.plan_return,
        "plan",
        **_REVIEWER,
        title=_("Return"),
        form_class=forms.ReturnForm,
        success=_("Plan returned to the rep."),
        danger=True,
        explanation=_("The rep changes the plan and submits it again."),
    ),
}


def plan_approve_many_page(request):
    """Approve several submitted week plans at once (each checked on its own)."""
    return bulk_action_page(request, bulk.APPROVE_PLANS)


def plan_action_page(request, pk: int, action: str):
    plan = get_object_or_404(plan_detail(request.user), pk=pk)
    cancel = reverse("visits:plan-detail", args=[plan.pk])
    return action_page(request, plan, PLAN_ACTIONS[action], cancel_url=cancel, done_url=lambda obj: cancel)


# --- compliance ------------------------------------------------------------------------------------


def _may_see_compliance(user) -> None:
    if not (policies.can_log_visits(user) or policies.is_reviewer(user)):
        raise PermissionDenied(gettext("Your role does not allow this."))


def _shows_team_totals(user, reps: list) -> bool:
    return len(reps) > 1 or has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN)


def compliance_page(request):
    """Visits against quota for a month: a table and a weekly chart per rep, and the team's totals."""
    user = request.user
    _may_see_compliance(user)
    try:
        month = Month.parse(request.GET["period"]) if request.GET.get("period") else Month.current()
    except ValidationError as error:
        messages.error(request, error.messages[0])
        month = Month.current()
    reps = list(visit_reps(user).order_by("username"))
    team = compliance_selectors.team_compliance(reps, month)
    # the totals are the whole team's; the rows and charts come in pages (an admin sees every rep)
    page_obj = paginate(request, team.reps)
    charts = [
        {
            "id": f"compliance-chart-{row.rep_id}",
            "labels": [week.label for week in row.weeks],
            "visits": [week.visits for week in row.weeks],
            "distinct": [week.distinct_dealers for week in row.weeks],
            "weekly_min": row.weekly_unique_min,
        }
        for row in page_obj.object_list
    ]
    context = {
        "team": team,
        "rows": page_obj.object_list,
        "page_obj": page_obj,
        "month": month,
        "previous": month.previous(),
        "next": month.next(),
        "charts": charts,
        "show_totals": _shows_team_totals(user, reps),
    }
    return render(request, "visits/compliance.html", context)


def compliance_export_page(request):
    """``?period=YYYY-MM&format=csv|xlsx``: the compliance of every rep the page shows (all pages), and
    the team's totals where the page shows them."""
    user = request.user
    _may_see_compliance(user)
    file_format = requested_format(request)
    try:
        month = Month.parse(request.GET["period"]) if request.GET.get("period") else Month.current()
    except ValidationError:
        raise Http404 from None
    reps = list(visit_reps(user).select_related("profile").order_by("username"))
    team = compliance_selectors.team_compliance(reps, month)
    content = exports.compliance_export(
        team=team, month=month, file_format=file_format, with_total=_shows_team_totals(user, reps) and bool(reps)
    )
    return download(content, file_format, f"visit-compliance-{month}.{file_format}")
