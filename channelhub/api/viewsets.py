"""Base classes every API viewset builds on, so that scoping cannot be forgotten.

``get_queryset`` passes ``queryset`` through ``channelhub.scoping.scope`` for the requesting user,
so lists hold only visible rows and a detail outside the user's scope answers 404.
"""

from __future__ import annotations

from rest_framework import mixins, viewsets

from channelhub.scoping import scope


class ScopedMixin:
    def get_queryset(self):
        return scope(self.request.user, super().get_queryset())


class ScopedReadOnlyViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedViewSet(
    ScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Create, read, update and list; deleting is not offered (records are kept for their history)."""
