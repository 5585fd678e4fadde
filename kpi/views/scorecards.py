"""KPI pages: scorecards (SPEC §5, §7) and measures.

* ``kpi:scorecard-list`` — the scorecards one may see (rep: own; manager: team; finance: all), with
  the compute form for managers and admins;
* ``kpi:scorecard-detail`` — a rep's month: each item's actual (linked to the rows behind it),
  target, score, weight and weighted score, grouped by perspective, and the total;
* ``kpi:scorecard-compute``, ``kpi:scorecard-recompute``, ``kpi:scorecard-self-evaluate``,
  ``kpi:scorecard-confirm`` — the writes, each a thin call of ``kpi.services.scorecards``;
* ``kpi:measures`` — reps × measures for a month, a quarter or a year, with the team's or company's total;
  ``kpi:measures-export`` the same table as CSV/XLSX (``kpi.exports``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.audit import history_rows, state_log
from channelhub.forms import ConfirmForm, style_fields
from channelhub.pages import download, filtered, paginate, posted, requested_format
from channelhub.periods import Month
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from kpi.exports import measures_export
from kpi.forms.scorecards import ComputeForm, ConfirmScorecardForm, ScorecardFilter, SelfEvaluationForm
from kpi.models import Metric, Perspective, Scorecard, Target
from kpi.policies import can_compute, can_confirm, can_self_evaluate
from kpi.selectors.measures import ReportingPeriod, measures_table
from kpi.selectors.scorecards import computable_reps, scorecard_detail, scorecard_list, visible_reps
from kpi.services import scorecards as services
from kpi.services.scoring import PERCENT_METRICS
from visits import policies as visit_policies

# --- links to the rows behind a figure ---------------------------------------------------------------


def optional_url(name: str, *args, query: dict | None = None) -> str | None:
    """The URL of ``name`` (with ``query``), or None while that page does not exist."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _dates(month: Month) -> dict:
    return {"date_from": month.first_day.isoformat(), "date_to": month.last_day.isoformat()}


FACT_LISTS = {
    Metric.SALES_ACHIEVEMENT: "kpi:sales-list",
    Metric.CATEGORY_SHARE: "kpi:sales-list",
    Metric.EXPENSE_RATE: "kpi:expense-list",
    Metric.COLLECTION_RATE: "kpi:collection-list",
}
VISIT_KINDS = {
    Metric.VISITS_COUNTED: None,
    Metric.VISIT_COMPLIANCE: None,
    Metric.DISTINCT_DEALERS: None,
    Metric.TRAININGS: "training",
}


def actual_url(user, item, rep_id: int, month: Month) -> str | None:
    """Where the rows behind an item's actual are listed, for ``rep_id`` and the month."""
    metric = item.metric
    query = {"rep": rep_id, **_dates(month)}
    if metric == Metric.CATEGORY_SHARE and item.category is not None:
        query["category"] = item.category.code
    if metric in FACT_LISTS:
        return optional_url(FACT_LISTS[metric], query=query)
    if metric == Metric.COMPLAINTS_LATE:
        return optional_url("inspections:complaint-list", query={"assignee": rep_id, "period": str(month), "late": "1"})
    if metric in VISIT_KINDS:
        if not (visit_policies.can_log_visits(user) or visit_policies.is_reviewer(user)):
            return None  # finance has no visits (SPEC §2)
        if VISIT_KINDS[metric]:
            query["kind"] = VISIT_KINDS[metric]
        return optional_url("visits:visit-list", query=query)
    if metric == Metric.NEW_DEALERS:
        return optional_url("partners:dealer-list", query={"owner": rep_id, "status": "active"})
    return None


# --- scorecards --------------------------------------------------------------------------------------


def _compute_form(request, data=None) -> ComputeForm | None:
    reps = computable_reps(request.user)
    if not has_role(request.user, Role.CHANNEL_MANAGER, Role.ADMIN):
        return None
    return ComputeForm(data, reps=reps)


def scorecard_list_page(request):
    user = request.user
    filterset = ScorecardFilter(request.GET or None, request=request, queryset=scorecard_list(user))
    form = filterset.form
    form.fields["rep"].queryset = visible_reps(user)
    form.fields["rep"].label_from_instance = lambda u: u.get_full_name() or u.username
    style_fields(form)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "compute_form": _compute_form(request),
        "mine_only": not has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN),
    }
    return render(request, "kpi/scorecards/list.html", context)


def scorecard_compute_page(request):
    """Compute one rep's scorecard (then show it) or every rep's of the user (then list them)."""
    form = _compute_form(request, posted(request))
    if form is None:
        raise PermissionDenied(gettext("Only managers and administrators compute scorecards."))
    if request.method == "POST" and form.is_valid():
        rep, month, template = (form.cleaned_data[name] for name in ("rep", "period", "template"))
        if rep is not None:
            result = form.run(services.scorecard_compute, actor=request.user, rep=rep, period=month, template=template)
            if result is not None:
                messages.success(request, gettext("Scorecard computed."))
                return redirect("kpi:scorecard-detail", pk=result[0].pk)
        elif (
            counts := form.run(
                _compute_all, actor=request.user, reps=form.fields["rep"].queryset, period=month, template=template
            )
        ) is not None:
            computed, confirmed = counts
            messages.success(
                request,
                gettext(
                    "%(count)s scorecards computed for %(period)s; %(confirmed)s already confirmed were left as they are."
                )
                % {"count": computed, "period": month, "confirmed": confirmed},
            )
            query = urlencode({"period": str(month), "template": template.code})
            return redirect(f"{reverse('kpi:scorecard-list')}?{query}")
    return render(request, "kpi/scorecards/compute.html", {"form": form})


def _compute_all(*, actor, reps, period: Month, template) -> tuple[int, int]:
    """Every rep's scorecard: (computed, left alone because confirmed)."""
    computed = confirmed = 0
    for rep in reps:
        try:
            services.scorecard_compute(actor=actor, rep=rep, period=period, template=template)
        except services.ScorecardConfirmed:
            confirmed += 1
        else:
            computed += 1
    return computed, confirmed


def _scorecard(request, pk: int) -> Scorecard:
    return get_object_or_404(scorecard_detail(request.user), pk=pk)


PERSPECTIVE_ORDER = [choice for choice, _label in Perspective.choices]


def _line_rows(user, scorecard: Scorecard) -> list[dict]:
    month = Month.parse(scorecard.period)
    rows = []
    for line in scorecard.lines.all():
        rows.append(
            {
                "line": line,
                "item": line.item,
                "is_percent": line.item.metric in PERCENT_METRICS,
                "actual_url": actual_url(user, line.item, scorecard.rep_id, month),
            }
        )
    return rows


def _groups(rows: list[dict]) -> list[dict]:
    """Lines by perspective (financial, customer, process, learning), with each group's weights and points."""
    groups = []
    for perspective in PERSPECTIVE_ORDER:
        members = [row for row in rows if row["item"].perspective == perspective]
        if members:
            groups.append(
                {
                    "perspective": Perspective(perspective).label,
                    "rows": members,
                    "weight": sum(row["line"].weight for row in members),
                    "weighted_score": sum(row["line"].weighted_score for row in members),
                }
            )
    return groups


def scorecard_detail_page(request, pk: int):
    scorecard = _scorecard(request, pk)
    user = request.user
    rows = _line_rows(user, scorecard)
    target = scope(user, Target).filter(rep_id=scorecard.rep_id, period=scorecard.period).values_list("pk", flat=True)
    target_id = target.first()
    draft = scorecard.status == Scorecard.Status.DRAFT
    has_manual = any(row["item"].method == "manual" for row in rows)
    buttons = []
    if draft and can_compute(user, scorecard.rep):
        buttons.append({"label": gettext("Recompute"), "url": reverse("kpi:scorecard-recompute", args=[pk])})
    if draft and has_manual and can_self_evaluate(user, scorecard):
        buttons.append({"label": gettext("Self-evaluate"), "url": reverse("kpi:scorecard-self-evaluate", args=[pk])})
    if draft and can_confirm(user, scorecard):
        buttons.append({"label": gettext("Confirm"), "url": reverse("kpi:scorecard-confirm", args=[pk])})
    context = {
        "scorecard": scorecard,
        "month": Month.parse(scorecard.period),
        "groups": _groups(rows),
        "grouped": len({row["item"].perspective for row in rows}) > 1,
        "weight_total": sum(row["line"].weight for row in rows),
        "actions": buttons,
        "target_url": optional_url("kpi:target-detail", target_id) if target_id else None,
        "state_log": state_log(Scorecard.workflow, scorecard),
        "history": history_rows(scorecard),
    }
    return render(request, "kpi/scorecards/detail.html", context)


def scorecard_recompute_page(request, pk: int):
    scorecard = _scorecard(request, pk)
    if not can_compute(request.user, scorecard.rep):
        raise PermissionDenied(gettext("Only the rep's manager or an administrator computes a scorecard."))
    form = ConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        run = form.run(
            services.scorecard_compute,
            actor=request.user,
            rep=scorecard.rep,
            period=scorecard.period,
            template=scorecard.template,
        )
        if run is not None:
            messages.success(request, gettext("Scorecard recomputed from the month's data."))
            return redirect("kpi:scorecard-detail", pk=pk)
    context = {
        "scorecard": scorecard,
        "form": form,
        "title": _("Recompute"),
        "explanation": _(
            "The actuals, targets and scores are read again from the month's data. "
            "Self-evaluations and the manager's scores are kept."
        ),
    }
    return render(request, "kpi/scorecards/action.html", context)


def _scores_page(request, pk: int, *, form_class, allowed, refusal: str, title, explanation, run, success):
    scorecard = _scorecard(request, pk)
    if not allowed(request.user, scorecard):
        raise PermissionDenied(refusal)
    if request.method != "POST" and scorecard.status != Scorecard.Status.DRAFT:
        messages.error(request, gettext("This scorecard is confirmed."))
        return redirect("kpi:scorecard-detail", pk=pk)
    form = form_class(posted(request), lines=list(scorecard.lines.all()))
    if request.method == "POST" and form.is_valid() and form.run(run, scorecard=scorecard, form=form) is not None:
        messages.success(request, success)
        return redirect("kpi:scorecard-detail", pk=pk)
    context = {"scorecard": scorecard, "form": form, "title": title, "explanation": explanation}
    return render(request, "kpi/scorecards/action.html", context)


def scorecard_self_evaluate_page(request, pk: int):
    def run(*, scorecard, form):
        return services.scorecard_self_evaluate(actor=request.user, scorecard=scorecard, scores=form.scores())

    return _scores_page(
        request,
        pk,
        form_class=SelfEvaluationForm,
        allowed=can_self_evaluate,
        refusal=gettext("Only the rep whose scorecard it is evaluates it."),
        title=_("Self-evaluation"),
        explanation=_("Score your manual items from 0 to 100. Your manager confirms or changes them."),
        run=run,
        success=gettext("Self-evaluation saved."),
    )


def scorecard_confirm_page(request, pk: int):
    def run(*, scorecard, form):
        return services.scorecard_confirm(
            actor=request.user, scorecard=scorecard, scores=form.scores(), comment=form.cleaned_data["comment"]
        )

    return _scores_page(
        request,
        pk,
        form_class=ConfirmScorecardForm,
        allowed=can_confirm,
        refusal=gettext("Only the rep's manager or an administrator confirms a scorecard, never their own."),
        title=_("Confirm"),
        explanation=_(
            "Confirming makes the scorecard final as it stands: recompute it first if the month's data changed. "
            "Manual items take the scores below."
        ),
        run=run,
        success=gettext("Scorecard confirmed."),
    )


# --- measures ----------------------------------------------------------------------------------------


def _requested_period(request) -> ReportingPeriod:
    """``?period=2026-07`` / ``2026-Q3`` / ``2026`` (default: this month); ``?kind=`` switches the kind."""
    current = ReportingPeriod.of_month(Month.current())
    try:
        period = ReportingPeriod.parse(request.GET["period"]) if request.GET.get("period") else current
    except ValidationError as error:
        messages.error(request, error.messages[0])
        period = current
    kind = request.GET.get("kind")
    first = period.months[0]
    if kind == "quarter" and period.kind != "quarter":
        period = ReportingPeriod.quarter(first.year, (first.month - 1) // 3 + 1)
    elif kind == "year" and period.kind != "year":
        period = ReportingPeriod.year(first.year)
    elif kind == "month" and period.kind != "month":
        period = ReportingPeriod.of_month(first)
    return period


def measures_page(request):
    """Net sales, targets, collections and expenses with their rates, by rep, and the total of the reps shown."""
    user = request.user
    period = _requested_period(request)
    reps = list(visible_reps(user))
    table = measures_table(reps, period)
    lists = {key: optional_url(f"kpi:{key}-list") for key in ("sales", "collection", "expense")}

    def links(measures) -> dict:
        return {key: f"{url}?{measures.facts_query}" if url else None for key, url in lists.items()}

    chart = {
        "labels": [row.rep.get_full_name() or row.rep.username for row in table.rows],
        "net_sales": [str(row.net_sales) for row in table.rows],
        "sales_target": [str(row.sales_target) if row.sales_target is not None else None for row in table.rows],
    }
    context = {
        "table": table,
        "period": period,
        "rows": [(row, links(row)) for row in table.rows],
        "total_links": links(table.total),
        "chart": chart,
        "show_total": len(reps) > 1,
        "total_label": _total_label(user),
        "kinds": [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))],
    }
    return render(request, "kpi/scorecards/measures.html", context)


def _total_label(user) -> str:
    return gettext("Company") if has_role(user, Role.FINANCE, Role.ADMIN) else gettext("Team")


def measures_export_page(request):
    """``?format=csv|xlsx`` and the page's ``period``/``kind``: the table as the page shows it, total row
    included (when the page shows one)."""
    file_format = requested_format(request)
    if request.GET.get("period"):  # a file of another period than asked: no (the page says why instead)
        try:
            ReportingPeriod.parse(request.GET["period"])
        except ValidationError:
            raise Http404 from None
    period = _requested_period(request)
    reps = list(visible_reps(request.user).select_related("profile"))
    total_label = _total_label(request.user) if len(reps) > 1 else None
    content = measures_export(table=measures_table(reps, period), file_format=file_format, total_label=total_label)
    return download(content, file_format, f"measures-{period}.{file_format}")
