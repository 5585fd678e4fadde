"""Complaint pages (客诉, SPEC §17): the list with the late ones flagged and each one's 4-hour clock, the form,
a complaint's page with its clock (the deadline and the time left, or how late), and Respond and Resolve."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import state_log
from channelhub.forms import style_fields
from channelhub.pages import PageAction, action_page, calls, filtered, form_status, paginate, posted, transition_refusal
from channelhub.scoping import get_scoped_or_404
from evidence.selectors import attachments_of, with_origins
from inspections import policies, selectors
from inspections.filters import ComplaintFilter
from inspections.forms.complaints import ComplaintForm, ResolveForm, RespondForm
from inspections.models import Complaint
from inspections.services.complaints import complaint_record, complaint_resolve, complaint_respond
from inspections.views.common import url


def current_time() -> datetime:
    """The clock's now (a test sets it)."""
    return timezone.now()


def duration(seconds: int) -> str:
    """``3 h 05 min``; under an hour ``59 min``."""
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return gettext("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return gettext("%(minutes)d min") % {"minutes": minutes}


def clock(complaint: Complaint, now: datetime) -> dict:
    """The 4-hour clock as pages show it: ``selectors.complaint_clock`` and its words."""
    figures = selectors.complaint_clock(complaint, now)
    left = figures["seconds_left"]
    if figures["answered"]:
        text = (
            gettext("Responded %(time)s late") % {"time": duration(left)}
            if figures["late"]
            else gettext("Responded in time, %(time)s to spare") % {"time": duration(left)}
        )
    elif figures["late"]:
        text = gettext("Overdue by %(time)s") % {"time": duration(left)}
    else:
        text = gettext("%(time)s left") % {"time": duration(left)}
    return {**figures, "text": text, "running": not figures["answered"]}


def _complaint(request, pk: int) -> Complaint:
    return get_scoped_or_404(request.user, selectors.complaint_list(request.user), pk=pk)


def complaint_list_page(request):
    user = request.user
    filterset = ComplaintFilter(request.GET or None, queryset=selectors.complaint_list(user), request=request)
    style_fields(filterset.form)
    page_obj = paginate(request, filtered(filterset))
    now = current_time()
    for row in page_obj.object_list:
        row.clock = clock(row, now)
    context = {"filter": filterset, "page_obj": page_obj, "can_record": policies.may_record_complaints(user)}
    return render(request, "inspections/complaint_list.html", context)


def complaint_create_page(request):
    user = request.user
    policies.require(
        policies.may_record_complaints(user), gettext("Only field reps, channel managers and admins record complaints.")
    )
    initial = {"dealer": request.GET["dealer"]} if (request.GET.get("dealer") or "").isdigit() else {}
    form = ComplaintForm(
        posted(request),
        dealers=selectors.complaint_dealers(user),
        assignees=selectors.complaint_assignees(user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        complaint = form.run(complaint_record, actor=user, **form.cleaned_data)
        if complaint is not None:
            messages.success(request, gettext("Complaint recorded; the assignee has 4 hours to respond."))
            return redirect(url("complaint-detail", complaint.pk))
    return render(request, "inspections/complaint_form.html", {"form": form}, status=form_status(request, form))


def complaint_detail_page(request, pk: int):
    user = request.user
    complaint = _complaint(request, pk)
    actions = policies.complaint_actions(user, complaint)
    context = {
        "complaint": complaint,
        "clock": clock(complaint, current_time()),
        "files": with_origins(user, attachments_of(complaint)),
        "respond_form": RespondForm(auto_id="respond_%s") if "respond" in actions else None,
        "resolve_form": ResolveForm(auto_id="resolve_%s") if "resolve" in actions else None,
        "state_log": state_log(Complaint.workflow, complaint),
    }
    return render(request, "inspections/complaint_detail.html", context)


COMPLAINT_ACTIONS = {
    "respond": PageAction(
        title=_("Respond"),
        form_class=RespondForm,
        run=calls(complaint_respond, "complaint"),
        allowed=policies.handles,
        refusal=transition_refusal(Complaint.workflow, "respond"),
        success=_("Response recorded."),
        explanation=_("Responded more than 4 hours after it was received, a complaint counts as handled late."),
    ),
    "resolve": PageAction(
        title=_("Resolve"),
        form_class=ResolveForm,
        run=calls(complaint_resolve, "complaint"),
        allowed=policies.handles,
        refusal=transition_refusal(Complaint.workflow, "resolve"),
        success=_("Complaint resolved."),
    ),
}


def complaint_action_page(request, pk: int, action: str):
    """One of ``COMPLAINT_ACTIONS`` on its own page (``action_paths`` routes each)."""
    complaint = _complaint(request, pk)
    return action_page(
        request,
        complaint,
        COMPLAINT_ACTIONS[action],
        cancel_url=url("complaint-detail", pk),
        done_url=lambda _obj: url("complaint-detail", pk),
        refused_status=400,
    )
