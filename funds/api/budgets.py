"""Fund budgets in the API (SPEC §14): ``fund-budgets/`` with their figures, and ``fund-budgets/import/``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channelhub.api.fields import ScopedModelSerializer
from channelhub.api.inputs import parse_input
from channelhub.api.parsers import FormParser, MultiPartParser
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedViewSet
from channelhub.importing import FORMATS, file_format_of
from funds import policies, selectors
from funds.api.fields import FIGURE
from funds.filters import BudgetFilter
from funds.imports import budget_import
from funds.models import FundBudget
from funds.services import budgets as budget_services
from partners.models import Territory

# --- budgets -----------------------------------------------------------------------------------------


class FundBudgetSerializer(ScopedModelSerializer):
    territory = serializers.PrimaryKeyRelatedField(queryset=Territory.objects.all())
    territory_code = serializers.CharField(source="territory.code", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    committed = serializers.DecimalField(help_text=gettext_lazy("Approved requests not yet settled."), **FIGURE)
    spent = serializers.DecimalField(help_text=gettext_lazy("Settled requests."), **FIGURE)
    remaining = serializers.DecimalField(help_text=gettext_lazy("amount − committed − spent"), **FIGURE)

    class Meta:
        model = FundBudget
        fields = [
            "id",
            "category",
            "territory",
            "territory_code",
            "territory_name",
            "year",
            "quarter",
            "amount",
            "max_cost_ratio",
            "committed",
            "spent",
            "remaining",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # one budget per territory, category and period: the service's full_clean says so


class FundBudgetImportInput(serializers.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("A .csv (UTF-8 or GBK) or .xlsx file."))
    dry_run = serializers.BooleanField(required=False, default=False)


BUDGET_IMPORT_REPORT = inline_serializer(
    "FundBudgetImportReport",
    {
        "dry_run": serializers.BooleanField(),
        "imported": serializers.BooleanField(),
        "total_rows": serializers.IntegerField(),
        "new": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        "file_errors": serializers.ListField(child=serializers.CharField()),
        "ignored_columns": serializers.ListField(child=serializers.CharField()),
    },
)


class BudgetViewSet(ScopedViewSet):
    """Fund budgets (SPEC §14) with their ``committed``, ``spent`` and ``remaining``: finance and admins see
    all and set them, a manager reads those of their territories (and above them). Filters: ``category``,
    ``territory`` (subtree), ``year``, ``quarter``, ``whole_year``."""

    queryset = FundBudget.objects.all()
    serializer_class = FundBudgetSerializer
    filterset_class = BudgetFilter
    ordering_fields = ["year", "quarter", "amount"]

    def get_queryset(self):
        # the figures group the rows, and a grouped query drops the model's ordering: name it again
        return selectors.budgets_for(self.request.user).order_by("-year", "quarter", "territory__path", "category")

    def create(self, request, *args, **kwargs):
        # the role before the input: a role that may not set budgets learns nothing from the checks
        policies.require(policies.may_set_budgets(request.user), _("Only finance sets fund budgets."))
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        self.get_object()  # 404 first for a budget out of scope
        policies.require(policies.may_set_budgets(request.user), _("Only finance sets fund budgets."))
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer):
        budget = budget_services.budget_create(actor=self.request.user, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=budget.pk)

    def perform_update(self, serializer):
        budget_services.budget_update(actor=self.request.user, budget=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    @extend_schema(
        request={"multipart/form-data": FundBudgetImportInput},
        responses={
            200: BUDGET_IMPORT_REPORT,
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="Bad rows or an unusable file: the report."),
            403: OpenApiResponse(description="Only finance and admins import budgets."),
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
        """Create and update budgets from a file, all rows or none (columns ``territory`` (code), ``category``,
        ``year``, ``quarter`` (empty: the whole year), ``amount``, ``max_cost_ratio``). ``dry_run=true`` checks
        and counts without saving. A row equal to a stored budget is skipped: the same file again adds nothing."""
        policies.require(policies.may_set_budgets(request.user), _("Only finance imports fund budgets."))
        data = parse_input(FundBudgetImportInput, request)
        upload = data["file"]
        file_format = file_format_of(upload.name)
        if file_format not in FORMATS:
            raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
        report = budget_import(actor=request.user, file=upload, file_format=file_format, dry_run=data["dry_run"])
        return Response(report.as_dict(), status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST)


router.register("fund-budgets", BudgetViewSet, basename="fund-budget")
