from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channelhub.admin import person_column

from .models import StateChange


@admin.register(StateChange)
class StateChangeAdmin(admin.ModelAdmin):
    """The log is evidence: readable, never editable."""

    list_display = (
        "at",
        "content_type",
        "object_id",
        "transition",
        "from_state",
        "to_state",
        person_column("by", _("by")),
    )
    list_filter = ("content_type", "transition", "to_state")
    search_fields = ("object_id", "comment", "by__username")
    list_select_related = ("content_type", "by")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
