"""The objects that take evidence register here, from their own app's ``AppConfig.ready()``; this app knows
none of them by name.

``register_target(EvidenceTarget(model=Visit, …))`` says, for that model: which kinds of file it takes, the
time and the dealer its photos are checked against, who may attach files to one now (a policy that raises
``PermissionDenied`` or ``Conflict``), and what the object does when its photos' flags change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model


def _nothing(obj, flags: set[str]) -> None:
    return None


@dataclass(frozen=True)
class EvidenceTarget:
    model: type[Model]
    #: The kinds of file this object takes (``Attachment.Kind`` values).
    kinds: tuple[str, ...]
    #: ``check_attach(actor, obj, now)``: raises ``PermissionDenied`` (403) or ``Conflict`` (409) when
    #: ``actor``, who can see ``obj``, may not attach files to it at ``now``.
    check_attach: Callable[[Any, Model, datetime], None]
    #: The time a photo of it should have been taken (a visit's ``visited_at``); None: not checked.
    reference_time: Callable[[Model], datetime | None] = lambda obj: None
    #: The dealer it concerns: its code goes into the watermark, its position is what ``photo_far`` measures from.
    dealer: Callable[[Model], Any] = lambda obj: None
    #: ``flags_changed(obj, flags)``: the object keeps the set of its photos' flags (``Attachment.Flag``).
    flags_changed: Callable[[Model, set[str]], None] = _nothing
    #: The object's page (where a reused photo's first object is linked from).
    url: Callable[[Model], str] = lambda obj: ""
    #: What ``str(obj)`` reads beyond the row (``select_related``), so that naming objects costs one query.
    select: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_TARGETS: dict[str, EvidenceTarget] = {}


def register_target(target: EvidenceTarget) -> None:
    _TARGETS[target.label] = target


def targets() -> list[EvidenceTarget]:
    return list(_TARGETS.values())


def target_for(model_or_obj: type[Model] | Model) -> EvidenceTarget:
    """The registration of this object's model; ``LookupError`` for a model that takes no evidence."""
    label = model_or_obj._meta.label_lower
    try:
        return _TARGETS[label]
    except KeyError:
        raise LookupError(f"{label} takes no evidence; register it with evidence.registry.register_target.") from None


def target_of_type(object_type: ContentType) -> EvidenceTarget | None:
    return _TARGETS.get(f"{object_type.app_label}.{object_type.model}")
