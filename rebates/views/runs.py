"""Rebate run pages (SPEC §15, like the commission runs of §7): the runs with the "start a run" form, a run's
progress (``run_progress.js`` polls ``run_progress``), for finance and admins. Runs cover every dealer: to any
other role a run is out of scope (404) and the list forbidden (403).

Each view: parse → scope (``rebates.selectors.run_list``) → call ``rebates.services.runs.run_start`` → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from channelhub.celery import BrokerUnavailable
from channelhub.pages import paginate, posted
from rebates import policies, selectors
from rebates.forms import StartRunForm
from rebates.models import RebateRun
from rebates.services.runs import default_period, run_start

FINISHED = (RebateRun.Status.DONE, RebateRun.Status.FAILED)


def _settlements_url(period: str) -> str:
    return f"{reverse('rebates:settlement-list')}?{urlencode({'period': period})}"


@require_http_methods(["GET", "POST"])
def run_list_page(request):
    """GET: the runs and the form; POST: start a run of the period (400: the form's errors; 503: no broker)."""
    user = request.user
    policies.require(policies.may_start_runs(user), gettext("Only finance and administrators run rebate settlements."))
    form = StartRunForm(posted(request), initial={"period": default_period()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                run = form.run(run_start, actor=user, period=form.cleaned_data["period"])
            except BrokerUnavailable as down:  # nothing was written: the form keeps the period as typed
                messages.error(request, str(down))
                run, status = None, 503
            if run is not None:
                messages.success(request, gettext("Rebate run for %(period)s started.") % {"period": run.period})
                return redirect("rebates:run-detail", pk=run.pk)
    context = {"form": form, "page_obj": paginate(request, selectors.run_list(user))}
    return render(request, "rebates/runs/run_list.html", context, status=status)


def run_detail_page(request, pk: int):
    run = get_object_or_404(selectors.run_list(request.user), pk=pk)
    context = {
        "run": run,
        "finished": run.status in FINISHED,
        "progress_url": reverse("rebates:run-progress", args=[run.pk]),
        "settlements_url": _settlements_url(run.period),
    }
    return render(request, "rebates/runs/run_detail.html", context)


@require_GET
def run_progress(request, pk: int):
    """``{status, status_display, progress, done, total, skipped, error, started_at, finished_at}`` for the bar."""
    run = get_object_or_404(selectors.run_list(request.user).select_related(None), pk=pk)
    return JsonResponse(
        {
            "status": run.status,
            "status_display": capfirst(run.get_status_display()),
            "progress": run.progress,
            "done": run.done,
            "total": run.total,
            "skipped": run.skipped,
            "error": run.error,
            "started_at": _moment(run.started_at),
            "finished_at": _moment(run.finished_at),
        },
        headers={"Cache-Control": "no-store"},
    )


def _moment(value) -> str | None:
    """A time in the deployment's zone as ``YYYY-MM-DDTHH:MM:SS`` (what the page shows, up to the seconds)."""
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M:%S") if value else None
