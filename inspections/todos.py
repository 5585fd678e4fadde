"""What waits in inspections (the dashboards' to-do counts, ``channelhub.todos``): each next actor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from inspections import selectors

    register_todo(
        "inspections-planned",
        roles=[Role.INSPECTOR, Role.CHANNEL_MANAGER],
        label=_("inspections planned for me"),
        rows=selectors.inspector_plan,
        url=queue_url("inspections:plan"),
    )
    register_todo(
        "inspections-to-review",
        roles=[Role.CHANNEL_MANAGER],
        label=_("inspections to review"),
        rows=selectors.inspections_to_review,
        url=queue_url("inspections:inspection-list", status="done"),
    )
    register_todo(
        "rectifications-to-answer",
        roles=[Role.FIELD_REP],
        label=_("rectifications to answer"),
        rows=selectors.rectifications_to_answer,
        url=queue_url("inspections:rectification-list", status="open"),
    )
    register_todo(
        "rectifications-to-verify",
        roles=[Role.INSPECTOR, Role.CHANNEL_MANAGER],
        label=_("rectifications to verify"),
        rows=selectors.rectifications_to_verify,
        url=queue_url("inspections:rectification-list", status="submitted"),
    )
    register_todo(
        "complaints-open",
        roles=[Role.FIELD_REP, Role.CHANNEL_MANAGER],
        label=_("complaints to answer"),
        rows=selectors.complaints_open_for,
        url=queue_url("inspections:complaint-list", status="received"),
    )
