"""REST API for targets (目标责任书, SPEC §5, §8): ``/api/v1/targets/`` and ``/api/v1/targets/spread/``.

Reads are scoped (a rep their own, a manager the team's, finance and admins all; anything else 404).
Writes call ``kpi.services.targets``; money and rates are strings with two decimals (``"1250.00"``).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from channelhub.api.actions import transition_endpoint
from channelhub.api.fields import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    UserNameField,
)
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin
from channelhub.scoping import visible_users
from kpi.filters import TargetFilter
from kpi.models import Target, TargetCategoryShare
from kpi.policies import can_acknowledge, can_approve, can_update
from kpi.selectors.targets import target_detail
from kpi.services import targets as target_services
from partners.models import ProductLine

User = get_user_model()

TRANSITION_RESPONSES = {
    400: OpenApiResponse(description="Bad figures (field errors)."),
    403: OpenApiResponse(description="Your role may not take this action (or segregation of duties forbids it)."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="Not allowed in the current state (`detail` names it)."),
}
WRITE_RESPONSES = {
    400: OpenApiResponse(description="Bad input (field errors), or a target for that rep and month exists."),
    403: OpenApiResponse(description="Your role may not set targets for this rep."),
    409: OpenApiResponse(description="The period is closed."),
}

ZERO = Decimal("0")


def money_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=ZERO, **kwargs)


def rate_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=ZERO, max_value=target_services.MAX_RATE, **kwargs
    )


class CategoryShareSerializer(ScopedModelSerializer):
    category = ScopedSlugRelatedField(slug_field="code", queryset=ProductLine.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=ZERO,
        max_value=Decimal("100"),
        help_text=_("Percentage of the month's sales"),
    )

    class Meta:
        model = TargetCategoryShare
        fields = ["category", "category_name", "share"]


class TargetSerializer(ScopedModelSerializer):
    rep_name = UserNameField(source="rep")
    proposed_by_name = UserNameField(source="proposed_by")
    approved_by_name = UserNameField(source="approved_by", allow_null=True)
    category_shares = CategoryShareSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("What the requesting user may do now: `update`, `approve`, `acknowledge`.")
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "rep",
            "rep_name",
            "period",
            "sales_target",
            "expense_rate_target",
            "collection_rate_target",
            "new_dealers_target",
            "category_shares",
            "status",
            "proposed_by",
            "proposed_by_name",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "acknowledged_at",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, target) -> list[str]:
        user = self.context["request"].user
        allowed = []
        if can_update(user, target):
            allowed.append("update")
        if Target.workflow.can(target, "approve") and can_approve(user, target):
            allowed.append("approve")
        if Target.workflow.can(target, "acknowledge") and can_acknowledge(user, target):
            allowed.append("acknowledge")
        return allowed


# --- request bodies --------------------------------------------------------------------------------


class FiguresInput(serializers.Serializer):
    """Figures to change; a missing one stays as it is. ``category_shares``, when sent, replaces them all."""

    sales_target = money_field(required=False)
    expense_rate_target = rate_field(required=False, help_text=_("Percentage of net sales"))
    collection_rate_target = rate_field(required=False, help_text=_("Percentage of net sales"))
    new_dealers_target = serializers.IntegerField(required=False, min_value=0, max_value=target_services.MAX_COUNT)
    category_shares = CategoryShareSerializer(many=True, required=False)


class _RepInput(serializers.Serializer):
    rep = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, help_text=_("The rep's ID (default: yourself).")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # hidden means hidden: a rep out of scope is "does not exist"
            self.fields["rep"].queryset = visible_users(request.user)


class ProposeInput(_RepInput, FiguresInput):
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")
    sales_target = money_field()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ApproveInput(FiguresInput):
    """Approve, optionally changing figures in the same step (top-down)."""

    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SpreadInput(_RepInput):
    year = serializers.IntegerField(min_value=1900, max_value=2999)
    sales_target = money_field(help_text=_("The annual sales target."))
    expense_rate_target = rate_field(required=False, help_text=_("Copied to every month."))
    collection_rate_target = rate_field(required=False, help_text=_("Copied to every month."))
    new_dealers_target = serializers.IntegerField(
        required=False, min_value=0, max_value=target_services.MAX_COUNT, help_text=_("For the year.")
    )
    distribution = serializers.ChoiceField(choices=[("even", _("even")), ("percentages", _("percentages"))])
    percentages = serializers.ListField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2, min_value=ZERO, max_value=Decimal("100")),
        required=False,
        help_text=_("With `percentages`: 12 numbers, January to December, adding up to exactly 100."),
    )
    category_shares = CategoryShareSerializer(many=True, required=False, help_text=_("Copied to every month."))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, attrs):
        if attrs["distribution"] == "percentages" and "percentages" not in attrs:
            raise serializers.ValidationError({"percentages": [_("Give 12 percentages, January to December.")]})
        return attrs


def _shares(data: dict) -> dict:
    """The service's ``category_shares`` from the validated body (a list of {category, share}, or absent)."""
    if "category_shares" in data:
        data["category_shares"] = [dict(row) for row in data["category_shares"]]
    return data


# --- the viewset -----------------------------------------------------------------------------------


class TargetViewSet(
    ScopedMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Targets (目标责任书): a rep's figures for a month, ``proposed`` → ``approved`` → ``acknowledged``.

    Reps propose their own (POST), managers set their team's; while ``proposed`` the proposer or the
    rep's manager may change it (PATCH). The rep's manager (or an admin) approves, possibly with changed
    figures — never the proposer nor the rep; the rep acknowledges. ``spread`` proposes a year's twelve
    months from annual figures. Filters: ``rep``, ``period``, ``status``, ``period_from``/``period_to``.
    """

    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["period", "status", "sales_target", "created_at"]

    def get_queryset(self):
        return target_detail(self.request.user)

    def _input(self, serializer_class, request) -> dict:
        serializer = serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return _shares(dict(serializer.validated_data))

    def _fresh(self, target, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=target.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(request=ProposeInput, responses={201: TargetSerializer, **WRITE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Propose a target: your own as a rep, or one for a rep of your team as a manager (``rep``)."""
        data = self._input(ProposeInput, request)
        target = target_services.target_propose(actor=request.user, rep=data.pop("rep", request.user), **data)
        return self._fresh(target, status.HTTP_201_CREATED)

    @extend_schema(request=FiguresInput, responses={200: TargetSerializer, **TRANSITION_RESPONSES})
    def partial_update(self, request, *args, **kwargs):
        """Change a proposed target's figures (its proposer, the rep's manager or an admin)."""
        target = self.get_object()
        data = self._input(FiguresInput, request)
        target = target_services.target_update(actor=request.user, target=target, **data)
        return self._fresh(target)

    @extend_schema(request=ApproveInput, responses={200: TargetSerializer, **TRANSITION_RESPONSES})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve (the rep's manager or an admin, never its proposer or rep), optionally changing figures."""
        target = self.get_object()
        data = self._input(ApproveInput, request)
        target = target_services.target_approve(actor=request.user, target=target, **data)
        return self._fresh(target)

    acknowledge = transition_endpoint(
        "acknowledge",
        target_services.target_acknowledge,
        "target",
        responses={200: TargetSerializer, **TRANSITION_RESPONSES},
        doc="The rep signs off an approved target.",
    )

    @extend_schema(request=SpreadInput, responses={201: TargetSerializer(many=True), **WRITE_RESPONSES})
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])  # a plain list, as documented
    def spread(self, request):
        """Propose the twelve months of a year from annual figures, ``even`` or by 12 percentages (all or nothing).

        The sales target is split to the cent and the new dealers to whole numbers, each summing exactly to
        the annual figure (remainders go to the last months); the rates and category shares are copied.
        """
        data = self._input(SpreadInput, request)
        distribution = data.pop("distribution")
        percentages = data.pop("percentages", None)
        targets = target_services.targets_spread(
            actor=request.user,
            rep=data.pop("rep", request.user),
            distribution=percentages if distribution == "percentages" else target_services.EVEN,
            **data,
        )
        fresh = self.get_queryset().filter(pk__in=[target.pk for target in targets]).order_by("period")
        return Response(self.get_serializer(fresh, many=True).data, status=status.HTTP_201_CREATED)


router.register("targets", TargetViewSet, basename="target")

urlpatterns: list = []
