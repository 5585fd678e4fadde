"""The app's navigation entries, one function per group of pages, all in the "Channel funds" menu.

The dashboards' to-do counts (``funds.todos``) already tell the manager and finance what waits for them and
link to the approvals page, so the fund pages add no dashboard panel of their own.

Orders 450–475: after commissions (400–440); 300–370 belong to the KPI menu, and a group whose entries
interleave with another's falls apart into several menus.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channelhub.roles import Role

#: The navigation group of every channel fund page.
GROUP = pgettext_lazy("the menu of channel funds", "Funds")
STAFF = frozenset({Role.FINANCE, Role.CHANNEL_MANAGER, Role.ADMIN})
EVERYONE = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})


def register() -> None:
    register_request_pages()
    register_fund_admin_pages()


def register_request_pages() -> None:
    """Fund requests (reps, managers, finance, admins) and the approval queues (managers, finance, admins)."""
    from channelhub.navigation import NavItem, register_nav

    register_nav(
        NavItem(_("Fund requests"), "funds:request-list", EVERYONE, GROUP, order=450),
        NavItem(_("Approvals"), "funds:approvals", STAFF, GROUP, order=455),
    )


def register_fund_admin_pages() -> None:
    """Budgets and the summary: finance, managers (their territories') and admins; deposits: reps too (their
    own dealers', read only); materials: everyone who counts, issues or keeps the catalogue."""
    from channelhub.navigation import NavItem, register_nav

    register_nav(
        NavItem(_("Budgets"), "funds:budget-list", STAFF, GROUP, order=460),
        NavItem(_("Summary"), "funds:summary", STAFF, GROUP, order=465),
        NavItem(_("Deposits"), "funds:deposit-list", EVERYONE, GROUP, order=470),
        NavItem(_("Materials"), "funds:material-list", EVERYONE, GROUP, order=475),
    )
