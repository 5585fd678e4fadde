"""REST API for commission statements and disputes (SPEC §6, §8).

* ``/api/v1/commission-statements/`` — list (filters ``rep``, ``period``, ``status``, ``kind``) and
  detail with the lines; actions ``submit``, ``approve``, ``reject`` {reason}, ``reopen``, ``mark-paid``
  {payment_reference, paid_on}; ``export/?period=YYYY-MM&format=csv|xlsx`` (finance: the payout list).
  Statements are written only by commission runs: there is no create, PUT, PATCH or DELETE (405).
* ``/api/v1/disputes/`` — list (filters ``statement``, ``rep``, ``period``, ``status``), create (the rep,
  on a line of their statement), detail; actions ``accept`` {answer}, ``reject`` {answer}.

Reads are scoped (a rep their own, a manager the team's, finance and admins all; anything else 404).
Money is a string with two decimals. 403 for a role or segregation of duties, 409 naming the state.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from channelhub.accounts.selectors import employee_no
from channelhub.api.actions import ACTION_RESPONSES, transition_endpoint
from channelhub.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, UserNameField
from channelhub.api.inputs import CommentInput, parse_input
from channelhub.api.router import router
from channelhub.bulk_actions import bulk_api_response, bulk_route
from channelhub.fields import validate_year
from commissions import bulk
from commissions.filters import DisputeFilter, StatementFilter
from commissions.models import Dispute, Statement, StatementLine
from commissions.policies import allowed_actions, can_answer, can_open
from commissions.selectors import dispute_list, statement_detail, statement_list, visible_lines
from commissions.services import disputes as dispute_services
from commissions.services import payouts
from commissions.services import statements as statement_services

MONEY = {"max_digits": 14, "decimal_places": 2, "read_only": True}


# --- statements ------------------------------------------------------------------------------------


class StatementLineSerializer(ScopedModelSerializer):
    step = serializers.CharField(read_only=True, help_text=_("base, gross, gate, scorecard, …, net, retained, payable"))
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    disputable = serializers.SerializerMethodField(help_text=_("The requesting user may open a dispute on it now."))

    description = serializers.CharField(source="text", read_only=True, help_text=_("The line's arithmetic, in words."))

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "position",
            "step",
            "step_label",
            "description",
            "inputs",
            "amount",
            "carried_from",
            "disputable",
        ]
        read_only_fields = fields

    def get_disputable(self, line) -> bool:
        user = self.context["request"].user
        if not can_open(user, line):
            return False
        return not any(d.status in (Dispute.Status.OPEN, Dispute.Status.ACCEPTED) for d in line.disputes.all())


class StatementSerializer(ScopedModelSerializer):
    rep_name = UserNameField(source="rep")
    employee_no = serializers.SerializerMethodField()
    kind = serializers.CharField(read_only=True, help_text=_("monthly or year_end"))
    status = serializers.CharField(read_only=True, help_text=_("draft, submitted, approved, rejected or paid"))
    plan_name = serializers.CharField(source="plan.name", read_only=True, default=None)
    base_amount = serializers.DecimalField(**MONEY)
    gross_amount = serializers.DecimalField(**MONEY)
    deductions_amount = serializers.DecimalField(**MONEY)
    net_amount = serializers.DecimalField(**MONEY)
    retained_amount = serializers.DecimalField(**MONEY)
    payable_amount = serializers.DecimalField(**MONEY)
    carried_forward = serializers.DecimalField(
        help_text=_("A negative net, not paid: carried into the rep's next monthly statement (else 0.00)."), **MONEY
    )
    submitted_by_name = UserNameField(source="submitted_by", allow_null=True)
    approved_by_name = UserNameField(source="approved_by", allow_null=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("What the requesting user may do now: `submit`, `approve`, `reject`, `reopen`, `mark-paid`.")
    )

    class Meta:
        model = Statement
        fields = [
            "id",
            "rep",
            "rep_name",
            "employee_no",
            "period",
            "kind",
            "plan",
            "plan_name",
            "run",
            "status",
            *Statement.AMOUNT_FIELDS,
            "computed_at",
            "submitted_by",
            "submitted_by_name",
            "submitted_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "rejection_reason",
            "paid_at",
            "payment_reference",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_employee_no(self, statement) -> str:
        return employee_no(statement.rep)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, statement) -> list[str]:
        return allowed_actions(self.context["request"].user, statement)


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]
        read_only_fields = fields


# Required inputs are checked by the services, after the role and the state (403 and 409 come first).


class RejectInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text=_("Why (required).")
    )


class MarkPaidInput(serializers.Serializer):
    payment_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=statement_services.REFERENCE_MAX,
        help_text=_("Required."),
    )
    paid_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="YYYY-MM-DD (required)", validators=[validate_year]
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ExportQuery(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")
    format = serializers.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")], default="csv")
    status = serializers.ChoiceField(
        choices=[("approved", "approved (to pay)"), ("paid", "paid")],
        default="paid",
        help_text=_("approved: the list to pay, with bank details; paid (default): what was paid."),
    )


class BatchPayInput(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text="YYYY-MM")
    payment_reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=statement_services.REFERENCE_MAX
    )
    paid_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="YYYY-MM-DD (required)", validators=[validate_year]
    )
    statements = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        allow_null=True,
        default=None,
        max_length=10000,
        help_text=_("Only these statements of the list (IDs); empty: the whole list of the period."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _statement_action(name: str, service, body=CommentInput, **kwargs):
    responses = {200: StatementDetailSerializer, **ACTION_RESPONSES}
    return transition_endpoint(name, service, "statement", body, responses=responses, **kwargs)


class StatementViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Commission statements (提成单): one per rep, period and kind, written by the commission runs.

    ``draft → submitted`` (the rep's manager) ``→ approved`` (finance, never the submitter nor the rep)
    ``→ paid`` (finance, with the payment reference and date); ``submitted → rejected`` (finance, with a
    reason) ``→ draft`` (``reopen``, the manager). Approved and paid statements never change.
    """

    queryset = Statement.objects.none()
    serializer_class = StatementSerializer
    filterset_class = StatementFilter
    ordering_fields = ["period", "status", "payable_amount", "submitted_at"]

    def get_queryset(self):
        # the lines only where they are shown; an action reads them afresh in ``_fresh``
        if self.action == "retrieve":
            return statement_detail(self.request.user)
        return statement_list(self.request.user)

    def get_serializer_class(self):
        return StatementSerializer if self.action == "list" else StatementDetailSerializer

    def perform_content_negotiation(self, request, force=False):
        # ``?format=xlsx`` names the export's file format, not a DRF renderer; errors are JSON.
        if self.action == "export":
            return (JSONRenderer(), JSONRenderer.media_type)
        return super().perform_content_negotiation(request, force)

    def _fresh(self, statement) -> Response:
        fresh = statement_detail(self.request.user).get(pk=statement.pk)
        return Response(StatementDetailSerializer(fresh, context=self.get_serializer_context()).data)

    submit = _statement_action(
        "submit", statement_services.statement_submit, doc="draft → submitted (the rep's manager or an admin)."
    )
    approve = _statement_action(
        "approve",
        statement_services.statement_approve,
        doc="submitted → approved (finance or an admin; never its submitter nor its beneficiary).",
    )
    reject = _statement_action(
        "reject",
        statement_services.statement_reject,
        RejectInput,
        doc="submitted → rejected, with a reason (finance or an admin).",
    )
    reopen = _statement_action(
        "reopen",
        statement_services.statement_reopen,
        doc="rejected → draft (the rep's manager or an admin), for the next run to recompute.",
    )
    mark_paid = _statement_action(
        "mark_paid",
        statement_services.statement_mark_paid,
        MarkPaidInput,
        url_path="mark-paid",
        doc="approved → paid, with the bank's payment reference and the date (finance or an admin).",
    )

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="YYYY-MM"),
            OpenApiParameter("format", str, enum=["csv", "xlsx"], description="csv (default) or xlsx"),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, payouts.CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="Bad period or format."),
            403: OpenApiResponse(description="Only finance and administrators export payouts."),
        },
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def export(self, request):
        """The payout list for the bank: the period's ``paid`` statements as CSV or XLSX."""
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        period, file_format = query.validated_data["period"], query.validated_data["format"]
        status_wanted = query.validated_data["status"]
        content = payouts.payout_export(user=request.user, period=period, file_format=file_format, status=status_wanted)
        response = HttpResponse(content, content_type=payouts.CONTENT_TYPES[file_format])
        filename = payouts.export_filename(period, file_format, status_wanted)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(
        request=BatchPayInput,
        responses={
            200: StatementSerializer(many=True),
            400: OpenApiResponse(description="Bad period, reference or date, or nothing to pay (field errors)."),
            403: OpenApiResponse(description="Only finance and administrators pay."),
            409: OpenApiResponse(
                description="Some statements of the batch cannot be paid now: nothing was paid; `refused` lists "
                "each (`statement`, `rep`, `reason`)."
            ),
        },
        filters=False,
        operation_id="commission_statements_mark_paid_batch",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="mark-paid",
        url_name="mark-paid-batch",
        pagination_class=None,
        filterset_class=None,
    )
    def mark_paid_batch(self, request):
        """Mark the period's approved statements to pay (or the ``statements`` given among them) paid with
        one bank reference and date — all or nothing."""
        data = parse_input(BatchPayInput, request)
        paid = payouts.statements_mark_paid(
            actor=request.user,
            period=data["period"],
            payment_reference=data["payment_reference"],
            paid_on=data["paid_on"],
            statement_ids=data["statements"],
            comment=data["comment"],
        )
        fresh = statement_list(request.user).filter(pk__in=[statement.pk for statement in paid])
        return Response(StatementSerializer(fresh, many=True, context=self.get_serializer_context()).data)

    @bulk_route("approve", "commission_statements_approve_many")
    def approve_many(self, request):
        """Approve several submitted statements, each checked on its own (segregation of duties included):
        ``done`` lists the ids approved, ``refused`` each other id with the status and the reason."""
        return bulk_api_response(request, bulk.APPROVE_STATEMENTS)


router.register("commission-statements", StatementViewSet, basename="commission-statement")


# --- disputes --------------------------------------------------------------------------------------


class DisputeSerializer(ScopedModelSerializer):
    statement = serializers.IntegerField(source="line.statement_id", read_only=True)
    period = serializers.CharField(source="line.statement.period", read_only=True)
    step = serializers.CharField(source="line.step", read_only=True)
    line_description = serializers.CharField(source="line.text", read_only=True)
    line_amount = serializers.DecimalField(source="line.amount", **MONEY)
    expected_amount = serializers.DecimalField(**MONEY)
    adjustment_amount = serializers.SerializerMethodField(help_text=_("expected − line amount"))
    rep_name = UserNameField(source="rep")
    status = serializers.CharField(read_only=True, help_text=_("open, accepted or rejected"))
    answered_by_name = UserNameField(source="answered_by", allow_null=True)
    adjustment_statement = serializers.IntegerField(
        source="adjustment_line.statement_id",
        read_only=True,
        default=None,
        allow_null=True,
        help_text=_("The statement that holds the adjustment line of an accepted dispute (once added)."),
    )
    allowed_actions = serializers.SerializerMethodField(help_text=_("`accept` and `reject` for the one who answers."))

    class Meta:
        model = Dispute
        fields = [
            "id",
            "statement",
            "period",
            "line",
            "step",
            "line_description",
            "line_amount",
            "expected_amount",
            "adjustment_amount",
            "justification",
            "rep",
            "rep_name",
            "status",
            "answer",
            "answered_by",
            "answered_by_name",
            "answered_at",
            "adjustment_line",
            "adjustment_statement",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_adjustment_amount(self, dispute) -> str:
        return f"{dispute_services.adjustment_of(dispute):.2f}"

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, dispute) -> list[str]:
        user = self.context["request"].user
        return ["accept", "reject"] if can_answer(user, dispute) else []


class DisputeInput(serializers.Serializer):
    line = ScopedPrimaryKeyRelatedField(queryset=StatementLine.objects.none(), help_text=_("The line's ID."))
    expected_amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("The amount you expected."))
    justification = serializers.CharField(max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # hidden means hidden: a line out of scope "does not exist"
            self.fields["line"].queryset = visible_lines(request.user)


class AcceptInput(serializers.Serializer):
    answer = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RejectDisputeInput(serializers.Serializer):
    answer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=4000, help_text=_("Why (required).")
    )


def _dispute_action(name: str, service, body, **kwargs):
    responses = {200: DisputeSerializer, **ACTION_RESPONSES}
    return transition_endpoint(name, service, "dispute", body, responses=responses, **kwargs)


class DisputeViewSet(
    mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """Disputes (申诉): a rep disagrees with one line of a submitted or approved statement.

    The rep opens one (POST: ``line``, ``expected_amount``, ``justification``); the rep's manager (or an
    admin) accepts or rejects it with an answer. An accepted dispute becomes an adjustment line
    (expected − line amount) in the rep's next open statement; the disputed statement never changes.
    """

    queryset = Dispute.objects.none()
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilter
    ordering_fields = ["created_at", "status"]

    def get_queryset(self):
        return dispute_list(self.request.user)

    def _fresh(self, dispute, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=dispute.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        request=DisputeInput,
        responses={201: DisputeSerializer, **ACTION_RESPONSES},
    )
    def create(self, request, *args, **kwargs):
        """Dispute a line of your own submitted or approved statement."""
        serializer = DisputeInput(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        dispute = dispute_services.dispute_open(actor=request.user, **serializer.validated_data)
        return self._fresh(dispute, status.HTTP_201_CREATED)

    accept = _dispute_action(
        "accept",
        dispute_services.dispute_accept,
        AcceptInput,
        doc="open → accepted: the difference goes into the rep's next open statement.",
    )
    reject = _dispute_action(
        "reject", dispute_services.dispute_reject, RejectDisputeInput, doc="open → rejected, with an answer."
    )


router.register("disputes", DisputeViewSet, basename="dispute")

urlpatterns: list = []
