"""The app's dashboard panels and navigation entries (filled in with the pages)."""

from __future__ import annotations


def register() -> None:
    register_fund_admin_pages()


def register_fund_admin_pages() -> None:
    """Budgets, the summary, deposits and materials in the "Channel funds" menu. Budgets and the summary:
    finance, managers (their territories') and admins; deposits: reps too (their own dealers', read only);
    materials: everyone who counts, issues or keeps the catalogue.

    Orders 460–475: after commissions (400–440); 300–370 belong to the KPI menu, and a group whose entries
    interleave with another's falls apart into several menus (the requests' entries: 450–459)."""
    from django.utils.translation import gettext_lazy as _

    from channelhub.navigation import NavItem, register_nav
    from channelhub.roles import Role

    group = _("Channel funds")
    staff = frozenset({Role.FINANCE, Role.CHANNEL_MANAGER, Role.ADMIN})
    everyone = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
    register_nav(
        NavItem(_("Budgets"), "funds:budget-list", staff, group, order=460),
        NavItem(_("Summary"), "funds:summary", staff, group, order=465),
        NavItem(_("Deposits"), "funds:deposit-list", everyone, group, order=470),
        NavItem(_("Materials"), "funds:material-list", everyone, group, order=475),
    )
