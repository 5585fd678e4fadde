"""The main navigation, per role. Each issue adds its pages here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role, roles_of

EVERYONE = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = EVERYONE
    group: str | Promise | None = None  #: consecutive items of a group share a drop-down menu


VISITS = _("Field visits")
PERFORMANCE = _("Performance")
COMMISSIONS = _("Commissions")
ADMINISTRATION = _("Administration")
STAFF = frozenset({Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
FIELD = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN})
REVIEWERS = frozenset({Role.CHANNEL_MANAGER, Role.ADMIN})
BOOKKEEPERS = frozenset({Role.FINANCE, Role.ADMIN})


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Dashboard"), "dashboard"),
    NavItem(_("Dealers"), "partners:dealer-list"),
    NavItem(_("Agreements"), "partners:agreement-list"),
    NavItem(_("New visit"), "visits:visit-create", frozenset({Role.FIELD_REP}), VISITS),
    NavItem(_("Visits"), "visits:visit-list", FIELD, VISITS),
    NavItem(_("Week plans"), "visits:plan-list", FIELD, VISITS),
    NavItem(_("Review"), "visits:review", REVIEWERS, VISITS),
    NavItem(_("Compliance"), "visits:compliance", FIELD, VISITS),
    NavItem(_("Targets"), "kpi:target-list", EVERYONE, PERFORMANCE),
    NavItem(_("Scorecards"), "kpi:scorecard-list", EVERYONE, PERFORMANCE),
    NavItem(_("Measures"), "kpi:measures", EVERYONE, PERFORMANCE),
    NavItem(_("Sales"), "kpi:sales-list", EVERYONE, PERFORMANCE),
    NavItem(_("Collections"), "kpi:collection-list", EVERYONE, PERFORMANCE),
    NavItem(_("Expenses"), "kpi:expense-list", EVERYONE, PERFORMANCE),
    NavItem(
        _("Channel conflicts"),
        "kpi:conflicts",
        frozenset({Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN}),
        PERFORMANCE,
    ),
    NavItem(_("Imports"), "kpi:import", BOOKKEEPERS, PERFORMANCE),
    NavItem(_("Statements"), "kpi:statement-list", EVERYONE, COMMISSIONS),
    NavItem(_("Approval queue"), "kpi:approval-queue", BOOKKEEPERS, COMMISSIONS),
    NavItem(_("Disputes"), "kpi:dispute-list", EVERYONE, COMMISSIONS),
    NavItem(_("Commission runs"), "kpi:run-list", STAFF, COMMISSIONS),
    NavItem(_("Periods"), "kpi:period-list", BOOKKEEPERS, COMMISSIONS),
    NavItem(_("Admin site"), "admin:index", frozenset({Role.ADMIN}), ADMINISTRATION),
    NavItem(_("API docs"), "swagger-ui", frozenset({Role.ADMIN}), ADMINISTRATION),
)


def nav_items(user, current_path: str) -> list[dict]:
    """The entries ``user``'s roles may open; the one whose address is the longest prefix of
    ``current_path`` is marked active (``/visits/new/`` is "New visit", not also "Visits")."""
    held = roles_of(user)
    items = [
        {"label": item.label, "url": reverse(item.url_name), "active": False, "group": item.group}
        for item in NAVIGATION
        if not held.isdisjoint(item.roles)
    ]
    matches = [i for i in items if current_path == i["url"] or (i["url"] != "/" and current_path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
