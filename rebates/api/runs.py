"""REST API of rebate settlement runs (SPEC §8, §15): ``/api/v1/rebate-runs/``.

* ``POST {"period": "2026-Q3"}`` (or ``"2026"`` for the annual programs) starts a run and answers **202** with
  it (queued; with no broker the run has finished by the time the answer is read again). 403 for any role but
  finance and administrators, 400 for a bad period or one that has not ended, 503 when the broker (Redis)
  cannot be reached — then no run is written and ``detail`` says to try again.
* ``GET`` list and detail: finance and administrators see every run; for anyone else the list is empty and a
  run is a 404 (a run covers every dealer).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from channelhub.api.fields import ScopedModelSerializer, UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from rebates.filters import RunFilter
from rebates.models import RebateRun
from rebates.selectors import run_list
from rebates.services.runs import run_start


def _reverse_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, **kwargs)
    except NoReverseMatch:
        return None


class RebateRunSerializer(ScopedModelSerializer):
    progress = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("Per cent of the dealers computed, 0–100.")
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    started_by_name = UserNameField(source="started_by", allow_null=True)
    urls = serializers.SerializerMethodField()

    class Meta:
        model = RebateRun
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
            "RebateRunUrls",
            {
                "self": serializers.URLField(),
                "page": serializers.URLField(allow_null=True),
                "settlements": serializers.URLField(),
            },
        )
    )
    def get_urls(self, run) -> dict:
        request = self.context.get("request")
        absolute = request.build_absolute_uri if request is not None else (lambda url: url)
        page = _reverse_or_none("rebates:run-detail", args=[run.pk])
        return {
            "self": absolute(reverse("rebate-run-detail", args=[run.pk])),
            "page": absolute(page) if page else None,
            "settlements": absolute(f"{reverse('rebate-settlement-list')}?period={run.period}"),
        }


class RebateRunInput(serializers.Serializer):
    # checked by the service, after the role (403 before 400)
    period = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20, help_text="YYYY-Qn or YYYY, e.g. 2026-Q3"
    )


class RebateRunViewSet(
    mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Rebate settlement runs: one computation of a period's draft settlements, in chunks of dealers over the
    workers. ``status`` is ``queued``, ``running``, ``done`` or ``failed`` (with ``error``); ``progress`` is the
    per cent of dealers computed, ``skipped`` the settlements kept because they were no longer drafts.
    Finance and administrators only. Filters: ``period``, ``status``."""

    queryset = RebateRun.objects.none()
    serializer_class = RebateRunSerializer
    filterset_class = RunFilter
    ordering_fields = ["created_at", "period", "status"]

    def get_queryset(self):
        return run_list(self.request.user)

    @extend_schema(
        request=RebateRunInput,
        responses={
            202: RebateRunSerializer,
            400: OpenApiResponse(description="Bad period, or one that has not ended (field errors)."),
            403: OpenApiResponse(description="Only finance and administrators run rebate settlements."),
            503: OpenApiResponse(
                description="The task queue (broker) cannot be reached: no run was started, nothing was written "
                "(`detail` says so; `Retry-After` header)."
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Start a run of ``period`` for every dealer whose signed agreement names a program of the period's
        frequency. Re-running a period rewrites only draft settlements."""
        data = parse_input(RebateRunInput, request)
        run = run_start(actor=request.user, period=data["period"])
        body = self.get_serializer(self.get_queryset().get(pk=run.pk)).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["urls"]["self"]})


router.register("rebate-runs", RebateRunViewSet, basename="rebate-run")
