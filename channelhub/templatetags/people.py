"""``{{ statement.rep|person }}``: a person by name, never by login (``display_name``); "—" for nobody."""

from __future__ import annotations

from django import template

from channelhub.accounts.selectors import display_name

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """The name people see for ``user`` (the full name, else the username); ``empty`` when there is none."""
    if user is None or user == "":
        return empty
    return display_name(user)
