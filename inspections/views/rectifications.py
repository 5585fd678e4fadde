"""Rectification pages (整改, SPEC §17): the queue with due dates and the overdue ones flagged, a rectification's
page (the failed item with its photos, the answer, the state log), the rep's answer (a note and photos from the
camera) and the inspector's or manager's Verify and Reopen."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import state_log
from channelhub.forms import style_fields
from channelhub.pages import PageAction, action_page, calls, filtered, form_status, paginate, posted, transition_refusal
from channelhub.scoping import get_scoped_or_404
from evidence.selectors import attachments_for_objects, with_origins
from inspections import policies, selectors
from inspections.filters import RectificationFilter
from inspections.forms.rectifications import AnswerForm, ReopenForm, VerifyForm
from inspections.models import Rectification
from inspections.services.rectifications import rectification_reopen, rectification_submit, rectification_verify
from inspections.views.common import url


def _rectification(request, pk: int) -> Rectification:
    return get_scoped_or_404(request.user, selectors.rectification_list(request.user), pk=pk)


def rectification_list_page(request):
    user = request.user
    filterset = RectificationFilter(
        request.GET or None, queryset=selectors.rectification_list(user).order_by("due_date", "pk"), request=request
    )
    style_fields(filterset.form)
    page_obj = paginate(request, filtered(filterset))
    today = timezone.localdate()
    for row in page_obj.object_list:
        row.overdue = row.is_overdue(today)
    return render(request, "inspections/rectification_list.html", {"filter": filterset, "page_obj": page_obj})


def rectification_detail_page(request, pk: int):
    user = request.user
    rectification = _rectification(request, pk)
    found = attachments_for_objects([rectification, rectification.result])
    answer_photos = found.get((Rectification, rectification.pk), [])
    item_photos = found.get((type(rectification.result), rectification.result_id), [])
    with_origins(user, [*answer_photos, *item_photos])
    actions = policies.rectification_actions(user, rectification)
    context = {
        "rectification": rectification,
        "overdue": rectification.is_overdue(timezone.localdate()),
        "answer_photos": answer_photos,
        "item_photos": item_photos,
        "actions": actions,
        "answer_form": AnswerForm(auto_id="answer_%s") if "submit" in actions else None,
        "verify_form": VerifyForm(auto_id="verify_%s") if "verify" in actions else None,
        "reopen_form": ReopenForm(auto_id="reopen_%s") if "reopen" in actions else None,
        # the inspector or manager who answered it themselves: why there is no Verify button
        "segregation_note": rectification.status == Rectification.Status.SUBMITTED
        and "verify" not in actions
        and rectification.answered_by_id == user.pk,
        "state_log": state_log(Rectification.workflow, rectification),
    }
    return render(request, "inspections/rectification_detail.html", context)


def rectification_submit_page(request, pk: int):
    """The rep's answer: what was done, with photos from the camera. GET: the form (or back with the reason
    when it is not waiting for an answer); POST: ``rectification_submit``, its refusals on the fields (400)."""
    user = request.user
    rectification = _rectification(request, pk)
    policies.require(
        policies.answers_for(user, rectification.dealer), gettext("Only the dealer's rep answers a rectification.")
    )
    detail = url("rectification-detail", rectification.pk)
    if request.method != "POST" and not policies.may_answer(user, rectification):
        messages.error(
            request,
            gettext("This rectification is “%(state)s”: it waits for no answer.")
            % {"state": rectification.get_status_display()},
        )
        return redirect(detail)
    form = AnswerForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        saved = form.run(
            rectification_submit,
            actor=user,
            rectification=rectification,
            note=form.cleaned_data["note"],
            photos=form.cleaned_data["photos"],
        )
        if saved is not None:
            messages.success(request, gettext("Rectification answered; the inspector verifies it."))
            return redirect(detail)
    context = {"rectification": rectification, "form": form}
    return render(request, "inspections/rectification_submit.html", context, status=form_status(request, form))


def _verifies(user, rectification: Rectification) -> bool:
    return policies.verify_refusal(user, rectification) is None


def _verify_segregation(user, rectification: Rectification) -> str | None:
    if rectification.answered_by_id == user.pk:
        return policies.verify_refusal(user, rectification)
    return None


RECTIFICATION_ACTIONS = {
    "verify": PageAction(
        title=_("Verify"),
        form_class=VerifyForm,
        run=calls(rectification_verify, "rectification"),
        allowed=_verifies,
        refusal=transition_refusal(Rectification.workflow, "verify"),
        success=_("Rectification verified."),
        segregation=_verify_segregation,
    ),
    "reopen": PageAction(
        title=_("Reopen"),
        form_class=ReopenForm,
        run=calls(rectification_reopen, "rectification"),
        allowed=_verifies,
        refusal=transition_refusal(Rectification.workflow, "reopen"),
        success=_("Rectification reopened; the rep is told what is still to be corrected."),
        danger=True,
        segregation=_verify_segregation,
    ),
}


def rectification_action_page(request, pk: int, action: str):
    """One of ``RECTIFICATION_ACTIONS`` on its own page (``action_paths`` routes each)."""
    rectification = _rectification(request, pk)
    return action_page(
        request,
        rectification,
        RECTIFICATION_ACTIONS[action],
        cancel_url=url("rectification-detail", pk),
        done_url=lambda _obj: url("rectification-detail", pk),
        refused_status=400,
    )
