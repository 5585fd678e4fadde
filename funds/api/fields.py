"""What the funds API modules share: the answers of an action, read-only figures, money."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

TRANSITION_RESPONSES = {
    403: OpenApiResponse(description="Your role may not take this action (or segregation of duties forbids it)."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="Not allowed in the current state, or over budget (`detail` names it)."),
}
FIGURE = {"max_digits": 16, "decimal_places": 2, "read_only": True}


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)
