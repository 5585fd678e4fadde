"""What waits for each person (STYLE: "the next actor is told"): every dashboard opens with its to-do counts,
each linking to the queue where the work is done.

The core knows no domain app: each app registers its to-dos when it loads (``register_todo``: the roles it
concerns, a label, the user's waiting rows as a queryset, and the queue's URL). The dashboard shows those
of the user's role, in the order registered, all counted in one query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import IntegerField, Subquery
from django.urls import reverse
from django.utils.http import urlencode


@dataclass(frozen=True)
class Todo:
    key: str
    roles: tuple[str, ...]
    label: Any  # a lazy translation
    rows: Callable[[Any], Any]  # user → the queryset of what waits for them
    url: Callable[[Any], str]


_TODOS: dict[str, Todo] = {}


def register_todo(key: str, *, roles, label, rows: Callable[[Any], Any], url: Callable[[Any], str]) -> None:
    _TODOS[key] = Todo(key, tuple(str(role) for role in roles), label, rows, url)


def queue_url(url_name: str, **query) -> Callable[[Any], str]:
    """A to-do's ``url``: the page of the queue, filtered by ``query`` (``queue_url("…-list", status="open")``)."""

    def url(user) -> str:
        path = reverse(url_name)
        return f"{path}?{urlencode(query)}" if query else path

    return url


class _Count(Subquery):
    """The number of rows of a queryset, as a column of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def todos_for(user, role: str | None) -> list[dict]:
    """The to-dos of ``role`` for ``user``: ``{"key", "label", "count", "url"}`` each, counted in one query."""
    mine = [todo for todo in _TODOS.values() if role is not None and str(role) in todo.roles]
    if not mine:
        return []
    columns = {f"todo_{index}": _Count(todo.rows(user).order_by()) for index, todo in enumerate(mine)}
    counts = get_user_model()._default_manager.filter(pk=user.pk).values(**columns).get()
    return [
        {"key": todo.key, "label": str(todo.label), "count": counts[f"todo_{index}"], "url": todo.url(user)}
        for index, todo in enumerate(mine)
    ]
