"""Dealer search (``q``): code, name, legal name and, for Chinese names, their pinyin and initials.

``search_text`` holds all of it in lower case and is rewritten by every write path (services, admin,
import) through ``search_text_for``; on PostgreSQL a trigram index serves ``LIKE '%…%'``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from pypinyin import Style, lazy_pinyin


def _pinyin_forms(text: str) -> list[str]:
    if not text:
        return []
    full = "".join(lazy_pinyin(text)).replace(" ", "")
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).replace(" ", "")
    return [full, initials]


def search_text_for(*, code: str, name: str, legal_name: str = "") -> str:
    parts = [code, name, legal_name, *_pinyin_forms(name), *_pinyin_forms(legal_name)]
    return " ".join(part.strip().lower() for part in parts if part and part.strip())


def apply_search(queryset: QuerySet, q: str, field: str = "search_text") -> QuerySet:
    """Every word of ``q`` must occur (case-insensitive) in the dealer's search text."""
    for word in q.lower().split():
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset
