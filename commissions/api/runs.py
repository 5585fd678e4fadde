"""REST API of commission runs (SPEC §6, §8): ``/api/v1/commission-runs/``.

* ``POST {"period": "2026-07"}`` starts a run and answers **202** with it (queued; with no broker the
  run has finished by the time the answer is written). 403 for reps and finance-less roles, 400 for a
  bad period, 409 when the period is closed, 503 when the broker (Redis) cannot be reached — then no run
  is written and ``detail`` says to try again.
* ``GET`` list and detail: managers, finance and admins see every run; reps see none (404).
* ``POST year-end/ {"year": 2026}``: the year-end settlement (finance, admins), 200 with what it did.

The period close is an action of ``/api/v1/periods/`` (``kpi.api.facts``), calling ``commissions.services.closing``.
"""

from __future__ import annotations

import django_filters
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from channelhub.api.fields import ScopedModelSerializer, UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin
from commissions.models import CommissionRun
from commissions.selectors import run_list, run_problems
from commissions.services.closing import year_end_settle
from commissions.services.runs import run_start


class RunFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(lookup_expr="exact", label=_("Period (YYYY-MM)"))
    status = django_filters.ChoiceFilter(choices=CommissionRun.Status.choices, label=_("Status"))

    class Meta:
        model = CommissionRun
        fields = ["period", "status"]


def _reverse_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, **kwargs)
    except NoReverseMatch:
        return None


class CommissionRunSerializer(ScopedModelSerializer):
    progress = serializers.IntegerField(read_only=True, help_text=_("Per cent of the reps handled, 0–100."))
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    started_by_name = UserNameField(
        source="started_by", allow_null=True, help_text=_("Empty for the monthly schedule's runs.")
    )
    urls = serializers.SerializerMethodField()

    class Meta:
        model = CommissionRun
        fields = [
            "id",
            "period",
            "status",
            "status_display",
            "progress",
            "total",
            "done",
            "skipped",
            "error",
            "started_by",
            "started_by_name",
            "created_at",
            "started_at",
            "finished_at",
            "urls",
        ]
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "CommissionRunUrls",
            {
                "self": serializers.URLField(),
                "page": serializers.URLField(),
                "statements": serializers.URLField(allow_null=True),
            },
        )
    )
    def get_urls(self, run) -> dict:
        request = self.context.get("request")
        absolute = request.build_absolute_uri if request is not None else (lambda url: url)
        statements = _reverse_or_none("commission-statement-list")
        return {
            "self": absolute(reverse("commission-run-detail", args=[run.pk])),
            "page": absolute(reverse("commissions:run-detail", args=[run.pk])),
            "statements": absolute(f"{statements}?period={run.period}") if statements else None,
        }


class RunProblemSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep_id")
    rep_name = UserNameField(source="rep")
    code = serializers.CharField(help_text=_("overflow: an amount beyond what a statement holds"))
    params = serializers.JSONField(help_text=_("The figures of the problem (figure, amount, limit)."))
    message = serializers.CharField(help_text=_("The problem in the reader's language."))


class CommissionRunDetailSerializer(CommissionRunSerializer):
    problems = serializers.SerializerMethodField(
        help_text=_("Reps the run could not compute (among those you may see), and why; every other rep was.")
    )

    class Meta(CommissionRunSerializer.Meta):
        fields = [*CommissionRunSerializer.Meta.fields, "problems"]
        read_only_fields = fields

    @extend_schema_field(RunProblemSerializer(many=True))
    def get_problems(self, run) -> list:
        return RunProblemSerializer(run_problems(self.context["request"].user, run), many=True).data


class RunInput(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")


class YearEndInput(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2999)


class CommissionRunViewSet(
    ScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Commission runs: one computation of a period's draft statements, in chunks over the workers.
    ``status`` is ``queued``, ``running``, ``done`` or ``failed`` (with ``error``); ``progress`` is the
    per cent of reps handled, ``skipped`` those whose statement was no longer a draft.
    Filters: ``period``, ``status``."""

    queryset = CommissionRun.objects.all()
    serializer_class = CommissionRunSerializer
    filterset_class = RunFilter
    ordering_fields = ["created_at", "period", "status"]

    def get_queryset(self):
        return run_list(self.request.user)

    def get_serializer_class(self):
        return CommissionRunDetailSerializer if self.action == "retrieve" else CommissionRunSerializer

    @extend_schema(
        request=RunInput,
        responses={
            202: CommissionRunSerializer,
            400: OpenApiResponse(description="Bad period (field errors)."),
            403: OpenApiResponse(description="Only channel managers (their team), finance and admins start runs."),
            409: OpenApiResponse(description="The period is closed (`detail` and `periods` name it)."),
            503: OpenApiResponse(
                description="The task queue (broker) cannot be reached: no run was started, nothing was written "
                "(`detail` says so; `Retry-After` header)."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Start a run of ``period``: a manager's team, or every rep with a plan for finance and admins.
        Re-running a period replaces only draft statements."""
        data = parse_input(RunInput, request)
        run = run_start(actor=request.user, period=data["period"])
        fresh = self.get_queryset().get(pk=run.pk)
        body = self.get_serializer(fresh).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["urls"]["self"]})

    @extend_schema(
        request=YearEndInput,
        responses={
            200: inline_serializer(
                "YearEndSettlement",
                {
                    "year": serializers.IntegerField(),
                    "created": serializers.ListField(child=serializers.IntegerField()),
                    "refreshed": serializers.ListField(child=serializers.IntegerField()),
                    "unchanged": serializers.ListField(child=serializers.IntegerField()),
                },
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="A year still to come."),
            403: OpenApiResponse(description="Only finance and admins settle a year."),
        },
    )
    @action(detail=False, methods=["post"], url_path="year-end")
    def year_end(self, request):
        """The year-end settlement: each rep's retained balance released as one ``year_end`` draft statement
        of ``YYYY-12`` (IDs of the statements made, refreshed, and left because they are no longer drafts)."""
        data = parse_input(YearEndInput, request)
        settlement = year_end_settle(actor=request.user, year=data["year"])
        return Response(
            {
                "year": settlement.year,
                "created": settlement.created,
                "refreshed": settlement.refreshed,
                "unchanged": settlement.unchanged,
            }
        )


router.register("commission-runs", CommissionRunViewSet, basename="commission-run")

urlpatterns: list = []
