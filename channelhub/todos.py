"""What waits for each person (STYLE: "the next actor is told"): every dashboard opens with its to-do counts,
each linking to the queue where the work is done.

The core knows no domain app: each app registers its to-dos when it loads (``register_todo``: the roles it
concerns, a label, a count of the user's waiting items — one query — and the queue's URL). The dashboard
shows those of the user's role, in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Todo:
    key: str
    roles: tuple[str, ...]
    label: Any  # a lazy translation
    count: Callable[[Any], int]
    url: Callable[[Any], str]


_TODOS: dict[str, Todo] = {}


def register_todo(key: str, *, roles, label, count: Callable[[Any], int], url: Callable[[Any], str]) -> None:
    _TODOS[key] = Todo(key, tuple(str(role) for role in roles), label, count, url)


def todos_for(user, role: str | None) -> list[dict]:
    """The to-dos of ``role`` for ``user``: ``{"key", "label", "count", "url"}`` each (one query each)."""
    if role is None:
        return []
    return [
        {"key": todo.key, "label": str(todo.label), "count": todo.count(user), "url": todo.url(user)}
        for todo in _TODOS.values()
        if str(role) in todo.roles
    ]
