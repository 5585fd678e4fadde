"""The stock health list in the API (SPEC §16): ``stock-health/?period=YYYY-MM`` — the reports of a month (the
latest the user sees when no period is given), flagged ones first, then by days of stock, longest first; with the
filters of ``stock-reports/`` (but ``period``), paginated, and ``counts`` of the flags over every page."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from channelhub.api.pagination import PageNumberPagination
from channelhub.api.router import router
from channelhub.periods import Month
from inventory.api.filters import StockHealthFilter
from inventory.api.reports import StockReportSerializer
from inventory.models import StockReport
from inventory.selectors import FLAGS, health_counts, latest_period, stock_health

COUNT_KEYS = ("reports", *FLAGS, "dealers")


class StockHealthReportSerializer(StockReportSerializer):
    """A report of the health list: a serializer of its own, so that the schema names its page apart (the page
    carries ``period`` and ``counts``; the page of ``stock-reports/`` does not)."""

    class Meta(StockReportSerializer.Meta):
        pass


class StockHealthPagination(PageNumberPagination):
    """A page of the list, with the month shown and the flags' counts over the whole filtered list."""

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["period"] = {
            "type": "string",
            "nullable": True,
            "description": "The month shown (YYYY-MM); null when the user sees no report at all.",
        }
        paginated["properties"]["counts"] = {
            "type": "object",
            "description": "Over every page: the reports, those carrying each flag, and the dealers flagged.",
            "properties": {key: {"type": "integer"} for key in COUNT_KEYS},
            "required": list(COUNT_KEYS),
        }
        paginated["required"] = [*paginated.get("required", []), "period", "counts"]
        return paginated


class StockHealthViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The manager's stock health list (SPEC §16): a month's reports of the dealers the user sees, flagged ones
    first (``overstock``, ``stockout``, ``slow_moving``, ``receipt_mismatch``), then by days of stock, longest
    first. Filters: ``period`` (default: the latest month reported), ``dealer``, ``product_line``, ``status``,
    ``flagged``, ``flag``, ``territory`` (the dealer's, subtree), ``q`` (the dealer's code or name)."""

    queryset = StockReport.objects.none()
    serializer_class = StockHealthReportSerializer
    filterset_class = StockHealthFilter
    pagination_class = StockHealthPagination
    ordering_fields = ["days_of_stock", "closing_amount", "sold_amount"]

    def period(self) -> str | None:
        """The month asked for (a 400 naming ``period`` when it is no month), else the latest reported."""
        if not hasattr(self, "_period"):
            text = self.request.query_params.get("period")
            if text:
                try:
                    self._period = str(Month.parse(text))
                except DjangoValidationError as error:
                    raise ValidationError({"period": error.messages}) from None
            else:
                self._period = latest_period(self.request.user)
        return self._period

    def get_queryset(self):
        return stock_health(self.request.user, self.period() or "")

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM; default: the latest month reported.")
        ]
    )
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response.data["period"] = self.period()
        response.data["counts"] = health_counts(queryset)
        return response


router.register("stock-health", StockHealthViewSet, basename="stock-health")
