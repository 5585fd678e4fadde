"""Who may see a file (SPEC §2, §13): an attachment is visible iff its object is — a visit: its rep, the
rep's manager (team) and admins; never finance. Out of scope is 404, and no file has a public URL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from channelhub.scoping import scope
from evidence.models import Attachment
from evidence.services import attachment_make_copies, attachments_add
from tests.evidence.files import photo, photo_bytes, upload
from tests.visits.world import log
from visits.models import Visit

SEES_REPS_PHOTO = {"rep": 200, "manager": 200, "admin": 200}
ROLES = ("rep", "rep_peer", "other_rep", "manager", "other_manager", "finance", "admin")
ENDPOINTS = ("", "file/", "copy/", "thumbnail/")


def make_photo(who, visit, colour) -> Attachment:
    [(attachment, _)] = attachments_add(actor=who, obj=visit, files=[photo(f"{who.username}.jpg", colour=colour)])
    attachment_make_copies(attachment.pk)
    attachment.refresh_from_db()
    return attachment


@pytest.fixture
def photos(d, rep, rep_peer, other_rep, now):
    """One photo on a visit of each rep: rep's (A1), rep_peer's (P1), other_rep's (O1)."""
    visits = {
        who.username: log(who, d[code], now - timedelta(hours=1), now=now)
        for who, code in ((rep, "A1"), (rep_peer, "P1"), (other_rep, "O1"))
    }
    return {
        "rep": make_photo(rep, visits["rep_a1"], (200, 0, 0)),
        "rep_peer": make_photo(rep_peer, visits["rep_a2"], (0, 200, 0)),
        "other_rep": make_photo(other_rep, visits["rep_b1"], (0, 0, 200)),
    }


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("who", ROLES)
def test_reps_photo_by_role(api_as, everyone, photos, who, endpoint):
    attachment = photos["rep"]
    response = api_as(everyone[who]).get(f"/api/v1/attachments/{attachment.pk}/{endpoint}")
    assert response.status_code == SEES_REPS_PHOTO.get(who, 404)
    if response.status_code == 200 and endpoint == "file/":
        with attachment.file.open("rb") as original:
            assert body(response) == original.read()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", ["rep"]),
        ("rep_peer", ["rep_peer"]),
        ("other_rep", ["other_rep"]),
        ("manager", ["rep", "rep_peer"]),  # the team
        ("other_manager", ["other_rep"]),
        ("finance", []),  # visits are hidden from finance (SPEC §2)
        ("admin", ["rep", "rep_peer", "other_rep"]),
    ],
)
def test_the_list_shows_only_the_files_of_visible_objects(api_as, everyone, photos, who, expected):
    rows = api_as(everyone[who]).get("/api/v1/attachments/").json()["results"]
    assert sorted(row["id"] for row in rows) == sorted(photos[owner].pk for owner in expected)
    visible = scope(everyone[who], Attachment)
    assert sorted(visible.values_list("pk", flat=True)) == sorted(photos[owner].pk for owner in expected)


def test_the_list_filters_by_sha256_within_scope(api_as, rep_peer, photos):
    sha256 = photos["rep"].sha256
    assert api_as(rep_peer).get("/api/v1/attachments/", {"sha256": sha256}).json()["results"] == []


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_no_file(api_client, photos, endpoint):
    attachment = photos["rep"]
    response = api_client.get(f"/api/v1/attachments/{attachment.pk}/{endpoint}")
    assert response.status_code in (401, 403)
    assert not response.streaming
    with attachment.file.open("rb") as original:
        assert original.read()[:64] not in response.content


def test_anonymous_gets_no_list(api_client, photos):
    assert api_client.get("/api/v1/attachments/").status_code in (401, 403)


@pytest.mark.parametrize("field", ["file", "copy", "thumbnail"])
def test_no_file_is_served_from_a_media_url(client_as, api_client, rep, photos, settings, field):
    stored = getattr(photos["rep"], field).name
    assert stored.startswith("evidence/")
    assert settings.MEDIA_URL == "/media/"
    assert api_client.get(f"/media/{stored}").status_code == 404
    assert client_as(rep).get(f"/media/{stored}").status_code == 404


def test_an_unknown_attachment_is_404(api_as, admin_user):
    assert api_as(admin_user).get("/api/v1/attachments/999999/file/").status_code == 404


# --- adding photos ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", 201),
        ("rep_peer", 404),  # cannot see the visit
        ("other_rep", 404),
        ("manager", 403),  # sees it; only its rep adds photos
        ("other_manager", 404),
        ("finance", 404),
        ("admin", 403),
    ],
)
def test_who_may_add_photos_to_reps_visit(everyone, visit, post_photos, who, expected):
    response = post_photos(everyone[who], visit, photo())
    assert response.status_code == expected
    assert Attachment.objects.count() == (1 if expected == 201 else 0)


def test_a_reviewed_visit_takes_no_more_photos(rep, visit, post_photos):
    Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.CONFIRMED)
    response = post_photos(rep, visit, photo())
    assert response.status_code == 409
    assert Attachment.objects.count() == 0


def test_photos_are_taken_for_24_hours_after_the_visit_is_logged(d, rep, now, post_photos):
    # logged 24 h and 1 s ago: closed; 23 h 59 min ago: still open
    closed = log(rep, d["A1"], now - timedelta(hours=25), now=now - timedelta(hours=24, seconds=1))
    still = log(rep, d["A2"], now - timedelta(hours=25), now=now - timedelta(hours=23, minutes=59))
    refused = post_photos(rep, closed, photo())
    assert refused.status_code == 409 and "24 hours" in refused.json()["detail"]
    assert post_photos(rep, still, photo()).status_code == 201


def test_the_service_refuses_a_rep_who_cannot_see_the_visit(rep_peer, visit):
    with pytest.raises(PermissionDenied):
        attachments_add(actor=rep_peer, obj=visit, files=[upload(photo_bytes())])
    assert Attachment.objects.count() == 0


def test_the_service_refuses_the_manager(manager, visit):
    with pytest.raises(PermissionDenied):
        attachments_add(actor=manager, obj=visit, files=[upload(photo_bytes())])
