"""The app's navigation entries (the "Inspections" menu, 巡检), the dealer page's section and the dashboard
panels — registered from ``InspectionsConfig.ready()``: the core and partners import nothing of inspections.

* Menu, orders 700–730 (after the stock menu's 600–640): Inspections for everyone who reads them (a rep their
  own dealers' — never a planned mystery one —, a manager their territories', an inspector their own, finance and
  admins all); My plan for those who inspect; Rectifications; Complaints (not inspectors: SPEC §2).
* The dealer page's section (``partners.dealer_page``): the latest inspections with their scores and a trend
  chart, the rectifications still open and the latest complaints — as far as the reader's scope goes.
* Dashboards: the inspector's plan for today (and overdue) and the rectifications to verify; the manager's
  inspections to review, overdue rectifications and complaints handled late this month; the rep's rectifications
  to answer and complaints to answer with their clock. The to-dos are ``inspections.todos``.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import pgettext_lazy

from channelhub.dashboard import with_panel
from channelhub.roles import Role, has_role

#: The navigation group of every inspection page.
GROUP = pgettext_lazy("the menu of inspections", "Inspections")
#: Who reads inspections and rectifications (SPEC §2 row "inspections", §17), each within their scope.
READERS = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN, Role.INSPECTOR})
#: Who inspects (has a plan).
INSPECTORS = frozenset({Role.CHANNEL_MANAGER, Role.INSPECTOR})
#: Who reads complaints (inspectors do not).
COMPLAINT_READERS = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
#: How many rows a dashboard panel or the dealer section lists.
PANEL_ROWS = 8


def register() -> None:
    from channelhub.dashboard import register_panel
    from channelhub.navigation import NavItem, register_nav
    from partners.dealer_page import DealerSection, register_section

    register_nav(
        NavItem(pgettext_lazy("a menu entry", "Inspections"), "inspections:inspection-list", READERS, GROUP, order=700),
        NavItem(pgettext_lazy("a menu entry", "My inspection plan"), "inspections:plan", INSPECTORS, GROUP, order=710),
        NavItem(
            pgettext_lazy("a menu entry", "Rectifications"), "inspections:rectification-list", READERS, GROUP, order=720
        ),
        NavItem(
            pgettext_lazy("a menu entry", "Complaints"),
            "inspections:complaint-list",
            COMPLAINT_READERS,
            GROUP,
            order=730,
        ),
    )
    register_section(
        DealerSection(
            "inspections", "inspections/_dealer_section.html", dealer_inspections_section, order=130, directory=True
        )
    )
    register_panel(Role.INSPECTOR, inspector_panel, order=400)
    register_panel(Role.CHANNEL_MANAGER, manager_panel, order=450)
    register_panel(Role.FIELD_REP, rep_panel, order=450)


def dealer_inspections_section(user, dealer) -> dict | None:
    """The dealer's latest inspections (a rep never sees a planned mystery one), its score trend, its open
    rectifications and latest complaints — four queries (inspections, the trend, rectifications, complaints)."""
    if not has_role(user, *READERS):
        return None
    from inspections import policies, selectors
    from inspections.views.inspections import trend_chart

    section = selectors.dealer_section(user, dealer, limit=5)
    today = timezone.localdate()
    for row in section["rectifications"]:
        row.overdue = row.is_overdue(today)
    if not has_role(user, *COMPLAINT_READERS):
        section["complaints"] = None
    trend = section["trend"]
    return {
        **section,
        "dealer_id": dealer.pk,
        "chart": trend_chart(trend, f"dealer-{dealer.pk}-score-chart") if len(trend) > 1 else None,
        "may_plan": policies.may_plan(user) and policies.inspects_for(user, dealer),
        "may_record": policies.records_complaints_for(user, dealer),
    }


def _shown(rows) -> tuple[list, int]:
    """The first ``PANEL_ROWS`` rows and how many there are — one query (two past ``PANEL_ROWS``)."""
    shown = list(rows[: PANEL_ROWS + 1])
    count = len(shown) if len(shown) <= PANEL_ROWS else rows.count()
    return shown[:PANEL_ROWS], count


def inspector_panel(user, context: dict) -> dict:
    """Today's plan (overdue ones first) and the rectifications to verify — two queries."""
    from inspections import selectors

    today = timezone.localdate()
    plan, plan_count = _shown(selectors.inspector_plan(user).filter(planned_on__lte=today))
    to_verify, verify_count = _shown(
        selectors.rectifications_to_verify(user)
        .select_related("dealer", "result__item", "result__item__product_line")
        .order_by("due_date", "pk")
    )
    panel = {
        "today": today,
        "plan": plan,
        "plan_count": plan_count,
        "to_verify": to_verify,
        "verify_count": verify_count,
    }
    return with_panel(context, "inspections/_panel_inspector.html", panel)


def manager_panel(user, context: dict) -> dict:
    """Inspections to review, overdue rectifications of the manager's territories, complaints handled late this
    month — three queries (more past ``PANEL_ROWS``)."""
    from channelhub.periods import Month
    from inspections import selectors

    today = timezone.localdate()
    to_review, review_count = _shown(
        selectors.inspections_to_review(user).select_related("dealer", "template", "inspector").order_by("done_at")
    )
    overdue, overdue_count = _shown(selectors.overdue_rectifications(user, today))
    for row in overdue:
        row.overdue = True
    month = Month.current()
    late, late_count = _shown(selectors.complaints_late_in_month(user, month).order_by("-received_at"))
    panel = {
        "to_review": to_review,
        "review_count": review_count,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "late": late,
        "late_count": late_count,
        "month": month,
    }
    return with_panel(context, "inspections/_panel_manager.html", panel)


def rep_panel(user, context: dict) -> dict:
    """The rep's rectifications to answer (overdue flagged) and complaints to answer with their 4-hour clock — two
    queries."""
    from inspections import selectors
    from inspections.views.complaints import clock, current_time

    today = timezone.localdate()
    to_answer, answer_count = _shown(
        selectors.rectifications_to_answer(user)
        .select_related("dealer", "result__item", "result__item__product_line")
        .order_by("due_date", "pk")
    )
    for row in to_answer:
        row.overdue = row.is_overdue(today)
    complaints, complaint_count = _shown(
        selectors.complaints_open_for(user).select_related("dealer").order_by("received_at", "pk")
    )
    now = current_time()
    for row in complaints:
        row.clock = clock(row, now)
    panel = {
        "to_answer": to_answer,
        "answer_count": answer_count,
        "complaints": complaints,
        "complaint_count": complaint_count,
    }
    return with_panel(context, "inspections/_panel_rep.html", panel)
