"""The app's navigation entries, all in the "Rebates" menu (返利).

The dashboards' to-do counts (``rebates.todos``) already tell the manager and finance which settlements wait for
them and link to the filtered list, so the pages add no dashboard panel of their own.

Orders 500–530: after the channel funds (450–475); a group whose entries interleave with another's falls apart
into several menus.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

from channelhub.roles import Role

#: The navigation group of every rebate page.
GROUP = pgettext_lazy("the menu of rebates", "Rebates")
EVERYONE = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
BOOKKEEPERS = frozenset({Role.FINANCE, Role.ADMIN})
STAFF = frozenset({Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})


def register() -> None:
    """Settlements and programs (everyone: a rep reads their own dealers'), the runs (finance and admins) and
    the receivables' aging (managers, finance and admins; its page is ``rebates.views.accounts``)."""
    from channelhub.navigation import NavItem, register_nav

    register_nav(
        NavItem(
            pgettext_lazy("rebate settlements, a menu entry", "Settlements"),
            "rebates:settlement-list",
            EVERYONE,
            GROUP,
            order=500,
        ),
        NavItem(pgettext_lazy("rebate runs, a menu entry", "Runs"), "rebates:run-list", BOOKKEEPERS, GROUP, order=510),
        NavItem(
            pgettext_lazy("rebate programs, a menu entry", "Programs"),
            "rebates:program-list",
            EVERYONE,
            GROUP,
            order=520,
        ),
        NavItem(
            pgettext_lazy("receivables by days overdue, a menu entry", "Aging"),
            "rebates:aging",
            STAFF,
            GROUP,
            order=530,
        ),
    )
