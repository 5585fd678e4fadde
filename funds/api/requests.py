"""Fund requests and claims in the API (SPEC §14): ``fund-requests/`` (actions ``submit``, ``approve``, ``reject``,
``cancel``, ``claim``) and ``fund-claims/`` (actions ``check``, ``settle``; evidence at ``attachments/``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from channelhub.api.actions import transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, UserNameField
from channelhub.api.inputs import CommentInput, parse_input
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin, ScopedViewSet
from evidence.api import AttachmentsField, attachments_endpoint
from funds import policies, selectors
from funds.api.fields import FIGURE, TRANSITION_RESPONSES, money
from funds.filters import ClaimFilter, RequestFilter
from funds.models import FundClaim, FundRequest
from funds.services import claims as claim_services
from funds.services import requests as request_services
from partners.models import Dealer
from visits.models import Visit

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


router.register("fund-requests", RequestViewSet, basename="fund-request")
router.register("fund-claims", ClaimViewSet, basename="fund-claim")
