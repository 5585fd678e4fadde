from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channelhub.admin import ReadOnlyAdmin, person_column

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was sent to whom: readable, never edited (the services write notifications)."""

    list_display = ("created_at", person_column("recipient", _("recipient")), "title", "key", "read_at", "emailed_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter), ("emailed_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("title", "key", "recipient__username", "recipient__first_name")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = ("recipient", "key", "title", "body", "url", "created_at", "read_at", "emailed_at")
