"""Django admin for channel funds (SPEC §14).

The admin does not bypass the rules. Budgets are kept here through ``funds.services.budgets`` (the form
refuses up front what the service would: a territory, category or period that requests are charged to, an
amount below what is committed and spent) and imported or exported through ``funds.imports.BudgetResource``
(all or nothing, the API's importer). Requests, claims, deposit entries and refunds, issues and counts move
only through their services (pages and API): here they are read, with their history. The material
catalogue is reference data, saved through ``material_save``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import ReadOnlyAdmin, ReadOnlyMixin, field_names, person_column
from channelhub.exports import ADMIN_FORMATS
from channelhub.formatting import money
from evidence.admin import AttachmentInline
from funds import policies
from funds.imports import BudgetResource
from funds.models import (
    DepositEntry,
    DepositRefund,
    FundBudget,
    FundClaim,
    FundRequest,
    Material,
    MaterialCount,
    MaterialIssue,
)
from funds.selectors import budget_figures, with_figures
from funds.services.budgets import BUDGET_FIELDS, budget_create, budget_update
from funds.services.materials import MATERIAL_FIELDS, material_save

DEALER_SEARCH = ("dealer__code", "dealer__name")

# --- budgets --------------------------------------------------------------------------------------------


class BudgetAdminForm(forms.ModelForm):
    """Refuse up front what ``budget_update`` would refuse (the service checks again when saving)."""

    class Meta:
        model = FundBudget
        fields = list(BUDGET_FIELDS)

    def clean(self):
        cleaned = super().clean()
        budget = self.instance
        if budget.pk is None or not self.changed_data:
            return cleaned
        moved = {"category", "territory", "year", "quarter"} & set(self.changed_data)
        if moved and budget.requests.exists():
            raise ValidationError(
                gettext("Requests are charged to this budget: its territory, category and period cannot change.")
            )
        committed, spent, _remaining = budget_figures(budget)
        amount = cleaned.get("amount")
        if amount is not None and amount < committed + spent:
            self.add_error(
                "amount",
                gettext("%(used)s is committed and spent: the amount cannot be less.")
                % {"used": money(committed + spent)},
            )
        return cleaned


@admin.register(FundBudget)
class FundBudgetAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Budgets with their figures; import and export through ``BudgetResource`` (finance and admins)."""

    form = BudgetAdminForm
    resource_classes = [BudgetResource]
    formats = ADMIN_FORMATS  # CSV and XLSX, text never a live formula
    list_display = (
        "territory",
        "category",
        "year",
        "quarter",
        "amount",
        "max_cost_ratio",
        "committed",
        "spent",
        "remaining",
        person_column("created_by", _("set by")),
    )
    list_filter = ("category", "year", "quarter", "territory__level")
    search_fields = ("territory__code", "territory__name")
    list_select_related = ("territory", "created_by")
    autocomplete_fields = ("territory",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    show_full_result_count = False

    def get_queryset(self, request):
        return with_figures(super().get_queryset(request))

    @admin.display(description=_("committed"), ordering="committed")
    def committed(self, budget: FundBudget):
        return budget.committed

    @admin.display(description=_("spent"), ordering="spent")
    def spent(self, budget: FundBudget):
        return budget.spent

    @admin.display(description=_("remaining"), ordering="remaining")
    def remaining(self, budget: FundBudget):
        return budget.remaining

    def has_delete_permission(self, request, obj=None):
        return False  # a budget is kept: requests are charged to it, its history is the record

    def has_import_permission(self, request):
        return policies.may_set_budgets(request.user)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in BUDGET_FIELDS}
        if change:
            stored = FundBudget.objects.get(pk=obj.pk)
            budget_update(actor=request.user, budget=stored, **fields)
        else:
            obj.pk = budget_create(actor=request.user, **fields).pk


# --- requests and claims (read only: their life cycle is the services') ------------------------------------


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    show_full_result_count = False


@admin.register(FundRequest)
class FundRequestAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "number",
        "dealer",
        "category",
        "title",
        "requested_amount",
        "settled_amount",
        "status",
        "possible_split",
        person_column("requested_by", _("requested by")),
    )
    list_filter = ("status", "category", "possible_split", "start_date")
    search_fields = ("number", "title", *DEALER_SEARCH)
    list_select_related = ("dealer", "requested_by")
    readonly_fields = field_names(FundRequest)
    date_hierarchy = "start_date"


@admin.register(FundClaim)
class FundClaimAdmin(ReadOnlyHistoryAdmin):
    list_display = (
        "request",
        "actual_amount",
        "actual_sales",
        "status",
        "photo_time_mismatch",
        "photo_far",
        "photo_reused",
        person_column("claimed_by", _("claimed by")),
        "claimed_at",
        "settled_amount",
        "settled_on",
    )
    list_filter = ("status", "photo_time_mismatch", "photo_far", "photo_reused", "settled_on")
    search_fields = ("request__number", "request__dealer__code", "request__dealer__name")
    list_select_related = ("request", "claimed_by")
    readonly_fields = (*field_names(FundClaim), "visits")
    inlines = (AttachmentInline,)


# --- deposits (the ledger is never changed) ----------------------------------------------------------------


@admin.register(DepositEntry)
class DepositEntryAdmin(ReadOnlyAdmin):
    list_display = ("date", "dealer", "kind", "amount", "reason", person_column("created_by", _("recorded by")))
    list_filter = ("kind", "date")
    search_fields = (*DEALER_SEARCH, "reason")
    list_select_related = ("dealer", "created_by")
    date_hierarchy = "date"


@admin.register(DepositRefund)
class DepositRefundAdmin(ReadOnlyAdmin):
    list_display = (
        "dealer",
        "status",
        "balance",
        "open_receivable",
        "amount",
        person_column("proposed_by", _("proposed by")),
        person_column("decided_by", _("decided by")),
        "decided_at",
    )
    list_filter = ("status",)
    search_fields = DEALER_SEARCH
    list_select_related = ("dealer", "proposed_by", "decided_by")


# --- materials ------------------------------------------------------------------------------------------------


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """The catalogue: reference data, saved through ``material_save``; never deleted (issues name it)."""

    list_display = ("code", "name", "unit", "unit_cost", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    fields = MATERIAL_FIELDS
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in MATERIAL_FIELDS}
        stored = Material.objects.get(pk=obj.pk) if change else None
        obj.pk = material_save(actor=request.user, material=stored, **fields).pk


@admin.register(MaterialIssue)
class MaterialIssueAdmin(ReadOnlyAdmin):
    list_display = ("date", "dealer", "material", "quantity", "request", person_column("issued_by", _("issued by")))
    list_filter = ("date",)
    search_fields = (*DEALER_SEARCH, "material__code", "material__name", "request__number")
    list_select_related = ("dealer", "material", "request", "issued_by")
    date_hierarchy = "date"


@admin.register(MaterialCount)
class MaterialCountAdmin(ReadOnlyAdmin):
    list_display = (
        "date",
        "dealer",
        "material",
        "issued_quantity",
        "used_quantity",
        "counted_quantity",
        "variance",
        "variance_flagged",
        person_column("counted_by", _("counted by")),
    )
    list_filter = ("variance_flagged", "date")
    search_fields = (*DEALER_SEARCH, "material__code", "material__name")
    list_select_related = ("dealer", "material", "counted_by")
    date_hierarchy = "date"
