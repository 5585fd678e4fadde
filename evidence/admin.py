"""Attachments in the admin (SPEC §13): read-only, on their objects (``AttachmentInline`` on visits, reviews,
agreements …) and as a list of their own. Files open through the scoped download API (never a public
media URL); the thumbnail is the API's too (``img-src 'self'``)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from channelhub.admin import ReadOnlyAdmin, ReadOnlyMixin, person_column
from evidence.models import Attachment


@admin.display(description=_("file"))
def file_link(attachment: Attachment) -> str:
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a>',
        reverse("attachment-download", args=[attachment.pk]),
        attachment.name,
    )


@admin.display(description=_("thumbnail"))
def thumbnail(attachment: Attachment) -> str:
    """A photo's thumbnail (until the task has made it, the original, scaled); nothing for a PDF."""
    if not attachment.is_image:
        return "—"
    return format_html(
        '<img src="{}" alt="" style="max-height: 80px; max-width: 120px" loading="lazy">',
        reverse("attachment-thumbnail", args=[attachment.pk]),
    )


@admin.display(description=_("flags"))
def flags(attachment: Attachment) -> str:
    labels = dict(Attachment.Flag.choices)
    return ", ".join(str(labels[flag]) for flag in attachment.flags) or "—"


UPLOADED_BY = person_column("uploaded_by", _("uploaded by"))


class AttachmentInline(ReadOnlyMixin, GenericTabularInline):
    """The files of the object whose admin page this is: read only, never added or deleted here (the
    evidence services do that)."""

    model = Attachment
    ct_field = "object_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        file_link,
        "kind",
        thumbnail,
        flags,
        "sha256",
        "taken_at",
        UPLOADED_BY,
        "uploaded_at",
    )
    verbose_name_plural = _("attachments")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "object_label", UPLOADED_BY, "uploaded_at", flags)
    list_filter = ("kind",)
    search_fields = ("sha256", "name")
    list_select_related = ("object_type", "uploaded_by")
    date_hierarchy = "uploaded_at"
    fields = readonly_fields = (
        file_link,
        thumbnail,
        "name",
        "kind",
        "object_label",
        "content_type",
        "size",
        "sha256",
        "width",
        "height",
        "taken_at",
        "latitude",
        "longitude",
        "position_from_exif",
        UPLOADED_BY,
        "uploaded_at",
        "rendered_at",
        flags,
        "distance_m",
        "reused_of",
    )

    @admin.display(description=_("object"), ordering="object_type")
    def object_label(self, attachment: Attachment) -> str:
        """The object's type and ID (naming each row's object would cost a query per row)."""
        return f"{attachment.object_type.name} #{attachment.object_id}"
