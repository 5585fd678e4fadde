"""Request parsers: DRF's, refusing text that holds a NUL character (``\\x00``).

No database column can hold NUL (PostgreSQL refuses it outright), and nothing a user types contains
one, so a body with NUL anywhere — a value, a key, a code looked up in a related field — is bad input:
400 before any view code runs, rather than a database error half-way through.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

NUL = "\x00"


def holds_nul(value) -> bool:
    """True when ``value`` (parsed JSON or a QueryDict's lists) holds NUL in any text, key or value."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        lists = value.lists() if hasattr(value, "lists") else value.items()
        return any(holds_nul(key) or holds_nul(item) for key, item in lists)
    if isinstance(value, list | tuple):
        return any(holds_nul(item) for item in value)
    return False


def refuse_nul(data):
    if holds_nul(data):
        raise ParseError(_("The request holds a NUL character (\\x00), which no field accepts."))
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_nul(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data)  # the files' contents are the importer's to judge
        return parsed
