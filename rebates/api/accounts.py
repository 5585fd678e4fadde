"""Dealer accounts in the API (SPEC §15): ``dealer-accounts/{dealer_id}/?period=YYYY-MM`` (the statement of
account: each figure with the address of its rows in the API, the memo, the aging at the month's end, the month's
rows) and ``aging/`` (per dealer, the receivable by days past due; filters ``territory`` — its subtree —,
``dealer``, ``min_overdue``, ``as_of``; paginated, with the totals of every page's filter). Read through
``rebates.accounts``; a dealer out of scope is a 404, a bad ``period`` or filter a 400 naming the field."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channelhub.api.pagination import PageNumberPagination
from channelhub.api.router import router
from channelhub.roles import require_role
from channelhub.scoping import get_scoped_or_404
from partners.models import Dealer
from rebates import accounts
from rebates.account_filters import AgingFilterForm, month_of
from rebates.account_links import statement_links
from rebates.accounts_registry import READERS

MONEY = {"max_digits": 16, "decimal_places": 2}


class FigureSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    rows_url = serializers.CharField(allow_null=True, help_text=gettext_lazy("The API list of the figure's rows."))


class AgingSerializer(serializers.Serializer):
    as_of = serializers.DateField(source="day")
    receivable = serializers.DecimalField(**MONEY)
    current = serializers.DecimalField(**MONEY)
    days_1_30 = serializers.DecimalField(**MONEY)
    days_31_60 = serializers.DecimalField(**MONEY)
    days_61_90 = serializers.DecimalField(**MONEY)
    over_90 = serializers.DecimalField(**MONEY)
    overdue = serializers.DecimalField(**MONEY)
    credit_balance = serializers.DecimalField(**MONEY)
    oldest_due = serializers.DateField(allow_null=True)


def _row(fields: dict) -> serializers.Serializer:
    return inline_serializer(name=fields.pop("_name"), fields=fields, many=True)


class AccountStatementSerializer(serializers.Serializer):
    """The answer of ``dealer-accounts/{dealer_id}/``."""

    dealer = serializers.IntegerField()
    dealer_code = serializers.CharField()
    dealer_name = serializers.CharField()
    credit_limit = serializers.DecimalField(**MONEY)
    period = serializers.CharField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    opening = FigureSerializer()
    sales = FigureSerializer(help_text=gettext_lazy("Net: invoices less credit notes."))
    credit_notes = FigureSerializer()
    collections = FigureSerializer()
    rebates_credited = FigureSerializer()
    fund_settlements = FigureSerializer()
    closing = FigureSerializer()
    memo = inline_serializer(
        name="StatementMemo",
        fields={
            name: FigureSerializer()
            for name in ("rebates_cash", "deposit_received", "deposit_deducted", "deposit_refunded", "deposit_balance")
        },
    )
    aging = AgingSerializer()
    rows = inline_serializer(
        name="StatementRows",
        fields={
            "sales": _row(
                {
                    "_name": "StatementSale",
                    "id": serializers.IntegerField(),
                    "date": serializers.DateField(),
                    "reference": serializers.CharField(),
                    "amount": serializers.DecimalField(**MONEY),
                    "note": serializers.CharField(),
                    "over_credit": serializers.BooleanField(),
                    "channel_conflict": serializers.BooleanField(),
                }
            ),
            "collections": _row(
                {
                    "_name": "StatementCollection",
                    "id": serializers.IntegerField(),
                    "date": serializers.DateField(),
                    "reference": serializers.CharField(),
                    "amount": serializers.DecimalField(**MONEY),
                    "note": serializers.CharField(),
                }
            ),
            "rebates": _row(
                {
                    "_name": "StatementRebate",
                    "id": serializers.IntegerField(),
                    "program": serializers.CharField(),
                    "payout": serializers.CharField(),
                    "period": serializers.CharField(),
                    "credited_on": serializers.DateField(),
                    "paid_on": serializers.DateField(allow_null=True),
                    "payment_reference": serializers.CharField(),
                    "net_amount": serializers.DecimalField(**MONEY),
                }
            ),
            "fund_settlements": _row(
                {
                    "_name": "StatementFundSettlement",
                    "id": serializers.IntegerField(),
                    "request_id": serializers.IntegerField(),
                    "number": serializers.CharField(),
                    "title": serializers.CharField(),
                    "settled_on": serializers.DateField(),
                    "settled_amount": serializers.DecimalField(**MONEY),
                }
            ),
            "deposit": _row(
                {
                    "_name": "StatementDepositEntry",
                    "id": serializers.IntegerField(),
                    "kind": serializers.CharField(),
                    "date": serializers.DateField(),
                    "amount": serializers.DecimalField(**MONEY),
                }
            ),
        },
    )


class AgingRowSerializer(AgingSerializer):
    dealer = serializers.IntegerField(source="dealer_id")
    dealer_code = serializers.CharField()
    dealer_name = serializers.CharField()
    territory = serializers.IntegerField(source="territory_id")
    territory_name = serializers.CharField()
    account_url = serializers.CharField()


def _money(value) -> str:
    return f"{value:.2f}"


def _figure(amount, url) -> dict:
    return {"amount": _money(amount), "rows_url": url}


def _aging_data(aging: accounts.Aging) -> dict:
    return {
        "as_of": aging.day,
        "receivable": _money(aging.receivable),
        **{key: _money(aging.buckets[key]) for key in accounts.BUCKET_KEYS},
        "overdue": _money(aging.overdue),
        "credit_balance": _money(aging.credit_balance),
        "oldest_due": aging.oldest_due,
    }


def statement_data(request, dealer: Dealer, statement: accounts.Statement, aging: accounts.Aging) -> dict:
    def absolute(url):
        return request.build_absolute_uri(url) if url else None

    links = {key: absolute(url) for key, url in statement_links(dealer.pk, statement.month, api=True).items()}
    deposit = statement.deposit
    rows = statement.rows
    return {
        "dealer": dealer.pk,
        "dealer_code": dealer.code,
        "dealer_name": dealer.name,
        "credit_limit": _money(dealer.credit_limit),
        "period": str(statement.month),
        "first_day": statement.first_day,
        "last_day": statement.last_day,
        "opening": _figure(statement.opening, links["opening"]),
        "sales": _figure(statement.sales, links["sales"]),
        "credit_notes": _figure(statement.credit_notes, links["credit_notes"]),
        "collections": _figure(statement.collections, links["collections"]),
        "rebates_credited": _figure(statement.rebates_credited, links["rebates_credited"]),
        "fund_settlements": _figure(statement.fund_settlements, links["fund_settlements"]),
        "closing": _figure(statement.closing, links["closing"]),
        "memo": {
            "rebates_cash": _figure(statement.rebates_cash, links["rebates_cash"]),
            **{
                f"deposit_{key}": _figure(deposit[key], links["deposit"])
                for key in ("received", "deducted", "refunded")
            },
            "deposit_balance": _figure(deposit["balance"], links["deposit"]),
        },
        "aging": _aging_data(aging),
        "rows": {
            "sales": [{**sale, "amount": _money(sale["amount"])} for sale in rows["sales"]],
            "collections": [{**row, "amount": _money(row["amount"])} for row in rows["collections"]],
            "rebates": [
                {
                    "id": settlement.pk,
                    "program": settlement.program.name,
                    "payout": settlement.program.payout,
                    "period": settlement.period,
                    "credited_on": settlement.period_end,
                    "paid_on": settlement.paid_on,
                    "payment_reference": settlement.payment_reference,
                    "net_amount": _money(settlement.net_amount),
                }
                for settlement in rows["rebates"]
            ],
            "fund_settlements": [
                {**claim, "settled_amount": _money(claim["settled_amount"])} for claim in rows["fund_settlements"]
            ],
            "deposit": [
                {"id": entry.pk, "kind": entry.kind, "date": entry.date, "amount": _money(entry.amount)}
                for entry in deposit["entries"]
            ],
        },
    }


class DealerAccountViewSet(viewsets.ViewSet):
    """往来账 (SPEC §15): a dealer's statement of account of a month (``dealer-accounts/{dealer_id}/``)."""

    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The dealer's ID."),
            OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM (this month when absent)."),
        ],
        responses=AccountStatementSerializer,
    )
    def retrieve(self, request, pk=None):
        """The statement of account of ``period``: opening balance, sales, collections, rebates credited, fund
        settlements payable, closing balance — each with ``rows_url``, the API list of its rows —, the memo
        (rebates paid in cash, the deposit's movements and balance), the aging at the month's end (today for
        this month) and the month's rows."""
        require_role(request.user, *READERS)
        dealer = get_scoped_or_404(request.user, Dealer, pk=pk)
        month = month_of(request.query_params.get("period"))
        statement = accounts.statement_of_account(dealer.pk, month)
        aging = accounts.dealer_aging(dealer.pk, min(month.last_day, timezone.localdate()))
        return Response(statement_data(request, dealer, statement, aging))


class AgingViewSet(viewsets.GenericViewSet):
    """账龄 (SPEC §15): per dealer the user sees that owes something (or holds a credit balance), the receivable
    by days past due, oldest invoices paid first."""

    pagination_class = PageNumberPagination
    serializer_class = AgingRowSerializer
    queryset = Dealer.objects.none()  # the schema's model; the rows are ``rebates.accounts.aging_report``'s

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "territory", OpenApiTypes.INT, description="A territory's ID: the dealers of its subtree."
            ),
            OpenApiParameter("dealer", OpenApiTypes.INT, description="One dealer's ID."),
            OpenApiParameter("min_overdue", OpenApiTypes.DECIMAL, description="Past due at least this much."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="The day of the aging (today when absent)."),
        ],
    )
    def list(self, request):
        """The dealers by territory path and code, each with ``receivable``, the buckets (``current``,
        ``days_1_30``, ``days_31_60``, ``days_61_90``, ``over_90``), ``overdue`` and ``credit_balance``."""
        require_role(request.user, *READERS)
        form = AgingFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        report = accounts.aging_report(request.user, **form.report_arguments())
        page = self.paginate_queryset(report["rows"])
        data = [
            {
                **_aging_data(row.aging),
                "dealer": row.dealer.pk,
                "dealer_code": row.dealer.code,
                "dealer_name": row.dealer.name,
                "territory": row.group.pk,
                "territory_name": row.group.name,
                "account_url": request.build_absolute_uri(reverse("dealer-account-detail", args=[row.dealer.pk])),
            }
            for row in page
        ]
        response = self.get_paginated_response(data)
        response.data["totals"] = {key: _money(value) for key, value in report["totals"].items()}
        return response


router.register("dealer-accounts", DealerAccountViewSet, basename="dealer-account")
router.register("aging", AgingViewSet, basename="aging")
