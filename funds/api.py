"""Channel funds in the REST API (SPEC §8, §14): ``fund-budgets/`` (and their import), ``fund-requests/``,
``fund-claims/``, ``deposits/`` (one account per dealer), ``materials/``, ``material-issues/`` and
``material-counts/``. Reads go through ``funds.selectors`` (scoped: out of scope is a 404), writes through
``funds.services``; the rules are theirs, the errors become HTTP in ``channelhub.api.exceptions``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channelhub.api.actions import transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, UserNameField
from channelhub.api.inputs import CommentInput, parse_input
from channelhub.api.parsers import FormParser, MultiPartParser
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin, ScopedViewSet
from channelhub.errors import Conflict
from channelhub.fields import validate_year
from channelhub.importing import FORMATS, file_format_of
from channelhub.scoping import scope
from evidence.api import AttachmentsField, attachments_endpoint
from funds import policies, selectors
from funds.filters import (
    BudgetFilter,
    ClaimFilter,
    DepositAccountFilter,
    MaterialCountFilter,
    MaterialFilter,
    MaterialIssueFilter,
    RequestFilter,
)
from funds.imports import budget_import
from funds.models import (
    DepositEntry,
    DepositRefund,
    FundBudget,
    FundClaim,
    FundRequest,
    Material,
    MaterialCount,
    MaterialIssue,
)
from funds.services import budgets as budget_services
from funds.services import claims as claim_services
from funds.services import deposits as deposit_services
from funds.services import materials as material_services
from funds.services import requests as request_services
from partners.models import Dealer, Territory
from visits.models import Visit

TRANSITION_RESPONSES = {
    403: OpenApiResponse(description="Your role may not take this action (or segregation of duties forbids it)."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="Not allowed in the current state, or over budget (`detail` names it)."),
}
FIGURE = {"max_digits": 16, "decimal_places": 2, "read_only": True}


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


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


# --- requests ------------------------------------------------------------------------------------------


class FundRequestSerializer(ScopedModelSerializer):
    """A request as lists show it (no query per row: ``selectors.requests_for`` joins what it names)."""

    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all())
    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    requested_by_name = UserNameField(source="requested_by")

    class Meta:
        model = FundRequest
        fields = [
            "id",
            "number",
            "dealer",
            "dealer_code",
            "dealer_name",
            "category",
            "title",
            "start_date",
            "end_date",
            "requested_amount",
            "expected_sales",
            "status",
            "possible_split",
            "approved_amount",
            "settled_amount",
            "requested_by",
            "requested_by_name",
            "created_at",
        ]
        read_only_fields = [
            "number",
            "status",
            "possible_split",
            "approved_amount",
            "settled_amount",
            "requested_by",
            "created_at",
        ]


class FundRequestBudgetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    remaining = serializers.DecimalField(max_digits=16, decimal_places=2)
    charged = serializers.BooleanField(help_text=gettext_lazy("Charged to it (approved by finance)."))


class FundRequestDetailSerializer(FundRequestSerializer):
    """A request with its people, its budget (for whom may see it) and what the user may do now."""

    submitted_by_name = UserNameField(source="submitted_by", allow_null=True)
    manager_approved_by_name = UserNameField(source="manager_approved_by", allow_null=True)
    approved_by_name = UserNameField(source="approved_by", allow_null=True)
    budget = serializers.SerializerMethodField()
    claim = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `submit`, `approve`, `reject`, `claim`, `cancel`.")
    )

    class Meta(FundRequestSerializer.Meta):
        fields = [
            *FundRequestSerializer.Meta.fields,
            "description",
            "budget",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "manager_approved_by",
            "manager_approved_by_name",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "reject_reason",
            "claim",
            "allowed_actions",
            "updated_at",
        ]
        read_only_fields = FundRequestSerializer.Meta.read_only_fields + [
            "submitted_by",
            "submitted_at",
            "manager_approved_by",
            "approved_by",
            "approved_at",
            "reject_reason",
            "updated_at",
        ]

    @extend_schema_field(FundRequestBudgetSerializer(allow_null=True))
    def get_budget(self, request: FundRequest) -> dict | None:
        """The budget it is charged to, or (before finance approves) the one it would draw on; null for
        whom may not see budgets."""
        budget = request.budget
        if budget is None and request.status in (
            FundRequest.Status.DRAFT,
            FundRequest.Status.SUBMITTED,
            FundRequest.Status.MANAGER_APPROVED,
        ):
            budget = selectors.budget_for(request.dealer, request.category, request.start_date)
        if not selectors.may_see_budget(self.context["request"].user, budget):
            return None
        _committed, _spent, remaining = selectors.budget_figures(budget)
        return {
            "id": budget.pk,
            "label": str(budget),
            "remaining": f"{remaining:.2f}",
            "charged": request.budget_id is not None,
        }

    @extend_schema_field(OpenApiTypes.INT)
    def get_claim(self, request: FundRequest) -> int | None:
        claim = getattr(request, "claim", None)
        return claim.pk if claim is not None else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, request: FundRequest) -> list[str]:
        return policies.request_actions(self.context["request"].user, request)


class FundRequestUpdateSerializer(FundRequestDetailSerializer):
    """A draft's fields; its dealer stays."""

    dealer = serializers.PrimaryKeyRelatedField(read_only=True)


class FundRejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class FundClaimInput(serializers.Serializer):
    actual_amount = money(min_value=0)
    actual_sales = money(min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    visits = ScopedPrimaryKeyRelatedField(
        queryset=Visit.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text=gettext_lazy("IDs of visits to the dealer."),
    )


# --- claims ----------------------------------------------------------------------------------------------


class FundClaimSerializer(ScopedModelSerializer):
    request_number = serializers.CharField(source="request.number", read_only=True)
    dealer = serializers.IntegerField(source="request.dealer_id", read_only=True)
    dealer_name = serializers.CharField(source="request.dealer.name", read_only=True)
    category = serializers.CharField(source="request.category", read_only=True)
    title = serializers.CharField(source="request.title", read_only=True)
    approved_amount = serializers.DecimalField(source="request.approved_amount", allow_null=True, **FIGURE)
    claimed_by_name = UserNameField(source="claimed_by")

    class Meta:
        model = FundClaim
        fields = [
            "id",
            "request",
            "request_number",
            "dealer",
            "dealer_name",
            "category",
            "title",
            "approved_amount",
            "actual_amount",
            "actual_sales",
            "status",
            "photo_time_mismatch",
            "photo_far",
            "photo_reused",
            "claimed_by",
            "claimed_by_name",
            "claimed_at",
            "settled_amount",
            "settled_on",
        ]
        read_only_fields = fields


class FundClaimDetailSerializer(FundClaimSerializer):
    """A claim with its visits, its evidence (SPEC §13) and what the user may do now."""

    visits = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    checked_by_name = UserNameField(source="checked_by", allow_null=True)
    settled_by_name = UserNameField(source="settled_by", allow_null=True)
    attachments = AttachmentsField()
    allowed_actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `attachments`, `check`, `settle`.")
    )

    class Meta(FundClaimSerializer.Meta):
        fields = [
            *FundClaimSerializer.Meta.fields,
            "note",
            "visits",
            "check_reason",
            "checked_by",
            "checked_by_name",
            "checked_at",
            "settled_by",
            "settled_by_name",
            "expense",
            "attachments",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, claim: FundClaim) -> list[str]:
        return policies.claim_actions(self.context["request"].user, claim)


class FundCheckInput(serializers.Serializer):
    met = serializers.BooleanField(help_text=gettext_lazy("The evidence meets the request."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _request_action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: FundRequestDetailSerializer, **TRANSITION_RESPONSES}
    return transition_endpoint(name, service, "request", body, responses=responses, **kwargs)


class RequestViewSet(ScopedViewSet):
    """Fund requests (费用申请, SPEC §14) of the dealers the user sees. The dealer's rep, its manager or an
    admin drafts (POST), changes (while a draft) and submits one; the manager approves it first, finance
    second (which commits it against the budget: 409 naming the remaining when it would go below 0). Filters:
    ``status``, ``category``, ``dealer``, ``territory`` (subtree), ``year``/``quarter`` (of the start date),
    ``date_from``/``date_to``, ``possible_split``, ``number``."""

    queryset = FundRequest.objects.all()
    filterset_class = RequestFilter
    ordering_fields = ["created_at", "start_date", "requested_amount", "status"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.requests_for(self.request.user)
        return selectors.request_detail_queryset(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return FundRequestSerializer
        if self.action in ("update", "partial_update"):
            return FundRequestUpdateSerializer
        return FundRequestDetailSerializer

    def _fresh(self, request_obj, code=status.HTTP_200_OK):
        fresh = selectors.request_detail_queryset(self.request.user).get(pk=request_obj.pk)
        return Response(FundRequestDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(responses={201: FundRequestDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        created = request_services.request_create(actor=request.user, dealer=fields.pop("dealer"), **fields)
        return self._fresh(created, status.HTTP_201_CREATED)

    @extend_schema(responses={200: FundRequestDetailSerializer})
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        request_services.request_update(actor=request.user, request=instance, **serializer.validated_data)
        return self._fresh(instance)

    @extend_schema(responses={200: FundRequestDetailSerializer})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    submit = _request_action("submit", request_services.request_submit)
    approve = _request_action(
        "approve",
        request_services.request_approve,
        doc="The next approval: the dealer's manager's when submitted, finance's once the manager approved.",
    )
    reject = _request_action("reject", request_services.request_reject, FundRejectInput)
    cancel = _request_action("cancel", request_services.request_cancel)

    @extend_schema(request=FundClaimInput, responses={201: FundClaimDetailSerializer, **TRANSITION_RESPONSES})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        """Claim (核销) an approved request: what it really cost and sold, and the visits of the activity;
        then add its evidence at ``fund-claims/{id}/attachments/``."""
        fund_request = self.get_object()
        data = parse_input(FundClaimInput, request)
        made = claim_services.claim_create(actor=request.user, request=fund_request, **data)
        fresh = selectors.claim_detail_queryset(request.user).get(pk=made.pk)
        return Response(FundClaimDetailSerializer(fresh, context=self.get_serializer_context()).data, status=201)


def _claim_action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: FundClaimDetailSerializer, **TRANSITION_RESPONSES}
    return transition_endpoint(name, service, "claim", body, responses=responses, **kwargs)


class FundSettleInput(serializers.Serializer):
    """Settling takes no input."""


class ClaimViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fund claims (核销, SPEC §14), made through ``fund-requests/{id}/claim/``. Their evidence is added at
    ``attachments/`` (photos and invoices) while they wait for the check; the dealer's manager checks them
    (``met`` needs a photo and an invoice, ``not_met`` a reason); finance settles them into an expense.
    Filters: ``status``, ``category``, ``dealer``, ``territory`` (subtree), ``year``/``quarter``, ``request``."""

    queryset = FundClaim.objects.all()
    filterset_class = ClaimFilter
    ordering_fields = ["claimed_at", "actual_amount", "status"]

    def get_queryset(self):
        if self.action == "list":
            return selectors.claims_for(self.request.user)
        return selectors.claim_detail_queryset(self.request.user)

    def get_serializer_class(self):
        return FundClaimSerializer if self.action == "list" else FundClaimDetailSerializer

    def _fresh(self, claim):
        fresh = selectors.claim_detail_queryset(self.request.user).get(pk=claim.pk)
        return Response(FundClaimDetailSerializer(fresh, context=self.get_serializer_context()).data)

    check = _claim_action(
        "check", claim_services.claim_check, FundCheckInput, doc="Mark the evidence met or not met (with a reason)."
    )
    settle = _claim_action(
        "settle",
        claim_services.claim_settle,
        FundSettleInput,
        doc="Settle a checked claim: a met one becomes an expense (FUND-<number>), a not met one settles at 0.00.",
    )
    attachments = attachments_endpoint(
        doc="Add evidence (SPEC §13): multipart `file` (one or several) and `kind` (`photo` or `invoice`), while "
        "the claim waits for its check (else 409). JPEG, PNG, WebP or PDF, up to 10 MB each, 9 per claim."
    )


# --- deposits ---------------------------------------------------------------------------------------------


class DepositAccountSerializer(serializers.ModelSerializer):
    dealer = serializers.IntegerField(source="pk", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    received = serializers.DecimalField(**FIGURE)
    deducted = serializers.DecimalField(**FIGURE)
    refunded = serializers.DecimalField(**FIGURE)
    balance = serializers.DecimalField(**FIGURE)

    class Meta:
        model = Dealer
        fields = ["dealer", "code", "name", "status", "territory_name", "received", "deducted", "refunded", "balance"]
        read_only_fields = fields


class DepositEntrySerializer(serializers.ModelSerializer):
    created_by_name = UserNameField(source="created_by", allow_null=True)

    class Meta:
        model = DepositEntry
        fields = ["id", "kind", "amount", "date", "agreement", "reason", "created_by", "created_by_name", "created_at"]
        read_only_fields = fields


class DepositRefundSerializer(serializers.ModelSerializer):
    proposed_by_name = UserNameField(source="proposed_by")
    decided_by_name = UserNameField(source="decided_by", allow_null=True)

    class Meta:
        model = DepositRefund
        fields = [
            "id",
            "status",
            "balance",
            "open_receivable",
            "amount",
            "proposed_by",
            "proposed_by_name",
            "proposed_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "reason",
            "entry",
        ]
        read_only_fields = fields


class DepositAccountDetailSerializer(DepositAccountSerializer):
    """An account with its entries (oldest first) and its refunds (newest first)."""

    entries = serializers.SerializerMethodField()
    refunds = serializers.SerializerMethodField()

    class Meta(DepositAccountSerializer.Meta):
        fields = [*DepositAccountSerializer.Meta.fields, "entries", "refunds"]
        read_only_fields = fields

    @extend_schema_field(DepositEntrySerializer(many=True))
    def get_entries(self, dealer: Dealer) -> list:
        entries = dealer.deposit_entries.select_related("created_by").order_by("date", "id")
        return DepositEntrySerializer(entries, many=True).data

    @extend_schema_field(DepositRefundSerializer(many=True))
    def get_refunds(self, dealer: Dealer) -> list:
        refunds = dealer.deposit_refunds.select_related("proposed_by", "decided_by").order_by("-proposed_at", "-id")
        return DepositRefundSerializer(refunds, many=True).data


class DepositDeductInput(serializers.Serializer):
    amount = money()
    reason = serializers.CharField(max_length=2000)
    date = serializers.DateField(required=False, validators=[validate_year])


class DepositRefundInput(serializers.Serializer):
    approve = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Finance: approve (true) or reject (false) the proposed refund; absent: propose one."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


DEPOSIT_RESPONSES = {200: DepositAccountDetailSerializer, **TRANSITION_RESPONSES}


class DepositViewSet(ScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deposit accounts (信誉保证金, SPEC §14): one row per dealer the user sees that has deposit entries, with
    ``received``, ``deducted``, ``refunded`` and ``balance``; ``deposits/{dealer_id}/`` has the entries and
    refunds of any dealer the user sees (404 otherwise). Filters: ``status`` (the dealer's), ``territory``,
    ``code``."""

    queryset = Dealer.objects.all()
    filterset_class = DepositAccountFilter
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.deposit_accounts(self.request.user, with_entries_only=self.action == "list")

    def get_serializer_class(self):
        return DepositAccountSerializer if self.action == "list" else DepositAccountDetailSerializer

    def _fresh(self, dealer: Dealer) -> Response:
        fresh = selectors.deposit_accounts(self.request.user, with_entries_only=False).get(pk=dealer.pk)
        return Response(DepositAccountDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=DepositDeductInput, responses=DEPOSIT_RESPONSES)
    @action(detail=True, methods=["post"])
    def deduct(self, request, pk=None):
        """Deduct a penalty from the deposit (finance, with a reason; never more than the balance: 409)."""
        dealer = self.get_object()
        policies.require(policies.may_deduct_deposit(request.user), _("Only finance deducts from a deposit."))
        data = parse_input(DepositDeductInput, request)
        deposit_services.deposit_deduct(
            actor=request.user, dealer=dealer, amount=data["amount"], reason=data["reason"], day=data.get("date")
        )
        return self._fresh(dealer)

    @extend_schema(request=DepositRefundInput, responses=DEPOSIT_RESPONSES)
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund (清退) a terminated dealer's deposit. Without ``approve``: the dealer's manager (or an admin)
        proposes it. With ``approve``: finance decides the proposed one (not its proposer); rejecting needs a
        ``reason``."""
        dealer = self.get_object()
        data = parse_input(DepositRefundInput, request)
        if data["approve"] is None:
            deposit_services.deposit_refund_propose(actor=request.user, dealer=dealer, reason=data["reason"])
        else:
            deposit_services.deposit_refund_decide(
                actor=request.user, refund=_proposed_refund(dealer), approve=data["approve"], reason=data["reason"]
            )
        return self._fresh(dealer)


def _proposed_refund(dealer: Dealer) -> DepositRefund:
    refund = DepositRefund.objects.filter(dealer=dealer, status=DepositRefund.Status.PROPOSED).first()
    if refund is None:
        raise Conflict(_("No deposit refund of %(dealer)s waits for a decision.") % {"dealer": dealer})
    return refund


# --- materials --------------------------------------------------------------------------------------------


class MaterialSerializer(ScopedModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "code", "name", "unit", "unit_cost", "active"]
        # a code in use: the service's full_clean says which
        extra_kwargs = {"code": {"validators": []}}


class MaterialViewSet(ScopedViewSet):
    """The catalogue of promotional materials (物料): everyone reads it; finance, managers and admins keep it.
    Filters: ``code``, ``name``, ``active``."""

    queryset = Material.objects.all()
    serializer_class = MaterialSerializer
    filterset_class = MaterialFilter
    ordering_fields = ["code", "name"]

    def _require(self) -> None:
        policies.require(
            policies.may_manage_materials(self.request.user), _("Only finance and channel managers keep materials.")
        )

    def create(self, request, *args, **kwargs):
        self._require()
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        self.get_object()
        self._require()
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.instance = material_services.material_save(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = material_services.material_save(
            actor=self.request.user, material=serializer.instance, **serializer.validated_data
        )


class MaterialIssueSerializer(ScopedModelSerializer):
    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all())
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all())
    material_code = serializers.CharField(source="material.code", read_only=True)
    request = ScopedPrimaryKeyRelatedField(queryset=FundRequest.objects.all(), required=False, allow_null=True)
    issued_by_name = UserNameField(source="issued_by", allow_null=True)

    class Meta:
        model = MaterialIssue
        fields = [
            "id",
            "dealer",
            "dealer_name",
            "material",
            "material_code",
            "quantity",
            "date",
            "request",
            "issued_by",
            "issued_by_name",
            "created_at",
        ]
        read_only_fields = ["issued_by", "created_at"]


class MaterialIssueViewSet(ScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Materials handed to dealers the user sees; the dealer's manager (or an admin) records them. Filters:
    ``dealer``, ``material``, ``request``, ``date_from``/``date_to``."""

    queryset = MaterialIssue.objects.all()
    serializer_class = MaterialIssueSerializer
    filterset_class = MaterialIssueFilter
    ordering_fields = ["date", "quantity"]

    def get_queryset(self):
        return scope(self.request.user, MaterialIssue).select_related("dealer", "material", "issued_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        issue = material_services.material_issue(
            actor=self.request.user,
            dealer=data["dealer"],
            material=data["material"],
            quantity=data["quantity"],
            day=data["date"],
            request=data.get("request"),
        )
        serializer.instance = self.get_queryset().get(pk=issue.pk)


class MaterialCountSerializer(ScopedModelSerializer):
    dealer = ScopedPrimaryKeyRelatedField(queryset=Dealer.objects.all())
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    material = serializers.PrimaryKeyRelatedField(queryset=Material.objects.all())
    material_code = serializers.CharField(source="material.code", read_only=True)
    counted_by_name = UserNameField(source="counted_by", allow_null=True)

    class Meta:
        model = MaterialCount
        fields = [
            "id",
            "dealer",
            "dealer_name",
            "material",
            "material_code",
            "date",
            "counted_quantity",
            "used_quantity",
            "issued_quantity",
            "variance",
            "variance_flagged",
            "counted_by",
            "counted_by_name",
            "created_at",
        ]
        read_only_fields = ["issued_quantity", "variance", "variance_flagged", "counted_by", "created_at"]
        validators = []  # once a day per dealer and material: the service says so on ``date``


class MaterialCountViewSet(ScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Material counts (盘点) at the dealers the user sees; the variance (issued − used − counted) beyond 5 %
    is flagged. The dealer's rep, its manager or an admin records them. Filters: ``dealer``, ``material``,
    ``flagged``, ``date_from``/``date_to``."""

    queryset = MaterialCount.objects.all()
    serializer_class = MaterialCountSerializer
    filterset_class = MaterialCountFilter
    ordering_fields = ["date", "variance"]

    def get_queryset(self):
        return scope(self.request.user, MaterialCount).select_related("dealer", "material", "counted_by")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        count = material_services.material_count_record(
            actor=self.request.user,
            dealer=data["dealer"],
            material=data["material"],
            day=data["date"],
            counted_quantity=data["counted_quantity"],
            used_quantity=data["used_quantity"],
        )
        serializer.instance = self.get_queryset().get(pk=count.pk)


router.register("fund-budgets", BudgetViewSet, basename="fund-budget")
router.register("fund-requests", RequestViewSet, basename="fund-request")
router.register("fund-claims", ClaimViewSet, basename="fund-claim")
router.register("deposits", DepositViewSet, basename="deposit")
router.register("materials", MaterialViewSet, basename="material")
router.register("material-issues", MaterialIssueViewSet, basename="material-issue")
router.register("material-counts", MaterialCountViewSet, basename="material-count")
