"""Inspection pages (巡检, 暗访, SPEC §17): the list with scores by territory and a dealer's trend, the inspector's
plan, planning one and sampling mystery ones, an inspection's page, the phone form that saves item by item
(``inspection-perform``), and the Complete and Review actions.

Each view: parse → scope (``inspections.selectors``; out of scope is a 404, a planned mystery inspection
included for the dealer's rep) → call a service → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import state_log
from channelhub.errors import DomainError
from channelhub.forms import style_fields
from channelhub.pages import PageAction, action_page, calls, filtered, form_status, paginate, posted, transition_refusal
from channelhub.periods import Month
from channelhub.roles import Role, has_role
from evidence.selectors import file_count, with_origins
from inspections import policies, selectors
from inspections.filters import InspectionFilter
from inspections.forms.inspections import CompleteForm, PlanForm, ResultForm, ReviewForm, SampleForm
from inspections.models import Inspection, InspectionResult
from inspections.services.inspections import inspection_complete, inspection_plan, inspection_review, result_save
from inspections.views.common import is_fetch, url
from partners.selectors import covered_territories

#: The scores by territory cover this many months (this one included) unless a month is chosen.
SCORE_MONTHS = 3


# --- the list ----------------------------------------------------------------------------------------------


def _score_window(filterset) -> tuple:
    """The chosen month (``period``), else the last ``SCORE_MONTHS`` months up to today."""
    period = filterset.form.cleaned_data.get("period") if filterset.is_bound and filterset.is_valid() else None
    if period:
        month = Month.parse(period)
        return month.first_day, month.last_day
    month = Month.current()
    for _step in range(SCORE_MONTHS - 1):
        month = month.previous()
    return month.first_day, timezone.localdate()


def trend_chart(trend: list[Inspection], chart_id: str) -> dict:
    """A dealer's scores, oldest first, for ``static/js/dashboard_charts.js``."""
    return {
        "id": chart_id,
        "type": "line",
        "kind": "count",
        "labels": [f"{row.done_at:%Y-%m-%d}" if row.done_at else "" for row in trend],
        "datasets": [{"label": gettext("Score"), "data": [float(row.score) for row in trend]}],
        "y_label": gettext("Score"),
    }


def inspection_list_page(request):
    user = request.user
    filterset = InspectionFilter(request.GET or None, queryset=selectors.inspection_list(user), request=request)
    style_fields(filterset.form)
    since, until = _score_window(filterset)
    dealer = filterset.form.cleaned_data.get("dealer") if filterset.is_bound and filterset.is_valid() else None
    trend = selectors.dealer_score_trend(user, dealer) if dealer else []
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "scores": selectors.scores_by_territory(user, since, until),
        "since": since,
        "until": until,
        "dealer": dealer,
        "trend": trend,
        "trend_chart": trend_chart(trend, "score-trend-chart") if trend else None,
        "can_plan": policies.may_plan(user),
        "shows_inspector": not has_role(user, Role.FIELD_REP) or has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN),
    }
    return render(request, "inspections/inspection_list.html", context)


# --- the plan ----------------------------------------------------------------------------------------------


def plan_page(request):
    """The user's planned inspections: overdue and today's first, then the coming ones."""
    user = request.user
    policies.require(policies.may_plan(user), gettext("Only inspectors and channel managers have a plan."))
    today = timezone.localdate()
    rows = list(selectors.inspector_plan(user))
    context = {
        "today": today,
        "overdue": [row for row in rows if row.planned_on < today],
        "due_today": [row for row in rows if row.planned_on == today],
        "coming": [row for row in rows if row.planned_on > today],
        "count": len(rows),
    }
    return render(request, "inspections/plan.html", context)


def _plan_choices(user) -> dict:
    return {"templates": selectors.usable_templates(), "inspectors": selectors.inspector_choices(user)}


def inspection_create_page(request):
    user = request.user
    policies.require(policies.may_plan(user), gettext("Only inspectors, channel managers and admins plan inspections."))
    initial = {"dealer": request.GET["dealer"]} if (request.GET.get("dealer") or "").isdigit() else {}
    form = PlanForm(posted(request), dealers=selectors.plannable_dealers(user), initial=initial, **_plan_choices(user))
    if request.method == "POST" and form.is_valid():
        inspection = form.run(inspection_plan, actor=user, **form.cleaned_data)
        if inspection is not None:
            messages.success(
                request,
                gettext("Inspection of %(dealer)s planned for %(day)s.")
                % {"dealer": inspection.dealer.name, "day": f"{inspection.planned_on:%Y-%m-%d}"},
            )
            return redirect(url("inspection-detail", inspection.pk))
    return render(request, "inspections/inspection_form.html", {"form": form}, status=form_status(request, form))


def sample_page(request):
    """A mystery sample (暗访): N random active terminals of a territory, planned for an inspector."""
    user = request.user
    policies.require(policies.may_plan(user), gettext("Only inspectors, channel managers and admins plan inspections."))
    form = SampleForm(posted(request), territories=covered_territories(user), **_plan_choices(user))
    if request.method == "POST" and form.is_valid():
        from inspections.services.inspections import sample_mystery

        sampled = form.run(sample_mystery, actor=user, **form.cleaned_data)
        if sampled is not None:
            inspections, seed = sampled
            if inspections:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d mystery inspection planned (seed %(seed)s).",
                        "%(count)d mystery inspections planned (seed %(seed)s).",
                        len(inspections),
                    )
                    % {"count": len(inspections), "seed": seed},
                )
            else:
                messages.warning(request, gettext("No terminal of this territory is due for a mystery inspection."))
            return redirect(url("inspection-list") + "?kind=mystery&status=planned")
    return render(request, "inspections/sample_form.html", {"form": form}, status=form_status(request, form))


# --- an inspection -----------------------------------------------------------------------------------------


def inspection_detail_page(request, pk: int):
    user = request.user
    inspection = selectors.inspection_detail(user, pk)
    results = selectors.results_with_photos(inspection)
    with_origins(user, [photo for result in results for photo in result.photos])
    rectifications = {
        row.result_id: row for row in inspection.rectifications.all() if inspection.status != Inspection.Status.PLANNED
    }
    today = timezone.localdate()
    for result in results:
        result.fix = rectifications.get(result.pk)
        if result.fix is not None:
            result.fix.overdue = result.fix.is_overdue(today)
    actions = policies.inspection_actions(user, inspection)
    context = {
        "inspection": inspection,
        "results": results,
        "answered": sum(1 for result in results if result.result),
        "may_perform": "results" in actions,
        "may_review": "review" in actions,
        # the dealer's manager who inspected it themselves: why there is no Review button
        "segregation_note": inspection.status == Inspection.Status.DONE
        and "review" not in actions
        and policies.is_dealer_manager(user, inspection.dealer)
        and inspection.inspector_id == user.pk,
        "review_form": ReviewForm(auto_id="review_%s"),
        "state_log": state_log(Inspection.workflow, inspection),
    }
    return render(request, "inspections/inspection_detail.html", context)


# --- performing: item by item ------------------------------------------------------------------------------


def _card_form(result: InspectionResult) -> ResultForm:
    initial = {
        "item": result.pk,
        "result": result.result,
        "note": result.note,
        "observed_price": result.observed_price,
    }
    return ResultForm(initial=initial, auto_id=f"item{result.pk}_%s")


def _saved_state(result: InspectionResult, *, photos: int, unanswered: int) -> dict:
    """What the page's script shows of a saved item."""
    return {
        "ok": True,
        "item": result.pk,
        "result": result.result,
        "result_label": result.get_result_display() if result.result else "",
        "note": result.note,
        "observed_price": str(result.observed_price) if result.observed_price is not None else "",
        "min_price": str(result.min_price) if result.min_price is not None else "",
        "price_violation": result.price_violation,
        "photos": photos,
        "unanswered": unanswered,
        "message": gettext("Saved"),
    }


def _errors_json(form: ResultForm) -> dict:
    return {field: [error["message"] for error in errors] for field, errors in form.errors.get_json_data().items()}


def _perform_refused(request, inspection: Inspection):
    """403 for anyone but the inspector (or an admin); an inspection no longer planned: back to its page."""
    refusal = policies.perform_refusal(request.user, inspection)
    if refusal is None:
        return None
    if isinstance(refusal, PermissionDenied):
        raise refusal
    if is_fetch(request):
        return JsonResponse({"ok": False, "errors": {"__all__": [str(refusal)]}}, status=409)
    messages.error(request, str(refusal))
    return redirect(url("inspection-detail", inspection.pk))


def _save_item(request, inspection: Inspection, by_pk: dict):
    """POST one item; answers (the saved result, the form)."""
    item = request.POST.get("item", "")
    auto_id = f"item{item}_%s" if item.isdigit() else "%s"
    form = ResultForm(request.POST, request.FILES, results=by_pk, auto_id=auto_id)
    saved = None
    if form.is_valid():
        fields = form.service_fields()
        saved = form.run(result_save, actor=request.user, **fields)
    return saved, form


def inspection_perform_page(request, pk: int):
    """GET: a card per item (pass / fail / not applicable, a note, photos from the camera, the shelf price of a
    price item with its minimum). POST: save ONE item — JSON for the page's script (``Accept:
    application/json``: the saved state, or 400 with the field errors), else back to the form (a 400 with the
    item's errors)."""
    user = request.user
    inspection = selectors.inspection_detail(user, pk)
    if (refused := _perform_refused(request, inspection)) is not None:
        return refused
    results = selectors.results_with_photos(inspection)
    by_pk = {result.pk: result for result in results}
    failed_form = None
    if request.method == "POST":
        try:
            saved, form = _save_item(request, inspection, by_pk)
        except DomainError as refusal:
            if is_fetch(request):
                return JsonResponse({"ok": False, "errors": {"__all__": [str(refusal)]}}, status=refusal.status_code)
            raise
        if saved is not None:
            unanswered = inspection.results.filter(result="").count()
            if is_fetch(request):
                return JsonResponse(_saved_state(saved, photos=file_count(saved), unanswered=unanswered))
            messages.success(request, gettext("Saved: %(item)s.") % {"item": saved.item})
            return redirect(url("inspection-perform", inspection.pk) + f"#item-{saved.pk}")
        if is_fetch(request):
            return JsonResponse(
                {"ok": False, "item": request.POST.get("item"), "errors": _errors_json(form)}, status=400
            )
        failed_form = form
    prices = [result for result in results if result.item.kind == result.item.Kind.PRICE]
    if prices:
        minimums = selectors.minimum_prices(inspection.dealer, timezone.localdate())
        for result in prices:
            result.minimum = minimums.get(result.item.product_line.code)
    cards = []
    for result in results:
        sent_back = failed_form is not None and str(result.pk) == request.POST.get("item")
        cards.append({"result": result, "form": failed_form if sent_back else _card_form(result)})
    if failed_form is not None and not any(card["form"] is failed_form for card in cards):
        messages.error(request, " ".join(message for errors in failed_form.errors.values() for message in errors))
    context = {
        "inspection": inspection,
        "cards": cards,
        "unanswered": sum(1 for result in results if not result.result),
        "result_choices": InspectionResult.Result.choices,
        "complete_form": CompleteForm(auto_id="complete_%s"),
    }
    return render(request, "inspections/perform.html", context, status=400 if failed_form is not None else 200)


# --- the actions -------------------------------------------------------------------------------------------


def _performs(user, inspection: Inspection) -> bool:
    return inspection.inspector_id == user.pk or has_role(user, Role.ADMIN)


def _review_segregation(user, inspection: Inspection) -> str | None:
    if has_role(user, Role.ADMIN) or policies.is_dealer_manager(user, inspection.dealer):
        return policies.review_refusal(user, inspection)
    return None


INSPECTION_ACTIONS = {
    "complete": PageAction(
        title=_("Complete the inspection"),
        form_class=CompleteForm,
        run=calls(inspection_complete, "inspection"),
        allowed=_performs,
        refusal=transition_refusal(Inspection.workflow, "complete"),
        success=_("Inspection completed: its score is stored and a rectification opened for each failed item."),
        explanation=_("Its results are final once completed; the dealer's manager reviews it."),
        button=_("Complete"),
    ),
    "review": PageAction(
        title=_("Review"),
        form_class=ReviewForm,
        run=calls(inspection_review, "inspection"),
        allowed=lambda user, inspection: policies.review_refusal(user, inspection) is None,
        refusal=transition_refusal(Inspection.workflow, "review"),
        success=_("Inspection reviewed."),
        segregation=_review_segregation,
    ),
}


def inspection_complete_page(request, pk: int):
    inspection = selectors.inspection_detail(request.user, pk)
    inspection.unanswered = inspection.results.filter(result="").count()
    detail = url("inspection-detail", inspection.pk)
    return action_page(
        request,
        inspection,
        INSPECTION_ACTIONS["complete"],
        cancel_url=url("inspection-perform", inspection.pk)
        if inspection.status == Inspection.Status.PLANNED
        else detail,
        done_url=lambda _inspection: detail,
        template="inspections/complete.html",
        refused_status=400,
    )


def inspection_review_page(request, pk: int):
    inspection = selectors.inspection_detail(request.user, pk)
    return action_page(
        request,
        inspection,
        INSPECTION_ACTIONS["review"],
        cancel_url=url("inspection-detail", inspection.pk),
        done_url=lambda _obj: url("inspection-detail", inspection.pk),
        refused_status=400,
    )
