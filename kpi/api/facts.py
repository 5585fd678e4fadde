"""KPI API: facts (SPEC §8) — ``/api/v1/sales/``, ``/api/v1/collections/``, ``/api/v1/expenses/``
(list, detail, POST one object or a list; facts are immutable: no PUT, PATCH or DELETE),
``/api/v1/periods/`` (read; action ``close``) and ``/api/v1/imports/`` (a CSV or XLSX file).

Writes go through ``kpi.services.facts`` and ``kpi.imports``; the lists and details through
``kpi.selectors`` (scoped: a fact out of scope is a 404).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from channelhub.api.fields import ScopedModelSerializer, UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.parsers import FormParser, MultiPartParser
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin
from channelhub.fields import validate_year
from channelhub.importing import FORMATS, file_format_of
from commissions.services.closing import period_close
from kpi.filters import CollectionFilter, ExpenseFilter, PeriodFilter, SalesFilter
from kpi.imports import fact_import
from kpi.models import Collection, Expense, Period, SalesRecord
from kpi.policies import require_recorder
from kpi.selectors import fact_list, period_list
from kpi.services.facts import MAX_BATCH, FactsRejected, Kind, facts_record

#: API body keys → item keys of ``facts_record`` (and back, for errors).
_ITEM_KEYS = {
    "reference": "reference",
    "date": "date",
    "dealer": "dealer",
    "dealer_code": "dealer_code",
    "rep": "rep",
    "amount": "amount",
    "note": "note",
    "category": "category",
    "ship_to_territory": "ship_to",
}
_API_FIELD = {item_key: api_key for api_key, item_key in _ITEM_KEYS.items()}

WRITE_RESPONSES = {
    400: OpenApiResponse(
        description="Bad input, nothing recorded: field errors for one object; for a list "
        "`{detail, errors: [{index, field, message}]}`."
    ),
    403: OpenApiResponse(description="Only finance and admins record facts."),
    409: OpenApiResponse(description="A fact dated in a closed period (`detail` and `periods` name it)."),
}


# --- serializers (what a fact looks like; input is read by the service) ---------------------------


class FactSerializer(ScopedModelSerializer):
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    rep_name = UserNameField(source="rep")

    class Meta:
        fields = [
            "id",
            "reference",
            "date",
            "dealer",
            "dealer_code",
            "dealer_name",
            "rep",
            "rep_name",
            "amount",
            "note",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields


class SalesRecordSerializer(FactSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=gettext_lazy("Product line code.")
    )
    ship_to_territory = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Territory code (empty: the dealer's territory)."),
    )
    ship_to_territory_name = serializers.CharField(
        source="ship_to_territory.name", read_only=True, default=None, allow_null=True
    )

    class Meta(FactSerializer.Meta):
        model = SalesRecord
        fields = [
            *FactSerializer.Meta.fields,
            "category",
            "ship_to_territory",
            "ship_to_territory_name",
            "channel_conflict",
            "over_credit",
        ]
        read_only_fields = fields


class CollectionSerializer(FactSerializer):
    class Meta(FactSerializer.Meta):
        model = Collection


class ExpenseSerializer(FactSerializer):
    class Meta(FactSerializer.Meta):
        model = Expense
        fields = [*FactSerializer.Meta.fields, "category"]
        read_only_fields = fields


class FactInput(serializers.Serializer):
    """One fact to record (documentation: the service checks every field, for every item at once)."""

    reference = serializers.CharField(max_length=64, help_text=gettext_lazy("Unique per kind."))
    date = serializers.DateField(validators=[validate_year])
    dealer = serializers.IntegerField(required=False, help_text=gettext_lazy("The dealer's ID (or `dealer_code`)."))
    dealer_code = serializers.CharField(required=False)
    rep = serializers.IntegerField(
        required=False, help_text=gettext_lazy("A field rep's ID; default: the dealer's owner.")
    )
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=gettext_lazy('A string, e.g. "1250.00".')
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.CharField(
        required=False, help_text=gettext_lazy("Sales: a product line code; expenses: travel, promotion, …")
    )
    ship_to_territory = serializers.CharField(
        required=False, help_text=gettext_lazy("Sales: a territory code; default: the dealer's territory.")
    )


# --- facts -----------------------------------------------------------------------------------------


def _items_of(body) -> list[dict]:
    if isinstance(body, dict):
        body = [body]
    if not isinstance(body, list) or not body or not all(isinstance(item, dict) for item in body):
        raise ValidationError({"non_field_errors": [_("Send one fact as an object, or a list of them.")]})
    if len(body) > MAX_BATCH:
        raise ValidationError(
            {"non_field_errors": [_("At most %(max)d facts per request; split the list.") % {"max": MAX_BATCH}]}
        )
    return [{_ITEM_KEYS[key]: value for key, value in item.items() if key in _ITEM_KEYS} for item in body]


def _rejection(rejected: FactsRejected, single: bool) -> Response:
    if single:
        by_field: dict[str, list[str]] = {}
        for error in rejected.errors:
            by_field.setdefault(_API_FIELD.get(error.field, error.field) or "non_field_errors", []).append(
                error.message
            )
        return Response(by_field, status=status.HTTP_400_BAD_REQUEST)
    detail = _("Nothing was recorded: %(count)d of %(total)d items have errors.") % {
        "count": rejected.bad_items,
        "total": rejected.batch_size,
    }
    errors = [
        {"index": e.index, "field": _API_FIELD.get(e.field, e.field), "message": e.message} for e in rejected.errors
    ]
    return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class FactViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Facts are immutable: list, read and add (one object or a list, all or nothing); never change."""

    kind: str = ""
    ordering_fields = ["date", "amount", "created_at"]

    def get_queryset(self):
        return fact_list(self.request.user, self.kind)

    def create(self, request, *args, **kwargs):
        require_recorder(request.user)
        single = isinstance(request.data, dict)
        items = _items_of(request.data)
        try:
            batch = facts_record(actor=request.user, kind=self.kind, items=items)
        except FactsRejected as rejected:
            return _rejection(rejected, single)
        except DjangoValidationError as error:
            raise ValidationError({"non_field_errors": error.messages}) from None
        serializer_class = self.get_serializer_class()
        context = self.get_serializer_context()
        if single:
            if batch.new:
                return Response(serializer_class(batch.new[0][1], context=context).data, status=status.HTTP_201_CREATED)
            # The same fact again: what is recorded, as for any idempotent repeat.
            existing = self.get_queryset().get(pk=batch.unchanged[0][1])
            return Response(serializer_class(existing, context=context).data, status=status.HTTP_200_OK)
        data = serializer_class(batch.created, many=True, context=context).data
        return Response(data, status=status.HTTP_201_CREATED if batch.new else status.HTTP_200_OK)


def _create_schema(serializer):
    return extend_schema(
        request=FactInput,
        responses={201: serializer, 200: serializer, **WRITE_RESPONSES},
        description=(
            f"Record one fact (an object) or up to {MAX_BATCH} (a list), all or nothing. Finance and admins "
            "only. A reference already recorded with the same values is not recorded again (one object: 200 "
            "with it; a list: only the new ones come back, 201); with other values it is an error."
        ),
    )


@extend_schema_view(create=_create_schema(SalesRecordSerializer))
class SalesRecordViewSet(FactViewSet):
    """Sales (SPEC §5); a negative amount is a credit note. Filters: `dealer`, `dealer_code`, `rep`,
    `date_from`, `date_to` (inclusive), `reference`, `category` (product line code), `channel_conflict`, `over_credit`."""

    kind = Kind.SALES
    serializer_class = SalesRecordSerializer
    filterset_class = SalesFilter


@extend_schema_view(create=_create_schema(CollectionSerializer))
class CollectionViewSet(FactViewSet):
    """Collections (回款). Filters: `dealer`, `dealer_code`, `rep`, `date_from`, `date_to`, `reference`."""

    kind = Kind.COLLECTIONS
    serializer_class = CollectionSerializer
    filterset_class = CollectionFilter


@extend_schema_view(create=_create_schema(ExpenseSerializer))
class ExpenseViewSet(FactViewSet):
    """Expenses (费用). Filters: `dealer`, `dealer_code`, `rep`, `date_from`, `date_to`, `reference`,
    `category`."""

    kind = Kind.EXPENSES
    serializer_class = ExpenseSerializer
    filterset_class = ExpenseFilter


# --- periods ---------------------------------------------------------------------------------------


class PeriodSerializer(ScopedModelSerializer):
    class Meta:
        model = Period
        fields = ["id", "code", "status", "closed_at", "closed_by"]
        read_only_fields = fields


class PeriodViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    """Months (``YYYY-MM``), made when a fact first falls in them; a closed one refuses new facts.
    Filters: ``code``, ``status``."""

    queryset = Period.objects.all()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter

    def get_queryset(self):
        return period_list(self.request.user)

    @extend_schema(
        request=None,
        responses={
            200: PeriodSerializer,
            403: OpenApiResponse(description="Only finance and admins close periods."),
            409: OpenApiResponse(
                description="Closed already, or statements not approved or paid (`detail` counts them)."
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the month once every monthly statement of it is approved or paid (``commissions.services.closing``)."""
        period = period_close(actor=request.user, period=self.get_object())
        return Response(self.get_serializer(period).data)


# --- imports ---------------------------------------------------------------------------------------


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("A .csv (UTF-8 or GBK) or .xlsx file, at most 50 MB."))
    kind = serializers.ChoiceField(choices=Kind.choices)
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportView(APIView):
    """Import facts from a file, all rows or none (SPEC §5). ``dry_run=true`` checks and counts without
    saving. 200 with the report; 400 with the report when rows are bad (each with its row number,
    column and reason) or the file cannot be used; 409 when a new fact is dated in a closed period."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        responses={
            200: inline_serializer(
                "FactImportReport",
                {
                    "kind": serializers.CharField(),
                    "dry_run": serializers.BooleanField(),
                    "imported": serializers.BooleanField(),
                    "total_rows": serializers.IntegerField(),
                    "new": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "channel_conflicts": serializers.IntegerField(),
                    "errors": serializers.ListField(child=serializers.DictField()),
                    "file_errors": serializers.ListField(child=serializers.CharField()),
                    "ignored_columns": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad rows or an unusable file: the report."),
            403: OpenApiResponse(description="Only finance and admins import facts."),
            409: OpenApiResponse(description="A closed period: `detail` and `periods` name it."),
        },
    )
    def post(self, request):
        require_recorder(request.user)
        data = parse_input(ImportInput, request)
        upload = data["file"]
        file_format = file_format_of(upload.name)
        if file_format not in FORMATS:
            raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
        report = fact_import(
            actor=request.user, kind=data["kind"], file=upload, file_format=file_format, dry_run=data["dry_run"]
        )
        if report.refusal:
            body = {"detail": report.refusal, "periods": report.closed_periods, **report.as_dict()}
            return Response(body, status=status.HTTP_409_CONFLICT)
        code = status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)


router.register("sales", SalesRecordViewSet, basename="sale")
router.register("collections", CollectionViewSet, basename="collection")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("periods", PeriodViewSet, basename="period")

#: Views that are not viewsets; ``channelhub.api.urls`` mounts them beside the router's.
urlpatterns = [path("imports/", ImportView.as_view(), name="fact-import")]
