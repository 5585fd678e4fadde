"""Django admin for periods and facts (sales, collections, expenses).

Facts are immutable: the admin lists and shows them, never adds, changes or deletes one. New facts
come through the same importer as the import page (``kpi.imports.fact_import``: all or nothing, the
same checks), from an "Import" page on each fact changelist; a mistake is corrected by a new fact.
Periods are read here; they are made when a fact first falls in them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channelhub.admin import REP_COLUMN, REP_FILTER, REP_SEARCH, ReadOnlyAdmin, person_column
from kpi.forms.facts import FactImportForm
from kpi.imports import fact_import
from kpi.models import Collection, Expense, Period, SalesRecord
from kpi.policies import may_record

RECORDED_BY = person_column("created_by", _("recorded by"))


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ("code", "status", "closed_at", person_column("closed_by", _("closed by")))
    list_filter = ("status",)
    search_fields = ("code",)
    list_select_related = ("closed_by",)


class FactAdmin(ReadOnlyAdmin):
    """Read-only, with an import page that goes through ``kpi.imports.fact_import``."""

    kind = ""
    change_list_template = "kpi/facts/admin_change_list.html"
    list_display = ("date", "reference", "dealer", REP_COLUMN, "amount", "created_at", RECORDED_BY)
    list_filter = ("date", REP_FILTER)
    search_fields = ("reference", "dealer__code", "dealer__name", *REP_SEARCH, "note")
    list_select_related = ("dealer", "rep", "created_by")
    date_hierarchy = "date"
    ordering = ("-date", "-id")

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import"
        return [path("import/", self.admin_site.admin_view(self.import_view), name=name), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": may_record(request.user), "import_kind": self.kind}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not may_record(request.user):
            raise PermissionDenied
        form = FactImportForm(request.POST or None, request.FILES or None, initial={"kind": self.kind})
        form.fields["kind"].disabled = True
        report = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            report = fact_import(
                actor=request.user,
                kind=self.kind,
                file=upload,
                file_format=upload.file_format,
                dry_run=form.cleaned_data["dry_run"],
            )
            if report.imported:
                self.message_user(
                    request,
                    gettext("Imported: %(new)d new, %(unchanged)d unchanged.")
                    % {"new": report.new, "unchanged": report.unchanged},
                    messages.SUCCESS,
                )
                opts = self.model._meta
                return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(kind)s") % {"kind": self.model._meta.verbose_name_plural},
            "form": form,
            "report": report,
            "file_name": form.cleaned_data["file"].name if report is not None else "",
        }
        return TemplateResponse(request, "kpi/facts/admin_import.html", context)


@admin.register(SalesRecord)
class SalesRecordAdmin(FactAdmin):
    kind = "sales"
    list_display = (*FactAdmin.list_display[:5], "category", "ship_to_territory", "channel_conflict", "created_at")
    list_filter = ("channel_conflict", "over_credit", "category", *FactAdmin.list_filter)
    list_select_related = (*FactAdmin.list_select_related, "category", "ship_to_territory")


@admin.register(Collection)
class CollectionAdmin(FactAdmin):
    kind = "collections"


@admin.register(Expense)
class ExpenseAdmin(FactAdmin):
    kind = "expenses"
    list_display = (*FactAdmin.list_display[:5], "category", "created_at", RECORDED_BY)
    list_filter = ("category", *FactAdmin.list_filter)
