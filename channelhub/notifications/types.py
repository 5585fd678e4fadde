"""The kinds of notification, each rendering its title and text in the reader's language from the figures a
notification stores (STYLE: store facts, render words; pretix ``NotificationType``).

An app registers its kinds when it loads (``register("statement.approved", title=…, body=…)``: functions of
the notification's ``params``) and notifies with ``notify(recipient=…, key=…, kind=…, params=…, url=…)``.
The notifications list, the bell and the e-mail copy render them; the e-mail in the deployment's language
(``LANGUAGE_CODE``: a scheduled job has no reader), the pages in the reader's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Params = Mapping[str, Any]


@dataclass(frozen=True)
class NotificationType:
    kind: str
    title: Callable[[Params], str]
    body: Callable[[Params], str] | None = None


_TYPES: dict[str, NotificationType] = {}


def register(kind: str, *, title: Callable[[Params], str], body: Callable[[Params], str] | None = None) -> None:
    _TYPES[kind] = NotificationType(kind, title, body)


def written(name: str) -> Callable[[Params], str]:
    """A ``body`` that is what a person wrote, as the notification keeps it in ``params[name]`` (a reason,
    an answer …): shown as written, in any language."""
    return lambda params: params.get(name, "")


def is_registered(kind: str) -> bool:
    return kind in _TYPES


def render(kind: str, params: Params | None) -> tuple[str, str] | None:
    """(title, text) of a notification of ``kind``, in the active language; None for an unknown kind."""
    found = _TYPES.get(kind or "")
    if found is None:
        return None
    params = dict(params or {})
    return found.title(params), found.body(params) if found.body else ""
