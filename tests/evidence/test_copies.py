"""A photo's copies (SPEC §13): the original kept byte for byte, a watermarked copy and a thumbnail turned
upright and without EXIF; and how files are sent (a safe name, the type from the content, nothing that
runs in the browser)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from PIL import ExifTags, Image, ImageOps, ImageStat

from evidence.images import THUMBNAIL_SIDE
from evidence.models import Attachment
from evidence.services import attachment_make_copies, attachments_add, watermark_lines
from tests.evidence.files import pdf_bytes, photo, photo_bytes, upload

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The bottom-left corner where the watermark sits, and the middle of the picture (of a 640 × 480 photo).
CORNER = (0, 420, 120, 470)
CENTRE = (270, 190, 370, 290)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def image_of(content: bytes) -> Image.Image:
    image = Image.open(BytesIO(content))
    image.load()
    return image


def mean(image: Image.Image, box) -> float:
    """The mean brightness (0–255) of ``box``."""
    return ImageStat.Stat(image.crop(box).convert("L")).mean[0]


@pytest.fixture
def uploaded(rep, visit, post_photos, django_capture_on_commit_callbacks):
    """``uploaded(content, name)`` → the attachment made over the API, its copies made (the task runs on commit)."""

    def send(content: bytes, name: str = "photo.jpg") -> Attachment:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_photos(rep, visit, upload(content, name))
        assert response.status_code == 201, response.content
        return Attachment.objects.get(pk=response.json()[0]["id"])

    return send


# --- the original, the copy, the thumbnail --------------------------------------------------------------------


def test_the_original_is_kept_byte_for_byte(uploaded, api_as, rep):
    content = photo_bytes(lat="31.240000", lon="121.470000", taken=None)
    attachment = uploaded(content)
    with attachment.file.open("rb") as stored:
        kept = stored.read()
    assert hashlib.sha256(kept).hexdigest() == hashlib.sha256(content).hexdigest() == attachment.sha256
    assert body(api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/file/")) == content


def test_the_copy_carries_the_watermark_in_its_bottom_left_corner(uploaded, api_as, rep):
    content = photo_bytes(colour=(30, 120, 200))
    attachment = uploaded(content)
    assert attachment.rendered_at is not None
    copy = image_of(body(api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/copy/")))
    original = ImageOps.exif_transpose(image_of(content)).convert("RGB").resize(copy.size)
    assert copy.size == (640, 480)
    # a dark band with white text: the corner is at least 20 levels darker on average …
    assert mean(copy, CORNER) < mean(original, CORNER) - 20
    # … and the middle of the picture is the photo (JPEG noise only)
    assert abs(mean(copy, CENTRE) - mean(original, CENTRE)) < 3


def test_the_copies_are_turned_upright(uploaded):
    # orientation 6: the camera was held on its side, a viewer turns the 640 × 480 picture 90° clockwise
    attachment = uploaded(photo_bytes(orientation=6, size=(640, 480)))
    copy = image_of(attachment.copy.read())
    thumbnail = image_of(attachment.thumbnail.read())
    assert copy.size == (480, 640)
    assert thumbnail.size == (240, 320)
    # the bright block of the stored top-left corner is now top-right, as a viewer shows it
    red, green, blue = copy.getpixel((470, 10))
    assert red > 200 and green > 200 and blue < 100
    assert (attachment.width, attachment.height) == (640, 480)  # the original's own pixels


def test_the_copies_carry_no_exif_so_no_position(uploaded):
    content = photo_bytes(lat="31.240000", lon="121.470000", orientation=6)
    attachment = uploaded(content)
    assert image_of(content).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the original has it …
    for field in (attachment.copy, attachment.thumbnail):
        exif = image_of(field.read()).getexif()
        assert len(exif) == 0  # … the copies have none: no GPS, no orientation to apply twice
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)


@pytest.mark.parametrize(
    ("size", "expected"), [((640, 480), (320, 240)), ((300, 1000), (96, 320)), ((200, 100), (200, 100))]
)
def test_the_thumbnail_is_at_most_320_pixels(uploaded, size, expected):
    attachment = uploaded(photo_bytes(size=size))
    thumbnail = image_of(attachment.thumbnail.read())
    assert thumbnail.size == expected and max(thumbnail.size) <= THUMBNAIL_SIDE == 320
    assert thumbnail.format == "JPEG"


def test_a_png_gets_jpeg_copies(uploaded):
    attachment = uploaded(photo_bytes(fmt="PNG"), "screen.png")
    assert attachment.content_type == "image/png"
    assert image_of(attachment.copy.read()).format == "JPEG"
    assert attachment.copy.name.endswith("-copy.jpg") and attachment.thumbnail.name.endswith("-thumb.jpg")


def test_the_copies_are_made_once(uploaded):
    attachment = uploaded(photo_bytes())
    names = (attachment.copy.name, attachment.thumbnail.name)
    assert attachment_make_copies(attachment.pk) is False
    attachment.refresh_from_db()
    assert (attachment.copy.name, attachment.thumbnail.name) == names


def test_the_copies_wait_for_the_commit(rep, visit, post_photos):
    """Without the commit (this test's transaction never ends) no task ran: no copy yet."""
    response = post_photos(rep, visit, photo())
    attachment = Attachment.objects.get(pk=response.json()[0]["id"])
    assert not attachment.copy and not attachment.thumbnail and attachment.rendered_at is None


def test_the_watermark_names_time_place_person_and_dealer_in_ascii(rep, visit):
    taken = visit.visited_at.astimezone(SHANGHAI)
    [(attachment, _)] = attachments_add(
        actor=rep, obj=visit, files=[photo(taken=taken.replace(tzinfo=None), lat="31.240394", lon="121.473700")]
    )
    lines = watermark_lines(attachment)
    assert lines == [
        taken.strftime("%Y-%m-%d %H:%M +0800"),
        "31.240394, 121.473700",
        f"{rep.profile.employee_no} rep_a1",
        "A1",
    ]
    assert all(line.isascii() for line in lines)


def test_without_exif_the_watermark_has_the_upload_time_and_the_phones_position(rep, visit, now):
    [(attachment, _)] = attachments_add(
        actor=rep, obj=visit, files=[photo()], latitude=Decimal("31.2314"), longitude=Decimal("121.4737"), now=now
    )
    lines = watermark_lines(attachment)
    assert lines[0] == now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M +0800")
    assert lines[1] == "31.231400, 121.473700"


# --- sending files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file", "copy", "thumbnail"])
def test_a_photo_is_sent_inline_with_nothing_that_runs(uploaded, api_as, rep, url):
    attachment = uploaded(photo_bytes())
    response = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/{url}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert response["Cache-Control"].startswith("private")


def test_the_type_comes_from_the_content_not_the_name(uploaded, api_as, rep):
    attachment = uploaded(photo_bytes(fmt="PNG"), "holiday.jpg")
    response = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/file/")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="holiday.png"'
    copy = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/copy/")
    assert copy["Content-Type"] == "image/jpeg"
    assert copy["Content-Disposition"] == 'inline; filename="holiday.jpg"'


def test_a_hostile_name_loses_its_path_quotes_and_line_breaks(uploaded, api_as, rep):
    attachment = uploaded(photo_bytes(), '../../etc/pass"wd\r\n.jpg')
    assert attachment.name == "passwd.jpg"
    header = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/file/")["Content-Disposition"]
    assert header == 'inline; filename="passwd.jpg"'
    assert "/" not in header and ".." not in header and "\r" not in header and "\n" not in header
    assert header.count('"') == 2  # only the pair around the name
    assert not attachment.file.name.endswith("passwd.jpg")  # the stored name is the server's own


def test_a_chinese_name_is_encoded_as_rfc_5987(uploaded, api_as, rep):
    attachment = uploaded(photo_bytes(), '报告 "x".jpg')
    assert attachment.name == "报告_x.jpg"
    header = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/file/")["Content-Disposition"]
    # 报 = E6 8A A5, 告 = E5 91 8A in UTF-8
    assert header == "inline; filename*=utf-8''%E6%8A%A5%E5%91%8A_x.jpg"
    assert header.isascii() and '"' not in header


def test_a_long_name_is_cut_to_120_characters_keeping_its_extension(uploaded):
    attachment = uploaded(photo_bytes(), "a" * 300 + ".jpg")
    assert attachment.name == "a" * 116 + ".jpg" and len(attachment.name) == 120


@pytest.fixture
def pdf_attachment(rep, visit):
    """A PDF on the visit, written directly (a visit's upload takes photos only; other objects take PDFs)."""
    content = pdf_bytes()
    attachment = Attachment(
        object_type=ContentType.objects.get_for_model(visit),
        object_id=visit.pk,
        kind=Attachment.Kind.DOCUMENT,
        name="合同 scan.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=rep,
    )
    attachment.file.save("0123abcd.pdf", ContentFile(content), save=True)
    return attachment, content


def test_a_pdf_downloads_as_an_attachment(pdf_attachment, api_as, rep):
    attachment, content = pdf_attachment
    response = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert body(response) == content


def test_a_pdf_has_no_copy_and_no_thumbnail(pdf_attachment, api_as, rep):
    attachment, _content = pdf_attachment
    client = api_as(rep)
    assert client.get(f"/api/v1/attachments/{attachment.pk}/copy/").status_code == 404
    assert client.get(f"/api/v1/attachments/{attachment.pk}/thumbnail/").status_code == 404
    row = client.get(f"/api/v1/attachments/{attachment.pk}/").json()
    assert (row["copy_url"], row["thumbnail_url"]) == (None, None)
    assert row["url"] == f"/api/v1/attachments/{attachment.pk}/file/"


def test_before_the_copies_exist_the_thumbnail_is_the_original_and_the_copy_is_404(rep, visit, post_photos, api_as):
    content = photo_bytes()
    response = post_photos(rep, visit, upload(content))  # no commit: no copies yet
    pk = response.json()[0]["id"]
    client = api_as(rep)
    assert client.get(f"/api/v1/attachments/{pk}/copy/").status_code == 404
    thumbnail = client.get(f"/api/v1/attachments/{pk}/thumbnail/")
    assert thumbnail.status_code == 200 and body(thumbnail) == content


def test_the_upload_answer_lists_the_urls(rep, visit, post_photos):
    row = post_photos(rep, visit, photo()).json()[0]
    pk = row["id"]
    assert row["url"] == f"/api/v1/attachments/{pk}/file/"
    assert row["copy_url"] == f"/api/v1/attachments/{pk}/copy/"
    assert row["thumbnail_url"] == f"/api/v1/attachments/{pk}/thumbnail/"
    assert row["uploaded_by_name"] and row["kind"] == "photo"


def test_a_visit_an_hour_ago_is_still_open_for_photos(visit, now):
    # the fixtures' premise: the visit was logged now, the window runs 24 h from then
    assert now - visit.visited_at == timedelta(hours=1)


def test_a_photo_that_cannot_be_redrawn_keeps_its_original_and_the_upload_succeeds(
    api_as, rep, d, monkeypatch, django_capture_on_commit_callbacks
):
    """The copies are made after the upload has committed; when Pillow cannot redraw a photo it read on
    upload, the task logs it and leaves the copies out — the upload is not undone and answers 201."""
    from datetime import timedelta

    from django.utils import timezone

    import evidence.images
    from evidence.models import Attachment
    from tests.evidence.files import photo
    from tests.visits.world import log

    def broken(content, lines):
        raise OSError("broken data stream when reading image file")

    monkeypatch.setattr(evidence.images, "render_copies", broken)
    visit = log(rep, d["A1"], timezone.now() - timedelta(hours=1), now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(rep).post(f"/api/v1/visits/{visit.pk}/photos/", {"file": [photo()]}, format="multipart")
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.file and not attachment.copy and not attachment.thumbnail and attachment.rendered_at is None
    thumbnail = api_as(rep).get(f"/api/v1/attachments/{attachment.pk}/thumbnail/")
    assert thumbnail.status_code == 200 and b"".join(thumbnail.streaming_content) == attachment.file.open("rb").read()
