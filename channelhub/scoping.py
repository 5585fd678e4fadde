"""Who may see what (SPEC §2) — the one place that answers it.

Every list, detail, export, chart and total starts from ``scope(user, queryset)``; a model with no
rule cannot be scoped and raises ``ImproperlyConfigured`` rather than leaking rows. Out-of-scope
objects are simply absent, so a detail lookup on them answers 404 (``get_scoped_or_404``).

Rules are registered with ``@scope_rule("app_label.Model")``: the core's own (users, notifications)
here, each domain app's in its ``policies.py``, imported by its ``AppConfig.ready()``. Each rule
receives an authenticated, active user and a queryset of that model and returns the visible part of
it; ``rep_rows_rule``, ``reference_data``, ``team_ids`` and ``in_territories_of`` are the pieces the
apps' rules are built from.

The segregation-of-duties checks (不相容岗位) live here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from channelhub.accounts.models import Profile
from channelhub.roles import Role, has_role, roles_of

M = TypeVar("M", bound=Model)
Rule = Callable[[Model, QuerySet], QuerySet]

_RULES: dict[str, Rule] = {}


def scope_rule(label: str) -> Callable[[Rule], Rule]:
    """Register the visibility rule for the model ``label`` (``"app_label.ModelName"``)."""

    def register(rule: Rule) -> Rule:
        _RULES[label.lower()] = rule
        return rule

    return register


def has_scope_rule(model: type[Model]) -> bool:
    return model._meta.label_lower in _RULES


def scope(user, queryset: QuerySet[M] | type[M]) -> QuerySet[M]:
    """The rows of ``queryset`` that ``user`` may see."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    label = queryset.model._meta.label_lower
    try:
        rule = _RULES[label]
    except KeyError:
        raise ImproperlyConfigured(
            f"No scope rule for {label}; register one with @scope_rule in its app's policies.py."
        ) from None
    if not roles_of(user):
        return queryset.none()
    return rule(user, queryset)


def get_scoped_or_404(user, queryset: QuerySet[M] | type[M], **lookup) -> M:
    """The object matching ``lookup`` among those ``user`` may see, else 404 (never 403)."""
    visible = scope(user, queryset)
    try:
        return visible.get(**lookup)
    except (visible.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


# --- people --------------------------------------------------------------------------------------


def team_of(manager) -> QuerySet:
    """The users whose profile names ``manager`` as their manager (a channel manager's team)."""
    return get_user_model()._default_manager.filter(profile__manager=manager)


def team_ids(manager) -> QuerySet:
    """``team_of`` as a subquery of IDs, for filters such as ``rep__in=team_ids(user)``."""
    return team_of(manager).values("pk")


def is_manager_of(manager, user) -> bool:
    return team_of(manager).filter(pk=user.pk).exists()


@scope_rule("auth.User")
def _users(user, queryset: QuerySet) -> QuerySet:
    """Admin and finance see everyone; a manager sees self and team; a rep sees self."""
    if has_role(user, Role.ADMIN, Role.FINANCE):
        return queryset
    visible = Q(pk=user.pk)
    if has_role(user, Role.CHANNEL_MANAGER):
        visible |= Q(profile__manager=user)
    return queryset.filter(visible)


def visible_users(user) -> QuerySet:
    return scope(user, get_user_model())


# --- territories, and rules the apps build theirs from ----------------------------------------------

_PATHS_ATTR = "_channelhub_territory_paths"


def territory_paths(user) -> tuple[str, ...]:
    """Materialised paths of the territories ``user`` covers (read once per user object)."""
    cached = getattr(user, _PATHS_ATTR, None)
    if cached is None:
        territories = Profile._meta.get_field("territories").related_model
        cached = tuple(territories._default_manager.filter(profiles__user=user).values_list("path", flat=True))
        setattr(user, _PATHS_ATTR, cached)
    return cached


def in_territories_of(user, field: str = "territory") -> Q:
    """Rows whose ``field`` lies in a territory ``user`` covers, or anywhere below one."""
    condition = Q(pk__in=[])
    for path in territory_paths(user):
        condition |= Q(**{f"{field}__path__startswith": path})
    return condition


def rep_rows_rule(rep_field: str) -> Rule:
    """The rule of rows that belong to a rep (``rep_field``): admin and finance see all; a manager the
    team's (reps whose manager they are); a rep their own."""

    def rule(user, queryset: QuerySet) -> QuerySet:
        if has_role(user, Role.ADMIN, Role.FINANCE):
            return queryset
        visible = Q(pk__in=[])
        if has_role(user, Role.CHANNEL_MANAGER):
            visible |= Q(**{f"{rep_field}__in": team_ids(user)})
        if has_role(user, Role.FIELD_REP):
            visible |= Q(**{rep_field: user.pk})
        return queryset.filter(visible)

    return rule


def reference_data(user, queryset: QuerySet) -> QuerySet:
    """The rule of reference data (territories, product lines, plans, periods …): every role reads all."""
    return queryset


# --- notifications -------------------------------------------------------------------------------


@scope_rule("notifications.Notification")
def _notifications(user, queryset: QuerySet) -> QuerySet:
    """A notification is its recipient's alone, whatever the role (admins included)."""
    return queryset.filter(recipient=user)


# --- segregation of duties -----------------------------------------------------------------------


class SegregationOfDutiesError(PermissionDenied):
    """An approval by someone whose other role in the same matter forbids it (403)."""


def segregation_refusal(*, actor, submitted_by=None, beneficiary=None, proposed_by=None, refusal=None) -> str | None:
    """Why ``actor`` may not approve (their submission, proposal or own benefit), or None.

    * statements: nobody approves one they submitted, nor one of which they are the beneficiary;
    * targets: nobody approves their own target (``beneficiary``) or one they proposed.

    ``refusal``, when given, is the sentence for any of these (one that names the matter).
    """
    if submitted_by is not None and submitted_by.pk == actor.pk:
        return str(refusal or _("You cannot approve what you submitted yourself."))
    if proposed_by is not None and proposed_by.pk == actor.pk:
        return str(refusal or _("You cannot approve what you proposed yourself."))
    if beneficiary is not None and beneficiary.pk == actor.pk:
        return str(refusal or _("You cannot approve something of which you are the beneficiary."))
    return None


def check_segregation(*, actor, submitted_by=None, beneficiary=None, proposed_by=None, refusal=None) -> None:
    """Refuse (403, ``SegregationOfDutiesError``) an approval by its submitter, its proposer or its
    beneficiary, saying so (``segregation_refusal``)."""
    reason = segregation_refusal(
        actor=actor, submitted_by=submitted_by, beneficiary=beneficiary, proposed_by=proposed_by, refusal=refusal
    )
    if reason is not None:
        raise SegregationOfDutiesError(reason)


def may_approve(*, actor, submitted_by=None, beneficiary=None, proposed_by=None) -> bool:
    """``check_segregation`` as a yes/no, for showing or hiding an approve button."""
    reason = segregation_refusal(
        actor=actor, submitted_by=submitted_by, beneficiary=beneficiary, proposed_by=proposed_by
    )
    return reason is None
