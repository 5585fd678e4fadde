"""Related-object fields that know only what the requesting user may see (SPEC §2, "hidden means hidden").

An ID of a row outside the user's scope in a body or a filter is answered exactly like an ID that does
not exist ("Invalid pk … object does not exist", "Select a valid choice"): nothing tells the user that
the row is there. Every related field of the API takes its rows from ``scope(user, …)``:

* ``ScopedPrimaryKeyRelatedField`` and ``ScopedSlugRelatedField`` for fields declared by hand;
* ``ScopedModelSerializer``, whose generated related fields are scoped the same way;
* ``scoped_choices(Model)`` for django-filter's ``ModelChoiceFilter`` (its ``queryset`` may be a callable
  of the request).

A model without a scope rule is left as it is (``channelhub.scoping.has_scope_rule``).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channelhub.accounts.selectors import display_name
from channelhub.scoping import has_scope_rule, scope


def scoped_for(user, queryset: QuerySet) -> QuerySet:
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    return scope(user, queryset) if has_scope_rule(queryset.model) else queryset


class ScopedRelatedMixin:
    """``get_queryset`` narrowed to the requesting user's scope (no request: nothing)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return scoped_for(getattr(request, "user", None), queryset)


class ScopedPrimaryKeyRelatedField(ScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    pass


class ScopedSlugRelatedField(ScopedRelatedMixin, serializers.SlugRelatedField):
    pass


class ScopedModelSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedPrimaryKeyRelatedField


class scoped_choices:
    """For ``django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer))``: called with the request,
    the rows of ``model`` (with ``filters``) the requesting user may see — or, with ``rows``, the rows
    ``rows(user)`` answers (e.g. the reps whose visits a manager sees). ``model`` is kept for the schema
    generator, which reads the filter's model from its queryset."""

    def __init__(self, model: type[Model], rows=None, **filters) -> None:
        self.model = model
        self.rows = rows
        self.filters = filters

    def __call__(self, request) -> QuerySet:
        user = getattr(request, "user", None)
        if self.rows is not None:
            if user is None or not getattr(user, "is_authenticated", False):
                return self.model._default_manager.none()
            return self.rows(user).filter(**self.filters)
        return scoped_for(user, self.model._default_manager.filter(**self.filters))


@extend_schema_field(OpenApiTypes.STR)
class UserNameField(serializers.ReadOnlyField):
    """The name shown for the user at ``source`` (``rep_name = UserNameField(source="rep")``); null where
    there is no user (``allow_null=True`` says so in the schema)."""

    def to_representation(self, value) -> str:
        return display_name(value)
