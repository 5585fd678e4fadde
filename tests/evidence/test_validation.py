"""What a file is, read from its content (SPEC §13): JPEG, PNG, WebP and PDF up to 10 MB, nine per object.
Anything else is a 400 naming the file and the reason, and nothing is stored — no row, no file."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

from evidence.inspection import MAX_BYTES, FileRefused, inspect_file
from evidence.models import Attachment
from evidence.services import attachments_add
from tests.evidence.conftest import stored_files
from tests.evidence.files import (
    decompression_bomb_png,
    executable_bytes,
    pdf_bytes,
    photo,
    photo_bytes,
    truncated_jpeg,
    upload,
)

TEN_MB = 10 * 1024 * 1024  # 10,485,760 bytes


def padded_jpeg(total: int) -> bytes:
    """A real JPEG followed by zero bytes up to ``total`` (a viewer reads the picture and ignores the rest)."""
    start = photo_bytes()
    return start + b"\x00" * (total - len(start))


def gif_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (16, 16), (10, 200, 10)).save(out, "GIF")
    return out.getvalue()


#: (the upload, the words of the reason)
REFUSED = {
    "executable renamed photo.jpg": (
        lambda: upload(executable_bytes(), "photo.jpg"),
        "its content is not a JPEG, PNG, WebP or PDF file, whatever its name says.",
    ),
    "truncated JPEG": (lambda: upload(truncated_jpeg(), "cut.jpg"), "the image is damaged or cut short."),
    "decompression bomb PNG": (
        lambda: upload(decompression_bomb_png(), "bomb.png", "image/png"),
        "the image is too large when decompressed",
    ),
    "PDF with JavaScript": (
        lambda: upload(pdf_bytes(javascript=True), "invoice.pdf", "application/pdf"),
        "the PDF contains script or embedded files, which are not accepted.",
    ),
    "PDF with JavaScript in a compressed stream": (
        lambda: upload(pdf_bytes(compressed_javascript=True), "hidden.pdf", "application/pdf"),
        "the PDF contains script or embedded files, which are not accepted.",
    ),
    "empty file": (lambda: upload(b"", "empty.jpg"), "the file is empty."),
    "10 MB and one byte": (lambda: upload(padded_jpeg(TEN_MB + 1), "big.jpg"), "the file is larger than 10 MB."),
    "GIF": (lambda: upload(gif_bytes(), "anim.gif", "image/gif"), "its content is not a JPEG, PNG, WebP or PDF"),
}


def message(response) -> str:
    return " ".join(response.json()["file"])


# --- the API: 400 naming the file and the reason, nothing stored ------------------------------------------


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_file_is_400_naming_it_and_nothing_is_stored(case, rep, visit, post_photos):
    make, reason = REFUSED[case]
    sent = make()
    before = stored_files()
    response = post_photos(rep, visit, sent)
    assert response.status_code == 400
    assert f"“{sent.name}”" in message(response)
    assert reason in message(response)
    assert Attachment.objects.count() == 0
    assert stored_files() == before
    visit.refresh_from_db()
    assert (visit.photo_time_mismatch, visit.photo_far, visit.photo_reused) == (False, False, False)


def test_one_bad_file_among_good_ones_refuses_them_all(rep, visit, post_photos):
    before = stored_files()
    response = post_photos(
        rep,
        visit,
        photo("good-1.jpg", colour=(10, 10, 10)),
        upload(executable_bytes(), "photo.jpg"),
        photo("good-2.jpg", colour=(20, 20, 20)),
    )
    assert response.status_code == 400
    assert response.json()["file"] == [
        "“photo.jpg”: its content is not a JPEG, PNG, WebP or PDF file, whatever its name says."
    ]
    assert Attachment.objects.count() == 0
    assert stored_files() == before


def test_every_refused_file_of_a_request_is_named(rep, visit, post_photos):
    response = post_photos(rep, visit, upload(b"", "a.jpg"), photo("ok.jpg"), upload(truncated_jpeg(), "b.jpg"))
    assert response.status_code == 400
    assert response.json()["file"] == ["“a.jpg”: the file is empty.", "“b.jpg”: the image is damaged or cut short."]


def test_a_pdf_is_not_a_photo_of_a_visit(rep, visit, post_photos):
    """A visit takes photos: a clean PDF sent as one is refused, naming the file (it was once stored)."""
    before = stored_files()
    response = post_photos(rep, visit, upload(pdf_bytes(), "report.pdf", "application/pdf"))
    assert response.status_code == 400
    assert response.json()["file"] == ["“report.pdf”: a photo must be a JPEG, PNG or WebP image."]
    assert Attachment.objects.count() == 0
    assert stored_files() == before


def test_a_visit_takes_no_documents_through_its_attachments_endpoint(rep, visit, post_photos):
    response = post_photos(
        rep,
        visit,
        upload(pdf_bytes(), "report.pdf", "application/pdf"),
        url=f"/api/v1/visits/{visit.pk}/attachments/",
        kind="document",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"kind"}
    assert Attachment.objects.count() == 0


def test_a_json_body_without_files_is_400_on_file_not_500(rep, visit, api_as):
    response = api_as(rep).post(f"/api/v1/visits/{visit.pk}/photos/", {"file": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"file"}


def test_a_request_without_a_file_is_400_on_file(rep, visit, post_photos):
    response = post_photos(rep, visit)
    assert response.status_code == 400
    assert set(response.json()) == {"file"}


# --- accepted: the type from the content ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "sent_as", "content_type", "stored_as"),
    [
        ("JPEG", "photo.jpg", "image/jpeg", "photo.jpg"),
        ("PNG", "photo.png", "image/png", "photo.png"),
        ("WEBP", "photo.webp", "image/webp", "photo.webp"),
        # the name lies: the content decides the type and the extension
        ("PNG", "photo.jpg", "image/png", "photo.png"),
        ("JPEG", "photo.exe", "image/jpeg", "photo.jpg"),
    ],
)
def test_jpeg_png_and_webp_are_taken_as_their_content_says(
    fmt, sent_as, content_type, stored_as, rep, visit, post_photos
):
    content = photo_bytes(fmt=fmt)
    response = post_photos(rep, visit, upload(content, sent_as, "application/octet-stream"))
    assert response.status_code == 201
    [row] = response.json()
    assert (row["content_type"], row["name"], row["size"]) == (content_type, stored_as, len(content))
    assert (row["width"], row["height"]) == (640, 480)
    attachment = Attachment.objects.get()
    assert attachment.file.name.startswith("evidence/") and attachment.file.name.endswith(stored_as[-4:])


def test_nine_photos_in_one_request_are_taken(rep, visit, post_photos):
    response = post_photos(rep, visit, *[photo(f"p{n}.jpg", colour=(n, n, n)) for n in range(9)])
    assert response.status_code == 201
    assert len(response.json()) == 9
    assert Attachment.objects.count() == 9


def test_the_tenth_file_on_an_object_is_refused(rep, visit, post_photos):
    assert post_photos(rep, visit, *[photo(f"p{n}.jpg", colour=(n, n, n)) for n in range(9)]).status_code == 201
    before = stored_files()
    response = post_photos(rep, visit, photo("p9.jpg", colour=(9, 9, 9)))
    assert response.status_code == 400
    assert response.json()["file"] == ["“p9.jpg”: a record takes at most 9 files; this one has 9 already."]
    assert Attachment.objects.count() == 9
    assert stored_files() == before


def test_ten_files_at_once_are_refused_and_none_is_stored(rep, visit, post_photos):
    before = stored_files()
    response = post_photos(rep, visit, *[photo(f"p{n}.jpg", colour=(n, n, n)) for n in range(10)])
    assert response.status_code == 400
    assert "a record takes at most 9 files; this one has 0 already." in message(response)
    assert Attachment.objects.count() == 0
    assert stored_files() == before


def test_a_full_object_still_answers_a_retry_of_one_of_its_files(rep, visit, post_photos):
    assert post_photos(rep, visit, *[photo(f"p{n}.jpg", colour=(n, n, n)) for n in range(9)]).status_code == 201
    response = post_photos(rep, visit, photo("again.jpg", colour=(4, 4, 4)))
    assert response.status_code == 200
    assert response.json()[0]["name"] == "p4.jpg"
    assert Attachment.objects.count() == 9


# --- idempotency: the same file again is the first attachment -----------------------------------------------


def test_the_same_photo_again_answers_200_with_the_first_and_no_new_row(rep, visit, post_photos):
    content = photo_bytes()
    first = post_photos(rep, visit, upload(content, "first.jpg"))
    before = stored_files()
    again = post_photos(rep, visit, upload(content, "retry.jpg"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()[0]["id"] == first.json()[0]["id"]
    assert again.json()[0]["name"] == "first.jpg"
    assert Attachment.objects.count() == 1
    assert stored_files() == before


def test_the_same_photo_twice_in_one_request_is_one_row(rep, visit, post_photos):
    content = photo_bytes()
    response = post_photos(rep, visit, upload(content, "a.jpg"), upload(content, "b.jpg"))
    assert response.status_code == 201
    assert [row["id"] for row in response.json()] == [response.json()[0]["id"]] * 2
    assert Attachment.objects.count() == 1


def test_a_new_photo_with_one_already_there_is_201(rep, visit, post_photos):
    old = photo_bytes(colour=(1, 1, 1))
    post_photos(rep, visit, upload(old, "old.jpg"))
    response = post_photos(rep, visit, upload(old, "old.jpg"), photo("new.jpg", colour=(2, 2, 2)))
    assert response.status_code == 201
    assert Attachment.objects.count() == 2


# --- the service and the inspection, without the API -----------------------------------------------------


@pytest.mark.parametrize("case", list(REFUSED))
def test_the_service_refuses_the_same_files_and_stores_nothing(case, rep, visit):
    make, reason = REFUSED[case]
    sent = make()
    before = stored_files()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        attachments_add(actor=rep, obj=visit, files=[photo("fine.jpg"), sent])
    [text] = refused.value.message_dict["file"]
    assert text.startswith(f"“{sent.name}”: ") and reason in text
    assert Attachment.objects.count() == 0
    assert stored_files() == before


@pytest.mark.parametrize("case", list(REFUSED))
def test_inspection_refuses_each_hostile_file(case):
    make, reason = REFUSED[case]
    with translation.override("en"), pytest.raises(FileRefused) as refused:
        inspect_file(make())
    assert reason in refused.value.reason


def test_exactly_10_mb_is_taken():
    inspected = inspect_file(upload(padded_jpeg(TEN_MB), "big.jpg"))
    assert MAX_BYTES == TEN_MB == 10_485_760
    assert (inspected.size, inspected.content_type) == (10_485_760, "image/jpeg")


def test_a_clean_pdf_is_taken_as_a_pdf_whatever_its_name():
    content = pdf_bytes()
    inspected = inspect_file(upload(content, "scan.jpg", "image/jpeg"))
    assert (inspected.content_type, inspected.extension, inspected.name) == ("application/pdf", "pdf", "scan.pdf")
    assert inspected.size == len(content)


def test_a_pdf_cut_before_its_end_is_refused():
    with translation.override("en"), pytest.raises(FileRefused, match="the PDF is damaged or cut short."):
        inspect_file(upload(pdf_bytes()[:-20], "cut.pdf"))


def test_a_script_name_written_with_hex_escapes_is_still_found():
    # /J#61vaScript is /JavaScript once the PDF's name escapes are read
    content = pdf_bytes().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript >>")
    with translation.override("en"), pytest.raises(FileRefused, match="contains script"):
        inspect_file(upload(content, "escaped.pdf"))


def test_a_photo_of_the_service_with_a_pdf_is_refused_naming_it(rep, visit):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        attachments_add(actor=rep, obj=visit, files=[upload(pdf_bytes(), "x.pdf")], kind=Attachment.Kind.PHOTO)
    assert refused.value.message_dict["file"] == ["“x.pdf”: a photo must be a JPEG, PNG or WebP image."]


def test_the_service_answers_created_then_not_for_the_same_file(rep, visit):
    content = photo_bytes()
    [(first, created)] = attachments_add(actor=rep, obj=visit, files=[upload(content)])
    [(again, created_again)] = attachments_add(actor=rep, obj=visit, files=[upload(content)])
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Attachment.objects.count() == 1
