"""What the system says in a state log ("computed by run #12"), stored as a code and its figures and
rendered in the reader's language (STYLE: store facts, render words).

Apps register their notes when they load (``register_note("run_computed", gettext_lazy("Computed by run
#%(run)s."))``); ``StateChange.note_text`` renders one. An unknown code renders as nothing rather than
failing a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_NOTES: dict[str, Any] = {}


def register_note(code: str, text) -> None:
    """``text``: a lazy translation with ``%(name)s`` placeholders for the note's figures, or a function of
    the figures that returns the sentence (for notes whose figures changed shape over time)."""
    _NOTES[code] = text


def note_text(code: str, params: Mapping[str, Any] | None) -> str:
    template = _NOTES.get(code or "")
    if template is None:
        return ""
    if callable(template) and not hasattr(template, "_proxy____cast"):
        return str(template(dict(params or {})))
    try:
        return str(template) % dict(params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)
