"""REST API for territories, product lines, dealers and agreements (SPEC §8). Actions call services."""

from __future__ import annotations

from functools import partial

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from channelhub.api.actions import transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, ScopedSlugRelatedField
from channelhub.api.inputs import CommentInput
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin, ScopedReadOnlyViewSet, ScopedViewSet
from channelhub.fields import validate_year
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from evidence.api import AttachmentsField, attachments_endpoint
from evidence.models import Attachment
from partners import policies
from partners.filters import AgreementFilter, DealerFilter, TerritoryFilter
from partners.models import Agreement, Dealer, DealerContact, ProductLine, QualificationReview, Territory
from partners.selectors import agreement_list, dealer_detail, dealer_list
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from partners.services import territories as territory_services

User = get_user_model()

TRANSITION_RESPONSES = {
    403: OpenApiResponse(description="Your role may not take this action."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="Not allowed in the current state (`detail` names it)."),
}


class AdminWritesOnly(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or has_role(request.user, Role.ADMIN)


# --- territories and product lines ---------------------------------------------------------------


class TerritorySerializer(ScopedModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Territory
        fields = ["id", "code", "name", "parent", "level", "level_display", "path"]
        read_only_fields = ["level", "path"]
        # a code in use: the service's full_clean says which (Territory.unique_error_message)
        extra_kwargs = {"code": {"validators": []}}


class TerritoryViewSet(ScopedMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The territory tree; everyone reads it, admins change it. ``within=<id>`` gives a subtree."""

    queryset = Territory.objects.order_by("path")
    serializer_class = TerritorySerializer
    filterset_class = TerritoryFilter
    permission_classes = [*viewsets.ReadOnlyModelViewSet.permission_classes, AdminWritesOnly]
    ordering_fields = ["path", "code", "name"]

    def perform_create(self, serializer):
        serializer.instance = territory_services.territory_create(**serializer.validated_data)

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = territory_services.territory_update(
            territory=serializer.instance,
            name=data.get("name"),
            code=data.get("code"),
            parent=data.get("parent", False),
        )


class ProductLineSerializer(ScopedModelSerializer):
    class Meta:
        model = ProductLine
        fields = ["id", "code", "name"]


class ProductLineViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ProductLine.objects.order_by("code")
    serializer_class = ProductLineSerializer
    filterset_fields = ["code"]


# --- dealers -------------------------------------------------------------------------------------


class ContactSerializer(ScopedModelSerializer):
    class Meta:
        model = DealerContact
        fields = ["id", "name", "title", "phone", "email", "is_primary"]
        read_only_fields = ["id"]


class DealerSerializer(ScopedModelSerializer):
    product_lines = ScopedSlugRelatedField(
        slug_field="code", queryset=ProductLine.objects.all(), many=True, required=False
    )
    contacts = ContactSerializer(many=True, required=False)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    owner_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    #: null for a reader of the dealer as a directory entry only (an inspector)
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Dealer
        fields = [
            "id",
            "code",
            "name",
            "legal_name",
            "kind",
            "tier",
            "status",
            "status_display",
            "territory",
            "territory_name",
            "owner",
            "owner_name",
            "parent",
            "address",
            "latitude",
            "longitude",
            "credit_limit",
            "is_key_account",
            "key_account_pinned",
            "product_lines",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "credit_limit", "created_at", "updated_at"]
        extra_kwargs = {
            # a code in use: the service's full_clean says which (Dealer.unique_error_message)
            "code": {"validators": []},
            "owner": {"queryset": User.objects.filter(is_active=True)},
            "parent": {"queryset": Dealer.objects.filter(kind=Dealer.Kind.DISTRIBUTOR)},
        }

    def get_owner_name(self, dealer) -> str:
        return (dealer.owner.get_full_name() or dealer.owner.username) if dealer.owner else ""

    def to_representation(self, dealer):
        shown = super().to_representation(dealer)
        request = self.context.get("request")
        if request is not None and not policies.reads_dealer_business(request.user, dealer):
            shown["credit_limit"] = None  # an inspector reads the dealer as a directory entry (SPEC §17)
        return shown


class DealerListSerializer(DealerSerializer):
    """Lists leave out contacts and product lines (the detail has them): no query per row."""

    class Meta(DealerSerializer.Meta):
        fields = [f for f in DealerSerializer.Meta.fields if f not in ("contacts", "product_lines")]


class ReviewItemInput(serializers.Serializer):
    criterion = serializers.ChoiceField(choices=QualificationReview.Criterion.choices)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    score = serializers.IntegerField(min_value=0, max_value=100)


class SubmitReviewInput(serializers.Serializer):
    items = ReviewItemInput(many=True, allow_empty=False)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveQualificationInput(serializers.Serializer):
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectQualificationInput(serializers.Serializer):
    reason = serializers.CharField()


class ReviewSerializer(ScopedModelSerializer):
    items = ReviewItemInput(many=True, read_only=True)

    class Meta:
        model = QualificationReview
        fields = [
            "id",
            "submitted_by",
            "submitted_at",
            "comment",
            "total_score",
            "decision",
            "decided_by",
            "decided_at",
            "reason",
            "credit_limit",
            "items",
        ]


class QualificationReviewSerializer(ReviewSerializer):
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = ["id", "dealer", "dealer_name", *ReviewSerializer.Meta.fields[1:]]


class QualificationReviewDetailSerializer(QualificationReviewSerializer):
    """A review with its documents (SPEC §13 ``attachments``); the list leaves them out."""

    attachments = AttachmentsField()

    class Meta(QualificationReviewSerializer.Meta):
        fields = [*QualificationReviewSerializer.Meta.fields, "attachments"]


DOCUMENTS_DOC = (
    "Attach documents (SPEC §13): multipart `file` (one or several; JPEG, PNG, WebP or PDF, up to 10 MB each, "
    "9 per record), kept as `document` — a business licence, a credit report, a signed contract scan. "
    "403 for a role that may not attach (reps read them)."
)


def _dealer_action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: DealerSerializer, **TRANSITION_RESPONSES}
    return transition_endpoint(name, service, "dealer", body, responses=responses, body_first=True, **kwargs)


class DealerViewSet(ScopedViewSet):
    """Dealers the user may see (SPEC §2). Filters: ``status``, ``kind``, ``tier``, ``territory`` (subtree),
    ``owner``, ``q`` (code, name, legal name, pinyin and pinyin initials).

    ``is_key_account`` set by hand (changed by a manager or an admin) pins it: ``key_account_pinned`` becomes true
    unless the body gives it, and the quarterly 80/20 pass (SPEC §16) leaves a pinned flag alone."""

    queryset = Dealer.objects.all()
    filterset_class = DealerFilter
    ordering_fields = ["code", "name", "status", "updated_at"]

    def get_queryset(self):
        if self.action == "list":
            return dealer_list(self.request.user)
        return dealer_detail(self.request.user)

    def get_serializer_class(self):
        return DealerListSerializer if self.action == "list" else DealerSerializer

    def _write_fields(self, data):
        contacts = data.pop("contacts", None)
        product_lines = data.pop("product_lines", None)
        return data, contacts, product_lines

    def create(self, request, *args, **kwargs):
        # the role before the input: a role that may not create dealers learns nothing (e.g. that a code is taken)
        policies.require(has_role(request.user, Role.ADMIN, Role.CHANNEL_MANAGER))
        return super().create(request, *args, **kwargs)

    @staticmethod
    def _pin_key_account(fields: dict, current: bool) -> None:
        """A key-account flag set by hand through the API is pinned (the quarterly 80/20 pass leaves it), unless
        the body says ``key_account_pinned`` itself."""
        if "is_key_account" in fields and "key_account_pinned" not in fields and fields["is_key_account"] != current:
            fields["key_account_pinned"] = True

    def perform_create(self, serializer):
        fields, contacts, product_lines = self._write_fields(dict(serializer.validated_data))
        self._pin_key_account(fields, current=False)
        serializer.instance = dealer_services.dealer_create(
            actor=self.request.user, contacts=contacts or (), product_lines=product_lines or (), **fields
        )

    def perform_update(self, serializer):
        fields, contacts, product_lines = self._write_fields(dict(serializer.validated_data))
        if policies.can_manage_dealer(self.request.user, serializer.instance):  # a rep's change is refused as it is
            self._pin_key_account(fields, current=serializer.instance.is_key_account)
        dealer_services.dealer_update(
            actor=self.request.user,
            dealer=serializer.instance,
            contacts=contacts,
            product_lines=product_lines,
            **fields,
        )

    def _fresh(self, dealer, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=dealer.pk)
        return Response(DealerSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    submit_review = _dealer_action(
        "submit_review", dealer_services.dealer_submit_review, SubmitReviewInput, url_path="submit-review"
    )
    approve_qualification = _dealer_action(
        "approve_qualification",
        dealer_services.dealer_approve_qualification,
        ApproveQualificationInput,
        url_path="approve-qualification",
    )
    reject_qualification = _dealer_action(
        "reject_qualification",
        dealer_services.dealer_reject_qualification,
        RejectQualificationInput,
        url_path="reject-qualification",
    )
    suspend = _dealer_action("suspend", partial(dealer_services.dealer_transition, name="suspend"))
    reactivate = _dealer_action("reactivate", partial(dealer_services.dealer_transition, name="reactivate"))
    terminate = _dealer_action("terminate", partial(dealer_services.dealer_transition, name="terminate"))

    @extend_schema(responses=ReviewSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list, as the schema says
    def reviews(self, request, pk=None):
        dealer = self.get_object()
        reviews = scope(request.user, QualificationReview).filter(dealer=dealer)  # none for an inspector
        return Response(ReviewSerializer(reviews, many=True).data)


class QualificationReviewViewSet(ScopedReadOnlyViewSet):
    """Qualification reviews of the dealers the user may see (SPEC §3), newest first, with their documents
    in the detail. Filters: ``dealer``, ``decision``. Reviews are made through the dealer's life cycle
    (``/dealers/{id}/submit-review/`` …); here they take documents."""

    queryset = QualificationReview.objects.select_related("dealer").prefetch_related("items")
    filterset_fields = ["dealer", "decision"]
    ordering_fields = ["submitted_at"]

    def get_serializer_class(self):
        return QualificationReviewSerializer if self.action == "list" else QualificationReviewDetailSerializer

    attachments = attachments_endpoint(
        kind=Attachment.Kind.DOCUMENT,
        doc=DOCUMENTS_DOC + " A review takes documents while it waits for finance's decision.",
    )


# --- agreements ----------------------------------------------------------------------------------


class AgreementSerializer(ScopedModelSerializer):
    product_lines = ScopedSlugRelatedField(
        slug_field="code", queryset=ProductLine.objects.all(), many=True, required=False
    )
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    rebate_program_name = serializers.CharField(
        source="rebate_program.name", read_only=True, default=None, allow_null=True
    )
    expired = serializers.SerializerMethodField()
    min_prices = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0),
        required=False,
        help_text=_('Minimum shelf prices by product line code (`{"kitchen": "100.00"}`); a line left out has none.'),
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "dealer",
            "dealer_name",
            "kind",
            "start_date",
            "end_date",
            "territory",
            "territory_name",
            "exclusive",
            "product_lines",
            "annual_sales_target",
            "rebate_program",
            "rebate_program_name",
            "payment_terms_days",
            "deposit_amount",
            "deposit_received_on",
            "min_prices",
            "previous",
            "status",
            "expired",
            "signed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["previous", "status", "signed_at", "created_at", "updated_at", "deposit_received_on"]

    def get_expired(self, agreement) -> bool:
        return agreement.is_expired()

    def validate_min_prices(self, value: dict) -> dict:
        """Every key a product line's code (the amounts are typed by the field: 400 naming the line)."""
        known = set(ProductLine.objects.filter(code__in=list(value)).values_list("code", flat=True))
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                {code: [_("There is no product line “%(line)s”.") % {"line": code}] for code in unknown}
            )
        return value

    def validate_dealer(self, dealer):
        if not scope(self.context["request"].user, Dealer.objects.filter(pk=dealer.pk)).exists():
            raise serializers.ValidationError(_("Unknown dealer."))
        return dealer

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": _("The end date is before the start date.")})
        if self.instance is not None and "dealer" in attrs and attrs["dealer"] != self.instance.dealer:
            raise serializers.ValidationError({"dealer": _("An agreement cannot move to another dealer.")})
        return attrs


class AgreementDetailSerializer(AgreementSerializer):
    """An agreement with its documents (SPEC §13 ``attachments``); the list leaves them out."""

    attachments = AttachmentsField()

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "attachments"]


class DepositInput(serializers.Serializer):
    received_on = serializers.DateField(validators=[validate_year])


def _agreement_action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: AgreementSerializer, **TRANSITION_RESPONSES}
    return transition_endpoint(name, service, "agreement", body, responses=responses, body_first=True, **kwargs)


class AgreementViewSet(ScopedViewSet):
    """Agreements of the dealers the user may see. Filters: ``dealer``, ``status`` (also ``expired``),
    ``kind``, ``territory`` (subtree), ``exclusive``, ``ending_within`` (days), ``q``."""

    queryset = Agreement.objects.all()
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering_fields = ["start_date", "end_date", "status"]

    def get_queryset(self):
        return agreement_list(self.request.user)

    def get_serializer_class(self):
        return AgreementSerializer if self.action == "list" else AgreementDetailSerializer

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        dealer, product_lines = data.pop("dealer"), data.pop("product_lines", ())
        serializer.instance = agreement_services.agreement_create(
            actor=self.request.user, dealer=dealer, product_lines=product_lines, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("dealer", None)
        product_lines = data.pop("product_lines", None)
        agreement_services.agreement_update(
            actor=self.request.user, agreement=serializer.instance, product_lines=product_lines, **data
        )

    def _fresh(self, agreement, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=agreement.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    submit = _agreement_action("submit", agreement_services.agreement_submit)
    sign = _agreement_action("sign", agreement_services.agreement_sign)
    terminate = _agreement_action("terminate", agreement_services.agreement_terminate)

    @extend_schema(
        request=None,
        responses={201: AgreementSerializer, **TRANSITION_RESPONSES},
        description="Copy into a new draft starting the day after this agreement ends.",
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        renewal = agreement_services.agreement_renew(actor=request.user, agreement=self.get_object())
        return self._fresh(renewal, code=status.HTTP_201_CREATED)

    confirm_deposit = _agreement_action(
        "confirm_deposit", agreement_services.agreement_confirm_deposit, DepositInput, url_path="confirm-deposit"
    )
    attachments = attachments_endpoint(
        kind=Attachment.Kind.DOCUMENT,
        doc=DOCUMENTS_DOC + " An agreement takes documents in every state but terminated (else 409).",
    )


router.register("territories", TerritoryViewSet, basename="territory")
router.register("product-lines", ProductLineViewSet, basename="product-line")
router.register("dealers", DealerViewSet, basename="dealer")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("qualification-reviews", QualificationReviewViewSet, basename="qualification-review")
