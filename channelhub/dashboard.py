"""What each role's dashboard (``/``) shows. One builder per role; later issues add their figures.

Each builder reads through selectors, so the dashboard issues a fixed number of queries.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.text import capfirst

from channelhub.accounts.models import Profile
from channelhub.accounts.selectors import managers_with_team_size, role_counts, team_list
from channelhub.roles import GROUP_ROLES, Role, has_role
from channelhub.workflow.models import StateChange


def _profile(user) -> Profile | None:
    return Profile.objects.select_related("manager").filter(user=user).first()


def field_rep(user) -> dict:
    from kpi.dashboard import rep_kpi_figures
    from visits.dashboard import rep_visit_figures

    return {"profile": _profile(user), **rep_visit_figures(user), **rep_kpi_figures(user)}


def channel_manager(user) -> dict:
    from channelhub.scoping import visit_reps
    from kpi.dashboard import manager_kpi_figures
    from visits.dashboard import manager_visit_figures

    # The team, read once: its field reps (with their visit quotas) feed both panels.
    team = list(
        team_list(user)
        .select_related("visit_quota")
        .annotate(is_visit_rep=Exists(visit_reps(user).filter(pk=OuterRef("pk"))))
    )
    reps = [member for member in team if member.is_visit_rep]
    if has_role(user, Role.FIELD_REP):
        reps.append(user)  # a manager who is also a field rep counts in their own compliance
    reps.sort(key=lambda member: member.username)
    return {
        "profile": _profile(user),
        "team": team,
        **manager_visit_figures(user, reps),
        **manager_kpi_figures(user, reps),
    }


def finance(user) -> dict:
    from kpi.dashboard import finance_kpi_figures

    return {"profile": _profile(user), "managers": list(managers_with_team_size()), **finance_kpi_figures(user)}


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
    Role.ADMIN: admin,
}


def dashboard_context(user, role: str | None) -> dict:
    if role is None:
        return {}
    return BUILDERS[role](user)
