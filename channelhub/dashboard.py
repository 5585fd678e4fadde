"""What each role's dashboard (``/``) shows: the core's own part per role, then the panels the apps
registered for that role (``register_panel`` in their ``AppConfig.ready()``), in their order.

A panel is ``panel(user, context) -> dict``: it reads what the core and earlier panels put in
``context`` (the manager's ``team`` and ``reps``, say) and answers the keys it adds. Each panel reads
through selectors, so the dashboard issues a fixed number of queries. A panel with a template of its own adds
``{"template", "context"}`` to ``app_panels`` (keeping the entries already there): the dashboard shows them
after the role's own part, the context as ``panel``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.text import capfirst

from channelhub.accounts.models import Profile
from channelhub.accounts.selectors import managers_with_team_size, role_counts
from channelhub.roles import GROUP_ROLES, Role
from channelhub.workflow.models import StateChange

Panel = Callable[[object, dict], dict]


@dataclass(frozen=True)
class _Registered:
    role: str
    order: int
    panel: Panel


_PANELS: list[_Registered] = []


def register_panel(role: str, panel: Panel, *, order: int = 500) -> None:
    """Show ``panel`` on ``role``'s dashboard after the panels of a lower ``order``."""
    if all(entry.panel is not panel or entry.role != role for entry in _PANELS):
        _PANELS.append(_Registered(role, order, panel))


def with_panel(context: dict, template: str, panel: dict) -> dict:
    """A panel's answer: ``app_panels`` with its own ``{"template", "context"}`` after those already there."""
    return {"app_panels": [*context.get("app_panels", []), {"template": template, "context": panel}]}


def panels(role: str) -> list[Panel]:
    return [entry.panel for entry in sorted(_PANELS, key=lambda entry: entry.order) if entry.role == role]


def _profile(user) -> Profile | None:
    return Profile.objects.select_related("manager").filter(user=user).first()


def field_rep(user) -> dict:
    return {"profile": _profile(user)}


def channel_manager(user) -> dict:
    return {"profile": _profile(user)}


def inspector(user) -> dict:
    return {"profile": _profile(user)}


def finance(user) -> dict:
    return {"profile": _profile(user), "managers": list(managers_with_team_size())}


def admin(user) -> dict:
    counts = role_counts()
    return {
        "role_stats": [(Role(role).label, counts[role]) for role in (*GROUP_ROLES, Role.ADMIN)],
        "inactive_users": get_user_model()._default_manager.filter(is_active=False).count(),
        "recent_state_changes": _labelled(
            StateChange.objects.select_related("content_type", "by").order_by("-at", "-id")[:10]
        ),
    }


def _labelled(changes) -> list[StateChange]:
    """State changes with the reader's words: the object's kind and its states as its machine names them."""
    changes = list(changes)
    for change in changes:
        model = change.content_type.model_class()
        machine = getattr(model, "workflow", None)
        change.kind_label = capfirst(model._meta.verbose_name) if model else change.content_type.name
        change.from_label = machine.state_label(change.from_state) if machine and change.from_state else ""
        change.to_label = machine.state_label(change.to_state) if machine else change.to_state
    return changes


BUILDERS = {
    Role.FIELD_REP: field_rep,
    Role.CHANNEL_MANAGER: channel_manager,
    Role.FINANCE: finance,
    Role.INSPECTOR: inspector,
    Role.ADMIN: admin,
}


def dashboard_context(user, role: str | None) -> dict:
    if role is None:
        return {}
    context = BUILDERS[role](user)
    for panel in panels(role):
        context.update(panel(user, context))
    return context
