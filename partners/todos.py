"""What waits in partners (the dashboards' to-do counts, ``channelhub.todos``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channelhub.roles import Role
from channelhub.todos import queue_url, register_todo


def register_todos() -> None:
    from channelhub.scoping import scope
    from partners.models import Dealer

    register_todo(
        "reviews-waiting",
        roles=[Role.FINANCE, Role.ADMIN],
        label=_("qualification reviews to decide"),
        rows=lambda user: scope(user, Dealer).filter(status=Dealer.Status.UNDER_REVIEW),
        url=queue_url("partners:dealer-list", status="under_review"),
    )
