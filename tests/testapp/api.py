from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from channelhub.api.viewsets import ScopedViewSet
from channelhub.errors import DomainError
from channelhub.scoping import get_scoped_or_404

from .models import Ticket


class TicketSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ticket
        fields = ["id", "title", "owner", "status", "note"]
        read_only_fields = ["owner", "status"]


class TicketViewSet(ScopedViewSet):
    serializer_class = TicketSerializer
    queryset = Ticket.objects.order_by("id")
    filterset_fields = ["status"]

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def _move(self, name):
        ticket = self.get_object()
        Ticket.workflow.apply(ticket, name, by=self.request.user, comment=self.request.data.get("comment", ""))
        return Response(self.get_serializer(ticket).data)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move("submit")

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._move("approve")

    @action(detail=True, methods=["post"], url_path="django-invalid")
    def django_invalid(self, request, pk=None):
        raise ValidationError({"note": ["Django says no."]})

    @action(detail=True, methods=["post"])
    def boom(self, request, pk=None):
        raise RuntimeError("a bug, not bad input")

    @action(detail=True, methods=["post"], url_path="domain-error")
    def domain_error(self, request, pk=None):
        raise DomainError("The rules say no.", reason="test")


@require_POST
def approve_page(request, pk):
    ticket = get_scoped_or_404(request.user, Ticket, pk=pk)
    Ticket.workflow.apply(ticket, "approve", by=request.user)
    return redirect("dashboard")
