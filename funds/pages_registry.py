"""The app's dashboard panels and navigation entries, one function per group of pages.

The dashboards' to-do counts (``funds.todos``) already tell the manager and finance what waits for them and
link to the approvals page, so the request pages add no dashboard panel of their own.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: The navigation group of every channel fund page.
GROUP = _("Channel funds")


def register() -> None:
    register_request_pages()


def register_request_pages() -> None:
    """Fund requests (reps, managers, finance, admins) and the approval queues (managers, finance, admins)."""
    from channelhub.navigation import NavItem, register_nav
    from channelhub.roles import Role

    register_nav(
        NavItem(
            _("Fund requests"),
            "funds:request-list",
            frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN}),
            GROUP,
            order=300,
        ),
        NavItem(
            _("Approvals"),
            "funds:approvals",
            frozenset({Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN}),
            GROUP,
            order=310,
        ),
    )
