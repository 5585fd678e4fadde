"""The checks against fabrication (SPEC §13), each at and across its threshold, computed by hand:
``photo_time_mismatch`` (EXIF time more than 2 h from the visit), ``photo_far`` (EXIF position more
than 1 km from the dealer), ``photo_reused`` (the same sha256 already on another object)."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from channelhub.geo import distance_m
from channelhub.notifications.models import Notification
from evidence.models import Attachment
from evidence.services import attachments_add
from tests.evidence.files import photo, photo_bytes, upload
from tests.visits.world import log
from visits.models import Visit
from visits.selectors import review_queue
from visits.services.visits import visit_update

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
EARTH_RADIUS_M = 6_371_008.8
TWO_HOURS = timedelta(hours=2)
ONE_SECOND = timedelta(seconds=1)


def wall(moment, zone=SHANGHAI):
    """The naive wall-clock time a camera in ``zone`` writes into EXIF."""
    return moment.astimezone(zone).replace(tzinfo=None)


def add(rep, visit, **exif) -> Attachment:
    [(attachment, created)] = attachments_add(actor=rep, obj=visit, files=[photo(**exif)])
    assert created
    return attachment


def visit_flags(visit) -> list[str]:
    visit.refresh_from_db()
    return [flag for flag in ("photo_time_mismatch", "photo_far", "photo_reused") if getattr(visit, flag)]


# --- photo_time_mismatch: more than 2 h from the visit ---------------------------------------------------


def test_a_photo_taken_exactly_2_hours_before_the_visit_is_not_flagged(rep, visit):
    attachment = add(rep, visit, taken=wall(visit.visited_at - TWO_HOURS))
    assert visit.visited_at - attachment.taken_at == timedelta(seconds=7200)
    assert attachment.time_mismatch is False and attachment.flags == []
    assert visit_flags(visit) == []


def test_a_photo_taken_2_hours_and_1_second_before_the_visit_is_flagged(rep, visit):
    attachment = add(rep, visit, taken=wall(visit.visited_at - TWO_HOURS - ONE_SECOND))
    assert visit.visited_at - attachment.taken_at == timedelta(seconds=7201)
    assert attachment.time_mismatch is True and attachment.flags == ["photo_time_mismatch"]
    assert visit_flags(visit) == ["photo_time_mismatch"]


def test_after_the_visit_counts_the_same_way(rep, visit):
    # the visit was an hour ago: 2 h after it is in the phone's future, which the check does not mind
    exactly = add(rep, visit, taken=wall(visit.visited_at + TWO_HOURS), colour=(1, 1, 1))
    beyond = add(rep, visit, taken=wall(visit.visited_at + TWO_HOURS + ONE_SECOND), colour=(2, 2, 2))
    assert (exactly.time_mismatch, beyond.time_mismatch) == (False, True)


def test_exif_time_with_an_offset_is_read_in_that_offset(rep, visit):
    # 10:00 at +00:00 is 18:00 in Shanghai: written in UTC with its offset, the visit's own moment
    attachment = add(rep, visit, taken=wall(visit.visited_at, UTC), offset="+00:00")
    assert attachment.taken_at == visit.visited_at
    assert attachment.time_mismatch is False


def test_exif_time_with_plus_0800_is_shanghai_time(rep, visit):
    attachment = add(rep, visit, taken=wall(visit.visited_at - TWO_HOURS - ONE_SECOND), offset="+08:00")
    assert attachment.taken_at.utcoffset() == timedelta(hours=8)
    assert visit.visited_at - attachment.taken_at == timedelta(seconds=7201)
    assert attachment.time_mismatch is True


def test_exif_time_without_an_offset_is_read_in_the_deployment_time_zone(rep, visit, settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    # the UTC wall time written without an offset reads as Shanghai time: 8 h before the visit
    attachment = add(rep, visit, taken=wall(visit.visited_at, UTC))
    assert visit.visited_at - attachment.taken_at == timedelta(hours=8)
    assert attachment.time_mismatch is True
    # the Shanghai wall time without an offset is the visit's moment
    local = add(rep, visit, taken=wall(visit.visited_at), colour=(9, 9, 9))
    assert local.taken_at == visit.visited_at and local.time_mismatch is False


def test_a_photo_without_exif_time_is_not_time_checked(rep, visit):
    attachment = add(rep, visit)
    assert attachment.taken_at is None and attachment.time_mismatch is False


def test_correcting_the_visit_time_sets_and_clears_the_time_flag(rep, visit, now):
    attachment = add(rep, visit, taken=wall(visit.visited_at))  # taken at the visit: 0 s apart
    assert visit_flags(visit) == []
    # moved 2 h 1 s earlier: the photo is now 7201 s after the visit
    visit_update(actor=rep, visit=visit, visited_at=visit.visited_at - TWO_HOURS - ONE_SECOND, now=now)
    attachment.refresh_from_db()
    assert attachment.time_mismatch is True
    assert visit_flags(visit) == ["photo_time_mismatch"]
    # moved 1 s later again: exactly 7200 s, no flag
    visit_update(actor=rep, visit=visit, visited_at=visit.visited_at + ONE_SECOND, now=now)
    attachment.refresh_from_db()
    assert attachment.time_mismatch is False
    assert visit_flags(visit) == []


def test_correcting_the_visit_time_over_the_api_rechecks_the_photos(api_as, rep, visit, post_photos):
    post_photos(rep, visit, photo(taken=wall(visit.visited_at)))
    earlier = visit.visited_at - TWO_HOURS - ONE_SECOND
    response = api_as(rep).patch(f"/api/v1/visits/{visit.pk}/", {"visited_at": earlier.isoformat()}, format="json")
    assert response.status_code == 200
    assert "photo_time_mismatch" in response.json()["flags"]
    assert response.json()["attachments"][0]["flags"] == ["photo_time_mismatch"]


# --- photo_far: EXIF position more than 1 km from the dealer -------------------------------------------------

# A1 is at 31.231400 N, 121.473700 E. Along its meridian a distance is R × Δφ (radians), R = 6 371 008.8 m:
#   0.008993° → 6 371 008.8 × 0.008993 × π/180 = 999.98 m  → kept as 1000.0 m (0.1 m): not more than 1 km
#   0.008994° → 6 371 008.8 × 0.008994 × π/180 = 1000.09 m → kept as 1000.1 m: far
AT_1000_M = Decimal("31.231400") + Decimal("0.008993")  # 31.240393
AT_1000_1_M = Decimal("31.231400") + Decimal("0.008994")  # 31.240394
A1_LON = Decimal("121.473700")


def test_the_chosen_points_straddle_1_km():
    assert EARTH_RADIUS_M * math.radians(0.008993) == pytest.approx(999.98, abs=0.005)
    assert EARTH_RADIUS_M * math.radians(0.008994) == pytest.approx(1000.09, abs=0.005)
    assert distance_m(AT_1000_M, A1_LON, Decimal("31.231400"), A1_LON) == Decimal("1000.0")
    assert distance_m(AT_1000_1_M, A1_LON, Decimal("31.231400"), A1_LON) == Decimal("1000.1")


def test_a_photo_1000_m_from_the_dealer_is_not_far(rep, visit, d):
    assert visit.dealer == d["A1"] and d["A1"].latitude == Decimal("31.231400")
    attachment = add(rep, visit, lat=AT_1000_M, lon=A1_LON)
    assert (attachment.latitude, attachment.longitude) == (Decimal("31.240393"), A1_LON)
    assert attachment.position_from_exif is True
    assert attachment.distance_m == Decimal("1000.0")
    assert attachment.far is False
    assert visit_flags(visit) == []


def test_a_photo_1000_1_m_from_the_dealer_is_far(rep, visit):
    attachment = add(rep, visit, lat=AT_1000_1_M, lon=A1_LON)
    assert attachment.distance_m == Decimal("1000.1")
    assert attachment.far is True and attachment.flags == ["photo_far"]
    assert visit_flags(visit) == ["photo_far"]


def test_without_exif_position_the_phones_position_is_kept_but_never_flags_far(rep, visit):
    # the phone says 31.281400 N: 0.05° = 5559.8 m north of A1 — not evidence of where the photo was taken
    [(attachment, _created)] = attachments_add(
        actor=rep, obj=visit, files=[photo()], latitude=Decimal("31.281400"), longitude=A1_LON
    )
    assert (attachment.latitude, attachment.longitude) == (Decimal("31.281400"), A1_LON)
    assert attachment.position_from_exif is False
    assert attachment.distance_m is None and attachment.far is False
    assert visit_flags(visit) == []


def test_the_exif_position_wins_over_the_phones(rep, visit):
    [(attachment, _created)] = attachments_add(
        actor=rep,
        obj=visit,
        files=[photo(lat=AT_1000_1_M, lon=A1_LON)],
        latitude=Decimal("31.231400"),
        longitude=A1_LON,
    )
    assert attachment.latitude == AT_1000_1_M and attachment.far is True


def test_a_dealer_without_position_never_makes_a_photo_far(rep, d, now):
    visit = log(rep, d["NOPOS"], now - timedelta(hours=1), now=now, latitude=None, longitude=None)
    attachment = add(rep, visit, lat="23.129100", lon="113.264400")  # Guangzhou
    assert attachment.distance_m is None and attachment.far is False


def test_far_over_the_api(rep, visit, post_photos):
    response = post_photos(rep, visit, photo(lat=AT_1000_1_M, lon=A1_LON))
    assert response.status_code == 201
    [row] = response.json()
    assert (row["flags"], row["distance_m"], row["position_from_exif"]) == (["photo_far"], "1000.1", True)
    assert (row["latitude"], row["longitude"]) == ("31.240394", "121.473700")


def test_correcting_the_dealer_rechecks_the_distance(rep, visit, d, now):
    # the photo is at A2 (31.232400 N); A1 is 0.001° = 111.2 m south of it, A9 (31.239400) 0.007° = 778.4 m north
    attachment = add(rep, visit, lat="31.232400", lon=A1_LON)
    assert attachment.distance_m == Decimal("111.2")
    visit_update(actor=rep, visit=visit, dealer=d["A9"], now=now)
    attachment.refresh_from_db()
    assert attachment.distance_m == Decimal("778.4") and attachment.far is False


# --- photo_reused: the same file on another object -------------------------------------------------------------


@pytest.fixture
def two_visits(d, rep, rep_peer, now):
    return log(rep, d["A1"], now - timedelta(hours=1), now=now), log(
        rep_peer, d["P1"], now - timedelta(hours=1), now=now
    )


def test_the_same_photo_on_another_reps_visit_is_reused_of_the_first(rep, rep_peer, two_visits):
    first_visit, second_visit = two_visits
    content = photo_bytes()
    [(first, _)] = attachments_add(actor=rep, obj=first_visit, files=[upload(content)])
    [(second, _)] = attachments_add(actor=rep_peer, obj=second_visit, files=[upload(content)])
    assert first.sha256 == second.sha256 and first.pk != second.pk
    assert second.reused_of == first and second.flags == ["photo_reused"]
    assert first.reused_of is None and first.flags == []
    assert visit_flags(second_visit) == ["photo_reused"]
    assert visit_flags(first_visit) == []


def test_a_third_use_names_the_first_not_the_second(rep, rep_peer, d, now, two_visits):
    first_visit, second_visit = two_visits
    third_visit = log(rep, d["A2"], now - timedelta(minutes=30), now=now)
    content = photo_bytes()
    [(first, _)] = attachments_add(actor=rep, obj=first_visit, files=[upload(content)])
    attachments_add(actor=rep_peer, obj=second_visit, files=[upload(content)])
    [(third, _)] = attachments_add(actor=rep, obj=third_visit, files=[upload(content)])
    assert third.reused_of == first


def test_the_api_detail_names_the_first_object_by_type_and_number(api_as, rep, rep_peer, two_visits, post_photos):
    first_visit, second_visit = two_visits
    content = photo_bytes()
    assert post_photos(rep, first_visit, upload(content)).status_code == 201
    response = post_photos(rep_peer, second_visit, upload(content))
    assert response.status_code == 201
    assert response.json()[0]["flags"] == ["photo_reused"]
    detail = api_as(rep_peer).get(f"/api/v1/visits/{second_visit.pk}/").json()
    assert "photo_reused" in detail["flags"]
    [row] = detail["attachments"]
    assert row["reused_of"] == {"object_type": "visit", "object_id": first_visit.pk}
    # rep_peer may not see the first visit: the number says it exists, no more
    assert api_as(rep_peer).get(f"/api/v1/visits/{first_visit.pk}/").status_code == 404
    mine = api_as(rep).get(f"/api/v1/visits/{first_visit.pk}/").json()
    assert mine["attachments"][0]["reused_of"] is None and "photo_reused" not in mine["flags"]


# --- flags reach the manager ---------------------------------------------------------------------------------------


def test_a_photo_flag_puts_the_visit_in_the_review_queue_and_tells_the_manager(rep, manager, visit):
    assert list(review_queue(manager)) == []
    assert not Notification.objects.filter(recipient=manager).exists()
    add(rep, visit, lat=AT_1000_1_M, lon=A1_LON)
    assert list(review_queue(manager)) == [visit]
    [told] = Notification.objects.filter(recipient=manager)
    assert told.kind == "visit.flagged"
    assert told.params["flags"] == ["photo_far"]
    assert told.url == f"/visits/{visit.pk}/"


def test_a_photo_without_a_flag_leaves_the_queue_and_the_manager_alone(rep, manager, visit):
    add(rep, visit, taken=wall(visit.visited_at), lat="31.231400", lon=A1_LON)
    assert list(review_queue(manager)) == []
    assert not Notification.objects.filter(recipient=manager).exists()


def test_a_reused_photo_tells_the_peers_manager(rep, rep_peer, manager, two_visits):
    first_visit, second_visit = two_visits
    content = photo_bytes()
    attachments_add(actor=rep, obj=first_visit, files=[upload(content)])
    attachments_add(actor=rep_peer, obj=second_visit, files=[upload(content)])
    assert list(review_queue(manager)) == [second_visit]
    assert [n.params["flags"] for n in Notification.objects.filter(recipient=manager)] == [["photo_reused"]]


def test_a_second_flag_tells_the_manager_again(rep, manager, visit):
    add(rep, visit, lat=AT_1000_1_M, lon=A1_LON, colour=(1, 1, 1))
    add(rep, visit, taken=wall(visit.visited_at - TWO_HOURS - ONE_SECOND), colour=(2, 2, 2))
    visit.refresh_from_db()
    assert visit.flags == ["photo_time_mismatch", "photo_far"]
    assert [n.params["flags"] for n in Notification.objects.filter(recipient=manager).order_by("pk")] == [
        ["photo_far"],
        ["photo_time_mismatch", "photo_far"],
    ]


def test_the_queue_over_the_api_shows_the_photo_flags(api_as, rep, manager, visit, post_photos):
    post_photos(rep, visit, photo(taken=wall(visit.visited_at - TWO_HOURS - ONE_SECOND)))
    rows = api_as(manager).get("/api/v1/visits/", {"flagged": "true"}).json()["results"]
    assert [(row["id"], row["flags"]) for row in rows] == [(visit.pk, ["photo_time_mismatch"])]
    assert Visit.objects.get(pk=visit.pk).photo_time_mismatch is True
