"""Terminals' 80/20 and distribution coverage in the API (SPEC §16):

* ``terminals/pareto/?quarter=YYYY-Qn&dealer=ID`` (or ``&territory=ID``; neither: every terminal the user sees) —
  ``inventory.selectors.pareto``: the terminals with their sell-out in the quarter, share and cumulative share,
  largest first, and whether the 80/20 pass makes them key. A dealer out of scope (or unknown) is a 404, a bad
  quarter a 400 naming ``quarter``;
* ``POST terminals/pareto/run/ {"quarter": "2026-Q3"}`` — ``inventory.services.terminals.key_account_pass`` on
  demand (channel managers — their territories' distributors — and admins; anyone else 403): the counts;
* ``coverage/?territory=ID&period=YYYY-MM&product_line=ID`` — 铺货率 per child territory of ``territory`` (default:
  the user's territories; finance and admins, or anyone covering none, the root) and product line:
  terminals with stock or sell-out of the line in the month ÷ active terminals × 100
  (``inventory.selectors.coverage_table``). An unknown territory is a 404.

Money and rates are strings with two decimals; a rate without a divisor is null.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from channelhub.periods import Month
from channelhub.scoping import get_scoped_or_404, territory_paths
from inventory import policies, selectors
from inventory.api.reports import invalid_pk
from inventory.services.terminals import key_account_pass
from partners.models import Dealer, ProductLine, Territory
from rebates.periods import RebatePeriod

MONEY = {"max_digits": 16, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 2}


def quarter_of(text: str, *, field: str = "quarter") -> RebatePeriod:
    """``YYYY-Qn`` (a year alone is not a quarter): else a 400 naming ``field``."""
    message = _("Enter a quarter as YYYY-Qn, e.g. 2026-Q3.")
    try:
        quarter = RebatePeriod.parse(text)
    except DjangoValidationError:
        raise ValidationError({field: [message]}) from None
    if quarter.is_year:
        raise ValidationError({field: [message]})
    return quarter


def _money(value) -> str:
    return f"{value:.2f}"


def _rate(value) -> str | None:
    return None if value is None else f"{value:.2f}"


# --- 80/20 ---------------------------------------------------------------------------------------------------


class ParetoQuery(serializers.Serializer):
    quarter = serializers.CharField(max_length=10, help_text="YYYY-Qn, e.g. 2026-Q3")
    dealer = serializers.IntegerField(
        required=False, min_value=1, help_text=gettext_lazy("A distributor's ID: the terminals that buy from it.")
    )
    territory = serializers.IntegerField(
        required=False, min_value=1, help_text=gettext_lazy("A territory's ID: the terminals in its subtree.")
    )


class ParetoRowSerializer(serializers.Serializer):
    dealer_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    amount = serializers.DecimalField(help_text=gettext_lazy("Sell-out in the quarter (at cost)."), **MONEY)
    share = serializers.DecimalField(allow_null=True, help_text=gettext_lazy("Share of the total (%)."), **RATE)
    cumulative = serializers.DecimalField(
        allow_null=True,
        help_text=gettext_lazy("Share of the total (%), this terminal and the larger ones together."),
        **RATE,
    )
    key = serializers.BooleanField(help_text=gettext_lazy("In the smallest set that makes 80 % (ties taken in)."))
    is_key_account = serializers.BooleanField(help_text=gettext_lazy("The flag as it is stored."))
    pinned = serializers.BooleanField(help_text=gettext_lazy("Set by hand: the pass leaves it."))


class ParetoSerializer(serializers.Serializer):
    quarter = serializers.CharField()
    dealer = serializers.IntegerField(allow_null=True)
    territory = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(**MONEY)
    key_terminals = serializers.IntegerField()
    rows = ParetoRowSerializer(many=True)


class ParetoRunInput(serializers.Serializer):
    # read after the role (403 before 400)
    quarter = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10, help_text="YYYY-Qn, e.g. 2026-Q3"
    )


PARETO_RUN = inline_serializer(
    "KeyAccountPass",
    {
        "quarter": serializers.CharField(),
        "distributors": serializers.IntegerField(),
        "terminals": serializers.IntegerField(),
        "marked": serializers.IntegerField(help_text=gettext_lazy("Terminals made key accounts.")),
        "unmarked": serializers.IntegerField(help_text=gettext_lazy("Terminals no longer key accounts.")),
        "pinned": serializers.IntegerField(help_text=gettext_lazy("Terminals left as set by hand.")),
    },
)


class TerminalViewSet(viewsets.GenericViewSet):
    """Terminals (retail terminals buying from a distributor) and the quarterly 80/20 of their sell-out."""

    queryset = Dealer.objects.none()
    serializer_class = ParetoSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[ParetoQuery],
        responses={
            200: ParetoSerializer,
            400: OpenApiResponse(description="A bad quarter (field errors)."),
            404: OpenApiResponse(description="The dealer or territory is unknown or out of scope."),
        },
    )
    @action(detail=False, methods=["get"])
    def pareto(self, request):
        """The terminals of a distributor (``dealer``) or a territory the user sees, with their sell-out in the
        quarter, largest first: ``share`` and ``cumulative`` in % of the total, ``key`` for the smallest set that
        makes 80 % of it (terminals that tie the last one taken in too), the stored ``is_key_account`` and whether
        it is ``pinned`` by hand."""
        query = serializers_data(ParetoQuery, request.query_params)
        quarter = quarter_of(query["quarter"])
        dealer = territory = None
        if query.get("dealer") is not None:
            dealer = get_scoped_or_404(request.user, Dealer, pk=query["dealer"])
        if query.get("territory") is not None:
            territory = Territory.objects.filter(pk=query["territory"]).first()
            if territory is None:
                raise Http404
        rows = selectors.pareto(request.user, quarter, distributor=dealer, territory=territory)
        total = sum((row.amount for row in rows), selectors.ZERO)
        body = {
            "quarter": str(quarter),
            "dealer": dealer.pk if dealer else None,
            "territory": territory.pk if territory else None,
            "total": _money(total),
            "key_terminals": sum(1 for row in rows if row.key),
            "rows": [
                {
                    "dealer_id": row.dealer_id,
                    "code": row.code,
                    "name": row.name,
                    "amount": _money(row.amount),
                    "share": _rate(row.share),
                    "cumulative": _rate(row.cumulative),
                    "key": row.key,
                    "is_key_account": row.is_key_account,
                    "pinned": row.pinned,
                }
                for row in rows
            ],
        }
        return Response(body)

    @extend_schema(
        request=ParetoRunInput,
        responses={
            200: PARETO_RUN,
            400: OpenApiResponse(description="A bad quarter, or one that has not begun (field errors)."),
            403: OpenApiResponse(description="Only channel managers and admins run the 80/20 pass."),
        },
    )
    @action(detail=False, methods=["post"], url_path="pareto/run", url_name="pareto-run")
    def pareto_run(self, request):
        """Run the 80/20 pass of ``quarter`` now: each distributor's key terminals are marked
        (``is_key_account``), the others unmarked, pinned ones left alone. A manager's pass covers the
        distributors of their territories."""
        policies.require(
            policies.may_run_pareto(request.user), _("Only channel managers and admins run the 80/20 pass.")
        )
        data = parse_input(ParetoRunInput, request)
        quarter = quarter_of(data["quarter"])
        if quarter.first_day > timezone.localdate():
            raise ValidationError({"quarter": [_("%(quarter)s has not begun yet.") % {"quarter": quarter}]})
        result = key_account_pass(quarter, actor=request.user)
        return Response(
            {
                "quarter": result.quarter,
                "distributors": result.distributors,
                "terminals": result.terminals,
                "marked": result.marked,
                "unmarked": result.unmarked,
                "pinned": result.pinned,
            }
        )


def serializers_data(serializer_class, data) -> dict:
    """The validated query parameters (a 400 with field errors when they are bad)."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- distribution coverage -----------------------------------------------------------------------------------


class CoverageQuery(serializers.Serializer):
    territory = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "A territory's ID: a row per child territory (a territory without children: itself). Default: the "
            "user's territories (finance and admins: the root)."
        ),
    )
    period = serializers.CharField(
        required=False, max_length=7, help_text=gettext_lazy("YYYY-MM; default: the latest month reported.")
    )
    product_line = serializers.IntegerField(
        required=False, min_value=1, help_text=gettext_lazy("A product line's ID; default: every line.")
    )


class CoverageRowSerializer(serializers.Serializer):
    territory = serializers.IntegerField()
    territory_code = serializers.CharField()
    territory_name = serializers.CharField()
    product_line = serializers.IntegerField()
    product_line_code = serializers.CharField()
    covered = serializers.IntegerField(help_text=gettext_lazy("Active terminals with stock or sell-out of the line."))
    active = serializers.IntegerField(help_text=gettext_lazy("Active terminals."))
    rate = serializers.DecimalField(allow_null=True, help_text=gettext_lazy("covered ÷ active × 100"), **RATE)


class CoverageSerializer(serializers.Serializer):
    period = serializers.CharField()
    territory = serializers.IntegerField(allow_null=True)
    rows = CoverageRowSerializer(many=True)


def coverage_parents(user, territory: Territory | None) -> list[Territory]:
    """The territories whose children make the rows: the one given; else the user's own (the outermost of
    them); finance, admins and anyone covering none: the roots."""
    if territory is not None:
        return [territory]
    paths = () if policies.sees_all(user) else territory_paths(user)
    outermost = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    if outermost:
        return list(Territory.objects.filter(path__in=outermost).order_by("path"))
    return list(Territory.objects.filter(parent__isnull=True).order_by("path"))


def coverage_rows(parents: list[Territory]) -> list[Territory]:
    """Each parent's children in path order (a parent without children stands for itself) — one query."""
    children = list(Territory.objects.filter(parent__in=parents).order_by("path"))
    with_children = {child.parent_id for child in children}
    rows = []
    for parent in parents:
        rows.extend(child for child in children if child.parent_id == parent.pk)
        if parent.pk not in with_children:
            rows.append(parent)
    return rows


class CoverageView(APIView):
    """Distribution coverage (铺货率, SPEC §16) by territory and product line for a month (a view of its own, not a
    viewset's ``list``: the answer is one object, not a page of rows)."""

    @extend_schema(
        parameters=[CoverageQuery],
        responses={
            200: CoverageSerializer,
            400: OpenApiResponse(description="A bad period or product line (field errors)."),
            404: OpenApiResponse(description="The territory is unknown."),
        },
    )
    def get(self, request):
        """Per child territory and product line: the active terminals the user sees there (``active``), those
        with stock at the month's end or sell-out in it (``covered``), and ``rate`` = covered ÷ active × 100
        (null without active terminals)."""
        query = serializers_data(CoverageQuery, request.query_params)
        user = request.user
        territory = None
        if query.get("territory") is not None:
            territory = Territory.objects.filter(pk=query["territory"]).first()
            if territory is None:
                raise Http404
        if query.get("period"):
            try:
                period = str(Month.parse(query["period"]))
            except DjangoValidationError as error:
                raise ValidationError({"period": error.messages}) from None
        else:
            period = selectors.latest_period(user) or str(Month.current())
        lines = ProductLine.objects.order_by("code")
        if query.get("product_line") is not None:
            lines = lines.filter(pk=query["product_line"])
        lines = list(lines)
        if query.get("product_line") is not None and not lines:
            raise ValidationError({"product_line": [invalid_pk(query["product_line"])]})
        territories = coverage_rows(coverage_parents(user, territory))
        table = selectors.coverage_table(user, period, territories, lines)
        rows = [
            {
                "territory": place.pk,
                "territory_code": place.code,
                "territory_name": place.name,
                "product_line": line.pk,
                "product_line_code": line.code,
                "covered": table[(place.pk, line.pk)].covered,
                "active": table[(place.pk, line.pk)].active,
                "rate": _rate(table[(place.pk, line.pk)].rate),
            }
            for place in territories
            for line in lines
        ]
        return Response({"period": period, "territory": territory.pk if territory else None, "rows": rows})


router.register("terminals", TerminalViewSet, basename="terminal")

#: Views that are not viewsets; ``channelhub.api.urls`` mounts them beside the router's.
urlpatterns = [path("coverage/", CoverageView.as_view(), name="coverage")]
