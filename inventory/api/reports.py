"""Stock reports in the API (SPEC §8, §16): ``stock-reports/``.

* ``GET`` list (filters in ``inventory.api.filters``) and detail, read through ``inventory.selectors`` — out of
  scope is a 404 and absent from lists;
* ``POST`` one object or a list, all or nothing, through ``inventory.services.reports.reports_write``: the
  fields are typed here (Decimals within their digits, a ``YYYY-MM`` period, the dealer and line by ID — a dealer
  out of the user's scope reads ``Invalid pk``, exactly like one that does not exist), the rules are the
  service's. One object: 400 ``{field: [messages]}``; a list: 400 with a list aligned with the input, ``{}`` for
  a good item. 201 with the reports when one was created, 200 when every one was already stored as given;
* ``PUT``/``PATCH`` of a report not yet confirmed (its figures and adjustment texts; the dealer, month and line
  do not change), also through ``reports_write``. A confirmed report answers 409 naming its state;
* actions ``confirm`` {comment} and ``return`` {reason} (the dealer's manager, never the one who submitted it):
  404, then 403 for the role, then 409 for the state, then 400 for the reason;
* ``POST stock-reports/import/`` (multipart ``file``, ``dry_run``): ``inventory.imports.report_import``;
* ``GET stock-reports/export/?file_format=csv|xlsx``: the filtered list as a file that imports again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channelhub.api.actions import transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, UserNameField, scoped_for
from channelhub.api.inputs import CommentInput, parse_input
from channelhub.api.parsers import FormParser, MultiPartParser
from channelhub.api.router import router
from channelhub.errors import Conflict
from channelhub.exports import CONTENT_TYPES
from channelhub.importing import FORMATS, file_format_of
from channelhub.periods import Month
from inventory import policies
from inventory.api.filters import StockReportFilter
from inventory.exports import report_export, report_filename
from inventory.imports import MAX_FILE_BYTES, report_import
from inventory.models import QUANTITY, StockReport
from inventory.selectors import stock_report_list
from inventory.services.reports import FIGURES, TEXTS, ReportErrors, report_confirm, report_input, report_return
from inventory.services.reports import reports_write as write_reports
from partners.models import Dealer, ProductLine

#: Reports one request may carry; more: split the list (or import a file).
MAX_ITEMS = 5_000
MONEY = {"max_digits": 14, "decimal_places": 2}
IDENTITY = ("dealer", "period", "product_line")
ACTION_RESPONSES = {
    400: OpenApiResponse(description="Bad input (field errors), e.g. a return without a reason."),
    403: OpenApiResponse(description="Only the dealer's channel manager or an admin, never the submitter."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(
        description="Not allowed in the current state, or an earlier month is not confirmed yet (`detail`)."
    ),
}
WRITE_RESPONSES = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Bad input, nothing written: `{field: [messages]}` for one object; for a list, a list aligned "
        "with the items (`{}` for a good one).",
    ),
    403: OpenApiResponse(description="Only the dealer's rep or an admin enters its stock reports."),
    409: OpenApiResponse(description="Someone else wrote one of these reports at the same moment."),
}
REPORTER_ONLY = gettext_lazy("Only the dealer's rep or an admin enters its stock reports.")


# --- what a report looks like -------------------------------------------------------------------------------


class StockReportSerializer(ScopedModelSerializer):
    """A report with what its rows show (``stock_report_list`` joins the dealer, line and people: no query a row)."""

    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    territory = serializers.IntegerField(source="dealer.territory_id", read_only=True)
    product_line_code = serializers.CharField(source="product_line.code", read_only=True)
    product_line_name = serializers.CharField(source="product_line.name", read_only=True)
    # "" without an adjustment: said here, a read-only field's generated choices would leave it out
    adjustment_reason = serializers.ChoiceField(
        choices=StockReport.AdjustmentReason.choices, allow_blank=True, read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    flagged = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("Any of overstock, stockout, slow_moving, receipt_mismatch.")
    )
    submitted_by_name = UserNameField(source="submitted_by", allow_null=True)
    confirmed_by_name = UserNameField(source="confirmed_by", allow_null=True)
    actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `confirm`, `return`, `edit`.")
    )

    class Meta:
        model = StockReport
        fields = [
            "id",
            "dealer",
            "dealer_code",
            "dealer_name",
            "territory",
            "period",
            "product_line",
            "product_line_code",
            "product_line_name",
            *FIGURES,
            *TEXTS,
            "expected_received_amount",
            "receipt_mismatch",
            "days_of_stock",
            "overstock",
            "stockout",
            "slow_moving",
            "flagged",
            "status",
            "status_display",
            "return_reason",
            "source",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "confirmed_by",
            "confirmed_by_name",
            "confirmed_at",
            "actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, report) -> list[str]:
        return policies.report_actions(self.context["request"].user, report)


# --- what a client sends ------------------------------------------------------------------------------------


def _quantity(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**QUANTITY, **kwargs)


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**MONEY, **kwargs)


class StockReportFiguresInput(serializers.Serializer):
    """A report's figures (strings with at most two decimals) and adjustment texts. The rules (balance, opening
    from last month's closing, no negative stock, a reason for an adjustment) are the service's."""

    opening_qty = _quantity()
    received_qty = _quantity()
    sold_qty = _quantity()
    adjustment_qty = _quantity(required=False, help_text=gettext_lazy("Default 0; needs `adjustment_reason`."))
    closing_qty = _quantity(help_text=gettext_lazy("opening + received − sold + adjustment"))
    opening_amount = _money()
    received_amount = _money()
    sold_amount = _money()
    adjustment_amount = _money(required=False, help_text=gettext_lazy("Default 0.00."))
    closing_amount = _money(help_text=gettext_lazy("opening + received − sold + adjustment"))
    adjustment_reason = serializers.ChoiceField(
        choices=StockReport.AdjustmentReason.choices, required=False, allow_blank=True
    )
    adjustment_note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class StockReportInput(StockReportFiguresInput):
    """One report to write: the dealer (ID, one the user sees), the month and the line (ID), and its figures."""

    dealer = serializers.IntegerField(help_text=gettext_lazy("The dealer's ID."))
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")
    product_line = serializers.IntegerField(help_text=gettext_lazy("The product line's ID."))

    def validate_period(self, value: str) -> str:
        try:
            return str(Month.parse(value))
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None


def invalid_pk(value) -> str:
    message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return str(message).format(pk_value=value)


def _resolve(user, items: list[dict], errors: list[dict]) -> tuple[dict[int, Dealer], dict[int, ProductLine]]:
    """The dealers (those ``user`` sees) and lines the items name, one query each; an ID not found — or hidden —
    is the item's ``Invalid pk`` error, the words DRF uses for any unknown ID."""
    dealer_ids = {item["dealer"] for item in items if item}
    line_ids = {item["product_line"] for item in items if item}
    dealers = {d.pk: d for d in scoped_for(user, Dealer.objects.all()).filter(pk__in=dealer_ids)} if items else {}
    lines = {line.pk: line for line in ProductLine.objects.filter(pk__in=line_ids)} if items else {}
    for item, item_errors in zip(items, errors, strict=True):
        if not item:
            continue
        if item["dealer"] not in dealers:
            item_errors["dealer"] = [invalid_pk(item["dealer"])]
        if item["product_line"] not in lines:
            item_errors["product_line"] = [invalid_pk(item["product_line"])]
    return dealers, lines


def _body_items(body) -> tuple[list, bool]:
    single = isinstance(body, dict)
    items = [body] if single else body
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise ValidationError({"non_field_errors": [_("Send one stock report as an object, or a list of them.")]})
    if len(items) > MAX_ITEMS:
        raise ValidationError(
            {"non_field_errors": [_("At most %(max)d reports per request; split the list.") % {"max": MAX_ITEMS}]}
        )
    return items, single


def _answer_errors(errors: list[dict], single: bool) -> Response:
    return Response(errors[0] if single else errors, status=status.HTTP_400_BAD_REQUEST)


# --- the viewset ---------------------------------------------------------------------------------------------


class StockReportImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy("A .csv (UTF-8 or GBK) or .xlsx file, at most %(size)d MB.")
        % {"size": MAX_FILE_BYTES // (1024 * 1024)}
    )
    dry_run = serializers.BooleanField(required=False, default=False)


STOCK_IMPORT_REPORT = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="The import's report: `dry_run`, `imported`, `total_rows`, `new`, `updated`, `unchanged`, "
    "`errors` (`[{row, column, message, value}]`), `file_errors`, `ignored_columns`.",
)


class StockReturnInput(serializers.Serializer):
    # checked by the service, after the role and the state (403 and 409 come first)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500, help_text=gettext_lazy("Why (required).")
    )


def _action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: StockReportSerializer, **ACTION_RESPONSES}
    return transition_endpoint(name, service, "report", body, responses=responses, **kwargs)


class StockReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Dealer stock reports (进销存月报, SPEC §16): per dealer, month and product line, quantities and amounts at
    cost, with what they derive (days of stock, the flags, our net sales and the receipt check).

    ``submitted → confirmed`` or ``returned`` (with a reason) by the dealer's channel manager; a returned report
    written again is submitted again. Reps read and write their own dealers', managers read their territories',
    finance and admins read all. Filters: ``period``, ``period_from``, ``period_to``, ``dealer``, ``product_line``,
    ``status`` (several allowed), ``flagged``, ``flag``, ``territory`` (the dealer's, subtree), ``q`` (the dealer's
    code or name)."""

    queryset = StockReport.objects.none()
    serializer_class = StockReportSerializer
    filterset_class = StockReportFilter
    ordering_fields = ["period", "days_of_stock", "closing_amount", "sold_amount", "submitted_at"]

    def get_queryset(self):
        return stock_report_list(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return StockReportFiguresInput
        return StockReportSerializer

    def _fresh(self, report, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(StockReportSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=StockReportInput,
        responses={201: StockReportSerializer, 200: StockReportSerializer, **WRITE_RESPONSES},
        description=(
            f"Write one report (an object) or up to {MAX_ITEMS} (a list), all or nothing. The dealer's rep or an "
            "admin. A report already stored (same dealer, month and line) and not confirmed is corrected; with the "
            "same figures it is left as it is. 201 when a report was created, else 200; a list answers the reports "
            "in the order given."
        ),
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        # the role before the input: a role that never reports learns nothing from the checks
        policies.require(policies.may_report(user), str(REPORTER_ONLY))
        items, single = _body_items(request.data)
        typed, errors = [], []
        for item in items:
            serializer = StockReportInput(data=item, context=self.get_serializer_context())
            valid = serializer.is_valid()
            typed.append(dict(serializer.validated_data) if valid else {})
            errors.append({} if valid else dict(serializer.errors))
        dealers, lines = _resolve(user, typed, errors)
        if any(errors):
            return _answer_errors(errors, single)
        rows = [
            report_input(dealers[item["dealer"]], item["period"], lines[item["product_line"]], item) for item in typed
        ]
        try:
            result = write_reports(actor=user, rows=rows, source=StockReport.Source.API)
        except ReportErrors as rejected:
            return _answer_errors(rejected.per_item(len(rows)), single)
        reports = self._read_back(rows)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        context = self.get_serializer_context()
        if single:
            return Response(StockReportSerializer(reports[0], context=context).data, status=code)
        return Response(StockReportSerializer(reports, many=True, context=context).data, status=code)

    def _read_back(self, rows) -> list[StockReport]:
        """The written reports in the order of ``rows``, as the list shows them — one query."""
        found = self.get_queryset().filter(
            dealer_id__in={row.dealer.pk for row in rows},
            product_line_id__in={row.product_line.pk for row in rows},
            period__in={str(row.period) for row in rows},
        )
        by_key = {(r.dealer_id, r.period, r.product_line_id): r for r in found}
        return [by_key[(row.dealer.pk, str(row.period), row.product_line.pk)] for row in rows]

    @extend_schema(
        request=StockReportFiguresInput,
        responses={
            200: StockReportSerializer,
            400: OpenApiResponse(description="Bad input (field errors): nothing changed."),
            403: OpenApiResponse(description="Only the dealer's rep or an admin corrects its stock reports."),
            404: OpenApiResponse(description="Unknown or out of scope."),
            409: OpenApiResponse(description="The report is confirmed and no longer changes (`current_state`)."),
        },
    )
    def update(self, request, *args, **kwargs):
        """Correct a report not yet confirmed: its figures and adjustment texts (``PATCH``: those given; ``PUT``:
        all). The dealer, month and line do not change (give them unchanged or not at all). A returned report
        corrected is submitted again."""
        report = self.get_object()  # 404 first
        user = request.user
        policies.require(policies.may_report_for(user, report.dealer), str(REPORTER_ONLY))
        if report.status == StockReport.Status.CONFIRMED:
            raise Conflict(
                _("The report of %(period)s is confirmed and no longer changes.") % {"period": report.period},
                current_state=report.status,
            )
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send the report's fields as an object.")]})
        serializer = StockReportFiguresInput(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        self._refuse_identity_changes(report, request.data)
        values: dict[str, Any] = {name: getattr(report, name) for name in (*FIGURES, *TEXTS)}
        values.update(serializer.validated_data)
        row = report_input(report.dealer, report.period, report.product_line, values)
        try:
            write_reports(actor=user, rows=[row], source=StockReport.Source.API)
        except ReportErrors as rejected:
            raise ValidationError(rejected.per_item(1)[0]) from None
        return self._fresh(report)

    @extend_schema(
        request=StockReportFiguresInput,
        responses={
            200: StockReportSerializer,
            400: OpenApiResponse(description="Bad input (field errors): nothing changed."),
            403: OpenApiResponse(description="Only the dealer's rep or an admin corrects its stock reports."),
            404: OpenApiResponse(description="Unknown or out of scope."),
            409: OpenApiResponse(description="The report is confirmed and no longer changes (`current_state`)."),
        },
    )
    def partial_update(self, request, *args, **kwargs):
        """As ``PUT``, with only the fields given."""
        return self.update(request, *args, partial=True, **kwargs)

    @staticmethod
    def _refuse_identity_changes(report: StockReport, body: dict) -> None:
        stored = {"dealer": str(report.dealer_id), "period": report.period, "product_line": str(report.product_line_id)}
        changed = {
            name: [_("This does not change; write a report of its own for another dealer, month or line.")]
            for name in IDENTITY
            if name in body and str(body[name]).strip() != stored[name]
        }
        if changed:
            raise ValidationError(changed)

    confirm = _action(
        "confirm",
        report_confirm,
        doc="submitted → confirmed (the dealer's channel manager or an admin, never the submitter; the month "
        "before first). Our net sales and the flags are read again.",
    )
    return_ = _action(
        "return_",
        report_return,
        StockReturnInput,
        url_path="return",
        doc="submitted → returned, with a reason (the dealer's channel manager or an admin, never the submitter).",
    )

    @extend_schema(
        request={"multipart/form-data": StockReportImportInput},
        responses={
            200: STOCK_IMPORT_REPORT,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad rows or an unusable file: the report."),
            403: OpenApiResponse(description="Only reps and admins import stock reports."),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
    )
    def import_file(self, request):
        """Write the reports of a file, all rows or none (columns ``dealer`` (code), ``period``, ``product_line``
        (code), the five quantities, the five amounts, ``adjustment_reason``, ``adjustment_note``; headers also
        as the column names in Chinese or English). ``dry_run=true`` checks and counts without saving. The same
        file again adds nothing."""
        policies.require(policies.may_report(request.user), _("Only reps and admins import stock reports."))
        data = parse_input(StockReportImportInput, request)
        upload = data["file"]
        file_format = file_format_of(upload.name)
        if file_format not in FORMATS:
            raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
        report = report_import(actor=request.user, file=upload, file_format=file_format, dry_run=data["dry_run"])
        return Response(report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", OpenApiTypes.STR, enum=list(FORMATS), description="csv (default) or xlsx."),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"], url_path="export", url_name="export", pagination_class=None)
    def export(self, request):
        """The list as a file (with the list's filters), in the import's columns: figures as numbers, headers in
        the reader's language. The file imports again unchanged."""
        file_format = request.query_params.get("file_format") or "csv"
        if file_format not in FORMATS:
            raise ValidationError({"file_format": [_("Choose csv or xlsx.")]})
        reports = self.filter_queryset(self.get_queryset())
        content = report_export(reports, file_format)
        response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{report_filename(file_format)}"'
        return response


router.register("stock-reports", StockReportViewSet, basename="stock-report")
