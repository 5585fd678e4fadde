"""Photos on the visit pages: the phone form sends them with the visit (once, whatever is resent), the
visit page shows and takes them, the review queue shows them beside the reason — and the query counts do
not grow with the photos."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from evidence.models import Attachment
from tests.evidence.files import executable_bytes, photo, photo_bytes, upload
from tests.visits.world import log
from visits.models import Visit


def _now():
    return timezone.now().replace(microsecond=0)


def _form(dealer, **extra) -> dict:
    return {
        "dealer": dealer.pk,
        "visited_at": timezone.localtime(_now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "maintenance",
        "purpose": "陈列检查",
        "latitude": str(dealer.latitude),
        "longitude": str(dealer.longitude),
        "client_uuid": str(uuid.uuid4()),
        **extra,
    }


def _photos(visit) -> list[Attachment]:
    return list(Attachment.objects.filter(object_id=visit.pk, object_type__model="visit"))


def test_the_form_logs_the_visit_with_its_photos_once_even_when_sent_again(
    page_as, rep, d, django_capture_on_commit_callbacks
):
    client = page_as(rep)
    page = client.get(reverse("visits:visit-create")).content.decode()
    assert 'capture="environment"' in page and 'enctype="multipart/form-data"' in page
    form = _form(d["A1"])
    first, second = photo_bytes(colour=(200, 10, 10)), photo_bytes(colour=(10, 200, 10))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("visits:visit-create"), {**form, "photos": [upload(first, "a.jpg"), upload(second, "b.jpg")]}
        )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visits:visit-detail", args=[visit.pk])
    assert sorted(a.name for a in _photos(visit)) == ["a.jpg", "b.jpg"]
    assert all(a.thumbnail and a.copy for a in _photos(visit))
    # the phone's retry after a lost answer: the same form, the same photos
    again = client.post(
        reverse("visits:visit-create"), {**form, "photos": [upload(first, "a.jpg"), upload(second, "b.jpg")]}
    )
    assert again.status_code == 302 and Visit.objects.count() == 1 and len(_photos(visit)) == 2


def test_the_forms_own_sending_is_told_where_to_go_instead_of_redirected(page_as, rep, d):
    response = page_as(rep).post(
        reverse("visits:visit-create"), {**_form(d["A1"]), "photos": [photo()]}, headers={"X-Requested-With": "fetch"}
    )
    visit = Visit.objects.get()
    assert response.status_code == 200
    assert response["X-Location"] == reverse("visits:visit-detail", args=[visit.pk])


def test_a_refused_photo_refuses_the_form_and_logs_nothing(page_as, rep, d):
    response = page_as(rep).post(
        reverse("visits:visit-create"),
        {**_form(d["A1"]), "photos": [photo("good.jpg"), upload(executable_bytes(), "holiday.jpg")]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "“holiday.jpg”: its content is not a JPEG, PNG, WebP or PDF file" in body
    assert 'id="id_photos_error"' in body  # under the photos field
    assert not Visit.objects.exists() and not Attachment.objects.exists()


def test_the_visit_page_shows_the_photos_and_takes_more_within_24_hours(
    page_as, rep, manager, d, django_capture_on_commit_callbacks
):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(hours=1), now=now - timedelta(minutes=50))
    client = page_as(rep)
    assert 'data-testid="add-photos"' in client.get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("visits:visit-photos", args=[visit.pk]), {"photos": [photo(), photo("2.jpg", colour=(1, 1, 1))]}
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "2 photos added." in page
    (first, _second) = _photos(visit)
    assert reverse("attachment-thumbnail", args=[first.pk]) in page
    assert reverse("attachment-download", args=[first.pk]) in page
    # the manager sees them, and has no form to add any
    manager_page = page_as(manager).get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    assert reverse("attachment-thumbnail", args=[first.pk]) in manager_page
    assert 'data-testid="add-photos"' not in manager_page


def test_the_visit_page_refuses_a_bad_photo_with_its_name_and_stores_nothing(page_as, rep, d):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(hours=1), now=now)
    client = page_as(rep)
    response = client.post(
        reverse("visits:visit-photos", args=[visit.pk]), {"photos": [upload(b"", "empty.jpg")]}, follow=True
    )
    assert "“empty.jpg”: the file is empty." in response.content.decode()
    assert not Attachment.objects.exists()


def test_photos_cannot_be_added_after_24_hours(page_as, rep, d):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(days=2), now=now - timedelta(hours=25))
    client = page_as(rep)
    assert (
        'data-testid="add-photos"' not in client.get(reverse("visits:visit-detail", args=[visit.pk])).content.decode()
    )
    response = client.post(reverse("visits:visit-photos", args=[visit.pk]), {"photos": [photo()]}, follow=True)
    assert "Photos can be added for 24 hours after a visit is logged" in response.content.decode()
    assert not Attachment.objects.exists()


def _add_photos(visit, rep, count: int, start: int = 0) -> None:
    from evidence.services import attachments_add

    files = [photo(f"{n}.jpg", colour=(40 + n * 20, 60, 90)) for n in range(start, start + count)]
    attachments_add(actor=rep, obj=visit, files=files, now=visit.created_at + timedelta(minutes=1))


def test_visit_page_query_count_does_not_grow_with_photos(page_as, rep, manager, d, django_assert_max_num_queries):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(hours=1), now=now)
    _add_photos(visit, rep, 1)
    client = page_as(manager)
    with django_assert_max_num_queries(17) as one:
        assert client.get(reverse("visits:visit-detail", args=[visit.pk])).status_code == 200
    _add_photos(visit, rep, 8, start=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(reverse("visits:visit-detail", args=[visit.pk])).status_code == 200


def test_review_queue_shows_photos_beside_the_reason_in_a_fixed_number_of_queries(
    page_as, rep, rep_peer, manager, d, django_assert_max_num_queries
):
    now = _now()
    same = photo_bytes(colour=(9, 9, 9))
    first = log(rep, d["A1"], now - timedelta(hours=2), now=now - timedelta(hours=1))
    second = log(rep_peer, d["P1"], now - timedelta(hours=2), now=now - timedelta(hours=1))
    from evidence.services import attachments_add

    attachments_add(actor=rep, obj=first, files=[upload(same, "shop.jpg")], now=now)
    attachments_add(actor=rep_peer, obj=second, files=[upload(same, "shop.jpg")], now=now)
    client = page_as(manager)
    # session, user, roles, nav counts …, the queue (count + page), its photos, the first visits they name, plans
    with django_assert_max_num_queries(16) as few:
        page = client.get(reverse("visits:review")).content.decode()
    assert "Photo reused" in page and f"already on visit {first.pk}" in page
    assert reverse("visits:visit-detail", args=[first.pk]) in page
    for n in range(5):
        extra = log(rep, d[f"A{n + 2}"], now - timedelta(hours=3), now=now - timedelta(hours=2))
        attachments_add(
            actor=rep,
            obj=extra,
            files=[upload(same, "shop.jpg"), photo(f"{n}.jpg", colour=(40 + n * 30, 1, 1))],
            now=now,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("visits:review")).content.decode()
    assert page.count('data-testid="reused-of"') == 6  # the second visit's and the five new ones'


def test_api_visit_detail_lists_the_photos_in_a_fixed_number_of_queries(api_as, rep, d, django_assert_num_queries):
    now = _now()
    visit = log(rep, d["A1"], now - timedelta(hours=1), now=now)
    _add_photos(visit, rep, 1)
    client = api_as(rep)
    client.get(f"/api/v1/visits/{visit.pk}/")
    # session, user, roles, the visit ⋈ rep ⋈ dealer ⋈ territory ⋈ reviewer, its photos ⋈ uploader ⋈ first
    # attachment of a reused file (the content type of visits is cached after the first request)
    with django_assert_num_queries(5):
        body = client.get(f"/api/v1/visits/{visit.pk}/").json()
    assert [a["name"] for a in body["attachments"]] == ["0.jpg"]
    _add_photos(visit, rep, 4, start=1)
    with django_assert_num_queries(5):
        assert len(client.get(f"/api/v1/visits/{visit.pk}/").json()["attachments"]) == 5


def test_the_visit_list_shows_how_many_photos_each_visit_has_in_its_own_query(
    page_as, rep, manager, d, django_assert_max_num_queries
):
    now = _now()
    with_photos = log(rep, d["A1"], now - timedelta(hours=2), now=now - timedelta(hours=1))
    log(rep, d["A2"], now - timedelta(hours=3), now=now - timedelta(hours=1))
    client = page_as(manager)
    with django_assert_max_num_queries(14) as before:
        client.get(reverse("visits:visit-list"))
    _add_photos(with_photos, rep, 2)
    with django_assert_max_num_queries(len(before.captured_queries)):  # the count is in the list's query
        page = client.get(reverse("visits:visit-list")).content.decode()
    # the desktop table and the phone list each show it once, on that visit only
    assert page.count('data-testid="photo-count"') == 2
    assert 'title="2 photos"' in page
