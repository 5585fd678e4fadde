"""Terminals (SPEC §16): the 80/20 of a distributor's (or a territory's) terminals over a quarter's sell-out, with
the quarterly pass on demand, and the distribution coverage (铺货率) by territory and product line.

Both read only the terminals and reports the user sees (``inventory.selectors``): another team's terminals are
in neither the rows, the chart nor the totals.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from channelhub.periods import Month
from channelhub.roles import require_role
from channelhub.scoping import territory_paths
from inventory import policies, selectors
from inventory.forms import CoverageForm, ParetoForm
from inventory.pages_registry import READERS
from inventory.services.terminals import key_account_pass, last_quarter
from partners.models import ProductLine, Territory
from rebates.periods import RebatePeriod


def _number(value) -> float | None:
    """Chart.js reads numbers; the table beside the chart shows the exact figures."""
    return None if value is None else float(value)


# --- Pareto --------------------------------------------------------------------------------------------------


def pareto_chart(rows: list[selectors.ParetoRow]) -> dict:
    """Bars of each terminal's sell-out, the cumulative share as a line, and the 80 % mark (static/js/pareto_chart.js)."""
    return {
        "labels": [row.code for row in rows],
        "names": [row.name for row in rows],
        "amounts": [_number(row.amount) for row in rows],
        "cumulative": [_number(row.cumulative) for row in rows],
        "key": [row.key for row in rows],
        "mark": float(selectors.PARETO_SHARE),
        "amount_label": gettext("Sell-out"),
        "cumulative_label": gettext("Cumulative share"),
        "mark_label": gettext("%(share)s %% of sell-out") % {"share": 80},
    }


def _run_pass(request):
    """POST ``quarter``: the 80/20 pass over the quarter (the manager's territories; an admin's, all)."""
    policies.require(
        policies.may_run_pareto(request.user), gettext("Only channel managers and admins run the 80/20 pass.")
    )
    try:
        quarter = RebatePeriod.parse(request.POST.get("quarter", ""))
    except ValidationError:  # none given (or a malformed one): the last quarter ended
        quarter = last_quarter()
    if quarter.is_year:
        quarter = last_quarter()
    result = key_account_pass(quarter, actor=request.user)
    messages.success(
        request,
        gettext(
            "80/20 pass for %(quarter)s: %(terminals)s terminals of %(distributors)s distributors; %(marked)s marked "
            "key, %(unmarked)s no longer key, %(pinned)s set by hand left as they are."
        )
        % {
            "quarter": result.quarter,
            "terminals": result.terminals,
            "distributors": result.distributors,
            "marked": result.marked,
            "unmarked": result.unmarked,
            "pinned": result.pinned,
        },
    )
    query = request.GET.urlencode()
    return redirect(f"{reverse('inventory:pareto')}?{query}" if query else reverse("inventory:pareto"))


def pareto_page(request):
    """``?distributor=ID`` or ``?territory=ID`` and ``?quarter=YYYY-Qn`` (the last quarter ended by default); with
    neither a distributor nor a territory, the first distributor the user sees. POST: run the 80/20 pass."""
    user = request.user
    require_role(user, *READERS)
    if request.method == "POST":
        return _run_pass(request)
    form = ParetoForm(
        request.GET or None,
        distributors=selectors.pareto_distributors(user),
        territories=Territory.objects.order_by("path"),
    )
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    quarter = chosen.get("quarter") or last_quarter()
    distributor, territory = chosen.get("distributor"), chosen.get("territory")
    if distributor is None and territory is None and not form.errors:
        distributor = selectors.pareto_distributors(user).first()
    chosen_any = distributor is not None or territory is not None
    rows = selectors.pareto(user, quarter, distributor=distributor, territory=territory) if chosen_any else []
    context = {
        "form": form,
        "quarter": quarter,
        "distributor": distributor,
        "territory": territory,
        "rows": rows,
        "total": sum((row.amount for row in rows), selectors.ZERO),
        "key_count": sum(1 for row in rows if row.key),
        "chart": pareto_chart(rows),
        "may_run": policies.may_run_pareto(user),
    }
    return render(request, "inventory/pareto.html", context)


# --- coverage ------------------------------------------------------------------------------------------------


def _default_territories(user) -> list[Territory]:
    """The territories the user covers; finance, admins and people without territories: the top level."""
    paths = () if policies.sees_all(user) else territory_paths(user)
    if paths:
        return list(Territory.objects.filter(path__in=paths).order_by("path"))
    return list(Territory.objects.filter(parent__isnull=True).order_by("path"))


def coverage_rows(territory: Territory | None, user) -> list[Territory]:
    """A chosen territory's children (itself when it has none), else the default territories."""
    if territory is None:
        return _default_territories(user)
    children = list(territory.children.order_by("path"))
    return children or [territory]


def coverage_chart(rows: list[dict], lines: list[ProductLine]) -> dict:
    """Per territory, the rate of each line (static/js/dashboard_charts.js; no active terminals: no bar)."""
    return {
        "id": "coverage-chart",
        "type": "bar",
        "kind": "percent",
        "labels": [row["territory"].name for row in rows],
        "datasets": [
            {"label": line.name, "data": [_number(row["cells"][index]["coverage"].rate) for row in rows]}
            for index, line in enumerate(lines)
        ],
        "y_label": gettext("Distribution coverage (%)"),
    }


def _cell_url(period: str, territory: Territory, line: ProductLine) -> str:
    """The health list of the terminals' lines behind a cell."""
    query = {"period": period, "territory": territory.pk, "product_line": line.pk, "kind": "retail_terminal"}
    return f"{reverse('inventory:health')}?{urlencode(query)}"


def coverage_page(request):
    """``?territory=ID&period=YYYY-MM``: rows the territory's children (or the user's territories), columns the
    product lines, each cell covered ÷ active terminals; the month: the latest reported one by default."""
    user = request.user
    require_role(user, *READERS)
    form = CoverageForm(request.GET or None, territories=Territory.objects.order_by("path"))
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = chosen.get("period") or selectors.latest_period(user) or str(Month.current().previous())
    territory = chosen.get("territory")
    territories = coverage_rows(territory, user)
    lines = list(ProductLine.objects.order_by("code"))
    table = selectors.coverage_table(user, period, territories, lines)
    rows = [
        {
            "territory": row,
            "drills": row != territory,
            "cells": [
                {"line": line, "coverage": table[(row.pk, line.pk)], "url": _cell_url(period, row, line)}
                for line in lines
            ],
        }
        for row in territories
    ]
    context = {
        "form": form,
        "period": period,
        "territory": territory,
        "lines": lines,
        "rows": rows,
        "chart": coverage_chart(rows, lines),
    }
    return render(request, "inventory/coverage.html", context)
