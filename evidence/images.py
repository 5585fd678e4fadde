"""The copies of a photo (SPEC §13): a watermarked copy and a thumbnail, both turned upright (EXIF
orientation) and saved without EXIF — so without the GPS position a dealer must not read from them."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont, ImageOps

#: The watermarked copy's longest side, and the thumbnail's (pixels).
COPY_SIDE = 2048
THUMBNAIL_SIDE = 320


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def upright(content: bytes) -> Image.Image:
    """The photo as a viewer shows it: rotated as its EXIF orientation says, in RGB."""
    with Image.open(BytesIO(content)) as image:
        image.load()
        turned = ImageOps.exif_transpose(image)
        return turned.convert("RGB")


def watermark(image: Image.Image, lines: list[str]) -> Image.Image:
    """``lines`` (time, position, person, dealer code) in white on a dark band in the bottom-left corner."""
    marked = image.copy()
    size = max(12, min(marked.size) // 32)
    font = ImageFont.load_default(size=size)
    draw = ImageDraw.Draw(marked, "RGBA")
    text = "\n".join(lines)
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, spacing=size // 4)
    pad = size // 2
    x, y = pad, marked.height - (bottom - top) - 3 * pad
    draw.rectangle((x - pad, y - pad, x + (right - left) + pad, y + (bottom - top) + 2 * pad), fill=(0, 0, 0, 150))
    draw.multiline_text((x, y - top), text, font=font, fill=(255, 255, 255, 255), spacing=size // 4)
    return marked


def render_copies(content: bytes, lines: list[str]) -> tuple[bytes, bytes]:
    """(the watermarked copy, the thumbnail), both JPEG without EXIF."""
    image = upright(content)
    image.thumbnail((COPY_SIDE, COPY_SIDE))
    copy = _jpeg(watermark(image, lines), quality=85)
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return copy, _jpeg(image, quality=80)
