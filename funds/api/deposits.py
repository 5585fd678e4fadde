"""Deposit accounts in the API (SPEC §14): ``deposits/`` (one row per dealer; actions ``deduct``, ``refund``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from channelhub.api.fields import UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin
from channelhub.errors import Conflict
from channelhub.fields import validate_year
from funds import policies, selectors
from funds.api.fields import FIGURE, TRANSITION_RESPONSES, money
from funds.filters import DepositAccountFilter
from funds.models import DepositEntry, DepositRefund
from funds.services import deposits as deposit_services
from partners.models import Dealer

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
            policies.require(policies.is_finance(request.user), _("Only finance approves a deposit refund."))
            deposit_services.deposit_refund_decide(
                actor=request.user, refund=_proposed_refund(dealer), approve=data["approve"], reason=data["reason"]
            )
        return self._fresh(dealer)


def _proposed_refund(dealer: Dealer) -> DepositRefund:
    refund = selectors.proposed_refund(dealer.pk)
    if refund is None:
        raise Conflict(_("No deposit refund of %(dealer)s waits for a decision.") % {"dealer": dealer})
    return refund


router.register("deposits", DepositViewSet, basename="deposit")
