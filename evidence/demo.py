"""Photos for the demo data (SPEC §10): drawn, not shipped — a shop front in flat colours, with the EXIF a
phone writes (time, offset, GPS), the same bytes for the same ``seed`` every time (so a second
``make run`` finds them: attachments are idempotent by ``sha256``)."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw


def _dms(value: Decimal) -> tuple[Fraction, Fraction, Fraction]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = ((value - degrees) * 60 - minutes) * 60
    return Fraction(degrees), Fraction(minutes), Fraction(seconds).limit_denominator(1_000_000)


def gps_info(latitude: Decimal | str, longitude: Decimal | str) -> dict:
    """The EXIF GPS block a phone writes for a position (degrees, minutes, seconds and N/S, E/W)."""
    latitude, longitude = Decimal(latitude), Decimal(longitude)
    return {
        ExifTags.GPS.GPSLatitudeRef: "N" if latitude >= 0 else "S",
        ExifTags.GPS.GPSLatitude: _dms(latitude),
        ExifTags.GPS.GPSLongitudeRef: "E" if longitude >= 0 else "W",
        ExifTags.GPS.GPSLongitude: _dms(longitude),
    }


def pdf_document(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalogue) with its cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_photo(
    seed: str, *, taken: datetime, latitude: Decimal | None, longitude: Decimal | None
) -> SimpleUploadedFile:
    """A 640×480 JPEG of a shop front drawn from ``seed``, taken at ``taken`` at the position given."""
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randrange(150, 230), rng.randrange(170, 230), rng.randrange(180, 240)))
    draw = ImageDraw.Draw(image)
    wall = (rng.randrange(120, 220), rng.randrange(60, 160), rng.randrange(40, 120))
    draw.rectangle((60, 120, 580, 440), fill=wall)  # the shop
    draw.rectangle((60, 90, 580, 150), fill=(rng.randrange(150, 255), 30, 30))  # its sign
    draw.rectangle((250, 260, 390, 440), fill=(60, 60, 70))  # the door
    for x in (100, 430):  # shop windows with goods on shelves
        draw.rectangle((x, 200, x + 110, 330), fill=(200, 225, 240))
        for shelf in range(3):
            for item in range(5):
                colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
                draw.rectangle((x + 6 + item * 21, 210 + shelf * 40, x + 22 + item * 21, 240 + shelf * 40), fill=colour)
    local = timezone.localtime(taken)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "channelhub demo"
    exif[ExifTags.IFD.Exif] = {
        ExifTags.Base.DateTimeOriginal: local.strftime("%Y:%m:%d %H:%M:%S"),
        ExifTags.Base.OffsetTimeOriginal: local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:],
    }
    if latitude is not None and longitude is not None:
        exif[ExifTags.IFD.GPSInfo] = gps_info(latitude, longitude)
    out = BytesIO()
    image.save(out, "JPEG", quality=82, exif=exif.tobytes())
    return SimpleUploadedFile(f"IMG_{rng.randrange(1000, 9999)}.jpg", out.getvalue(), content_type="image/jpeg")


def demo_pdf(name: str, title: str) -> SimpleUploadedFile:
    """A one-page PDF whose page says ``title`` (ASCII; the built-in Helvetica), as a scanner's file would
    stand in for a signed contract or a licence."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("ascii", "replace")
    content = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return SimpleUploadedFile(name, pdf_document(objects), content_type="application/pdf")
