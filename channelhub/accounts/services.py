"""Writes about people: creating users with their role and profile, changing roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from channelhub.roles import GROUP_ROLES, Role, forget_roles

from .models import Profile

User = get_user_model()


@transaction.atomic
def user_set_roles(*, user, roles: Iterable[str]) -> None:
    """Make ``user`` hold exactly ``roles`` (``admin`` means superuser and staff)."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {sorted(unknown)}")
    # get_or_create: the groups come from a data migration, but a flushed test database has none.
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in sorted(roles & set(GROUP_ROLES))])
    is_admin = Role.ADMIN in roles
    if user.is_superuser != is_admin or user.is_staff != is_admin:
        user.is_superuser = user.is_staff = is_admin
        user.save(update_fields=["is_superuser", "is_staff"])
    forget_roles(user)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    name: str = "",
    email: str = "",
    roles: Iterable[str] = (),
    employee_no: str = "",
    manager=None,
    phone: str = "",
):
    """Create a user with a profile and roles. ``password=None`` makes an unusable password."""
    user = User(username=username, first_name=name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    profile = Profile(user=user, employee_no=employee_no, manager=manager, phone=phone)
    profile.full_clean()
    profile.save()
    user_set_roles(user=user, roles=roles)
    return user
