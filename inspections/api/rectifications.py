"""Rectifications (整改, SPEC §17) in the API: ``rectifications/`` — list, detail, actions ``submit`` {note},
``verify`` {note}, ``reopen`` {reason}, and ``attachments/`` (the photos of the answer, before submitting).

Reads go through ``inspections.selectors.rectification_list`` (a rectification is seen by who sees its
inspection), writes through ``inspections.services.rectifications``: 404, then 403 for the role, then 409 for the
state, then 400 for the body's words."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from channelhub.api.actions import ACTION_RESPONSES, transition_endpoint
from channelhub.api.fields import UserNameField
from channelhub.api.router import router
from evidence.api import AttachmentsField, attachments_endpoint
from inspections import policies, selectors
from inspections.api.filters import RectificationFilter
from inspections.models import Rectification
from inspections.services import rectifications as services
from inspections.texts import item_text


class RectificationSerializer(serializers.ModelSerializer):
    """A rectification as lists show it (the selector joins the dealer, the inspection, the item and the people:
    no query a row)."""

    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    item_code = serializers.CharField(source="result.item.code", read_only=True)
    item_text = serializers.SerializerMethodField()
    finding = serializers.CharField(
        source="result.note", read_only=True, help_text=gettext_lazy("What the inspector noted on the failed item.")
    )
    inspector = serializers.IntegerField(source="inspection.inspector_id", read_only=True)
    inspector_name = UserNameField(source="inspection.inspector")
    overdue = serializers.SerializerMethodField(
        help_text=gettext_lazy("Still waiting for an answer after its due date.")
    )
    answered_by_name = UserNameField(source="answered_by", allow_null=True)
    photo_flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `submit`, `verify`, `reopen`.")
    )

    class Meta:
        model = Rectification
        fields = [
            "id",
            "inspection",
            "result",
            "dealer",
            "dealer_code",
            "dealer_name",
            "item_code",
            "item_text",
            "finding",
            "critical",
            "inspector",
            "inspector_name",
            "due_date",
            "overdue",
            "status",
            "answer_note",
            "answered_by",
            "answered_by_name",
            "answered_at",
            "verified_by",
            "verified_at",
            "reopen_reason",
            "photo_flags",
            "created_at",
            "actions",
        ]
        read_only_fields = fields

    def get_item_text(self, rectification) -> str:
        return item_text(rectification.result.item)

    def get_overdue(self, rectification) -> bool:
        return rectification.is_overdue(timezone.localdate())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, rectification) -> list[str]:
        return policies.rectification_actions(self.context["request"].user, rectification)


class RectificationDetailSerializer(RectificationSerializer):
    verified_by_name = UserNameField(source="verified_by", allow_null=True)
    attachments = AttachmentsField()

    class Meta(RectificationSerializer.Meta):
        fields = [*RectificationSerializer.Meta.fields, "verified_by_name", "updated_at", "attachments"]
        read_only_fields = fields


class SubmitInput(serializers.Serializer):
    # checked by the service after the role and the state (403 and 409 come first)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text=gettext_lazy("What was done.")
    )


class VerifyInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class ReopenInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text=gettext_lazy("What is still to be corrected (required)."),
    )


def _action(name: str, service, body, doc: str):
    responses = {200: RectificationDetailSerializer, **ACTION_RESPONSES}
    return transition_endpoint(name, service, "rectification", body, responses=responses, doc=doc)


class RectificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rectifications (整改): one per failed item of a completed inspection, due 7 days later (3 for a critical
    item). ``open → submitted`` (the dealer's rep answers) ``→ verified`` or ``reopened`` (the inspector, the
    dealer's channel manager or an admin — not who answered). Filters: ``status`` (several allowed),
    ``overdue``, ``dealer``, ``inspection``, ``due_from``, ``due_to``."""

    queryset = Rectification.objects.none()
    filterset_class = RectificationFilter
    ordering_fields = ["due_date", "created_at", "status"]

    def get_queryset(self):
        # the dealer's territory: whether a manager verifies (the actions) is read without a query a row
        rows = selectors.rectification_list(self.request.user).select_related("dealer__territory")
        return rows if self.action == "list" else rows.select_related("verified_by")

    def get_serializer_class(self):
        return RectificationSerializer if self.action == "list" else RectificationDetailSerializer

    def _fresh(self, rectification, code=status.HTTP_200_OK) -> Response:
        fresh = selectors.rectification_list(self.request.user).select_related("dealer__territory", "verified_by")
        body = RectificationDetailSerializer(fresh.get(pk=rectification.pk), context=self.get_serializer_context())
        return Response(body.data, status=code)

    submit = _action(
        "submit",
        services.rectification_submit,
        SubmitInput,
        "open or reopened → submitted: the dealer's rep (or an admin) says what was done; an item that required a "
        "photo needs one (`attachments/` first).",
    )
    verify = _action(
        "verify",
        services.rectification_verify,
        VerifyInput,
        "submitted → verified: the inspector, the dealer's channel manager or an admin, not who answered.",
    )
    reopen = _action(
        "reopen",
        services.rectification_reopen,
        ReopenInput,
        "submitted → reopened, with a reason; due again 7 days (3 for a critical item) from today.",
    )
    attachments = attachments_endpoint(
        doc="Add photos to the answer (SPEC §13): the dealer's rep or an admin, while it waits for an answer."
    )


router.register("rectifications", RectificationViewSet, basename="rectification")
