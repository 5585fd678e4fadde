"""Django admin for commission statements, their lines and disputes (SPEC §6, §7): read only.

Statements are written only by commission runs and move only through ``commissions.services.statements``
(the pages and the API), disputes only through ``commissions.services.disputes``: here nothing is added,
changed or deleted, and there are no bulk actions — an approved or paid statement must never change,
and a draft's figures come from its run. Django's "view" permission shows every field and the lines.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channelhub.admin import REP_COLUMN, REP_SEARCH, ReadOnlyAdmin, ReadOnlyInline, field_names, person_column
from commissions.models import Dispute, Statement, StatementLine


class NoActionsAdmin(ReadOnlyAdmin):
    """No add, change or delete, and no actions (not even "delete selected")."""

    actions = None


class StatementLineInline(ReadOnlyInline):
    model = StatementLine
    fk_name = "statement"
    fields = ("position", "step", "description", "amount", "inputs")
    readonly_fields = fields
    ordering = ("position",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Statement)
class StatementAdmin(NoActionsAdmin):
    list_display = (
        "period",
        REP_COLUMN,
        "kind",
        "status",
        # gross, deductions and retained are on the statement's page: the list stays within 1280 px
        "net_amount",
        "payable_amount",
        person_column("submitted_by", _("submitted by")),
        person_column("approved_by", _("approved by")),
        "paid_at",
    )
    list_filter = ("status", "kind", "period")
    search_fields = (*REP_SEARCH, "=period", "payment_reference")
    list_select_related = ("rep", "submitted_by", "approved_by")
    # all read only but ``carried_forward``, which Django therefore shows first (a form's own field)
    readonly_fields = field_names(Statement, but=("carried_forward",))
    inlines = (StatementLineInline,)


@admin.register(Dispute)
class DisputeAdmin(NoActionsAdmin):
    list_display = (
        "created_at",
        REP_COLUMN,
        "line",
        "expected_amount",
        "status",
        person_column("answered_by", _("answered by")),
        "adjustment_line",
    )
    list_filter = ("status",)
    search_fields = (*REP_SEARCH, "=line__statement__period", "justification")
    list_select_related = ("rep", "line", "answered_by", "adjustment_line")
    readonly_fields = field_names(Dispute)
