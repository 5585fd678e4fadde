"""Evidence writes (SPEC §13): attach files to a registered object, make a photo's copies, and check the
object's photos again when its time or dealer changes.

``attachments_add`` reads every file first (``evidence.inspection``): one refused file refuses the whole
request (400 naming each file and its reason) and nothing is stored. The same file sent again for the
same object answers the first attachment (a phone's retry); an object takes at most nine files.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.geo import distance_m
from channelhub.scoping import scope
from evidence import policies
from evidence.inspection import FileRefused, Inspected, inspect_file
from evidence.models import Attachment
from evidence.registry import EvidenceTarget, target_for

logger = logging.getLogger(__name__)


def _refusal(name: str, reason: str) -> str:
    return _("“%(name)s”: %(reason)s") % {"name": name, "reason": reason}


def files_inspect(files, kind: str = Attachment.Kind.PHOTO) -> list[Inspected]:
    """Every file read, or a 400 naming each refused file and why (nothing stored). A photo must be an
    image: a PDF is taken as an invoice or a document only."""
    inspected, problems = [], []
    for upload in files:
        try:
            item = inspect_file(upload)
            if kind == Attachment.Kind.PHOTO and not item.is_image:
                raise FileRefused(_("a photo must be a JPEG, PNG or WebP image."))
            inspected.append(item)
        except FileRefused as refused:
            problems.append(_refusal(getattr(upload, "name", "") or "?", refused.reason))
    if problems:
        raise ValidationError({"file": problems})
    if not inspected:
        raise ValidationError({"file": _("Choose a file.")})
    return inspected


def attachments_add(
    *,
    actor,
    obj: Model,
    files,
    kind: str = Attachment.Kind.PHOTO,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    now: datetime | None = None,
) -> list[tuple[Attachment, bool]]:
    """Attach ``files`` to ``obj`` as ``actor``; answers ``(attachment, created)`` for each file, in order.

    ``latitude``/``longitude`` are where the phone was (used when a photo carries no EXIF position)."""
    target = target_for(obj)
    if not scope(actor, type(obj)).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("Your role does not allow this."))
    if kind not in target.kinds:
        raise ValidationError({"kind": _("This record does not take files of this kind.")})
    if (latitude is None) != (longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    now = now or timezone.now()
    target.check_attach(actor, obj, now)
    inspected = files_inspect(files, kind)
    object_type = ContentType.objects.get_for_model(obj)
    results: list[tuple[Attachment, bool]] = []
    stored: list[str] = []
    try:
        with transaction.atomic():
            # one upload at a time per object: the count of nine and the same-file check hold under races
            obj = (
                type(obj)._default_manager.select_for_update(of=("self",)).select_related(*target.select).get(pk=obj.pk)
            )
            target.check_attach(actor, obj, now)  # again, on the locked row: its state may have moved meanwhile
            existing = {a.sha256: a for a in Attachment.objects.filter(object_type=object_type, object_id=obj.pk)}
            fresh = [item for item in {i.sha256: i for i in inspected}.values() if item.sha256 not in existing]
            if len(existing) + len(fresh) > policies.MAX_PER_OBJECT:
                raise ValidationError(
                    {
                        "file": _refusal(
                            fresh[0].name,
                            _("a record takes at most %(max)d files; this one has %(count)d already.")
                            % {"max": policies.MAX_PER_OBJECT, "count": len(existing)},
                        )
                    }
                )
            made = {}
            for item in fresh:
                attachment = _store(target, obj, object_type, item, kind, actor, now, latitude, longitude)
                stored.append(attachment.file.name)
                made[item.sha256] = attachment
            for item in inspected:
                results.append((existing.get(item.sha256) or made[item.sha256], item.sha256 in made))
            if made:
                target.flags_changed(obj, object_flags(object_type, obj.pk))
    except IntegrityError:
        # the same file for the same object, sent twice at once: the other request stored it
        _delete_files(stored)
        found = {a.sha256: a for a in Attachment.objects.filter(object_type=object_type, object_id=obj.pk)}
        if any(item.sha256 not in found for item in inspected):
            raise
        return [(found[item.sha256], False) for item in inspected]
    except BaseException:
        _delete_files(stored)
        raise
    for attachment, created in results:
        if created and attachment.is_image:
            _queue_copies(attachment.pk)
    return results


def _store(
    target: EvidenceTarget, obj, object_type, item: Inspected, kind, actor, now, latitude, longitude
) -> Attachment:
    from_exif = item.latitude is not None
    attachment = Attachment(
        object_type=object_type,
        object_id=obj.pk,
        kind=kind,
        name=item.name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        width=item.width,
        height=item.height,
        taken_at=item.taken_at,
        latitude=item.latitude if from_exif else latitude,
        longitude=item.longitude if from_exif else longitude,
        position_from_exif=from_exif,
        uploaded_by=actor,
        uploaded_at=now,
    )
    if kind in Attachment.REUSE_CHECKED:
        attachment.reused_of = (
            Attachment.objects.filter(sha256=item.sha256, kind__in=Attachment.REUSE_CHECKED)
            .exclude(object_type=object_type, object_id=obj.pk)
            .order_by("uploaded_at", "id")
            .first()
        )
    _check(attachment, target, obj)
    attachment.file.save(f"{uuid.uuid4().hex}.{item.extension}", ContentFile(item.content), save=False)
    attachment.save()
    return attachment


def _check(attachment: Attachment, target: EvidenceTarget, obj) -> None:
    """``time_mismatch`` and ``far`` from what the photo's EXIF says and what the object says now."""
    reference = target.reference_time(obj)
    attachment.time_mismatch = bool(
        attachment.kind == Attachment.Kind.PHOTO
        and attachment.taken_at
        and reference
        and abs(attachment.taken_at - reference) > policies.TIME_MISMATCH_AFTER
    )
    dealer = target.dealer(obj)
    attachment.distance_m = None
    if attachment.position_from_exif and dealer is not None and None not in (dealer.latitude, dealer.longitude):
        attachment.distance_m = distance_m(attachment.latitude, attachment.longitude, dealer.latitude, dealer.longitude)
    attachment.far = bool(
        attachment.kind == Attachment.Kind.PHOTO
        and attachment.distance_m is not None
        and attachment.distance_m > policies.FAR_FROM_DEALER_M
    )


def object_flags(object_type: ContentType, object_id: int) -> set[str]:
    """The flags of an object's files together (``Attachment.Flag`` values)."""
    flags: set[str] = set()
    for attachment in Attachment.objects.filter(object_type=object_type, object_id=object_id):
        flags.update(attachment.flags)
    return flags


def attachments_recheck(obj: Model) -> set[str]:
    """Check ``obj``'s photos again after its time or dealer changed (a visit corrected within 24 h); the
    object is told its flags. Call inside the transaction that changed it."""
    target = target_for(obj)
    object_type = ContentType.objects.get_for_model(obj)
    for attachment in Attachment.objects.filter(object_type=object_type, object_id=obj.pk):
        before = (attachment.time_mismatch, attachment.far, attachment.distance_m)
        _check(attachment, target, obj)
        if (attachment.time_mismatch, attachment.far, attachment.distance_m) != before:
            attachment.save(update_fields=["time_mismatch", "far", "distance_m"])
    flags = object_flags(object_type, obj.pk)
    target.flags_changed(obj, flags)
    return flags


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def _queue_copies(attachment_id: int) -> None:
    from evidence.tasks import attachment_make_copies

    transaction.on_commit(lambda: attachment_make_copies.delay(attachment_id))


def watermark_lines(attachment: Attachment) -> list[str]:
    """What the copy's corner says: when (the photo's time, else the upload's, local), where, who, which
    dealer — figures and codes only, so the corner reads the same in every language."""
    when = timezone.localtime(attachment.taken_at or attachment.uploaded_at)
    lines = [when.strftime("%Y-%m-%d %H:%M %z")]
    if attachment.latitude is not None and attachment.longitude is not None:
        lines.append(f"{attachment.latitude:.6f}, {attachment.longitude:.6f}")
    person = attachment.uploaded_by
    profile = getattr(person, "profile", None)
    employee_no = getattr(profile, "employee_no", "") or ""
    lines.append(" ".join(part for part in (employee_no, person.get_username()) if part))
    target_obj = attachment.content_object
    dealer = target_for(target_obj).dealer(target_obj) if target_obj is not None else None
    if dealer is not None:
        lines.append(dealer.code)
    return lines


def attachment_make_copies(attachment_id: int) -> bool:
    """Make a photo's watermarked copy and thumbnail (the task's body); True when made now."""
    from evidence.images import render_copies

    attachment = (
        Attachment.objects.select_related("uploaded_by__profile", "object_type").filter(pk=attachment_id).first()
    )
    if attachment is None or not attachment.is_image or attachment.rendered_at is not None:
        return False
    with attachment.file.open("rb") as original:
        content = original.read()
    try:
        copy, thumbnail = render_copies(content, watermark_lines(attachment))
    except (OSError, ValueError) as error:
        # an image Pillow read on upload but cannot redraw: the original stays the evidence (staff see it
        # in place of the thumbnail); a retry would fail the same way, and the upload must not fail
        logger.warning("attachment %s: no copies made (%s: %s)", attachment.pk, type(error).__name__, error)
        return False
    stem = attachment.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    attachment.copy.save(f"{stem}-copy.jpg", ContentFile(copy), save=False)
    attachment.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumbnail), save=False)
    attachment.rendered_at = timezone.now()
    attachment.save(update_fields=["copy", "thumbnail", "rendered_at"])
    return True
