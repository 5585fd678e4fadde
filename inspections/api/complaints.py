"""Complaints (客诉, SPEC §17) in the API: ``complaints/`` — list, create, detail, actions ``respond``
{response, responded_at?} and ``resolve`` {resolution, resolved_at?}, and ``attachments/``.

``late``: responded more than 4 hours after receipt (exactly 4 hours is in time); one not responded to yet is
late as soon as its 4 hours are over (``selectors.complaint_clock``). Reads go through
``inspections.selectors.complaint_list``, writes through ``inspections.services.complaints``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from channelhub.api.actions import ACTION_RESPONSES, transition_endpoint
from channelhub.api.fields import ScopedPrimaryKeyRelatedField, UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from evidence.api import AttachmentsField, attachments_endpoint
from inspections import policies, selectors
from inspections.api.fields import CREATE_RESPONSES, StaffUserField
from inspections.api.filters import ComplaintFilter
from inspections.models import Complaint
from inspections.services import complaints as services
from partners.models import Dealer


class ComplaintSerializer(serializers.ModelSerializer):
    """A complaint as lists show it (the dealer, its territory and the assignee joined: no query a row)."""

    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    assignee_name = UserNameField(source="assignee")
    respond_by = serializers.SerializerMethodField(help_text=gettext_lazy("received_at + 4 hours"))
    late = serializers.SerializerMethodField(
        help_text=gettext_lazy("Responded more than 4 hours after receipt; not responded to yet: the 4 hours are over.")
    )
    actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `respond`, `resolve`.")
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "dealer",
            "dealer_code",
            "dealer_name",
            "source",
            "category",
            "description",
            "received_at",
            "respond_by",
            "assignee",
            "assignee_name",
            "responded_at",
            "response",
            "resolved_at",
            "resolution",
            "late",
            "status",
            "created_by",
            "created_at",
            "actions",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_respond_by(self, complaint) -> str:
        return serializers.DateTimeField().to_representation(services.respond_by(complaint))

    def get_late(self, complaint) -> bool:
        return selectors.complaint_clock(complaint, self.context.get("now") or timezone.now())["late"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, complaint) -> list[str]:
        return policies.complaint_actions(self.context["request"].user, complaint)


class ComplaintDetailSerializer(ComplaintSerializer):
    attachments = AttachmentsField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "updated_at", "attachments"]
        read_only_fields = fields


class ComplaintInput(serializers.Serializer):
    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all(), help_text=gettext_lazy("The dealer's ID."))
    source = serializers.ChoiceField(choices=Complaint.Source.choices, default=Complaint.Source.DEALER)
    category = serializers.ChoiceField(choices=Complaint.Category.choices, default=Complaint.Category.OTHER)
    description = serializers.CharField(max_length=2000)
    received_at = serializers.DateTimeField(required=False, help_text=gettext_lazy("Default: now."))
    assignee = StaffUserField(
        required=False,
        help_text=gettext_lazy("The dealer's rep (default) or a channel manager of its territory, by user ID."),
    )


class RespondInput(serializers.Serializer):
    # the words are checked by the service after the role and the state (403 and 409 come first)
    response = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    responded_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ResolveInput(serializers.Serializer):
    resolution = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    resolved_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


def _action(name: str, service, body, doc: str):
    responses = {200: ComplaintDetailSerializer, **ACTION_RESPONSES}
    return transition_endpoint(name, service, "complaint", body, responses=responses, doc=doc)


class ComplaintViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints (客诉): ``received → responded → resolved``. Reps see their dealers' and those assigned to them,
    managers their territories', finance and admins all. Filters: ``status`` (several allowed), ``late``,
    ``assignee``, ``dealer``, ``source``, ``category``, ``period`` (``YYYY-MM`` of ``received_at``)."""

    queryset = Complaint.objects.none()
    filterset_class = ComplaintFilter
    ordering_fields = ["received_at", "responded_at", "status"]

    def get_queryset(self):
        # the dealer's territory: whether a manager handles it (the actions) is read without a query a row
        return selectors.complaint_list(self.request.user).select_related("dealer__territory")

    def get_serializer_class(self):
        return ComplaintSerializer if self.action == "list" else ComplaintDetailSerializer

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def _fresh(self, complaint, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=complaint.pk)
        return Response(ComplaintDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=ComplaintInput, responses={201: ComplaintDetailSerializer, **CREATE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Record a complaint about a dealer: its rep, its channel manager or an admin. It goes to the assignee
        (default: the dealer's rep), who is told."""
        policies.require(policies.may_record_complaints(request.user))
        data = parse_input(ComplaintInput, request)
        complaint = services.complaint_record(
            request.user,
            dealer=data["dealer"],
            source=data["source"],
            category=data["category"],
            description=data["description"],
            received_at=data.get("received_at"),
            assignee=data.get("assignee"),
        )
        return self._fresh(complaint, status.HTTP_201_CREATED)

    respond = _action(
        "respond",
        services.complaint_respond,
        RespondInput,
        "received → responded (the assignee, the dealer's channel manager or an admin); `responded_at` defaults "
        "to now. More than 4 hours after receipt: `late`.",
    )
    resolve = _action(
        "resolve",
        services.complaint_resolve,
        ResolveInput,
        "received or responded → resolved; one not responded to yet counts as responded to when resolved.",
    )
    attachments = attachments_endpoint(
        doc="Add photos or documents (SPEC §13): who records or handles it, until it is resolved."
    )


router.register("complaints", ComplaintViewSet, basename="complaint")
