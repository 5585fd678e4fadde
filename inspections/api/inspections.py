"""Checklist templates, inspections and their item results in the API (SPEC §8, §17).

* ``checklist-templates/``: read for every role, with the items (their texts in the reader's language);
* ``inspections/``: list, detail (the results with their photos, and the actions the user may take now),
  ``POST`` = plan one, ``POST inspections/sample/`` = a mystery sample, ``POST …/{id}/results/`` (one item or a
  list, all or nothing), ``…/complete/`` and ``…/review/``;
* ``inspection-results/{id}/`` and its ``attachments/`` (the photos of a failed item: upload them, then save the
  item as failed).

Reads go through ``inspections.selectors`` (out of scope is a 404 and absent from lists: a rep never learns of a
planned mystery inspection), writes through ``inspections.services``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from channelhub.api.actions import ACTION_RESPONSES, transition_endpoint
from channelhub.api.fields import UserNameField
from channelhub.api.inputs import parse_input
from channelhub.api.router import router
from channelhub.errors import RowErrors
from channelhub.scoping import scope
from evidence.api import AttachmentSerializer, attachments_endpoint
from evidence.selectors import attachments_for, attachments_of
from inspections import policies, selectors
from inspections.api.fields import (
    CREATE_RESPONSES,
    ID_OR_CODE,
    StaffUserField,
    TemplateField,
    TerritoryField,
)
from inspections.api.filters import InspectionFilter
from inspections.models import ChecklistItem, ChecklistTemplate, Inspection, InspectionResult
from inspections.services import inspections as services
from inspections.texts import item_text, template_name
from partners.models import Dealer

MONEY = {"max_digits": 12, "decimal_places": 2}
#: Items one ``results`` request may carry (a template has a few dozen at most).
MAX_RESULTS = 200


# --- checklist templates -------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField()
    product_line = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "code", "text", "kind", "weight", "requires_photo", "critical", "product_line", "position"]
        read_only_fields = fields

    def get_text(self, item) -> str:
        return item_text(item)


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "is_active", "items"]
        read_only_fields = fields

    def get_name(self, template) -> str:
        return template_name(template)


class ChecklistTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Checklist templates (检查表, SPEC §17) with their weighted items; every role reads them. A ``price`` item
    names its product line (the minimum price is on the dealer's agreement). Filters: ``is_active``, ``code``."""

    queryset = ChecklistTemplate.objects.none()
    serializer_class = ChecklistTemplateSerializer
    filterset_fields = ["is_active", "code"]

    def get_queryset(self):
        items = ChecklistItem.objects.select_related("product_line").order_by("position", "pk")
        return scope(self.request.user, ChecklistTemplate).prefetch_related(Prefetch("items", queryset=items))


# --- inspections: what they look like ---------------------------------------------------------------------


class InspectionResultSerializer(serializers.ModelSerializer):
    """One item of an inspection: the item as the template says it, and what the inspector recorded."""

    item_code = serializers.CharField(source="item.code", read_only=True)
    item_text = serializers.SerializerMethodField()
    kind = serializers.CharField(source="item.kind", read_only=True)
    weight = serializers.DecimalField(source="item.weight", max_digits=5, decimal_places=2, read_only=True)
    critical = serializers.BooleanField(source="item.critical", read_only=True)
    requires_photo = serializers.BooleanField(source="item.requires_photo", read_only=True)
    product_line = serializers.CharField(source="item.product_line.code", read_only=True, allow_null=True, default=None)
    # "" while unanswered: said here, a read-only field's generated choices would leave it out
    result = serializers.ChoiceField(choices=InspectionResult.Result.choices, allow_blank=True, read_only=True)
    photo_flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = InspectionResult
        fields = [
            "id",
            "inspection",
            "item",
            "item_code",
            "item_text",
            "kind",
            "weight",
            "critical",
            "requires_photo",
            "product_line",
            "result",
            "note",
            "observed_price",
            "min_price",
            "price_violation",
            "photo_flags",
            "answered_by",
            "answered_at",
            "attachments",
        ]
        read_only_fields = fields

    def get_item_text(self, result) -> str:
        return item_text(result.item)

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, result) -> list:
        """The result's photos: from the context's ``attachments`` (all results' files read at once) or read
        for this one result."""
        found = self.context.get("attachments")
        files = found.get(result.pk, []) if found is not None else attachments_of(result)
        return AttachmentSerializer(files, many=True, context=self.context).data


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection as lists show it (``selectors.inspection_list`` joins what it names: no query a row)."""

    dealer_code = serializers.CharField(source="dealer.code", read_only=True)
    dealer_name = serializers.CharField(source="dealer.name", read_only=True)
    territory = serializers.IntegerField(source="dealer.territory_id", read_only=True)
    territory_name = serializers.CharField(source="dealer.territory.name", read_only=True)
    template_code = serializers.CharField(source="template.code", read_only=True)
    template_name = serializers.SerializerMethodField()
    inspector_name = UserNameField(source="inspector")
    actions = serializers.SerializerMethodField(
        help_text=gettext_lazy("What the requesting user may do now: `results`, `complete`, `review`.")
    )

    class Meta:
        model = Inspection
        fields = [
            "id",
            "dealer",
            "dealer_code",
            "dealer_name",
            "territory",
            "territory_name",
            "template",
            "template_code",
            "template_name",
            "kind",
            "inspector",
            "inspector_name",
            "planned_on",
            "done_at",
            "score",
            "price_violation",
            "critical_failed",
            "sample_seed",
            "status",
            "actions",
        ]
        read_only_fields = fields

    def get_template_name(self, inspection) -> str:
        return template_name(inspection.template)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, inspection) -> list[str]:
        return policies.inspection_actions(self.context["request"].user, inspection)


class InspectionDetailSerializer(InspectionSerializer):
    """An inspection with its results (each with its photos) — three queries whatever the number of items: the
    inspection, its results, their photos."""

    created_by_name = UserNameField(source="created_by", allow_null=True)
    reviewed_by_name = UserNameField(source="reviewed_by", allow_null=True)
    results = serializers.SerializerMethodField()

    class Meta(InspectionSerializer.Meta):
        fields = [
            *InspectionSerializer.Meta.fields,
            "latitude",
            "longitude",
            "created_by",
            "created_by_name",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
            "review_note",
            "created_at",
            "updated_at",
            "results",
        ]
        read_only_fields = fields

    @extend_schema_field(InspectionResultSerializer(many=True))
    def get_results(self, inspection) -> list:
        results = selectors.inspection_results(inspection)
        context = {**self.context, "attachments": attachments_for(InspectionResult, [r.pk for r in results])}
        return InspectionResultSerializer(results, many=True, context=context).data


# --- inspections: what a client sends ---------------------------------------------------------------------


class DirectoryDealerField(serializers.PrimaryKeyRelatedField):
    """A dealer the requesting user may look up (``partners.selectors.directory_dealers``: an inspector's
    territories' too); any other ID reads as unknown."""

    def get_queryset(self):
        from partners.selectors import directory_dealers

        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return Dealer.objects.none()
        return directory_dealers(user)


class InspectionPlanInput(serializers.Serializer):
    dealer = DirectoryDealerField(queryset=Dealer.objects.all(), help_text=gettext_lazy("The dealer's ID."))
    template = TemplateField(help_text=gettext_lazy("The checklist template's code or ID."))
    kind = serializers.ChoiceField(choices=Inspection.Kind.choices, default=Inspection.Kind.ROUTINE)
    inspector = StaffUserField(
        required=False, help_text=gettext_lazy("The inspector's user ID (default: the requesting user).")
    )
    planned_on = serializers.DateField(required=False, help_text=gettext_lazy("Default: today."))


class SampleInput(serializers.Serializer):
    territory = TerritoryField(help_text=gettext_lazy("The territory's code or ID (its subtree is sampled)."))
    count = serializers.IntegerField(
        help_text=gettext_lazy("How many terminals (1–%(max)d).") % {"max": services.SAMPLE_MAX}
    )
    template = TemplateField(help_text=gettext_lazy("The checklist template's code or ID."))
    inspector = StaffUserField(required=False, help_text=gettext_lazy("Default: the requesting user."))
    planned_on = serializers.DateField(required=False, help_text=gettext_lazy("Default: today."))
    seed = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text=gettext_lazy("The same seed on the same terminals picks the same ones; empty: a new seed."),
    )


class SampleSerializer(serializers.Serializer):
    seed = serializers.CharField()
    inspections = InspectionSerializer(many=True)


@extend_schema_field(ID_OR_CODE)
class ItemReferenceField(serializers.Field):
    """An item's code or a result's ID, kept as given: the view finds it among the inspection's results."""

    def to_internal_value(self, value):
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
            raise serializers.ValidationError(_("Name the item by its code or the result's ID."))
        return value

    def to_representation(self, value):
        return value


class ResultInput(serializers.Serializer):
    item = ItemReferenceField(help_text=gettext_lazy("The item's code (a string) or the result's ID (a number)."))
    result = serializers.ChoiceField(choices=InspectionResult.Result.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    observed_price = serializers.DecimalField(
        **MONEY,
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text=gettext_lazy("A price item's price seen on the shelf."),
    )


class CompleteInput(serializers.Serializer):
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, min_value=-180, max_value=180, required=False)


class ReviewInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


RESULTS_RESPONSES = {
    200: InspectionDetailSerializer,
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Bad input, nothing saved: `{field: [messages]}` for one object; for a list, a list aligned "
        "with the items (`{}` for a good one). A failed item that requires a photo without one names `photos`.",
    ),
    403: OpenApiResponse(description="Only the inspection's inspector (or an admin) records its results."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="The inspection is no longer planned: its results are final."),
}


def _result_for(rows: list[InspectionResult], item) -> InspectionResult | None:
    """The result an input names: a string is an item's code (or, when no item has that code, a result ID in
    digits), a number a result ID — always one of this inspection's."""
    if isinstance(item, bool):
        return None
    if isinstance(item, str):
        found = next((row for row in rows if row.item.code == item.strip()), None)
        if found is not None or not item.strip().isdigit():
            return found
        item = int(item)
    if isinstance(item, int):
        return next((row for row in rows if row.pk == item), None)
    return None


def _body_items(body) -> tuple[list, bool]:
    single = isinstance(body, dict)
    items = [body] if single else body
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise ValidationError({"non_field_errors": [_("Send one item's result as an object, or a list of them.")]})
    if len(items) > MAX_RESULTS:
        raise ValidationError({"non_field_errors": [_("At most %(max)d results per request.") % {"max": MAX_RESULTS}]})
    return items, single


# --- inspections: the viewset ------------------------------------------------------------------------------


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inspections (巡检/暗访, SPEC §17): ``planned → done → reviewed``. Managers and admins see their
    territories' (admins and finance all), an inspector their own, a rep their dealers' — never a planned mystery
    one. Filters: ``status`` (several allowed), ``kind``, ``dealer``, ``inspector``, ``template``, ``territory``
    (subtree), ``planned_from``, ``planned_to``, ``period`` (``YYYY-MM`` of ``planned_on``)."""

    queryset = Inspection.objects.none()
    filterset_class = InspectionFilter
    ordering_fields = ["planned_on", "done_at", "score", "status"]

    def get_queryset(self):
        rows = selectors.inspection_list(self.request.user)
        return rows if self.action in ("list", "sample") else rows.select_related("created_by", "reviewed_by")

    def get_serializer_class(self):
        return InspectionSerializer if self.action in ("list", "sample") else InspectionDetailSerializer

    def _fresh(self, inspection, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(InspectionDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=InspectionPlanInput, responses={201: InspectionDetailSerializer, **CREATE_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Plan an inspection: the dealer's channel manager (for themselves or an inspector covering the dealer),
        an inspector (for themselves) or an admin. A result row is made per item of the template."""
        policies.require(policies.may_plan(request.user))
        data = parse_input(InspectionPlanInput, request)
        inspection = services.inspection_plan(
            request.user,
            dealer=data["dealer"],
            template=data["template"],
            kind=data["kind"],
            inspector=data.get("inspector"),
            planned_on=data.get("planned_on"),
        )
        return self._fresh(inspection, status.HTTP_201_CREATED)

    @extend_schema(request=SampleInput, responses={201: SampleSerializer, **CREATE_RESPONSES})
    @action(detail=False, methods=["post"], url_path="sample", url_name="sample")
    def sample(self, request):
        """Plan mystery inspections (暗访) of ``count`` random active terminals of a territory (subtree) not
        inspected in the last 90 days and none planned. The answer names the seed: the same seed on the same
        terminals picks the same ones."""
        policies.require(policies.may_plan(request.user))
        data = parse_input(SampleInput, request)
        inspections, seed = services.sample_mystery(
            request.user,
            territory=data["territory"],
            count=data["count"],
            template=data["template"],
            inspector=data.get("inspector"),
            planned_on=data.get("planned_on"),
            seed=data["seed"],
        )
        rows = self.get_queryset().filter(pk__in=[i.pk for i in inspections]).order_by("dealer_id", "pk")
        body = {
            "seed": seed,
            "inspections": InspectionSerializer(rows, many=True, context=self.get_serializer_context()).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResultInput, responses=RESULTS_RESPONSES)
    @action(detail=True, methods=["post"], url_path="results", url_name="results")
    def results(self, request, pk=None):
        """Record items of a planned inspection: one object or a list, all or nothing. ``item`` is the item's
        code or the result's ID; ``result`` pass, fail or na; a price item takes ``observed_price`` (below the
        line's minimum on the dealer's agreement it fails as a price violation, at it passes — whatever
        ``result`` says). A failed item that requires a photo needs one first
        (``POST inspection-results/{id}/attachments/``). Answers the inspection with its results."""
        inspection = self.get_object()  # 404 first
        if (refusal := policies.perform_refusal(request.user, inspection)) is not None:
            raise refusal  # then 403, 409
        items, single = _body_items(request.data)
        rows = list(inspection.results.select_related("item", "item__product_line"))
        answers, errors = [], []
        for item in items:
            serializer = ResultInput(data=item)
            valid = serializer.is_valid()
            item_errors = {} if valid else dict(serializer.errors)
            row = _result_for(rows, item["item"]) if "item" in item else None
            if "item" in item and row is None:
                item_errors["item"] = [_("This inspection has no item “%(item)s”.") % {"item": item["item"]}]
            if valid and row is not None:
                values = serializer.validated_data
                answers.append(
                    {
                        "result": row,
                        "value": values["result"],
                        "note": values["note"],
                        "observed_price": values["observed_price"],
                    }
                )
            errors.append(item_errors)
        if any(errors):
            return Response(errors[0] if single else errors, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.results_save(request.user, inspection, answers)
        except RowErrors as refused:
            per_item = refused.per_item(len(answers))
            return Response(per_item[0] if single else per_item, status=status.HTTP_400_BAD_REQUEST)
        return self._fresh(inspection)

    complete = transition_endpoint(
        "complete",
        services.inspection_complete,
        "inspection",
        CompleteInput,
        responses={200: InspectionDetailSerializer, **ACTION_RESPONSES},
        doc="planned → done: every item answered (a failed item that requires a photo with one). The score is "
        "stored (weights passed ÷ weights applicable × 100, one decimal; a failed critical item caps it at 59.0) "
        "and a rectification opened for each failed item. The inspection's inspector or an admin.",
    )
    review = transition_endpoint(
        "review",
        services.inspection_review,
        "inspection",
        ReviewInput,
        responses={200: InspectionDetailSerializer, **ACTION_RESPONSES},
        doc="done → reviewed, with an optional note: the dealer's channel manager or an admin, never the one who "
        "inspected.",
    )


# --- item results ------------------------------------------------------------------------------------------


class InspectionResultViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One item's result of an inspection the user sees, with its photos; ``attachments/`` adds photos (the
    inspection's inspector or an admin, while it is planned)."""

    queryset = InspectionResult.objects.none()
    serializer_class = InspectionResultSerializer

    def get_queryset(self):
        return scope(self.request.user, InspectionResult).select_related(
            "inspection", "inspection__dealer", "item", "item__product_line"
        )

    attachments = attachments_endpoint(
        doc="Add photos to an item's result (SPEC §13): JPEG, PNG or WebP up to 10 MB each. The inspection's "
        "inspector or an admin, while it is planned (else 403, 409)."
    )


router.register("checklist-templates", ChecklistTemplateViewSet, basename="checklist-template")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("inspection-results", InspectionResultViewSet, basename="inspection-result")
