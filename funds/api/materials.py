"""Promotional materials in the API (SPEC §14): ``materials/``, ``material-issues/``, ``material-counts/``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets

from channelhub.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, UserNameField
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedMixin, ScopedViewSet
from channelhub.scoping import scope
from funds import policies
from funds.filters import MaterialCountFilter, MaterialFilter, MaterialIssueFilter
from funds.models import FundRequest, Material, MaterialCount, MaterialIssue
from funds.services import materials as material_services
from partners.models import Dealer

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


router.register("materials", MaterialViewSet, basename="material")
router.register("material-issues", MaterialIssueViewSet, basename="material-issue")
router.register("material-counts", MaterialCountViewSet, basename="material-count")
