"""Choices of people, each shown by name (``display_name``), never by login: forms and list filters."""

from __future__ import annotations

import django_filters
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from .selectors import display_name


class PersonChoiceField(FilterModelChoiceField):
    def label_from_instance(self, user) -> str:
        return display_name(user)


class PersonChoiceFilter(django_filters.ModelChoiceFilter):
    """``rep = PersonChoiceFilter(queryset=scoped_choices(User, …), label=_("Rep"))``: the list filter's
    drop-down names people."""

    field_class = PersonChoiceField
