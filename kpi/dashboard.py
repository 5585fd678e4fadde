"""The KPI figures of the dashboards (SPEC §7), in a fixed number of queries each:

* rep: month-to-date net sales against the month's target;
* manager: sales against target by rep and month (last six months; a chart and a table);
* finance: collection rates by rep (last three months; a chart and a table of the lowest 20).

Charts are plain data (``{"id", "type", "labels", "datasets"}``) drawn by static/js/dashboard_charts.js.
"""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from channelhub.periods import Month, month_pace
from channelhub.roles import Role
from channelhub.scoping import scope
from kpi.selectors.measures import measures_for, rep_measures
from visits.policies import visit_reps


def _months(count: int) -> list[Month]:
    months = [Month.current()]
    for _index in range(count - 1):
        months.insert(0, months[0].previous())
    return months


def _number(value) -> float | None:
    """Chart.js reads numbers; the tables beside the charts show the exact Decimals."""
    return None if value is None else float(value)


def rep_panel(user, context: dict) -> dict:
    return rep_kpi_figures(user)


def manager_panel(user, context: dict) -> dict:
    """Sales against target of the reps an earlier panel read (``reps``), else of ``visit_reps``."""
    return manager_kpi_figures(user, context.get("reps"))


def finance_panel(user, context: dict) -> dict:
    return finance_kpi_figures(user)


def rep_kpi_figures(user) -> dict:
    month = Month.current()
    return {"sales_mtd": replace(rep_measures(user, month), pace=month_pace(month))}


def manager_kpi_figures(user, reps=None) -> dict:
    reps = list(visit_reps(user).order_by("username")) if reps is None else reps
    months = _months(6)
    figures = measures_for(reps, months)
    # the month under way is judged against the share of its working days behind
    pace = month_pace(months[-1])
    current = str(months[-1])
    for rep in reps:
        figures[(rep.pk, current)] = replace(figures[(rep.pk, current)], pace=pace)
    rows = [{"rep": rep, "cells": [figures[(rep.pk, str(month))] for month in months]} for rep in reps]
    chart = {
        "id": "sales-vs-target-chart",
        "type": "line",
        "labels": [str(month) for month in months],
        "datasets": [
            {"label": rep.get_full_name() or rep.username, "data": [_number(c.sales_achievement) for c in row["cells"]]}
            for rep, row in zip(reps, rows, strict=True)
        ],
        "y_label": _("Sales achievement (%)"),
        "kind": "percent",
    }
    return {"sales_months": months, "sales_rows": rows, "sales_chart": chart, "sales_pace": pace, "pace_month": current}


#: Finance's panel shows this many reps, the lowest collection rates first (all of them: the measures page).
FINANCE_REPS_SHOWN = 20


def _lowest_rate_first(row: dict) -> list[tuple[bool, object]]:
    """Newest ended month first, the month under way last (it has only begun to be collected); a month
    without a rate (no sales) after every month with one."""
    newest_first = row["cells"][::-1]
    cells = [cell for cell in newest_first if cell.pace is None] + [cell for cell in newest_first if cell.pace]
    return [(cell.collection_rate is None, cell.collection_rate or 0) for cell in cells]


def finance_kpi_figures(user) -> dict:
    reps = list(scope(user, get_user_model()).filter(groups__name=Role.FIELD_REP).order_by("username"))
    months = _months(3)
    figures = measures_for(reps, months)
    pace, current = month_pace(months[-1]), str(months[-1])
    for rep in reps:  # the month under way: shown, never flagged below target (it is still being collected)
        figures[(rep.pk, current)] = replace(figures[(rep.pk, current)], pace=pace)
    rows = [{"rep": rep, "cells": [figures[(rep.pk, str(month))] for month in months]} for rep in reps]
    # A company has hundreds of reps: a table and a chart of them all would be unreadable (and slow).
    shown = sorted(rows, key=_lowest_rate_first)[:FINANCE_REPS_SHOWN]
    chart = {
        "id": "collection-rate-chart",
        "type": "bar",
        "labels": [row["rep"].get_full_name() or row["rep"].username for row in shown],
        "datasets": [
            {"label": str(month), "data": [_number(row["cells"][index].collection_rate) for row in shown]}
            for index, month in enumerate(months)
        ],
        "y_label": _("Collection rate (%)"),
        "kind": "percent",
    }
    return {
        "collection_months": months,
        "collection_rows": shown,
        "collection_reps": len(rows),
        "collection_chart": chart,
    }
