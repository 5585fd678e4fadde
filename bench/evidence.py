"""Photos on the bench data set (SPEC §13): what a phone's photo costs the web process and the worker.

* **The upload** (``evidence.services.attachments_add``, what ``POST /api/v1/visits/{id}/photos/`` does after
  parsing): one 12-megapixel JPEG (4032 × 3024, as a phone's camera takes it, with EXIF time and GPS)
  read whole by Pillow (type, truncation, bomb limit), hashed, checked (time, distance, reuse against every
  attachment) and stored — on a submitted visit of the busiest manager's team.
* **The copies** (``evidence.services.attachment_make_copies``, the worker's task): the photo turned
  upright, the watermarked 2048-pixel copy and the 320-pixel thumbnail, encoded and stored.

Each timed per photo; the figures are the median and the 95th percentile. The files go to a temporary
``MEDIA_ROOT``; the rows stay, so the pages measured afterwards (the review queue, a visit) show photos.
A later bench run removes the bench's earlier photos first.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import ExifTags, Image

SIDE = (4032, 3024)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _base_photo() -> Image.Image:
    """A photo-like 12-megapixel picture: coarse noise, enlarged, compresses about as a busy real scene does
    (about 4 MB at quality 85, what phones write)."""
    grain = Image.effect_noise((SIDE[0] // 4, SIDE[1] // 4), 48)
    colour = Image.merge("RGB", (grain, grain.rotate(180), grain.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    return colour.resize(SIDE, Image.Resampling.BICUBIC)


def _photo(base: Image.Image, number: int, visit) -> SimpleUploadedFile:
    image = base.copy()
    image.putpixel((number % SIDE[0], 0), (number % 256, 0, 0))  # another file each time (another sha256)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.Exif] = {
        ExifTags.Base.DateTimeOriginal: timezone.localtime(visit.visited_at).strftime("%Y:%m:%d %H:%M:%S")
    }
    out = BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return SimpleUploadedFile(f"IMG_{number:04d}.jpg", out.getvalue(), content_type="image/jpeg")


def measure(*, photos: int = 20, log: Callable[[str], None] = print) -> dict:
    from bench.pages import subjects
    from channelhub.scoping import team_ids
    from evidence.models import Attachment
    from evidence.services import attachment_make_copies, attachments_add
    from visits.models import Visit

    Attachment.objects.filter(uploaded_by__username__startswith="bench_").delete()
    manager = subjects().manager
    visits = list(
        Visit.objects.filter(rep__in=team_ids(manager), status=Visit.Status.SUBMITTED)
        .select_related("rep", "dealer")
        .order_by("-visited_at")[:photos]
    )
    base = _base_photo()
    uploads, copies, sizes = [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media, override_settings(MEDIA_ROOT=media):
        for number, visit in enumerate(visits):
            upload = _photo(base, number, visit)
            sizes.append(upload.size)
            started = time.perf_counter()
            # the copies are the worker's: measured on their own below, not inside the upload (tasks are eager here)
            with mock.patch("evidence.services._queue_copies"):
                ((attachment, _created),) = attachments_add(
                    actor=visit.rep, obj=visit, files=[upload], now=visit.created_at + timedelta(minutes=5)
                )
            uploads.append(time.perf_counter() - started)
            started = time.perf_counter()
            attachment_make_copies(attachment.pk)
            copies.append(time.perf_counter() - started)
    result = {
        "photos": len(uploads),
        "photo_bytes_median": int(statistics.median(sizes)) if sizes else None,
        "upload": {"median_s": statistics.median(uploads), "p95_s": _percentile(uploads, 0.95)} if uploads else None,
        "copies": {"median_s": statistics.median(copies), "p95_s": _percentile(copies, 0.95)} if copies else None,
    }
    if uploads:
        log(
            f"  {len(uploads)} photos of {result['photo_bytes_median'] / 1e6:.1f} MB: upload median "
            f"{result['upload']['median_s']:.2f} s, p95 {result['upload']['p95_s']:.2f} s; copies median "
            f"{result['copies']['median_s']:.2f} s, p95 {result['copies']['p95_s']:.2f} s"
        )
    return result
