"""What the inspection endpoints share: the answers they document, and the input fields that name a template,
a territory or a person by ID or code."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from channelhub.roles import GROUP_ROLES
from inspections.models import ChecklistTemplate
from partners.models import Territory

CREATE_RESPONSES = {
    400: OpenApiResponse(description="Bad input (field errors)."),
    403: OpenApiResponse(description="Your role may not do this."),
}

ID_OR_CODE = {"oneOf": [{"type": "integer"}, {"type": "string"}]}


def invalid(value) -> str:
    """DRF's words for an unknown ID (an ID out of scope reads the same)."""
    message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return str(message).format(pk_value=value)


@extend_schema_field(ID_OR_CODE)
class IdOrCodeField(serializers.Field):
    """A row named by its ID (a number) or its ``code`` (a string); ``rows`` are those that may be named."""

    rows = None

    def get_rows(self):
        return self.rows.all()

    def to_internal_value(self, value):
        rows = self.get_rows()
        if isinstance(value, bool) or not isinstance(value, int | str) or value in ("",):
            raise serializers.ValidationError(invalid(value))
        found = None
        if isinstance(value, str):
            found = rows.filter(code=value.strip()).first()
        if found is None and str(value).strip().isdigit():
            found = rows.filter(pk=int(value)).first()
        if found is None:
            raise serializers.ValidationError(invalid(value))
        return found

    def to_representation(self, value):
        return value.code


class TemplateField(IdOrCodeField):
    rows = ChecklistTemplate.objects.all()


class TerritoryField(IdOrCodeField):
    rows = Territory.objects.all()


@extend_schema_field({"type": "integer"})
class StaffUserField(serializers.Field):
    """A person of the staff (any role, or an admin), by ID. Whether they may take the part (an inspector who
    covers the dealer, an assignee of the dealer) is the service's rule; anyone else reads as unknown."""

    def to_internal_value(self, value):
        if isinstance(value, bool) or not str(value).strip().isdigit():
            raise serializers.ValidationError(invalid(value))
        staff = Q(groups__name__in=GROUP_ROLES) | Q(is_superuser=True)
        found = get_user_model().objects.filter(staff, pk=int(value), is_active=True).distinct().first()
        if found is None:
            raise serializers.ValidationError(invalid(value))
        return found

    def to_representation(self, value):
        return value.pk
