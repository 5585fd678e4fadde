"""What happened to an object, for its page: the state log and the field history.

Both read in a fixed number of queries, so any detail page can show them (dealers, agreements, and
the plans, visits, targets and statements to come).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Model
from django.utils.translation import gettext

from channelhub.accounts.selectors import display_name
from channelhub.workflow.machine import StateMachine

#: Detail pages show the latest changes; older ones stay in the admin's history view.
HISTORY_LIMIT = 50


def state_log(machine: StateMachine, obj: Model) -> list:
    """The object's state changes, oldest first, with readable labels (one query)."""
    return _labelled(machine, list(machine.log(obj)))


def state_logs(machine: StateMachine, objs: Sequence[Model]) -> dict[int, list]:
    """The state logs of several objects of one model, by their pk (one query, however many objects)."""
    from django.contrib.contenttypes.models import ContentType

    from channelhub.workflow.models import StateChange

    logs: dict[int, list] = {obj.pk: [] for obj in objs}
    if not objs:
        return logs
    content_type = ContentType.objects.get_for_model(objs[0], for_concrete_model=True)
    changes = StateChange.objects.filter(content_type=content_type, object_id__in=list(logs)).select_related("by")
    for change in _labelled(machine, list(changes)):
        logs[change.object_id].append(change)
    return logs


def _labelled(machine: StateMachine, changes: list) -> list:
    names = {t.name: t.label for t in machine.transitions}
    for change in changes:
        change.action_label = names.get(change.transition) or gettext("Created")
        change.from_label = machine.state_label(change.from_state) if change.from_state else ""
        change.to_label = machine.state_label(change.to_state)
        change.by_name = display_name(change.by) if change.by else gettext("system")
    return changes


def history_rows(obj: Model, limit: int = HISTORY_LIMIT) -> list[dict]:
    """The latest field changes of ``obj`` (django-simple-history): when, who and which fields.

    Two queries whatever the number of records: the records (with their user) and their m2m rows;
    each record is compared with the next older one in Python (``prev_record`` would query per row).
    """
    history = obj.history.model
    accessors = _m2m_row_accessors(history)
    records = list(
        obj.history.select_related("history_user")
        .prefetch_related(*accessors.values())
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    rows = []
    for newer, older in zip(records[:limit], [*records[1:], None], strict=False):
        changed = []
        if older is not None and newer.history_type == "~":
            names = newer.diff_against(older, excluded_fields=list(accessors)).changed_fields
            names += [
                name for name, rows_of in accessors.items() if _m2m_ids(newer, rows_of) != _m2m_ids(older, rows_of)
            ]
            changed = [str(obj._meta.get_field(name).verbose_name) for name in sorted(names)]
        rows.append(
            {
                "at": newer.history_date,
                "by": display_name(newer.history_user) if newer.history_user else gettext("system"),
                "type": newer.get_history_type_display(),
                "kind": newer.history_type,
                "fields": changed,
            }
        )
    return rows


def _m2m_row_accessors(history) -> dict[str, str]:
    """m2m field name → the reverse accessor of its history rows on a record (prefetchable)."""
    row_models = {vars(history)[field.name].model: field.name for field in history._history_m2m_fields}
    return {
        row_models[rel.related_model]: rel.get_accessor_name()
        for rel in history._meta.related_objects
        if rel.related_model in row_models
    }


def _m2m_ids(record, accessor: str) -> set:
    """The related IDs of one record's m2m history rows (from the prefetch): each row's FKs but the record's."""
    return {
        tuple(getattr(row, f.attname) for f in row._meta.concrete_fields if f.is_relation and f.name != "history")
        for row in getattr(record, accessor).all()
    }
