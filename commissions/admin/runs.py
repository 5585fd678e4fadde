"""Django admin for commission runs (SPEC §6, §7): read only. Runs are started from the runs page, the
API or the monthly schedule (``commissions.services.runs``) and written by the Celery pipeline; here they are
looked up (period, status, who started them, the error of a failed one)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channelhub.admin import ReadOnlyInline, person_column
from commissions.admin.statements import NoActionsAdmin
from commissions.models import CommissionRun, RunProblem


class RunProblemInline(ReadOnlyInline):
    model = RunProblem
    fields = ("rep", "code", "message")
    readonly_fields = fields


@admin.register(CommissionRun)
class CommissionRunAdmin(NoActionsAdmin):
    inlines = [RunProblemInline]
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
    )
    list_filter = ("status", "period")
    search_fields = ("period", "started_by__username", "started_by__first_name")
    list_select_related = ("started_by",)
    ordering = ("-created_at", "-id")
    readonly_fields = [field.name for field in CommissionRun._meta.fields] + ["progress"]
