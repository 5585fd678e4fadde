"""REST API for commission plans (提成方案, SPEC §6, §8): ``/api/v1/commission-plans/``.

Everyone reads the plans (reference data); the nested ``assignments`` show only the reps the reader
may see (a rep their own, a manager the team's). Administrators create and change a plan with its
``tiers`` and ``assignments`` in one request, through ``commissions.services.plans`` (all or nothing; a bad
band or an overlapping assignment is a 400 naming it). Money and rates are strings with two decimals.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from channelhub.api.fields import (
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    UserNameField,
    scoped_choices,
)
from channelhub.api.router import router
from channelhub.fields import validate_year
from channelhub.roles import Role, has_role
from channelhub.scoping import visible_users
from commissions.models import CommissionPlan, CommissionTier, PlanAssignment
from commissions.selectors import plan_list
from commissions.services import plans as plan_services
from kpi.models import ScorecardTemplate

User = get_user_model()

ZERO = Decimal("0")
HUNDRED = Decimal("100")

WRITE_RESPONSES = {
    400: OpenApiResponse(description="Bad input (field errors): bands, assignments, rates, a name in use."),
    403: OpenApiResponse(description="Only administrators set up plans."),
}


def _rate(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=2, min_value=ZERO, max_value=HUNDRED, **kwargs)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=ZERO, **kwargs)


class CommissionTierSerializer(ScopedModelSerializer):
    from_amount = _money(help_text=_("Where the band starts; the first band starts at 0.00."))
    rate = _rate(help_text=_("Percentage of the part of the base in this band (of the whole base when flat)."))

    class Meta:
        model = CommissionTier
        fields = ["from_amount", "rate"]


class PlanAssignmentSerializer(ScopedModelSerializer):
    rep = ScopedPrimaryKeyRelatedField(queryset=User.objects.all(), help_text=_("The field rep's ID."))
    rep_name = UserNameField(source="rep")
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Empty: open-ended."), validators=[validate_year]
    )

    class Meta:
        model = PlanAssignment
        fields = ["rep", "rep_name", "start_date", "end_date"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # hidden means hidden: a rep out of scope "does not exist"
            self.fields["rep"].queryset = visible_users(request.user)


class CommissionPlanSerializer(ScopedModelSerializer):
    """A plan with its bands and assignments. Writing ``tiers`` or ``assignments`` replaces them all;
    leaving one out keeps it as it is."""

    scorecard_template = ScopedSlugRelatedField(
        slug_field="code",
        queryset=ScorecardTemplate.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Code of the template whose total multiplies the commission (with `use_scorecard`)."),
    )
    collection_gate = _rate(required=False, allow_null=True, help_text=_("Collection rate %; empty: no gate."))
    distribution_gate = _rate(
        required=False,
        allow_null=True,
        help_text=_(
            "Distribution coverage (%) of the rep's terminals (active terminals with stock or sell-out in the "
            "month ÷ active terminals) below which the month pays no commission; empty: no gate."
        ),
    )
    over_budget_expense_share = _rate(required=False)
    retention = _rate(required=False)
    visit_shortfall_deduction = _money(required=False)
    false_report_deduction = _money(required=False)
    fabricated_deduction = _money(required=False)
    tiers = CommissionTierSerializer(many=True, help_text=_("Bands, each from its start to the next band's start."))
    assignments = PlanAssignmentSerializer(many=True, required=False)

    class Meta:
        model = CommissionPlan
        fields = [
            "id",
            *plan_services.PLAN_FIELDS,
            "tiers",
            "assignments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # a name in use: the service's full_clean says which (CommissionPlan.unique_error_message)
        extra_kwargs = {"name": {"validators": []}}


class CommissionPlanFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    rep = django_filters.ModelChoiceFilter(
        field_name="assignments__rep", queryset=scoped_choices(User), distinct=True, label=_("Rep")
    )

    class Meta:
        model = CommissionPlan
        fields = ["name", "base", "tier_mode", "is_active", "rep"]


class CommissionPlanViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Commission plans: base, tiers (``marginal`` or ``flat``), collection and distribution gates, scorecard factor,
    deductions, retention, and the reps assigned to each (one plan per rep on any day).

    Everyone reads; administrators create (POST) and change (PUT/PATCH) a plan with its ``tiers`` and
    ``assignments`` in one request. Filters: ``name`` (contains), ``base``, ``tier_mode``,
    ``is_active``, ``rep`` (plans with an assignment of that rep).
    """

    queryset = CommissionPlan.objects.all()
    serializer_class = CommissionPlanSerializer
    filterset_class = CommissionPlanFilter
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return plan_list(self.request.user)

    def _validated(self, request, instance=None, partial=False) -> dict:
        if not has_role(request.user, Role.ADMIN):
            raise PermissionDenied(_("Only an administrator sets up commission plans."))
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for name in ("tiers", "assignments"):
            if name in data:
                data[name] = [dict(row) for row in data[name]]
        return data

    def _fresh(self, plan, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=plan.pk)).data, status=code)

    @extend_schema(responses={201: CommissionPlanSerializer, **WRITE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """A new plan with its tiers and assignments (administrators)."""
        data = self._validated(request)
        plan = plan_services.plan_create(actor=request.user, **data)
        return self._fresh(plan, status.HTTP_201_CREATED)

    @extend_schema(responses={200: CommissionPlanSerializer, **WRITE_RESPONSES})
    def update(self, request, *args, **kwargs):
        """Change a plan (administrators); ``tiers`` / ``assignments``, when sent, replace them all."""
        plan = self.get_object()
        data = self._validated(request, plan, partial=kwargs.get("partial", False))
        plan = plan_services.plan_update(actor=request.user, plan=plan, **data)
        return self._fresh(plan)


router.register("commission-plans", CommissionPlanViewSet, basename="commission-plan")

urlpatterns: list = []
