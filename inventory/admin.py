"""Django admin for dealer stock (SPEC §16): the stock reports, read only.

A report's figures obey rules that look beyond the row — the balance, the opening taken from the line's month
before, a later month keeping the closing it opens from, the derived days of stock and flags of the months after —
and its status moves only by confirming or returning it. ``inventory.services.reports`` applies them all; an
admin form saving one row could not. So reports are written only through that service (the form, the API, the
import: an admin holds the rep's rights there) and here they are looked up and read: nothing is added, changed
or deleted, and there are no bulk actions. The list is built for a big table: the dealer, line and people joined
in, no full count on a filtered list, filters on indexed columns.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channelhub.admin import ReadOnlyAdmin, field_names, person_column
from inventory.models import StockReport
from inventory.selectors import FLAGS


@admin.register(StockReport)
class StockReportAdmin(ReadOnlyAdmin):
    actions = None
    list_display = (
        "period",
        "dealer",
        "product_line",
        "closing_qty",
        "closing_amount",
        "days_of_stock",
        "flags",
        "status",
        person_column("submitted_by", _("submitted by")),
    )  # the flags in one column and who confirmed on the report's page: the list fits a 1280 px desktop

    @admin.display(description=_("flags"))
    def flags(self, report: StockReport) -> str:
        """The flags the report carries, by name (the filters on the right select by each)."""
        names = [str(StockReport._meta.get_field(flag).verbose_name) for flag in FLAGS if getattr(report, flag)]
        return ", ".join(names) or "—"

    list_filter = ("status", "overstock", "stockout", "slow_moving", "receipt_mismatch", "source", "period")
    search_fields = ("dealer__code", "dealer__name", "=period", "=product_line__code")
    list_select_related = ("dealer", "product_line", "submitted_by")
    autocomplete_fields = ("dealer",)
    show_full_result_count = False
    readonly_fields = field_names(StockReport)
    fieldsets = (
        (None, {"fields": ("dealer", "period", "product_line", "status", "source")}),
        (
            _("Quantities"),
            {"fields": ("opening_qty", "received_qty", "sold_qty", "adjustment_qty", "closing_qty")},
        ),
        (
            _("Amounts at cost"),
            {"fields": ("opening_amount", "received_amount", "sold_amount", "adjustment_amount", "closing_amount")},
        ),
        (_("Adjustment"), {"fields": ("adjustment_reason", "adjustment_note")}),
        (
            _("Derived"),
            {
                "fields": (
                    "expected_received_amount",
                    "receipt_mismatch",
                    "days_of_stock",
                    "overstock",
                    "stockout",
                    "slow_moving",
                )
            },
        ),
        (
            _("Workflow"),
            {
                "fields": (
                    "submitted_by",
                    "submitted_at",
                    "confirmed_by",
                    "confirmed_at",
                    "return_reason",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
