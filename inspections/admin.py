"""Django admin for inspections (SPEC §17).

Checklist templates are kept here with their items: a template whose remaining item weights do not add up to
exactly 100 is refused with the total it has (``services.inspections.template_refusal`` would refuse to plan with
it), and a price item names its product line. An item already answered in an inspection cannot be deleted (its
results keep it); take the template out of use instead.

Inspections, rectifications and complaints move only through ``inspections.services`` (pages and API: an admin
holds every right there): here they are looked up and read — nothing is added, changed or deleted, and there are
no bulk actions. The lists are built for big tables: the dealer and people joined in, no full count on a filtered
list, filters on indexed columns.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from channelhub.admin import ReadOnlyAdmin, ReadOnlyInline, field_names, person_column, person_search
from evidence.admin import AttachmentInline
from inspections.models import ChecklistItem, ChecklistTemplate, Complaint, Inspection, InspectionResult, Rectification

DEALER_SEARCH = ("dealer__code", "dealer__name")
TOTAL_WEIGHT = Decimal("100")


# --- templates ---------------------------------------------------------------------------------------------


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ("position", "code", "text", "kind", "product_line", "weight", "critical", "requires_photo")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ChecklistItem.Kind.PRICE and not cleaned.get("product_line"):
            self.add_error("product_line", _("A price item names the product line whose minimum price it checks."))
        return cleaned


class ChecklistItemFormSet(forms.BaseInlineFormSet):
    """The weights of the items that remain (filled in, not marked for deletion) add up to exactly 100."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        weights = [
            form.cleaned_data.get("weight") or Decimal("0")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
        ]
        total = sum(weights, Decimal("0"))
        if total != TOTAL_WEIGHT:
            raise ValidationError(
                _("The item weights add up to %(total)s; they must add up to exactly 100."),
                code="weights",
                params={"total": total.normalize() if total else 0},
            )


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    form = ChecklistItemForm
    formset = ChecklistItemFormSet
    fields = ChecklistItemForm.Meta.fields
    autocomplete_fields = ("product_line",)
    ordering = ("position", "pk")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None else 3


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "is_active", "item_count")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    fields = ("code", "name", "is_active")
    inlines = (ChecklistItemInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description=_("items"), ordering="item_count")
    def item_count(self, template) -> int:
        return template.item_count


# --- inspections -------------------------------------------------------------------------------------------


class ResultInline(ReadOnlyInline):
    model = InspectionResult
    fields = readonly_fields = (
        "item",
        "result",
        "note",
        "observed_price",
        "min_price",
        "price_violation",
        "photo_flags",
        "answered_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "item__product_line")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    actions = None
    list_display = (
        "planned_on",
        "dealer",
        "template",
        "kind",
        person_column("inspector", _("inspector")),
        "status",
        "score",
        "price_violation",
        "critical_failed",
    )  # when it was done, and the review, on the inspection's page: the list fits a 1280 px desktop
    list_filter = ("status", "kind", "price_violation", "critical_failed", "template")
    search_fields = (*DEALER_SEARCH, *person_search("inspector"), "=sample_seed")
    list_select_related = ("dealer", "template", "inspector")
    date_hierarchy = "planned_on"
    readonly_fields = field_names(Inspection)
    inlines = (ResultInline,)


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    actions = None
    list_display = (
        "due_date",
        "dealer",
        "failed_item",
        "critical",
        "status",
        person_column("answered_by", _("answered by")),
        "answered_at",
        "verified_at",
    )
    list_filter = ("status", "critical")
    search_fields = (*DEALER_SEARCH, "=inspection__id")
    list_select_related = ("dealer", "result__item", "result__item__product_line", "answered_by")
    readonly_fields = field_names(Rectification)
    inlines = (AttachmentInline,)

    @admin.display(description=_("failed item"))
    def failed_item(self, rectification) -> str:
        return str(rectification.result.item)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("inspection", "result__item__product_line")


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    actions = None
    list_display = (
        "received_at",
        "dealer",
        "source",
        "category",
        person_column("assignee", _("assignee")),
        "responded_at",
        "late",
        "status",
    )
    list_filter = ("status", "late", "source", "category")
    search_fields = (*DEALER_SEARCH, *person_search("assignee"), "description")
    list_select_related = ("dealer", "assignee")
    date_hierarchy = "received_at"
    readonly_fields = field_names(Complaint)
    inlines = (AttachmentInline,)
