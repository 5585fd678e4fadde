"""What waits in targets (the dashboards' to-do counts, ``channelhub.todos``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from kpi.models import Target
    from kpi.selectors.targets import target_list

    register_todo(
        "targets-to-approve",
        roles=[Role.CHANNEL_MANAGER],
        label=_("proposed targets to approve"),
        rows=lambda user: target_list(user).filter(status=Target.Status.PROPOSED).exclude(rep=user),
        url=queue_url("kpi:target-list", status="proposed"),
    )
    register_todo(
        "targets-to-acknowledge",
        roles=[Role.FIELD_REP],
        label=_("approved targets to acknowledge"),
        rows=lambda user: target_list(user).filter(rep=user, status=Target.Status.APPROVED),
        url=queue_url("kpi:target-list", status="approved"),
    )
