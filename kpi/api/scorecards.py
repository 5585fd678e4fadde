"""KPI API: scorecards (SPEC §5, §8). ``/api/v1/scorecards/?rep=ID&period=YYYY-MM``; actions
``compute`` (POST on the list), ``self-evaluate`` and ``confirm`` (POST on one). Actions call
``kpi.services.scorecards``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from channelhub.api.fields import ScopedModelSerializer, ScopedSlugRelatedField, UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedReadOnlyViewSet
from channelhub.fields import PERIOD_CODE
from channelhub.periods import Month
from channelhub.roles import Role, require_role
from kpi.forms.scorecards import ScorecardFilter
from kpi.models import Method, Metric, Perspective, Scorecard, ScorecardLine, ScorecardTemplate
from kpi.selectors.scorecards import scorecard_detail, scorecard_list, visible_reps
from kpi.services import scorecards as scorecard_services

ACTION_RESPONSES = {
    400: OpenApiResponse(description="Bad input (field errors)."),
    403: OpenApiResponse(description="Your role may not take this action."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="The scorecard is confirmed (`detail` names the state)."),
}


class ScorecardLineSerializer(ScopedModelSerializer):
    item = serializers.IntegerField(source="item_id", read_only=True)
    label = serializers.SerializerMethodField()
    perspective = serializers.ChoiceField(source="item.perspective", choices=Perspective.choices, read_only=True)
    metric = serializers.ChoiceField(source="item.metric", choices=Metric.choices, read_only=True)
    method = serializers.ChoiceField(source="item.method", choices=Method.choices, read_only=True)
    lower_is_better = serializers.BooleanField(source="item.lower_is_better", read_only=True)
    cap = serializers.DecimalField(source="item.cap", max_digits=5, decimal_places=2, read_only=True)
    points = serializers.DecimalField(
        source="item.points", max_digits=6, decimal_places=2, read_only=True, allow_null=True
    )
    explanation = serializers.CharField(
        source="explanation_text", read_only=True, help_text=_("How the figures came about, in words.")
    )

    class Meta:
        model = ScorecardLine
        fields = [
            "id",
            "item",
            "label",
            "perspective",
            "metric",
            "method",
            "lower_is_better",
            "cap",
            "points",
            *ScorecardLine.FIGURES,
        ]
        read_only_fields = fields

    def get_label(self, line) -> str:
        return str(line.item)


class ScorecardListSerializer(ScopedModelSerializer):
    rep_name = UserNameField(source="rep")
    template = serializers.CharField(source="template.code", read_only=True)
    template_name = serializers.CharField(source="template.display_name", read_only=True)
    # A plain string (``draft`` or ``confirmed``): several models have a ``status`` with other choices.
    status = serializers.CharField(read_only=True, help_text=_("draft or confirmed"))

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "rep",
            "rep_name",
            "period",
            "template",
            "template_name",
            "status",
            "total",
            "computed_at",
            "confirmed_by",
            "confirmed_at",
        ]
        read_only_fields = fields


class ScorecardSerializer(ScorecardListSerializer):
    lines = ScorecardLineSerializer(many=True, read_only=True)

    class Meta(ScorecardListSerializer.Meta):
        fields = [*ScorecardListSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class ComputeInput(serializers.Serializer):
    rep = serializers.IntegerField(min_value=1, help_text=_("The field rep's ID."))
    period = serializers.CharField(validators=[PERIOD_CODE], help_text="YYYY-MM")
    template = ScopedSlugRelatedField(
        slug_field="code", queryset=ScorecardTemplate.objects.all(), help_text=_("The template's code: mbo, bsc, …")
    )


class SelfScoreInput(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("A manual line's ID."))
    self_score = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, allow_null=True)


class SelfEvaluateInput(serializers.Serializer):
    lines = SelfScoreInput(many=True, allow_empty=False)


class ManagerScoreInput(serializers.Serializer):
    id = serializers.IntegerField(help_text=_("A manual line's ID."))
    manager_score = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, allow_null=True
    )


class ConfirmInput(serializers.Serializer):
    lines = ManagerScoreInput(many=True, required=False, help_text=_("Scores of manual items, set or changed."))
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ScorecardViewSet(ScopedReadOnlyViewSet):
    """Scorecards (SPEC §5): a rep's month scored on a template, ``draft`` until the manager confirms it.
    Reps see their own, managers their team's, finance and admins all. Filters: ``rep``, ``period``
    (YYYY-MM), ``status``, ``template`` (code)."""

    queryset = Scorecard.objects.all()
    filterset_class = ScorecardFilter
    ordering_fields = ["period", "total", "status"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return scorecard_list(user)
        return scorecard_detail(user)

    def get_serializer_class(self):
        return ScorecardListSerializer if self.action == "list" else ScorecardSerializer

    def _fresh(self, scorecard, code=status.HTTP_200_OK):
        fresh = scorecard_detail(self.request.user).get(pk=scorecard.pk)
        return Response(ScorecardSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=ComputeInput,
        responses={201: ScorecardSerializer, 200: ScorecardSerializer, **ACTION_RESPONSES},
    )
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def compute(self, request):
        """Compute a rep's scorecard for a month: 201 with a new draft, 200 with the draft refreshed
        (self-evaluations and manager's scores kept); 409 once confirmed. Managers (their team) and admins."""
        require_role(request.user, Role.CHANNEL_MANAGER, Role.ADMIN)
        data = parse_input(ComputeInput, request)
        rep = visible_reps(request.user).filter(pk=data["rep"]).first()
        if rep is None:
            raise NotFound()
        scorecard, created = scorecard_services.scorecard_compute(
            actor=request.user, rep=rep, period=Month.parse(data["period"]), template=data["template"]
        )
        return self._fresh(scorecard, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=SelfEvaluateInput, responses={200: ScorecardSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"], url_path="self-evaluate")
    def self_evaluate(self, request, pk=None):
        """The rep scores their own manual items, 0–100 (``null`` clears one), while it is a draft."""
        scorecard = self.get_object()
        data = parse_input(SelfEvaluateInput, request)
        scores = {line["id"]: line["self_score"] for line in data["lines"]}
        scorecard = scorecard_services.scorecard_self_evaluate(actor=request.user, scorecard=scorecard, scores=scores)
        return self._fresh(scorecard)

    @extend_schema(request=ConfirmInput, responses={200: ScorecardSerializer, **ACTION_RESPONSES})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The rep's manager confirms the draft, setting or changing manual scores on the way.
        Nobody confirms their own scorecard (403)."""
        scorecard = self.get_object()
        data = parse_input(ConfirmInput, request)
        scores = {line["id"]: line["manager_score"] for line in data.get("lines", [])}
        scorecard = scorecard_services.scorecard_confirm(
            actor=request.user, scorecard=scorecard, scores=scores, comment=data["comment"]
        )
        return self._fresh(scorecard)


router.register("scorecards", ScorecardViewSet, basename="scorecard")

urlpatterns: list = []
