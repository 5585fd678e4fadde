"""Request bodies shared by the actions of every app's API."""

from __future__ import annotations

from rest_framework import serializers


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def parse_input(serializer_class, request) -> dict:
    """The validated body of an action (a 400 with field errors when it is bad)."""
    # the request in the context: related fields answer only what the user may see
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
