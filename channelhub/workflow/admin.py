from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channelhub.admin import ReadOnlyAdmin, person_column

from .models import StateChange


@admin.register(StateChange)
class StateChangeAdmin(ReadOnlyAdmin):
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
