"""Django admin for rebates (SPEC §15).

Programs are kept here (the program pages only read them) and saved through ``rebates.services.programs.program_save``
with their bands and product lines, all or nothing, under the rules the API applies: the band formset shows the
refusals (no band from 0 %, two bands with one edge), the form a frequency that may no longer change. The rows of an
inline have no order of their own, so the bands are checked sorted by their edge.

Runs, settlements with their lines, and accruals are written by the runs and move only through
``rebates.services`` (pages and API): here they are read, settlements with their history — nothing is added,
changed or deleted, and there are no bulk actions (an approved or paid settlement must never change).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import ReadOnlyAdmin, ReadOnlyInline, ReadOnlyMixin, field_names, person_column
from rebates.models import RebateAccrual, RebateLine, RebateProgram, RebateRun, RebateSettlement, RebateTier
from rebates.services.programs import PROGRAM_FIELDS, bands_text, clean_bands, frequency_problem, program_save

DEALER_SEARCH = ("dealer__code", "dealer__name")
BAND_FIELDS = ("from_attainment", "rate")
LAST = Decimal("Infinity")


# --- programs ------------------------------------------------------------------------------------------------


def band_rows(formset) -> list[dict]:
    """The bands that stay after the edit (filled in, not marked for deletion), lowest edge first."""
    rows = [
        {name: form.cleaned_data.get(name) for name in BAND_FIELDS}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and (form.instance.pk or form.has_changed())
    ]
    return sorted(rows, key=_edge)


def _edge(row: dict) -> Decimal:
    return row["from_attainment"] if row["from_attainment"] is not None else LAST


class BandFormSet(forms.BaseInlineFormSet):
    """The service's rules on the bands that remain (sorted: see the module's docstring)."""

    def clean(self):
        if any(self.errors):
            return
        _bands, problems = clean_bands(band_rows(self))
        if problems:
            raise ValidationError(problems)
        super().clean()


class BandInline(admin.TabularInline):
    model = RebateTier
    formset = BandFormSet
    fields = BAND_FIELDS
    ordering = ("from_attainment",)
    verbose_name = _("band")
    verbose_name_plural = _("bands (the whole basis at the rate of the band reached)")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None else 1


class RebateProgramForm(forms.ModelForm):
    class Meta:
        model = RebateProgram
        fields = [*PROGRAM_FIELDS, "product_lines"]

    def clean(self):
        cleaned = super().clean()
        frequency = cleaned.get("frequency")
        if frequency and (problem := frequency_problem(self.instance, frequency)):
            self.add_error("frequency", problem)
        return cleaned


@admin.register(RebateProgram)
class RebateProgramAdmin(SimpleHistoryAdmin):
    form = RebateProgramForm
    list_display = ("name", "frequency", "basis", "bands", "min_collection_rate", "payout", "is_active")
    list_filter = ("is_active", "frequency", "basis", "payout")
    search_fields = ("name",)
    autocomplete_fields = ("product_lines",)
    inlines = (BandInline,)
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("name", "is_active", "basis", "frequency", "product_lines")}),
        (_("Gate, penalty and payout"), {"fields": ("min_collection_rate", "conflict_penalty", "payout")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    @admin.display(description=_("bands"))
    def bands(self, program: RebateProgram) -> str:
        return bands_text(program.tiers.all())

    def save_model(self, request, obj, form, change):
        """Nothing yet: the program is saved with its bands and product lines in ``save_related``."""

    def save_related(self, request, form, formsets, change):
        tiers = next((band_rows(formset) for formset in formsets if formset.model is RebateTier), None)
        program_save(
            program=form.instance,
            tiers=tiers,
            product_lines=form.cleaned_data.get("product_lines", ()),
            actor=request.user,
        )
        for formset in formsets:  # what the change message reads after a formset's own save()
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request, obj=None):
        # a program that agreements or settlements name stays; take it out of use instead
        if obj is not None and (obj.agreements.exists() or obj.settlements.exists()):
            return False
        return super().has_delete_permission(request, obj)


# --- runs, settlements and accruals (read only) -------------------------------------------------------------------


@admin.register(RebateRun)
class RebateRunAdmin(ReadOnlyAdmin):
    actions = None
    list_display = (
        "id",
        "period",
        "status",
        "progress",
        "total",
        "done",
        "skipped",
        person_column("started_by", _("started by")),
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "period")
    search_fields = ("=period", "started_by__username", "started_by__first_name")
    list_select_related = ("started_by",)
    ordering = ("-created_at", "-id")
    readonly_fields = (*field_names(RebateRun), "progress")


class RebateLineInline(ReadOnlyInline):
    model = RebateLine
    fk_name = "settlement"
    fields = ("position", "step", "explanation", "amount", "inputs", "clawed_from")
    readonly_fields = fields
    ordering = ("position",)

    @admin.display(description=_("explanation"))
    def explanation(self, line: RebateLine) -> str:
        """The step in words, in the reader's language."""
        return line.text

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("clawed_from__dealer", "clawed_from__program")


@admin.register(RebateSettlement)
class RebateSettlementAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    actions = None
    list_display = (
        "period",
        "dealer",
        "program",
        "status",
        "basis_amount",
        "rate",
        "net_amount",
        person_column("submitted_by", _("submitted by")),
        person_column("approved_by", _("approved by")),
        "paid_on",
    )
    list_filter = ("period", "status", "program")
    search_fields = (*DEALER_SEARCH, "=period", "payment_reference")
    list_select_related = ("dealer", "program", "submitted_by", "approved_by")
    show_full_result_count = False
    readonly_fields = field_names(RebateSettlement)
    inlines = (RebateLineInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dealer", "program")


@admin.register(RebateAccrual)
class RebateAccrualAdmin(ReadOnlyAdmin):
    actions = None
    list_display = ("month", "period", "dealer", "program", "basis_amount", "amount", "computed_at")
    list_filter = ("month", "period")
    search_fields = DEALER_SEARCH
    list_select_related = ("dealer", "program")
