"""Attachments (SPEC §13): a file kept as evidence on one object — a visit, a qualification review, an
agreement, and from part two's later issues fund claims, inspection items, rectifications and complaints.

The original is kept byte for byte (``file``); a photo also gets a watermarked copy (``copy``: time,
position, person, dealer code in the corner; no EXIF, so no GPS) and a thumbnail, both made by a task.
The checks against fabrication are kept as facts on the row: ``time_mismatch`` (EXIF time more than 2 h
from the object's time), ``far`` (EXIF position more than 1 km from the dealer, ``distance_m``) and
``reused_of`` (the earlier attachment of another object with the same ``sha256``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import LATITUDE, LONGITUDE


def upload_to(attachment: Attachment, filename: str) -> str:
    """``evidence/<year>/<month>/<random name>.<type>``: the stored name says nothing a user wrote."""
    return f"evidence/{attachment.uploaded_at:%Y/%m}/{filename}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        INVOICE = "invoice", _("invoice")
        DOCUMENT = "document", _("document")

    class Flag(models.TextChoices):
        TIME_MISMATCH = "photo_time_mismatch", _("photo time mismatch")
        FAR = "photo_far", _("photo far from dealer")
        REUSED = "photo_reused", _("photo reused")

    #: The kinds whose file, seen on another object, is a reuse (a photo or an invoice sent twice); a
    #: business licence may rightly be on a review and on an agreement.
    REUSE_CHECKED = (Kind.PHOTO, Kind.INVOICE)

    object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object ID"))
    content_object = GenericForeignKey("object_type", "object_id")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("file"), upload_to=upload_to, max_length=200)
    copy = models.FileField(_("watermarked copy"), upload_to=upload_to, max_length=200, blank=True)
    thumbnail = models.FileField(_("thumbnail"), upload_to=upload_to, max_length=200, blank=True)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LATITUDE
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=LONGITUDE
    )
    position_from_exif = models.BooleanField(_("position from the photo"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    rendered_at = models.DateTimeField(_("copies made at"), null=True, blank=True)

    time_mismatch = models.BooleanField(_("photo time mismatch"), default=False)
    far = models.BooleanField(_("photo far from dealer"), default=False)
    distance_m = models.DecimalField(
        _("distance from dealer (m)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    reused_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("same file as")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [
            # The same file sent again for the same object is the first attachment (a phone's retry).
            models.UniqueConstraint(fields=["object_type", "object_id", "sha256"], name="attachment_once_per_object"),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_not_empty"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="attachment_object"),
            models.Index(fields=["sha256"], name="attachment_sha256"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def flags(self) -> list[str]:
        """The checks this file failed, as the API names them (SPEC §13)."""
        flags = []
        if self.time_mismatch:
            flags.append(self.Flag.TIME_MISMATCH.value)
        if self.far:
            flags.append(self.Flag.FAR.value)
        if self.reused_of_id:
            flags.append(self.Flag.REUSED.value)
        return flags
