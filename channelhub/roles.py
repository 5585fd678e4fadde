"""The roles of SPEC §2 and how to ask which ones a user holds.

Roles are Django groups (created by ``accounts`` migrations 0002 and 0005: ``inspector``, SPEC §17); admins are superusers.
A user's roles are read once per request and cached on the user object.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FIELD_REP = "field_rep", _("Field rep")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    FINANCE = "finance", _("Finance")
    INSPECTOR = "inspector", _("Inspector")
    ADMIN = "admin", _("Administrator")


#: The roles that are Django groups; ``admin`` is ``is_superuser`` instead.
GROUP_ROLES = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.INSPECTOR)

#: When a user holds several roles, the dashboard shows the first of these.
_PRECEDENCE = (Role.ADMIN, Role.FINANCE, Role.CHANNEL_MANAGER, Role.INSPECTOR, Role.FIELD_REP)

_CACHE_ATTR = "_channelhub_roles"

User = AbstractBaseUser | AnonymousUser


def roles_of(user: User) -> frozenset[str]:
    """The role names ``user`` holds (empty for anonymous or inactive users)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = set(user.groups.filter(name__in=GROUP_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: User) -> None:
    """Drop the cached roles after the user's groups changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: User, *roles: str) -> bool:
    """True if ``user`` holds any of ``roles``."""
    return not roles_of(user).isdisjoint(roles)


def require_role(user: User, *roles: str) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds one of ``roles``."""
    if not has_role(user, *roles):
        raise PermissionDenied(_("Your role does not allow this."))


def primary_role(user: User) -> str | None:
    """The role whose dashboard and navigation ``user`` sees first."""
    held = roles_of(user)
    return next((role for role in _PRECEDENCE if role in held), None)


def is_admin(user: User) -> bool:
    return has_role(user, Role.ADMIN)
