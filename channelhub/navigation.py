"""The main navigation, per role: a registry that each app fills from its ``AppConfig.ready()``
(``register_nav``); the core adds only its own entries (the dashboard, the admin site, the API docs).

An entry's ``order`` places it in the bar; consecutive entries of a ``group`` share a drop-down menu.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role, roles_of

#: The roles of the sales side (part one's four); an inspector (SPEC §17) sees only the entries that name them.
EVERYONE = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
STAFF = frozenset({Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN})
FIELD = frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN})
REVIEWERS = frozenset({Role.CHANNEL_MANAGER, Role.ADMIN})
BOOKKEEPERS = frozenset({Role.FINANCE, Role.ADMIN})
ADMINISTRATION = _("Administration")


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = EVERYONE
    group: str | Promise | None = None  #: consecutive items of a group share a drop-down menu
    order: int = 500  #: where the entry stands in the bar (lower first)


_ENTRIES: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    """Add entries to the bar (an app's ``ready()``); an entry already registered is not added twice."""
    for item in items:
        if item not in _ENTRIES:
            _ENTRIES.append(item)


def navigation() -> tuple[NavItem, ...]:
    """Every registered entry in the bar's order (by ``order``, then as registered)."""
    return tuple(sorted(_ENTRIES, key=lambda item: item.order))


register_nav(
    NavItem(_("Dashboard"), "dashboard", frozenset(Role.values), order=0),
    NavItem(_("Admin site"), "admin:index", frozenset({Role.ADMIN}), ADMINISTRATION, order=900),
    NavItem(_("API docs"), "swagger-ui", frozenset({Role.ADMIN}), ADMINISTRATION, order=901),
)


def nav_items(user, current_path: str) -> list[dict]:
    """The entries ``user``'s roles may open; the one whose address is the longest prefix of
    ``current_path`` is marked active (``/visits/new/`` is "New visit", not also "Visits")."""
    held = roles_of(user)
    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "active": False,
            "group": item.group,
            # the administration's entries (an admin's) stand in the user's menu: the bar keeps its one line
            "user_menu": item.group is ADMINISTRATION,
        }
        for item in navigation()
        if not held.isdisjoint(item.roles)
    ]
    matches = [i for i in items if current_path == i["url"] or (i["url"] != "/" and current_path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
