"""The app's navigation entries (the "Stock" menu, 库存), the dealer page's stock tab and the dashboard panels —
registered from ``InventoryConfig.ready()``: the core and partners import nothing of inventory.

* Menu, orders 600–640 (after the rebates' 500–530; a group whose entries interleave with another's falls apart):
  Stock health, Pareto and Coverage for everyone who reads stock (a rep their own dealers', a manager their
  territories', finance and admins all); Import for those who enter reports (reps, admins).
* The dealer page's stock section (``partners.dealer_page``): the latest month's lines, a 12-month chart, the months.
* Dashboards: the manager's flagged dealers of the latest month; the rep's reports due for last month.
  The to-dos (reports to confirm, returned reports) are ``inventory.todos``.
"""

from __future__ import annotations

from django.utils.translation import gettext, pgettext_lazy

from channelhub.dashboard import with_panel
from channelhub.roles import Role, has_role

#: The navigation group of every stock page.
GROUP = pgettext_lazy("the menu of dealer stock", "Stock")
#: Who reads dealer stock (SPEC §2 row "stock reports"), each within their scope of dealers.
READERS = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
#: Who enters stock reports (their own dealers'; admins any).
REPORTERS = frozenset({Role.FIELD_REP, Role.ADMIN})
#: How many dealers a dashboard panel lists.
PANEL_ROWS = 8


def register() -> None:
    from channelhub.dashboard import register_panel
    from channelhub.navigation import NavItem, register_nav
    from partners.dealer_page import DealerSection, register_section

    register_nav(
        NavItem(pgettext_lazy("a menu entry", "Stock health"), "inventory:health", READERS, GROUP, order=600),
        NavItem(pgettext_lazy("a menu entry", "Pareto (80/20)"), "inventory:pareto", READERS, GROUP, order=610),
        NavItem(
            pgettext_lazy("a menu entry", "Distribution coverage"), "inventory:coverage", READERS, GROUP, order=620
        ),
        NavItem(pgettext_lazy("a menu entry", "Import stock reports"), "inventory:import", REPORTERS, GROUP, order=630),
    )
    register_section(DealerSection("stock", "inventory/_dealer_stock.html", dealer_stock_section, order=120))
    register_panel(Role.CHANNEL_MANAGER, flagged_panel, order=400)
    register_panel(Role.FIELD_REP, due_panel, order=400)


def _numbers(values) -> list[float]:
    """Chart.js reads numbers; the page lists the exact amounts."""
    return [float(value) for value in values]


def dealer_stock_section(user, dealer) -> dict | None:
    """The dealer's latest month of the last twelve (its lines with days of stock and flags), those months as a
    chart and a list, and the way to the report form — one query."""
    if not has_role(user, *READERS):
        return None
    from channelhub.periods import Month
    from inventory import policies, selectors

    history = selectors.dealer_stock_history(dealer, until=Month.current())
    by_month: dict[str, list] = {}
    for report in history:
        by_month.setdefault(report.period, []).append(report)
    months = [
        {
            "period": period,
            "state": selectors.month_state(reports),
            "flagged": sum(1 for report in reports if report.flagged),
            "closing_amount": sum(report.closing_amount for report in reports),
        }
        for period, reports in sorted(by_month.items(), reverse=True)
    ]
    latest = months[0]["period"] if months else None
    series = selectors.chart_series(history)
    return {
        "dealer_id": dealer.pk,
        "latest": latest,
        "lines": by_month.get(latest, []),
        "months": months,
        "chart": {
            "id": "dealer-stock-chart",
            "type": "bar",
            "kind": "money",
            "labels": series["months"],
            "datasets": [
                {"label": gettext("Sell-out"), "data": _numbers(series["sold_amount"])},
                {"label": gettext("Closing stock"), "type": "line", "data": _numbers(series["closing_amount"])},
            ],
            "y_label": gettext("Amount at cost"),
        },
        "may_report": policies.may_report_for(user, dealer),
        "report_month": Month.current().previous(),
    }


def flagged_panel(user, context: dict) -> dict:
    """The manager's dealers with flagged stock in the latest reported month, most flagged lines first, and the
    count of flagged dealers — three queries."""
    from inventory import selectors

    period = selectors.latest_period(user)
    panel = {"period": period, "dealers": [], "counts": None}
    if period:
        panel["dealers"] = selectors.flagged_dealers(user, period, limit=PANEL_ROWS)
        panel["counts"] = selectors.health_counts(selectors.stock_health(user, period))
    return with_panel(context, "inventory/_dashboard_flagged.html", panel)


def due_panel(user, context: dict) -> dict:
    """The rep's active dealers without a report for last month, each with its form — one query (two past
    ``PANEL_ROWS``)."""
    from channelhub.periods import Month
    from inventory import selectors

    period = Month.current().previous()
    due = selectors.reports_due(user, period)
    shown = list(due[: PANEL_ROWS + 1])
    count = len(shown) if len(shown) <= PANEL_ROWS else due.count()
    panel = {"period": period, "dealers": shown[:PANEL_ROWS], "count": count, "more": count > PANEL_ROWS}
    return with_panel(context, "inventory/_dashboard_due.html", panel)
