"""What a file is, read from its content — never from its name or the type the client claims (SPEC §13).

``inspect_file(upload)`` answers an ``Inspected`` for a JPEG, PNG, WebP or PDF of at most 10 MB, with its
SHA-256 and, for a photo, the time and position in its EXIF; anything else raises ``FileRefused`` with the
reason, which the service reports next to the file's name (400) before anything is stored.
"""

from __future__ import annotations

import hashlib
import re
import warnings
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from io import BytesIO
from pathlib import PurePosixPath, PureWindowsPath

from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

#: The largest file taken (SPEC §13: 10 MB each).
MAX_BYTES = 10 * 1024 * 1024
#: Image formats taken, as Pillow names them → (content type, extension).
IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PDF_TYPE = ("application/pdf", "pdf")
#: PDF names that run or launch something when the file is opened: a PDF carrying one is refused.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
#: Compressed PDF streams are read up to this many bytes each when looking for script (a zip bomb stops there).
_PDF_STREAM_LIMIT = 16 * 1024 * 1024


class FileRefused(Exception):
    """The file is not taken; ``reason`` says why, in the reader's language."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Inspected:
    name: str
    content: bytes
    content_type: str
    extension: str
    sha256: str
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def display_name(name: str, extension: str) -> str:
    """The name a file is shown and downloaded under: the client's base name, without a path, control
    characters or quotes, at most 120 characters, ending in the extension its content says it has."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = get_valid_filename(stem.replace("\x00", "")) if stem.strip(" .") else ""
    stem = (stem or "file")[: 120 - len(extension) - 1]
    return f"{stem}.{extension}"


def inspect_file(upload) -> Inspected:
    """Read ``upload`` (an ``UploadedFile`` or any file object) and tell what it is, or raise ``FileRefused``."""
    upload.seek(0)
    content = upload.read(MAX_BYTES + 1)
    if not content:
        raise FileRefused(_("the file is empty."))
    if len(content) > MAX_BYTES:
        raise FileRefused(_("the file is larger than 10 MB."))
    digest = hashlib.sha256(content).hexdigest()
    name = getattr(upload, "name", "") or ""
    if content.startswith(b"%PDF-"):
        _check_pdf(content)
        content_type, extension = PDF_TYPE
        return Inspected(display_name(name, extension), content, content_type, extension, digest)
    return _inspect_image(content, name, digest)


def _inspect_image(content: bytes, name: str, digest: str) -> Inspected:
    not_taken = _("its content is not a JPEG, PNG, WebP or PDF file, whatever its name says.")
    with warnings.catch_warnings():
        # Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that: both are refused here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(content)) as image:
                if image.format not in IMAGE_TYPES:
                    raise FileRefused(not_taken)
                image_format, size = image.format, image.size
                image.load()
                exif = image.getexif()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FileRefused(
                _("the image is too large when decompressed (more than %(pixels)s pixels).")
                % {"pixels": f"{Image.MAX_IMAGE_PIXELS:,}"}
            ) from None
        except UnidentifiedImageError:
            raise FileRefused(not_taken) from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError):
            raise FileRefused(_("the image is damaged or cut short.")) from None
    content_type, extension = IMAGE_TYPES[image_format]
    latitude, longitude = _exif_position(exif)
    return Inspected(
        display_name(name, extension),
        content,
        content_type,
        extension,
        digest,
        width=size[0],
        height=size[1],
        taken_at=_exif_time(exif),
        latitude=latitude,
        longitude=longitude,
    )


def _check_pdf(content: bytes) -> None:
    if b"%%EOF" not in content[-2048:]:
        raise FileRefused(_("the PDF is damaged or cut short."))
    for chunk in _pdf_texts(content):
        if _PDF_ACTIVE.search(_PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), chunk)):
            raise FileRefused(_("the PDF contains script or embedded files, which are not accepted."))


def _pdf_texts(content: bytes):
    """The PDF's bytes, then each compressed stream unpacked (objects may hide in object streams)."""
    yield content
    for match in _PDF_STREAM.finditer(content):
        try:
            unpacked = zlib.decompressobj().decompress(match.group(1), _PDF_STREAM_LIMIT)
        except zlib.error:
            continue
        if unpacked:
            yield unpacked


# --- EXIF -----------------------------------------------------------------------------------------


def _exif_time(exif: Image.Exif) -> datetime | None:
    """When the photo was taken (``DateTimeOriginal``, else ``DateTime``), in its own offset when the
    camera wrote one (``OffsetTimeOriginal``), else in the deployment's time zone."""
    details = exif.get_ifd(ExifTags.IFD.Exif)
    text = details.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if not isinstance(text, str):
        return None
    try:
        taken = datetime.strptime(text.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(ExifTags.Base.OffsetTimeOriginal)
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", offset.strip("\x00 ")) if isinstance(offset, str) else None
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        if delta < timedelta(hours=15):
            return taken.replace(tzinfo=dt_timezone(sign * delta))
    return timezone.make_aware(taken) if 1900 <= taken.year <= 2999 else None


def _exif_position(exif: Image.Exif) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    latitude = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S", 90)
    longitude = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W", 180)
    if latitude is None or longitude is None:
        return None, None
    return latitude, longitude


def _degrees(value, ref, negative: str, limit: int) -> Decimal | None:
    """Degrees, minutes and seconds (rationals) to signed decimal degrees, to six places."""
    try:
        degrees, minutes, seconds = (Decimal(str(float(part))) for part in value)
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() == negative:
        result = -result
    if not result.is_finite() or abs(result) > limit:
        return None
    return result.quantize(Decimal("0.000001"))
