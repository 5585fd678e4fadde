"""Files for the evidence tests, made in memory: photos with the EXIF a phone writes (time, offset,
GPS, orientation), and the hostile files the service must refuse."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from decimal import Decimal
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from evidence.demo import gps_info, pdf_document


def photo_bytes(
    *,
    taken: datetime | None = None,
    offset: str | None = None,
    lat: Decimal | str | None = None,
    lon: Decimal | str | None = None,
    orientation: int | None = None,
    size: tuple[int, int] = (640, 480),
    colour: tuple[int, int, int] = (30, 120, 200),
    fmt: str = "JPEG",
) -> bytes:
    """A photo; ``taken`` (naive, as cameras write it) with ``offset`` (``+08:00``) and the GPS position
    in its EXIF. A different ``colour`` makes a different file (another ``sha256``)."""
    image = Image.new("RGB", size, colour)
    # a bright block in the top-left corner shows which way up the stored picture is
    image.paste((250, 250, 20), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if taken is not None:
        details = {ExifTags.Base.DateTimeOriginal: taken.strftime("%Y:%m:%d %H:%M:%S")}
        if offset:
            details[ExifTags.Base.OffsetTimeOriginal] = offset
        exif[ExifTags.IFD.Exif] = details
    if lat is not None and lon is not None:
        exif[ExifTags.IFD.GPSInfo] = gps_info(lat, lon)
    out = BytesIO()
    if len(exif):
        image.save(out, fmt, exif=exif.tobytes())
    else:
        image.save(out, fmt)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name: str = "photo.jpg", **kwargs) -> SimpleUploadedFile:
    return upload(photo_bytes(**kwargs), name)


# --- what must be refused ---------------------------------------------------------------------------


def executable_bytes() -> bytes:
    """The start of a Windows executable (``MZ`` … ``PE``), as a renamed ``.exe`` carries it."""
    header = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\x00" * 2)
    header[0x3C:0x40] = struct.pack("<I", 0x40)
    return bytes(header) + b"PE\x00\x00" + b"\x00" * 200


def truncated_jpeg() -> bytes:
    whole = photo_bytes(size=(800, 600))
    return whole[: len(whole) // 2]


def decompression_bomb_png(side: int = 20_000) -> bytes:
    """A PNG that says it is ``side`` × ``side`` pixels (400 million by default, beyond Pillow's limit) in a
    few hundred bytes: only its header and one small compressed row block are real."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(*, javascript: bool = False, compressed_javascript: bool = False) -> bytes:
    """A one-page PDF; with ``javascript`` an ``/OpenAction`` that runs script, with
    ``compressed_javascript`` the same hidden in a compressed object stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R"
        + (b" /OpenAction << /S /JavaScript /JS (app.alert(1)) >>" if javascript else b"")
        + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    if compressed_javascript:
        hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
        objects.append(
            b"<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden) + hidden + b"\nendstream"
        )
    return pdf_document(objects)
