"""REST API for rebate programs (返利政策, SPEC §8, §15): ``/api/v1/rebate-programs/``.

Every signed-in role reads the programs (reference data: an agreement names one). Finance and administrators
create one (POST) and change it (PUT/PATCH) with its ``tiers`` and ``product_lines`` (codes) in one request,
through ``rebates.services.programs`` (all or nothing; a bad band is a 400 naming it). There is no DELETE:
settlements and agreements point to a program; ``is_active: false`` takes it out of use for new agreements.
Rates and attainments are strings with two decimals.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from channelhub.api.fields import ScopedModelSerializer, ScopedSlugRelatedField
from channelhub.api.router import router
from channelhub.scoping import scope
from partners.models import ProductLine
from rebates import policies
from rebates.filters import ProgramFilter
from rebates.models import RebateProgram, RebateTier
from rebates.selectors import program_list
from rebates.services import programs as program_services

WRITE_RESPONSES = {
    400: OpenApiResponse(
        description="Bad input (field errors): bands (`tiers`, naming the band), rates, a name in use."
    ),
    403: OpenApiResponse(description="Only finance and administrators set up rebate programs."),
}


def _percent(**kwargs) -> serializers.DecimalField:
    # ranges and order are the service's checks, whose refusals name the band
    return serializers.DecimalField(max_digits=5, decimal_places=2, **kwargs)


class RebateTierSerializer(ScopedModelSerializer):
    from_attainment = _percent(
        help_text=gettext_lazy("Where the band starts, in per cent of the prorated target; the first band starts at 0.")
    )
    rate = _percent(
        help_text=gettext_lazy("The rebate, in per cent of the whole basis, once the band is reached (0–100).")
    )

    class Meta:
        model = RebateTier
        fields = ["from_attainment", "rate"]


class RebateProgramSerializer(ScopedModelSerializer):
    """A program with its bands and product lines. Writing ``tiers`` or ``product_lines`` replaces them all;
    leaving one out keeps it as it is."""

    tiers = RebateTierSerializer(
        many=True,
        help_text=gettext_lazy("Bands, ascending from 0 %: each from its edge up to the next band's."),
    )
    product_lines = ScopedSlugRelatedField(
        slug_field="code",
        queryset=ProductLine.objects.all(),
        many=True,
        required=False,
        help_text=gettext_lazy("Codes of the product lines whose sales count; empty: every line."),
    )
    min_collection_rate = _percent(
        required=False, allow_null=True, help_text=gettext_lazy("Collection rate % below which nothing is paid.")
    )
    conflict_penalty = _percent(
        required=False, help_text=gettext_lazy("Per cent of the rebate forfeited per flagged cross-territory sale.")
    )

    class Meta:
        model = RebateProgram
        fields = [
            "id",
            *program_services.PROGRAM_FIELDS,
            "tiers",
            "product_lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        # a name in use: the service's full_clean says which (RebateProgram.unique_error_message)
        extra_kwargs = {"name": {"validators": []}}


class RebateProgramViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Rebate programs: the basis (``sell_in`` or ``collections``), the ``frequency`` (``quarterly`` or
    ``annual``), the bands on attainment, the product lines, the collection gate, the penalty per flagged
    cross-territory sale and the ``payout`` (``credit_note`` or ``cash``).

    Everyone reads; finance and administrators create (POST) and change (PUT/PATCH) a program with its ``tiers``
    and ``product_lines`` in one request. A program in use may change: approved and paid settlements keep their
    figures, the next runs use the new terms; its ``frequency`` is fixed once it has settlements. Filters:
    ``name`` (contains), ``basis``, ``frequency``, ``payout``, ``is_active``, ``product_line`` (code: the
    programs that pay on it, including those for every line).
    """

    queryset = RebateProgram.objects.all()
    serializer_class = RebateProgramSerializer
    filterset_class = ProgramFilter
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return scope(self.request.user, program_list())

    def _validated(self, request, instance=None, partial=False) -> dict:
        # the role before the input: a role that may not set programs up learns nothing from the checks
        policies.require(
            policies.may_manage_programs(request.user), _("Only finance and administrators set up rebate programs.")
        )
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "tiers" in data:
            data["tiers"] = [dict(row) for row in data["tiers"]]
        return data

    def _fresh(self, program, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=program.pk)).data, status=code)

    @extend_schema(responses={201: RebateProgramSerializer, **WRITE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """A new program with its bands and product lines (finance and administrators)."""
        data = self._validated(request)
        program = program_services.program_create(actor=request.user, **data)
        return self._fresh(program, status.HTTP_201_CREATED)

    @extend_schema(responses={200: RebateProgramSerializer, **WRITE_RESPONSES})
    def update(self, request, *args, **kwargs):
        """Change a program (finance and administrators); ``tiers`` / ``product_lines``, when sent, replace them."""
        program = self.get_object()
        data = self._validated(request, program, partial=kwargs.get("partial", False))
        program = program_services.program_update(actor=request.user, program=program, **data)
        return self._fresh(program)


router.register("rebate-programs", RebateProgramViewSet, basename="rebate-program")
