"""Budget pages (SPEC §14): the budgets with their committed/spent/remaining bars (finance all, a manager
those of their territories), a budget's form (finance), the import (finance) and the summary by territory
and quarter with its chart. Each view: parse → scope (``funds.selectors``) → call a service → render.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from channelhub.fields import ZERO
from channelhub.forms import style_fields
from channelhub.importing import keep_for_confirmation, take_pending
from channelhub.pages import filtered, paginate, posted
from channelhub.roles import Role, require_role
from funds import policies, selectors
from funds.forms.budgets import BudgetFilter, BudgetForm, BudgetImportForm, YearForm
from funds.models import FundBudget, FundRequest
from funds.services import budgets as budget_services
from funds.views.common import submit

#: Who sees budgets and the summary: finance and admins all, a manager their territories' (reps none).
BUDGET_READERS = (Role.FINANCE, Role.CHANNEL_MANAGER, Role.ADMIN)
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
#: The requests a budget's figures come from, as the request list filters them (``?budget=&status=``).
COMMITTED_STATUSES = selectors.COMMITTED
SPENT_STATUSES = (FundRequest.Status.SETTLED,)
#: After a clean preview the file waits in the session for the confirm button (as for dealers and facts).
PENDING_SESSION_KEY = "funds.budget_import"


def requests_url(budget_id: int, statuses=()) -> str:
    """The request list showing the requests behind one of a budget's figures."""
    query = [("budget", budget_id), *(("status", status) for status in statuses)]
    return f"{reverse('funds:request-list')}?{urlencode(query)}"


def _share(part: Decimal, whole: Decimal) -> Decimal:
    if whole <= 0:
        return ZERO
    return min(HUNDRED, max(ZERO, part * HUNDRED / whole)).quantize(CENT)


def budget_bar(budget: FundBudget) -> dict:
    """The stacked bar of a budget (with ``with_figures``' annotations): each part's share of the amount, in
    per cent of the bar's width, and the links to the requests behind committed and spent."""
    committed = _share(budget.committed, budget.amount)
    spent = min(_share(budget.spent, budget.amount), HUNDRED - committed)
    # text: a CSS width reads "30.00", whatever the page's language would make of a number
    return {
        "committed_width": str(committed),
        "spent_width": str(spent),
        "remaining_width": str(max(ZERO, HUNDRED - committed - spent)),
        "requests_url": requests_url(budget.pk),
        "committed_url": requests_url(budget.pk, COMMITTED_STATUSES),
        "spent_url": requests_url(budget.pk, SPENT_STATUSES),
    }


# --- the list ----------------------------------------------------------------------------------------


def budget_list_page(request):
    """``?year=&quarter=&category=&territory=``: the budgets the user sees, pages of 50, each with its figures
    and bar (one query for the rows, one for their count)."""
    user = request.user
    require_role(user, *BUDGET_READERS)
    filterset = BudgetFilter(request.GET or None, request=request, queryset=selectors.budgets_for(user))
    style_fields(filterset.form)
    # aggregated rows lose the model's ordering: the newest year first, then quarter, territory, category
    budgets = filtered(filterset).order_by(
        "-year", F("quarter").asc(nulls_last=True), "territory__path", "category", "pk"
    )
    page_obj = paginate(request, budgets)
    page_obj.object_list = [(budget, budget_bar(budget)) for budget in page_obj.object_list]
    context = {"filter": filterset, "page_obj": page_obj, "can_set": policies.may_set_budgets(user)}
    return render(request, "funds/budget_list.html", context)


# --- one budget ----------------------------------------------------------------------------------------


def _render_form(request, form, budget, status):
    return render(request, "funds/budget_form.html", {"form": form, "budget": budget}, status=status)


def budget_create_page(request):
    user = request.user
    policies.require(policies.may_set_budgets(user), gettext("Only finance sets budgets."))
    form = BudgetForm(posted(request))
    budget, status = submit(
        request, form, budget_services.budget_create, lambda: {"actor": user, **form.budget_fields()}
    )
    if budget is not None:
        messages.success(request, gettext("Budget %(budget)s set.") % {"budget": budget})
        return redirect("funds:budget-list")
    return _render_form(request, form, None, status)


def budget_edit_page(request, pk: int):
    user = request.user
    budget = get_object_or_404(selectors.budgets_for(user), pk=pk)  # out of scope: 404 before the role's 403
    policies.require(policies.may_set_budgets(user), gettext("Only finance sets budgets."))
    form = BudgetForm(posted(request), budget=budget)
    saved, status = submit(
        request, form, budget_services.budget_update, lambda: {"actor": user, "budget": budget, **form.budget_fields()}
    )
    if saved is not None:
        messages.success(request, gettext("Budget %(budget)s saved.") % {"budget": saved})
        return redirect("funds:budget-list")
    return _render_form(request, form, budget, status)


# --- the import ----------------------------------------------------------------------------------------


def _budget_import(actor, content: bytes, file_format: str, dry_run: bool):
    """``funds.imports.budget_import``: the budget import's rules, shared with the API and the admin."""
    from funds.imports import budget_import

    return budget_import(actor=actor, file=content, file_format=file_format, dry_run=dry_run)


def _import_done(request, report):
    messages.success(
        request,
        gettext("Budgets imported: %(new)d new, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "new": getattr(report, "new", 0),
            "updated": getattr(report, "updated", 0),
            "unchanged": getattr(report, "unchanged", 0),
        },
    )
    return redirect("funds:budget-list")


def _changes(report) -> int:
    return getattr(report, "new", 0) + getattr(report, "updated", 0)


def _render_import(request, form, report=None, token=None, file_name=""):
    context = {
        "form": form,
        "report": report,
        "token": token,
        "file_name": file_name,
        "changes": _changes(report) if report is not None else 0,
    }
    status = 400 if report is not None and not report.ok else 200
    if request.method == "POST" and report is None and not form.is_valid():
        status = 400
    return render(request, "funds/budget_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
def budget_import_page(request):
    """Upload a CSV/XLSX of budgets: a preview (nothing saved) with a button that confirms it, or the import
    itself — whole or not at all, listing the bad rows."""
    user = request.user
    policies.require(policies.may_set_budgets(user), gettext("Only finance sets budgets."))
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm_import(request)
    form = BudgetImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render_import(request, form)
    upload = form.cleaned_data["file"]
    content = b"".join(upload.chunks())
    report = _budget_import(user, content, upload.file_format, form.cleaned_data["dry_run"])
    if report.imported:
        return _import_done(request, report)
    token = None
    if report.ok and _changes(report):
        token = keep_for_confirmation(
            request, PENDING_SESSION_KEY, content, name=upload.name, format=upload.file_format
        )
    return _render_import(request, form, report, token, upload.name)


def _confirm_import(request):
    pending = take_pending(request, PENDING_SESSION_KEY, request.POST.get("token", ""))
    if pending is None:
        messages.error(request, gettext("This preview is no longer available; upload the file again."))
        return redirect("funds:budget-import")
    report = _budget_import(request.user, pending["content"], pending["format"], False)
    if report.imported:
        return _import_done(request, report)
    return _render_import(request, BudgetImportForm(), report, None, pending["name"])


# --- the summary ---------------------------------------------------------------------------------------


def _number(value: Decimal) -> float:
    """Chart.js reads numbers; the table beside the chart shows the exact amounts."""
    return float(value)


def _period(row: dict) -> str:
    return f"Q{row['quarter']}" if row["quarter"] else gettext("whole year")


def summary_chart(rows: list[dict]) -> dict:
    """Budget, committed and spent per territory and quarter, as static/js/dashboard_charts.js draws them."""
    return {
        "id": "funds-summary-chart",
        "type": "bar",
        "labels": [f"{row['territory'].name} · {_period(row)}" for row in rows],
        "datasets": [
            {"label": str(label), "data": [_number(row[key]) for row in rows]}
            for key, label in (("budget", _("Budget")), ("committed", _("Committed")), ("spent", _("Spent")))
        ],
        "y_label": str(_("Amount")),
        "kind": "money",
    }


def summary_page(request):
    """``?year=``: funds by budget territory and quarter of the year (this year by default), over the budgets
    the user sees — a table and a chart (one query)."""
    user = request.user
    require_role(user, *BUDGET_READERS)
    year = YearForm(request.GET).year_or_current()
    rows = selectors.summary_by_territory_quarter(user, year)
    for row in rows:
        row["period"] = _period(row)
    totals = {key: sum((row[key] for row in rows), ZERO) for key in ("budget", "committed", "spent", "remaining")}
    context = {
        "year": year,
        "rows": rows,
        "totals": totals,
        "chart": summary_chart(rows),
        "years": (year - 1, year + 1),
    }
    return render(request, "funds/summary.html", context)
