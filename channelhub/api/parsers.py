"""Request parsers: DRF's, refusing what no view should have to handle, with a 400 in JSON before any view
code runs (also before login: ``auth/token``):

* text that holds a NUL character (``\\x00``): no database column can hold NUL (PostgreSQL refuses it
  outright), and nothing a user types contains one;
* a JSON body larger than ``API_MAX_JSON_BYTES`` (read no further than that), or nested deeper than
  ``MAX_JSON_DEPTH`` (found by one pass over the text, before ``json`` would recurse into it).
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

NUL = "\x00"
#: Deeper than any body the API takes (a batch of facts is a list of objects: depth 2).
MAX_JSON_DEPTH = 32


def nesting_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON ``text`` opens more than ``limit`` arrays and objects inside each other (strings and
    their escapes skipped), in one pass without recursion."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


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
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.API_MAX_JSON_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(
                _("The request body is larger than %(size)d MB; send fewer items at a time.")
                % {"size": limit // (1024 * 1024)}
            )
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        if nesting_exceeds(text):
            raise ParseError(_("The JSON body is nested deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH})
        try:
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        return refuse_nul(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return refuse_nul(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data)  # the files' contents are the importer's to judge
        return parsed
