"""REST API for visit plans, visits and compliance (SPEC §8). Actions call services."""

from __future__ import annotations

from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from channelhub.api.actions import transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, UserNameField
from channelhub.api.inputs import CommentInput
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedViewSet
from channelhub.bulk_actions import bulk_api_response, bulk_route
from channelhub.fields import validate_year
from channelhub.periods import Month
from channelhub.roles import Role, has_role, require_role
from evidence.api import AttachmentsField, attachments_endpoint
from evidence.models import Attachment
from partners.models import Dealer
from visits import bulk, policies
from visits.filters import VisitFilter, VisitPlanFilter
from visits.models import Visit, VisitPlan, VisitPlanItem
from visits.policies import visit_reps
from visits.selectors import compliance as compliance_selectors
from visits.selectors import plan_detail, plan_list, visit_detail, visit_list
from visits.services import plans as plan_services
from visits.services import visits as visit_services

TRANSITION_RESPONSES = {
    403: OpenApiResponse(description="Your role may not take this action."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="Not allowed in the current state (`detail` names it)."),
}


class ReturnInput(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


# --- visits ----------------------------------------------------------------------------------------


class VisitSerializer(ScopedModelSerializer):
    rep_name = UserNameField(source="rep")
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all())
    client_uuid = serializers.UUIDField(
        required=False,
        help_text=_("Chosen by the phone; sending the same one again returns the first visit (200)."),
    )
    flags = serializers.ListField(child=serializers.ChoiceField(choices=Visit.Flag.choices), read_only=True)
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "rep",
            "rep_name",
            "dealer",
            "dealer_name",
            "visited_at",
            "visited_on",
            "created_at",
            "kind",
            "purpose",
            "summary",
            "outcome",
            "next_action",
            "latitude",
            "longitude",
            "accuracy_m",
            "client_uuid",
            "status",
            "flags",
            "distance_m",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "editable_until",
        ]
        read_only_fields = [
            "rep",
            "visited_on",
            "created_at",
            "status",
            "distance_m",
            *Visit.REVIEW_FIELDS,
        ]

    def get_editable_until(self, visit) -> str | None:
        """When the rep's 24-hour edit window closes (null once reviewed)."""
        if visit.status != Visit.Status.SUBMITTED:
            return None
        return serializers.DateTimeField().to_representation(policies.edit_deadline(visit))


class VisitDetailSerializer(VisitSerializer):
    """A visit with its photos (SPEC §13 ``attachments``); the list leaves them out."""

    attachments = AttachmentsField()

    class Meta(VisitSerializer.Meta):
        fields = [*VisitSerializer.Meta.fields, "attachments"]


class VisitUpdateSerializer(VisitSerializer):
    """A correction: the content, the dealer and the time; the position and the UUID cannot change."""

    # Declared on VisitSerializer, so ``read_only_fields`` below does not reach it: redeclare it.
    client_uuid = serializers.UUIDField(read_only=True)

    class Meta(VisitSerializer.Meta):
        read_only_fields = [
            *VisitSerializer.Meta.read_only_fields,
            "latitude",
            "longitude",
            "accuracy_m",
            "client_uuid",
        ]


def _review(name: str, **kwargs):
    """The review verdict ``name`` (``mark_false``) on a flagged visit."""
    review = partial(visit_services.visit_review, name=name)
    responses = {200: VisitDetailSerializer, **TRANSITION_RESPONSES}
    return transition_endpoint(name, review, "visit", responses=responses, body_first=True, **kwargs)


class VisitViewSet(ScopedViewSet):
    """Visits (SPEC §4). Reps log their own (POST; idempotent on ``client_uuid``: a repeat answers 200
    with the first visit) and may change them for 24 hours; managers review them.
    Filters: ``rep``, ``dealer``, ``status``, ``kind``, ``date_from``/``date_to`` (visit date),
    ``flagged``."""

    queryset = Visit.objects.all()
    filterset_class = VisitFilter
    ordering_fields = ["visited_at", "created_at", "status"]

    def get_queryset(self):
        return visit_detail(self.request.user) if self.action != "list" else visit_list(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return VisitUpdateSerializer
        return VisitSerializer if self.action in ("list", "create") else VisitDetailSerializer

    @extend_schema(responses={201: VisitDetailSerializer, 200: VisitDetailSerializer})
    def create(self, request, *args, **kwargs):
        require_role(request.user, Role.FIELD_REP)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit, created = visit_services.visit_log(rep=request.user, **serializer.validated_data)
        data = VisitDetailSerializer(self.get_queryset().get(pk=visit.pk), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def perform_update(self, serializer):
        serializer.instance = visit_services.visit_update(
            actor=self.request.user, visit=serializer.instance, **serializer.validated_data
        )

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response.data = VisitDetailSerializer(
            self.get_queryset().get(pk=kwargs["pk"]), context=self.get_serializer_context()
        ).data
        return response

    def _fresh(self, visit):
        return Response(
            VisitDetailSerializer(self.get_queryset().get(pk=visit.pk), context=self.get_serializer_context()).data
        )

    photos = attachments_endpoint(
        kind=Attachment.Kind.PHOTO,
        url_path="photos",
        doc=(
            "Add photos to a visit (SPEC §13): multipart `file` (one or several), while its rep may still change it "
            "(24 h, not reviewed; else 409). The same photo sent again answers 200 with the first. JPEG, PNG or "
            "WebP, up to 10 MB each, 9 per visit. Photos taken more than 2 h from the visit, more than 1 km from "
            "the dealer, or already on another record flag the visit for review."
        ),
    )
    attachments = attachments_endpoint()

    confirm = _review("confirm")
    mark_false = _review(
        "mark_false", url_path="mark-false", doc="Mark as a false report (虚报): it no longer counts towards the quota."
    )
    mark_fabricated = _review(
        "mark_fabricated",
        url_path="mark-fabricated",
        doc="Mark as fabricated (弄虚作假): it no longer counts towards the quota.",
    )

    @bulk_route("confirm", "visits_confirm_many")
    def confirm_many(self, request):
        """Confirm several flagged visits, each checked on its own: ``done`` lists the ids confirmed, ``refused``
        each other id with the status and the reason the one-visit ``confirm`` would answer."""
        return bulk_api_response(request, bulk.CONFIRM_VISITS)


# --- visit plans -----------------------------------------------------------------------------------


class PlanItemSerializer(ScopedModelSerializer):
    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all())
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)

    class Meta:
        model = VisitPlanItem
        fields = ["id", "dealer", "dealer_name", "planned_date", "note"]
        read_only_fields = ["id"]


class VisitPlanSerializer(ScopedModelSerializer):
    rep_name = UserNameField(source="rep")
    items = PlanItemSerializer(many=True, required=False)
    iso_week = serializers.CharField(read_only=True)
    due_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = VisitPlan
        fields = [
            "id",
            "rep",
            "rep_name",
            "week_start",
            "iso_week",
            "due_at",
            "status",
            "note",
            "items",
            "submitted_at",
            "is_late",
            *VisitPlan.REVIEW_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "rep",
            "status",
            "submitted_at",
            "is_late",
            *VisitPlan.REVIEW_FIELDS,
            "created_at",
            "updated_at",
        ]

    def validate_week_start(self, value):
        if self.instance is not None and value != self.instance.week_start:
            raise serializers.ValidationError(_("A plan cannot move to another week."))
        return value


class VisitPlanListSerializer(VisitPlanSerializer):
    item_count = serializers.IntegerField(read_only=True)

    class Meta(VisitPlanSerializer.Meta):
        fields = [f for f in VisitPlanSerializer.Meta.fields if f != "items"] + ["item_count"]


def _plan_action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: VisitPlanSerializer, **TRANSITION_RESPONSES}
    return transition_endpoint(name, service, "plan", body, responses=responses, body_first=True, **kwargs)


class VisitPlanViewSet(ScopedViewSet):
    """Week plans (周拜访计划), one per rep and ISO week; due by Saturday 23:59 of the week before.
    Reps create, change (while ``draft`` or ``returned``) and submit their own; managers approve or
    return their team's. Filters: ``rep``, ``status``, ``week_start``, ``date_from``/``date_to``, ``is_late``."""

    queryset = VisitPlan.objects.all()
    filterset_class = VisitPlanFilter
    ordering_fields = ["week_start", "status"]

    def get_queryset(self):
        return plan_list(self.request.user) if self.action == "list" else plan_detail(self.request.user)

    def get_serializer_class(self):
        return VisitPlanListSerializer if self.action == "list" else VisitPlanSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = plan_services.plan_create(
            rep=self.request.user, week_start=data["week_start"], items=data.get("items", ()), note=data.get("note", "")
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = plan_services.plan_update(
            actor=self.request.user, plan=serializer.instance, items=data.get("items"), note=data.get("note")
        )

    def _fresh(self, plan, code=status.HTTP_200_OK):
        fresh = plan_detail(self.request.user).get(pk=plan.pk)
        return Response(VisitPlanSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        require_role(request.user, Role.FIELD_REP)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self._fresh(serializer.instance, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return self._fresh(self.get_object())

    submit = _plan_action("submit", plan_services.plan_submit)
    approve = _plan_action("approve", plan_services.plan_approve)
    return_ = _plan_action(
        "return_",
        plan_services.plan_return,
        ReturnInput,
        url_path="return",
        doc="Send the plan back to the rep; ``comment`` (required) says what to change.",
    )

    @bulk_route("approve", "visit_plans_approve_many")
    def approve_many(self, request):
        """Approve several submitted week plans, each checked on its own: ``done`` lists the ids approved,
        ``refused`` each other id with the status and the reason the one-plan ``approve`` would answer."""
        return bulk_api_response(request, bulk.APPROVE_PLANS)


# --- compliance ------------------------------------------------------------------------------------


class QuotaSerializer(serializers.Serializer):
    daily_min = serializers.IntegerField()
    weekly_unique_min = serializers.IntegerField()
    monthly_min = serializers.IntegerField()


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField(validators=[validate_year])
    iso_week = serializers.CharField(source="label")
    visits = serializers.IntegerField()
    distinct_dealers = serializers.IntegerField()
    over = serializers.BooleanField(help_text=_("The week has ended."))
    below = serializers.BooleanField(help_text=_("Ended with fewer distinct dealers than the weekly minimum."))


class ComplianceSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep_id")
    rep_name = UserNameField(source="rep")
    period = serializers.CharField()
    quota = QuotaSerializer()
    visits_counted = serializers.IntegerField()
    distinct_dealers = serializers.IntegerField()
    days_below_daily_min = serializers.IntegerField()
    weeks_below_weekly_min = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    false_reports = serializers.IntegerField()
    fabricated_reports = serializers.IntegerField()
    working_days = serializers.IntegerField()
    weeks = WeekSerializer(many=True)


class TeamComplianceSerializer(serializers.Serializer):
    period = serializers.CharField()
    visits_counted = serializers.IntegerField()
    distinct_dealers = serializers.IntegerField()
    days_below_daily_min = serializers.IntegerField()
    weeks_below_weekly_min = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    false_reports = serializers.IntegerField()
    fabricated_reports = serializers.IntegerField()
    reps = ComplianceSerializer(many=True)


class ComplianceView(APIView):
    """Visit compliance for a month (SPEC §4). With ``rep``: that rep's figures. Without: every rep
    the user may see (a manager's team; a rep only themself) with the team's totals."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM (default: this month)"),
            OpenApiParameter("rep", OpenApiTypes.INT, description="A rep's ID (default: all reps in scope)"),
        ],
        responses={
            200: PolymorphicProxySerializer(
                component_name="VisitComplianceResponse",
                serializers=[ComplianceSerializer, TeamComplianceSerializer],
                resource_type_field_name=None,
            ),
            400: OpenApiResponse(description="Bad `period` or `rep`."),
            404: OpenApiResponse(description="Unknown or out-of-scope rep."),
        },
    )
    def get(self, request):
        try:
            month = Month.parse(request.query_params["period"]) if "period" in request.query_params else Month.current()
        except DjangoValidationError as error:
            raise ValidationError({"period": error.messages}) from None
        reps = visit_reps(request.user).order_by("username")
        as_of = timezone.localdate()
        rep_id = request.query_params.get("rep")
        if rep_id is not None:
            if not (rep_id.isascii() and rep_id.isdigit()):  # "²".isdigit() is True, int("²") fails
                raise ValidationError({"rep": [_("Give a rep's ID.")]})
            rep = reps.filter(pk=int(rep_id)).first()
            if rep is None:
                raise NotFound()
            return Response(ComplianceSerializer(compliance_selectors.rep_compliance(rep, month, as_of=as_of)).data)
        if not has_role(request.user, Role.ADMIN, Role.CHANNEL_MANAGER, Role.FIELD_REP):
            raise NotFound()
        team = compliance_selectors.team_compliance(reps, month, as_of=as_of)
        return Response(TeamComplianceSerializer(team).data)


router.register("visit-plans", VisitPlanViewSet, basename="visit-plan")
router.register("visits", VisitViewSet, basename="visit")

#: Views that are not viewsets; ``channelhub.api.urls`` mounts them beside the router's.
urlpatterns = [path("visit-compliance/", ComplianceView.as_view(), name="visit-compliance")]
