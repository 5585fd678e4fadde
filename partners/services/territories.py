from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from partners.models import Territory


def _path(parent: Territory | None, code: str) -> str:
    return f"{parent.path if parent else '/'}{code}/"


def _check_level(parent: Territory | None, level: int) -> None:
    expected = 0 if parent is None else parent.level + 1
    if level != expected:
        raise ValidationError(
            {
                "level": _("A territory under “%(parent)s” must be a %(level)s.")
                % {"parent": parent or "—", "level": Territory.Level(expected).label}
            }
            if expected <= Territory.Level.DISTRICT
            else {"parent": _("A district cannot have territories below it.")}
        )


@transaction.atomic
def territory_create(*, code: str, name: str, parent: Territory | None = None, level: int | None = None) -> Territory:
    """Add a node; its level follows from its parent (country → region → province → city → district)."""
    level = (0 if parent is None else parent.level + 1) if level is None else level
    if "/" in code:
        raise ValidationError({"code": _("A code cannot contain “/”.")})
    _check_level(parent, level)
    territory = Territory(code=code, name=name, parent=parent, level=level, path=_path(parent, code))
    territory.full_clean()
    territory.save()
    return territory


@transaction.atomic
def territory_update(
    *, territory: Territory, name: str | None = None, code: str | None = None, parent: Territory | None | bool = False
) -> Territory:
    """Rename, recode or move a node; the paths of its whole subtree follow in one UPDATE."""
    new_parent = territory.parent if parent is False else parent
    new_code = territory.code if code is None else code
    if "/" in new_code:
        raise ValidationError({"code": _("A code cannot contain “/”.")})
    if new_parent is not None and new_parent.path.startswith(territory.path):
        raise ValidationError({"parent": _("A territory cannot move below itself.")})
    if new_parent != territory.parent:
        _check_level(new_parent, territory.level)
    old_path = territory.path
    territory.name = territory.name if name is None else name
    territory.code, territory.parent = new_code, new_parent
    territory.path = _path(new_parent, new_code)
    territory.full_clean()
    territory.save()
    if territory.path != old_path:
        Territory.objects.filter(path__startswith=old_path).exclude(pk=territory.pk).update(
            path=Concat(Value(territory.path), Substr(F("path"), len(old_path) + 1))
        )
    return territory
