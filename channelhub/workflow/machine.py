"""A small declared state machine shared by every model with a life cycle.

    class Dealer(models.Model):
        status = models.CharField(choices=Status.choices, default=Status.PROSPECT, max_length=20)

        workflow = StateMachine(
            field="status",
            transitions=[
                Transition("submit_review", source=[Status.PROSPECT], target=Status.UNDER_REVIEW,
                           label=_("Submit for review")),
                ...
            ],
        )

    Dealer.workflow.apply(dealer, "submit_review", by=user, comment="…")

``apply`` locks the row (``SELECT … FOR UPDATE`` on PostgreSQL), re-reads the state, refuses a
transition that is not allowed from it with ``TransitionNotAllowed`` (409 in the API, a message on
pages), saves the new state and writes a ``StateChange``. Two simultaneous requests for the same
transition therefore give one success and one refusal. Who may trigger a transition is the
calling service's business (roles, scope, segregation of duties); this module knows only states.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from channelhub.errors import TransitionNotAllowed


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    label: str | Promise = ""

    def __init__(self, name: str, *, source: Iterable[str], target: str, label: str | Promise = "") -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "source", tuple(str(state) for state in source))
        object.__setattr__(self, "target", str(target))
        object.__setattr__(self, "label", label or name.replace("_", " "))

    @property
    def action(self) -> str:
        """The API action name: ``submit_review`` → ``submit-review``."""
        return self.name.replace("_", "-")


class StateMachine:
    """The declared transitions of one model's state field."""

    def __init__(self, *, field: str = "status", transitions: Iterable[Transition]) -> None:
        self.field = field
        self.transitions = tuple(transitions)
        self.model: type[models.Model] | None = None
        self._by_name: dict[str, Transition] = {}
        for transition in self.transitions:
            if transition.name in self._by_name:
                raise ValueError(f"Transition {transition.name!r} is declared twice.")
            self._by_name[transition.name] = transition

    # Django calls this for class attributes that have it: the machine learns its model.
    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        self.model = cls
        setattr(cls, name, self)

    # --- reading ---------------------------------------------------------------------------------

    def get(self, name: str) -> Transition:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"{self.model.__name__} has no transition {name!r}.") from None

    def state_of(self, obj: models.Model) -> str:
        return getattr(obj, self.field)

    def state_label(self, state: str) -> str:
        choices = dict(self.model._meta.get_field(self.field).flatchoices)
        return str(choices.get(state, state))

    def available(self, obj: models.Model) -> list[Transition]:
        """The transitions allowed from ``obj``'s current state, in declaration order."""
        state = self.state_of(obj)
        return [t for t in self.transitions if state in t.source]

    def can(self, obj: models.Model, name: str) -> bool:
        return self.state_of(obj) in self.get(name).source

    def log(self, obj: models.Model):
        """The object's state changes, oldest first."""
        from channelhub.workflow.models import StateChange

        return StateChange.objects.for_object(obj).select_related("by")

    # --- writing ---------------------------------------------------------------------------------

    def refusal(self, obj: models.Model, transition: Transition, state: str) -> TransitionNotAllowed:
        values = {"action": transition.label, "object": obj._meta.verbose_name, "state": self.state_label(state)}
        if state == transition.target:  # done already (twice the same button, or a bulk action on a done row)
            message = _("This %(object)s is “%(state)s” already.") % values
        else:
            message = _("Cannot “%(action)s”: this %(object)s is “%(state)s”.") % values
        return TransitionNotAllowed(message, current_state=state)

    @transaction.atomic
    def apply(
        self,
        obj: models.Model,
        name: str,
        *,
        by,
        comment: str = "",
        changes: Mapping[str, Any] | None = None,
        note: str = "",
        note_params: Mapping[str, Any] | None = None,
    ):
        """Move ``obj`` along transition ``name``; also set ``changes`` in the same save.

        Returns the ``StateChange`` written. Raises ``TransitionNotAllowed`` (nothing changed) when
        the object's current state in the database is not a source of the transition.
        """
        from channelhub.workflow.models import StateChange

        transition = self.get(name)
        manager = type(obj)._base_manager
        current = manager.select_for_update().filter(pk=obj.pk).values_list(self.field, flat=True).first()
        if current is None:
            raise type(obj).DoesNotExist(f"{type(obj).__name__} {obj.pk} no longer exists.")
        setattr(obj, self.field, current)
        if current not in transition.source:
            raise self.refusal(obj, transition, current)

        changes = dict(changes or {})
        for attname, value in changes.items():
            setattr(obj, attname, value)
        setattr(obj, self.field, transition.target)
        auto_now = [f.name for f in obj._meta.concrete_fields if getattr(f, "auto_now", False)]
        if by is not None:
            # the history names who moved it, also outside a request (a task, a command, the demo)
            obj._history_user = by
        obj.save(update_fields={self.field, *changes, *auto_now})
        return StateChange.objects.create(
            content_type_id=_content_type_id(obj),
            object_id=obj.pk,
            transition=transition.name,
            from_state=current,
            to_state=transition.target,
            by=by,
            comment=comment or "",
            note=note,
            note_params=dict(note_params or {}),
        )

    def record_creation(self, obj: models.Model, *, by, comment: str = "", note: str = "", note_params=None):
        """Log the state an object was created in, so its page shows the whole life cycle."""
        (entry,) = self.creation_entries([obj], by=by, comment=comment, note=note, note_params=note_params)
        entry.save()
        return entry

    def creation_entries(self, objs, *, by, comment: str = "", note: str = "", note_params=None) -> list:
        """The state-log rows ``record_creation`` would write for several objects of one model, unsaved:
        for a caller that writes them in bulk (a commission run's chunk, with PostgreSQL ``COPY``).

        ``comment`` is what a person wrote; ``note`` (a code registered with ``channelhub.workflow.notes``)
        and ``note_params`` what the system says, rendered in the reader's language when shown."""
        from channelhub.workflow.models import StateChange

        objs = list(objs)
        if not objs:
            return []
        content_type_id = _content_type_id(objs[0])
        return [
            StateChange(
                content_type_id=content_type_id,
                object_id=obj.pk,
                transition="create",
                from_state="",
                to_state=self.state_of(obj),
                by=by,
                comment=comment or "",
                note=note,
                note_params=dict(note_params or {}),
            )
            for obj in objs
        ]


def _content_type_id(obj: models.Model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj, for_concrete_model=True).pk


def machines() -> list[StateMachine]:
    """Every state machine declared on an installed model."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        for value in vars(model).values():
            if isinstance(value, StateMachine):
                found.append(value)
    return found
