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


NAVIGATION: tuple[NavItem, ...] = (
    NavItem(_("Dashboard"), "dashboard"),
    NavItem(_("Dealers"), "partners:dealer-list"),
    NavItem(_("Agreements"), "partners:agreement-list"),
    NavItem(_("New visit"), "visits:visit-create", frozenset({Role.FIELD_REP})),
    NavItem(_("Visits"), "visits:visit-list", frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN})),
    NavItem(_("Week plans"), "visits:plan-list", frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN})),
    NavItem(_("Review"), "visits:review", frozenset({Role.CHANNEL_MANAGER, Role.ADMIN})),
    NavItem(_("Compliance"), "visits:compliance", frozenset({Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN})),
    NavItem(_("API docs"), "swagger-ui", frozenset({Role.ADMIN})),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMIN})),
)


def nav_items(user, current_path: str) -> list[dict]:
    """The entries ``user``'s roles may open, with the one for ``current_path`` marked active."""
    held = roles_of(user)
    items = []
    for item in NAVIGATION:
        if held.isdisjoint(item.roles):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
