"""Commission-run and period pages (SPEC §7 "kpi: commission runs with progress"): the runs with a
"start a run" form, a run's progress, the year-end settlement, and the periods with their close button.

Each view: parse → scope (``commissions.services.runs.run_list``, ``commissions.services.closing.period_rows``) → call a
service → render. The run page shows the figures as they are and a refresh link; ``run_progress.js``
keeps the bar moving by polling the run's API detail.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from channelhub.celery import BrokerUnavailable
from channelhub.errors import DomainError
from channelhub.pages import paginate, posted
from channelhub.periods import Month
from commissions.forms.runs import StartRunForm, YearEndForm
from commissions.models import CommissionRun
from commissions.policies import may_close, may_start_runs
from commissions.selectors import period_rows, run_list, run_problems
from commissions.services.closing import period_close, year_end_settle
from commissions.services.runs import default_period, run_start, runs_everyone
from kpi.services.periods import PeriodClosed


def _require_runs(user) -> None:
    if not may_start_runs(user):
        raise PermissionDenied(gettext("Your role does not allow this."))


def _statements_url(period: str) -> str | None:
    try:
        return f"{reverse('commissions:statement-list')}?period={period}"
    except NoReverseMatch:
        return None


# --- runs ------------------------------------------------------------------------------------------


def run_list_page(request):
    user = request.user
    _require_runs(user)
    context = {
        "page_obj": paginate(request, run_list(user)),
        "form": StartRunForm(initial={"period": default_period()}),
        "runs_everyone": runs_everyone(user),
        "can_settle": may_close(user),
    }
    return render(request, "commissions/runs/run_list.html", context)


def run_create_page(request):
    """Start a run of a month: a manager's team, or every rep with a plan (finance, admins)."""
    user = request.user
    _require_runs(user)
    form = StartRunForm(posted(request), initial={"period": default_period()})
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            run = form.run(run_start, actor=user, period=form.cleaned_data["period"])
        except PeriodClosed as closed:
            form.add_error("period", str(closed))
            run, status = None, 409
        except BrokerUnavailable as down:
            # Nothing was written: the form comes back with the error, the month as typed, and 503.
            form.add_error(None, str(down))
            return render(request, "commissions/runs/run_form.html", _form_context(form, user), status=503)
        if run is not None:
            messages.success(request, gettext("Commission run for %(period)s started.") % {"period": run.period})
            return redirect("commissions:run-detail", pk=run.pk)
    # a refused start answers with the form's errors: 400 (a bad period, one not ended), 409 (closed)
    return render(request, "commissions/runs/run_form.html", _form_context(form, user), status=status)


def _form_context(form, user) -> dict:
    return {"form": form, "runs_everyone": runs_everyone(user)}


def run_detail_page(request, pk: int):
    run = get_object_or_404(run_list(request.user), pk=pk)
    context = {
        "run": run,
        "problems": run_problems(request.user, run),
        "finished": run.status in (CommissionRun.Status.DONE, CommissionRun.Status.FAILED),
        "api_url": reverse("commission-run-detail", args=[run.pk]),
        "statements_url": _statements_url(run.period),
    }
    return render(request, "commissions/runs/run_detail.html", context)


def run_year_end_page(request):
    """The year-end settlement: each rep's retained balance released as one draft statement."""
    if not may_close(request.user):
        raise PermissionDenied(gettext("Your role does not allow this."))
    form = YearEndForm(posted(request))
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        settlement = form.run(year_end_settle, actor=request.user, year=year)
        if settlement is not None:
            messages.success(
                request,
                gettext(
                    "Year-end settlement %(year)s: %(created)d made, %(refreshed)d refreshed, %(unchanged)d left as they were."
                )
                % {
                    "year": year,
                    "created": len(settlement.created),
                    "refreshed": len(settlement.refreshed),
                    "unchanged": len(settlement.unchanged),
                },
            )
            return redirect(_statements_url(f"{year:04d}-12") or reverse("commissions:run-list"))
    return render(request, "commissions/runs/year_end.html", {"form": form})


# --- periods ---------------------------------------------------------------------------------------


def period_list_page(request):
    context = {
        "page_obj": paginate(request, period_rows(request.user)),
        "can_close": may_close(request.user),
        "current_month": str(Month.current()),  # a month is closed once it is over
    }
    return render(request, "commissions/runs/period_list.html", context)


def period_close_page(request, pk: int):
    """GET: what closing means, and a button; POST: close (refusals come back as a message)."""
    if not may_close(request.user):
        raise PermissionDenied(gettext("Only finance or an administrator closes a period."))
    period = get_object_or_404(period_rows(request.user), pk=pk)
    if request.method == "POST":
        try:
            period_close(actor=request.user, period=period)
        except DomainError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, gettext("The period %(period)s is closed.") % {"period": period.code})
        return redirect("commissions:period-list")
    return render(request, "commissions/runs/period_close.html", {"period": period})
