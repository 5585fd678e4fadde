"""REST API of rebate settlements (返利结算, SPEC §8, §15): ``/api/v1/rebate-settlements/``.

* list (filters ``period``, ``status``, ``dealer``, ``program``, ``territory`` — the dealer's, subtree) and detail
  with the ``lines`` (each step's text in the reader's language, its inputs and amount, and for a claw-back the
  settlement it takes back from) and ``allowed_actions``;
* actions ``submit`` (the dealer's manager), ``approve``, ``reject`` {reason} (finance, never the submitter),
  ``mark-paid`` {payment_reference, paid_on} (finance), through ``rebates.services.settlements``.

Settlements are written only by runs: no create, PUT, PATCH or DELETE (405). Reads are scoped: a rep sees their
own dealers', a manager their territories', finance and administrators all; anything else is a 404. An action is
answered 404 out of scope, then 403 for the role (or segregation of duties), then 409 for the state, then 400 for
the input. Money is a string with two decimals.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from channelhub.api.actions import ACTION_RESPONSES, transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, UserNameField
from channelhub.api.inputs import CommentInput
from channelhub.api.router import router
from rebates import policies
from rebates.filters import SettlementFilter
from rebates.models import RebateLine, RebateSettlement
from rebates.selectors import settlement_detail, settlement_list
from rebates.services import settlements as settlement_services


class RebateLineSerializer(ScopedModelSerializer):
    step = serializers.CharField(
        read_only=True, help_text=gettext_lazy("basis, target, attainment, gross, gate, penalty, clawback, net")
    )
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    text = serializers.CharField(read_only=True, help_text=gettext_lazy("The step in words, in the reader's language."))
    clawed_from = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("A claw-back line: the settlement of the period whose rebate it takes back."),
    )
    clawed_from_period = serializers.CharField(source="clawed_from.period", read_only=True, default=None)

    class Meta:
        model = RebateLine
        fields = ["position", "step", "step_label", "text", "inputs", "amount", "clawed_from", "clawed_from_period"]
        read_only_fields = fields


class RebateSettlementSerializer(ScopedModelSerializer):
    """A settlement as lists show it (``rebates.selectors.settlement_list`` joins what it names)."""

    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    territory = serializers.IntegerField(source="dealer.territory_id", read_only=True)
    territory_name = serializers.CharField(source="dealer.territory.name", read_only=True)
    program_name = serializers.CharField(source="program.name", read_only=True)
    payout = serializers.CharField(
        source="program.payout", read_only=True, help_text=gettext_lazy("credit_note or cash (the program's)")
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    submitted_by_name = UserNameField(source="submitted_by", allow_null=True)
    approved_by_name = UserNameField(source="approved_by", allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `submit`, `approve`, `reject`, `mark-paid`.")
    )

    class Meta:
        model = RebateSettlement
        fields = [
            "id",
            "dealer",
            "dealer_code",
            "dealer_name",
            "territory",
            "territory_name",
            "program",
            "program_name",
            "payout",
            "period",
            "status",
            "status_display",
            *RebateSettlement.AMOUNT_FIELDS,
            "computed_at",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "rejection_reason",
            "paid_on",
            "payment_reference",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, settlement) -> list[str]:
        return policies.settlement_actions(self.context["request"].user, settlement)


class RebateSettlementDetailSerializer(RebateSettlementSerializer):
    paid_by_name = UserNameField(source="paid_by", allow_null=True)
    lines = RebateLineSerializer(many=True, read_only=True)

    class Meta(RebateSettlementSerializer.Meta):
        fields = [*RebateSettlementSerializer.Meta.fields, "run", "paid_by", "paid_by_name", "lines"]
        read_only_fields = fields


# Required inputs are checked by the services, after the role and the state (403 and 409 come first).


class RebateRejectInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text=gettext_lazy("Why (required).")
    )


@extend_schema_field(OpenApiTypes.DATE)
class DayField(serializers.CharField):
    """A date as text, read by the service (so that a bad one is a 400 after the role and the state)."""


class RebateMarkPaidInput(serializers.Serializer):
    payment_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text=gettext_lazy("The credit note number or the payment reference (required, at most 64 characters)."),
    )
    paid_on = DayField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        max_length=20,
        help_text=gettext_lazy("YYYY-MM-DD; empty: today. Not in the future, not before the approval."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: RebateSettlementDetailSerializer, **ACTION_RESPONSES}
    return transition_endpoint(name, service, "settlement", body, responses=responses, **kwargs)


class RebateSettlementViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rebate settlements (返利结算单): one per dealer, program and period, written by the rebate runs.

    ``draft → submitted`` (the dealer's channel manager or an admin) ``→ approved`` (finance or an admin, never
    the one who submitted it) ``→ paid`` (finance, with the credit note number or payment reference);
    ``submitted → draft`` when finance rejects it with a reason (the next run recomputes it). Approved and paid
    settlements never change. Filters: ``period`` (``YYYY-Qn`` or ``YYYY``), ``status`` (several allowed),
    ``dealer``, ``program``, ``territory`` (the dealer's, subtree).
    """

    queryset = RebateSettlement.objects.none()
    serializer_class = RebateSettlementSerializer
    filterset_class = SettlementFilter
    ordering_fields = ["period", "status", "net_amount", "submitted_at"]

    def get_queryset(self):
        # the lines only where they are shown; an action reads them afresh in ``_fresh``
        if self.action == "list":
            return settlement_list(self.request.user)
        return settlement_detail(self.request.user)

    def get_serializer_class(self):
        return RebateSettlementSerializer if self.action == "list" else RebateSettlementDetailSerializer

    def _fresh(self, settlement) -> Response:
        fresh = settlement_detail(self.request.user).get(pk=settlement.pk)
        return Response(RebateSettlementDetailSerializer(fresh, context=self.get_serializer_context()).data)

    submit = _action(
        "submit", settlement_services.settlement_submit, doc="draft → submitted (the dealer's manager or an admin)."
    )
    approve = _action(
        "approve",
        settlement_services.settlement_approve,
        doc="submitted → approved (finance or an admin; never the one who submitted it).",
    )
    reject = _action(
        "reject",
        settlement_services.settlement_reject,
        RebateRejectInput,
        doc="submitted → draft, with a reason (finance or an admin; never the one who submitted it).",
    )
    mark_paid = _action(
        "mark_paid",
        settlement_services.settlement_mark_paid,
        RebateMarkPaidInput,
        url_path="mark-paid",
        doc="approved → paid, with the credit note number or payment reference and the date (finance or an admin).",
    )


router.register("rebate-settlements", RebateSettlementViewSet, basename="rebate-settlement")
