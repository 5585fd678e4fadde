"""Sections other apps add to the dealer page (channel funds now; a dealer's account, stock and inspections
later), registered from their ``AppConfig.ready()``: partners knows none of them by name.

``register_section(DealerSection("funds", "funds/_dealer_section.html", context))``: ``context(user, dealer)``
answers the section's template context, or None when the section has nothing to show this user. Each
section reads what it shows in a fixed number of queries (one, for the funds section).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DealerSection:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 500
    #: Shown also to a reader of the dealer as a directory entry only (an inspector, SPEC §17); other
    #: sections show the dealer's business and only to those who see it (``reads_dealer_business``).
    directory: bool = False


_SECTIONS: dict[str, DealerSection] = {}


def register_section(section: DealerSection) -> None:
    _SECTIONS[section.key] = section


def sections_for(user, dealer) -> list[dict]:
    """The sections shown to ``user`` on ``dealer``'s page, in order: ``{"key", "template", "context"}``."""
    from partners.policies import reads_dealer_business

    business = reads_dealer_business(user, dealer)
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        if not (business or section.directory):
            continue
        context = section.context(user, dealer)
        if context is not None:
            shown.append({"key": section.key, "template": section.template, "context": context})
    return shown
