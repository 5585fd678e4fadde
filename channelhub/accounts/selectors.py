"""Reads about people: scoped user lists, teams and the organisation overview."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, Prefetch, Q, QuerySet

from channelhub.roles import GROUP_ROLES, Role
from channelhub.scoping import scope, team_of

User = get_user_model()


def display_name(user) -> str:
    """The name people see: the full name if set, else the username."""
    return user.get_full_name() or user.get_username()


def employee_no(user) -> str:
    """The user's employee number, "" without a profile (read it with the user: no query)."""
    profile = getattr(user, "profile", None)
    return profile.employee_no if profile else ""


def person_identifier(user) -> str:
    """How a file names a person: the employee number, else the login ("" for nobody)."""
    return (employee_no(user) or user.get_username()) if user is not None else ""


def roles_from_prefetch(user) -> list[str]:
    """Role names of a user whose ``groups`` were prefetched by ``user_list`` (no query)."""
    names = [group.name for group in user.groups.all() if group.name in GROUP_ROLES]
    if user.is_superuser:
        names.append(Role.ADMIN.value)
    return sorted(names)


def with_profile_and_roles(queryset: QuerySet) -> QuerySet:
    """Users with profile, manager and role groups loaded: a fixed number of queries for any count."""
    return queryset.select_related("profile", "profile__manager").prefetch_related(
        Prefetch("groups", queryset=Group.objects.filter(name__in=GROUP_ROLES))
    )


#: What ``people_by_login_or_employee_no`` answers for a text that is one user's login and another
#: user's employee number: it names nobody for sure.
AMBIGUOUS = object()


def people_by_login_or_employee_no(by_login: Mapping[str, Any], by_employee_no: Mapping[str, Any]) -> dict[str, Any]:
    """How a file names a person (imports: a column ``rep`` or ``owner``): by login or by employee number.

    Given the people found by login and those found by employee number (users or rows, read by the
    caller in one query each), each text → the person it names; ``AMBIGUOUS`` when it is the login of
    one and the employee number of another."""
    named: dict[str, Any] = dict(by_employee_no)
    for login, person in by_login.items():
        other = named.get(login)
        named[login] = person if other is None or other == person else AMBIGUOUS
    return named


def user_list(viewer, queryset: QuerySet | None = None) -> QuerySet:
    """The users ``viewer`` may see, ready to list."""
    queryset = queryset if queryset is not None else User._default_manager.all()
    return with_profile_and_roles(scope(viewer, queryset)).order_by("username")


def team_list(manager) -> QuerySet:
    """A manager's team, active members first, for the manager's dashboard."""
    return team_of(manager).select_related("profile").order_by("-is_active", "profile__employee_no", "username")


def role_counts() -> dict[str, int]:
    """How many active users hold each role (the admin dashboard)."""
    counts = User._default_manager.filter(is_active=True).aggregate(
        **{role: Count("pk", filter=Q(groups__name=role), distinct=True) for role in GROUP_ROLES},
        admin=Count("pk", filter=Q(is_superuser=True), distinct=True),
        total=Count("pk", distinct=True),
    )
    return counts


def managers_with_team_size() -> QuerySet:
    """Every channel manager with the size of their team (finance's organisation overview)."""
    return (
        User._default_manager.filter(groups__name=Role.CHANNEL_MANAGER, is_active=True)
        .select_related("profile")
        .annotate(team_size=Count("team_profiles", filter=Q(team_profiles__user__is_active=True)))
        .order_by("profile__employee_no", "username")
    )
