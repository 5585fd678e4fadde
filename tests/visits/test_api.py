"""The visits API (SPEC §4, §8): logging, corrections and reviews of visits, lists, filters and scope,
week plans, compliance and the schema — with hand-made expectations.

    manager (EAST) ── rep, rep_peer            other_manager (SOUTH) ── other_rep
    finance, admin_user

Dealers come from ``tests.visits.world`` (``d``): A1…A9 are rep's (SH-PD), P1 rep_peer's (JS-NJ),
O1 other_rep's (GD-GZ).
"""

from __future__ import annotations

import uuid
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from channelhub.periods import week_start
from channelhub.workflow.models import StateChange
from tests.partners.world import make_dealer
from tests.visits.world import SHANGHAI, at, log
from visits.models import Visit, VisitPlan, VisitPlanItem

VISITS = "/api/v1/visits/"
PLANS = "/api/v1/visit-plans/"
COMPLIANCE = "/api/v1/visit-compliance/"

#: Every field SPEC §4 names for a visit.
SPEC_VISIT_FIELDS = {
    "rep",
    "dealer",
    "visited_at",
    "created_at",
    "kind",
    "purpose",
    "summary",
    "outcome",
    "next_action",
    "latitude",
    "longitude",
    "accuracy_m",
    "client_uuid",
    "status",
    "flags",
}


def visit_url(visit, action: str | None = None) -> str:
    pk = visit if isinstance(visit, int) else visit.pk
    return f"{VISITS}{pk}/" + (f"{action}/" if action else "")


def plan_url(plan, action: str | None = None) -> str:
    pk = plan if isinstance(plan, int) else plan.pk
    return f"{PLANS}{pk}/" + (f"{action}/" if action else "")


def visit_body(target, /, **overrides) -> dict:
    """A valid POST body for a visit to dealer ``target`` an hour ago, at its position."""
    body = {
        "dealer": target.pk,
        "visited_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "kind": "maintenance",
        "purpose": "例行拜访",
        "latitude": str(target.latitude),
        "longitude": str(target.longitude),
        "accuracy_m": "15.0",
        "client_uuid": str(uuid.uuid4()),
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def state_changes(obj) -> list[tuple[str, str, str, str]]:
    return [
        (change.transition, change.from_state, change.to_state, change.by.username if change.by else "")
        for change in StateChange.objects.for_object(obj)
    ]


# =================================================================================================
# POST /api/v1/visits/
# =================================================================================================


class TestLogVisit:
    def test_post_answers_201_with_every_spec_field_and_the_requester_as_rep(self, api_as, rep, rep_peer, d):
        visited = timezone.now().replace(microsecond=0) - timedelta(hours=2)
        key = uuid.uuid4()
        response = api_as(rep).post(
            VISITS,
            {
                "rep": rep_peer.pk,  # not taken from the body: the rep is the requester
                "dealer": d["A1"].pk,
                "visited_at": visited.isoformat(),
                "kind": "training",
                "purpose": "新品培训",
                "summary": "讲解了新款净水器",
                "outcome": "有下单意向",
                "next_action": "下周送样品",
                "latitude": "31.231400",
                "longitude": "121.473700",
                "accuracy_m": "12.5",
                "client_uuid": str(key),
                "status": "confirmed",  # read-only
                "flags": ["far_from_dealer"],  # read-only
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        data = response.json()
        assert set(data) >= SPEC_VISIT_FIELDS
        visit = Visit.objects.get()
        assert visit.rep == rep
        assert data["id"] == visit.pk
        assert data["rep"] == rep.pk
        assert data["rep_name"] == "张伟"
        assert data["dealer"] == d["A1"].pk
        assert data["dealer_name"] == "浦东经销商1"
        assert parse_datetime(data["visited_at"]) == visited
        assert data["visited_on"] == timezone.localtime(visited).date().isoformat()
        assert parse_datetime(data["created_at"]) == visit.created_at
        assert abs(timezone.now() - visit.created_at) < timedelta(minutes=1)  # server time
        assert data["kind"] == "training"
        assert data["purpose"] == "新品培训"
        assert data["summary"] == "讲解了新款净水器"
        assert data["outcome"] == "有下单意向"
        assert data["next_action"] == "下周送样品"
        # decimals are JSON strings
        assert data["latitude"] == "31.231400"
        assert data["longitude"] == "121.473700"
        assert data["accuracy_m"] == "12.5"
        assert data["distance_m"] == "0.0"
        assert data["client_uuid"] == str(key)
        assert data["status"] == "submitted"
        assert data["flags"] == []
        assert data["reviewed_by"] is None
        assert parse_datetime(data["editable_until"]) == visit.created_at + timedelta(hours=24)
        assert state_changes(visit) == [("create", "", "submitted", "rep_a1")]

    def test_without_client_uuid_the_server_makes_one(self, api_as, rep, d):
        response = api_as(rep).post(VISITS, visit_body(d["A1"], client_uuid=None), format="json")
        assert response.status_code == 201
        assert uuid.UUID(response.json()["client_uuid"]) == Visit.objects.get().client_uuid

    def test_same_client_uuid_again_answers_200_with_the_first_visit_and_no_new_row(self, api_as, rep, d):
        client = api_as(rep)
        body = visit_body(d["A1"], purpose="第一次")
        first = client.post(VISITS, body, format="json")
        assert first.status_code == 201
        again = client.post(VISITS, body, format="json")
        assert again.status_code == 200
        assert again.json() == first.json()
        # a repeat that says something else still gets the first visit back, unchanged
        different = client.post(
            VISITS,
            {
                **body,
                "dealer": d["A2"].pk,
                "purpose": "第二次",
                "kind": "complaint",
                "latitude": "31.3",
                "longitude": "121.5",
            },
            format="json",
        )
        assert different.status_code == 200
        assert different.json()["id"] == first.json()["id"]
        assert different.json()["dealer"] == d["A1"].pk
        assert different.json()["purpose"] == "第一次"
        assert Visit.objects.count() == 1
        assert Visit.objects.get().purpose == "第一次"

    def test_the_same_client_uuid_from_another_rep_is_another_visit(self, api_as, rep, rep_peer, d):
        key = str(uuid.uuid4())
        mine = api_as(rep).post(VISITS, visit_body(d["A1"], client_uuid=key), format="json")
        theirs = api_as(rep_peer).post(VISITS, visit_body(d["P1"], client_uuid=key), format="json")
        assert (mine.status_code, theirs.status_code) == (201, 201)
        assert mine.json()["id"] != theirs.json()["id"]
        assert theirs.json()["rep"] == rep_peer.pk
        assert Visit.objects.count() == 2

    def test_future_visited_at_is_400_on_visited_at_and_nothing_is_written(self, api_as, rep, d):
        future = (timezone.now() + timedelta(minutes=10)).isoformat()
        response = api_as(rep).post(VISITS, visit_body(d["A1"], visited_at=future), format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"visited_at"}
        assert Visit.objects.count() == 0
        assert not StateChange.objects.filter(content_type=ContentType.objects.get_for_model(Visit)).exists()

    def test_another_reps_dealer_is_400_on_dealer(self, api_as, rep, d):
        for dealer in (d["P1"], d["O1"]):  # rep_peer's (same team), other_rep's
            response = api_as(rep).post(VISITS, visit_body(dealer), format="json")
            assert response.status_code == 400
            assert set(response.json()) == {"dealer"}
        unknown = api_as(rep).post(VISITS, visit_body(d["A1"], dealer=999_999), format="json")
        assert unknown.status_code == 400
        assert set(unknown.json()) == {"dealer"}
        assert Visit.objects.count() == 0

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "party"}, "kind"),
            ({"kind": None}, "kind"),
            ({"purpose": None}, "purpose"),
            ({"visited_at": "yesterday"}, "visited_at"),
            ({"client_uuid": "not-a-uuid"}, "client_uuid"),
            ({"longitude": None}, "latitude"),  # latitude without longitude
            ({"latitude": "91"}, "latitude"),
            ({"accuracy_m": "-1"}, "accuracy_m"),
        ],
    )
    def test_bad_input_is_400_with_the_field_and_nothing_written(self, api_as, rep, d, overrides, field):
        response = api_as(rep).post(VISITS, visit_body(d["A1"], **overrides), format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert Visit.objects.count() == 0

    @pytest.mark.parametrize("who", ["manager", "finance", "admin"])
    def test_only_reps_log_visits(self, api_as, everyone, d, who):
        response = api_as(everyone[who]).post(VISITS, visit_body(d["A1"]), format="json")
        assert response.status_code == 403
        assert "detail" in response.json()
        assert Visit.objects.count() == 0

    def test_anonymous_is_refused(self, api_client, d):
        assert api_client.post(VISITS, visit_body(d["A1"]), format="json").status_code in (401, 403)
        assert api_client.get(VISITS).status_code in (401, 403)
        assert Visit.objects.count() == 0

    def test_late_entry_and_far_from_dealer_appear_in_flags(self, api_as, rep, d):
        client = api_as(rep)
        late = client.post(
            VISITS,
            visit_body(d["A1"], visited_at=(timezone.now() - timedelta(hours=73)).isoformat()),
            format="json",
        )
        assert late.status_code == 201
        assert late.json()["flags"] == ["late_entry"]
        in_time = client.post(
            VISITS,
            visit_body(d["A1"], visited_at=(timezone.now() - timedelta(hours=71)).isoformat()),
            format="json",
        )
        assert in_time.json()["flags"] == []
        # 0.02° north of A1 (31.2314 N) along its meridian: 6 371 008.8 m × 0.02 × π/180 = 2223.9 m
        far = client.post(VISITS, visit_body(d["A1"], latitude="31.251400", longitude="121.473700"), format="json")
        assert far.status_code == 201
        assert far.json()["flags"] == ["far_from_dealer"]
        assert far.json()["distance_m"] == "2223.9"
        both = client.post(
            VISITS,
            visit_body(
                d["A1"],
                visited_at=(timezone.now() - timedelta(days=5)).isoformat(),
                latitude="31.251400",
                longitude="121.473700",
            ),
            format="json",
        )
        assert both.json()["flags"] == ["late_entry", "far_from_dealer"]

    def test_no_position_means_no_distance_and_the_no_position_flag(self, api_as, rep, manager, d):
        response = api_as(rep).post(
            VISITS, visit_body(d["A1"], latitude=None, longitude=None, accuracy_m=None), format="json"
        )
        assert response.status_code == 201
        data = response.json()
        assert (data["latitude"], data["longitude"], data["accuracy_m"], data["distance_m"]) == (None,) * 4
        # a visit that cannot be checked waits in the manager's review queue like any other flag
        assert data["flags"] == ["no_position"]
        queue = api_as(manager).get(VISITS, {"flagged": "true"}).json()["results"]
        assert [visit["id"] for visit in queue] == [data["id"]]


# =================================================================================================
# PATCH / PUT /api/v1/visits/{id}/
# =================================================================================================


@pytest.fixture
def fresh(api_as, rep, d):
    """A visit rep logged through the API an hour after it happened."""
    response = api_as(rep).post(
        VISITS,
        visit_body(d["A1"], visited_at=(timezone.now() - timedelta(hours=1)).isoformat(), purpose="初次"),
        format="json",
    )
    assert response.status_code == 201
    return Visit.objects.get(pk=response.json()["id"])


class TestCorrectVisit:
    def test_rep_patches_within_24_hours(self, api_as, rep, fresh):
        response = api_as(rep).patch(
            visit_url(fresh), {"purpose": "回访", "summary": "补充纪要", "kind": "inspection"}, format="json"
        )
        assert response.status_code == 200, response.json()
        data = response.json()
        assert (data["purpose"], data["summary"], data["kind"]) == ("回访", "补充纪要", "inspection")
        assert set(data) >= SPEC_VISIT_FIELDS
        fresh.refresh_from_db()
        assert (fresh.purpose, fresh.summary, fresh.kind) == ("回访", "补充纪要", "inspection")

    def test_position_and_client_uuid_are_read_only_on_update(self, api_as, rep, fresh):
        before = (fresh.latitude, fresh.longitude, fresh.accuracy_m, fresh.client_uuid)
        response = api_as(rep).patch(
            visit_url(fresh),
            {
                "latitude": "23.000000",
                "longitude": "113.000000",
                "accuracy_m": "1.0",
                "client_uuid": str(uuid.uuid4()),
                "summary": "改",
            },
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["latitude"] == "31.231400"
        assert response.json()["flags"] == []
        fresh.refresh_from_db()
        assert (fresh.latitude, fresh.longitude, fresh.accuracy_m, fresh.client_uuid) == before
        assert fresh.summary == "改"

    def test_put_of_the_visit_as_read_is_accepted(self, api_as, rep, fresh):
        """A phone may send back what it read, read-only fields (client_uuid, flags, …) included."""
        client = api_as(rep)
        data = client.get(visit_url(fresh)).json()
        data["summary"] = "补充"
        response = client.put(visit_url(fresh), data, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["summary"] == "补充"
        assert response.json()["client_uuid"] == str(fresh.client_uuid)

    def test_changing_the_time_checks_the_flags_again(self, api_as, rep, fresh):
        earlier = (fresh.created_at - timedelta(hours=80)).isoformat()
        response = api_as(rep).patch(visit_url(fresh), {"visited_at": earlier}, format="json")
        assert response.status_code == 200
        assert response.json()["flags"] == ["late_entry"]
        future = (timezone.now() + timedelta(hours=1)).isoformat()
        refused = api_as(rep).patch(visit_url(fresh), {"visited_at": future}, format="json")
        assert refused.status_code == 400
        assert set(refused.json()) == {"visited_at"}

    def test_moving_to_another_reps_dealer_is_400_on_dealer(self, api_as, rep, fresh, d):
        response = api_as(rep).patch(visit_url(fresh), {"dealer": d["P1"].pk}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"dealer"}
        fresh.refresh_from_db()
        assert fresh.dealer == d["A1"]

    def test_put_replaces_the_content(self, api_as, rep, fresh, d):
        visited = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
        response = api_as(rep).put(
            visit_url(fresh),
            {"dealer": d["A2"].pk, "visited_at": visited.isoformat(), "kind": "collection", "purpose": "收款"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["dealer"] == d["A2"].pk
        # A2 is 0.001° north of A1, where the position was taken: 6 371 008.8 × 0.001 × π/180 = 111.2 m
        assert response.json()["distance_m"] == "111.2"
        fresh.refresh_from_db()
        assert (fresh.dealer, fresh.visited_at, fresh.kind, fresh.purpose) == (d["A2"], visited, "collection", "收款")

    def test_after_24_hours_is_409_with_detail(self, api_as, rep, fresh):
        Visit.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))
        response = api_as(rep).patch(visit_url(fresh), {"purpose": "太晚了"}, format="json")
        assert response.status_code == 409
        assert "24" in response.json()["detail"]
        fresh.refresh_from_db()
        assert fresh.purpose == "初次"

    def test_just_within_24_hours_is_allowed(self, api_as, rep, fresh):
        Visit.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
        assert api_as(rep).patch(visit_url(fresh), {"purpose": "及时"}, format="json").status_code == 200

    def test_manager_sees_it_but_may_not_change_it(self, api_as, manager, fresh):
        client = api_as(manager)
        assert client.get(visit_url(fresh)).status_code == 200
        response = client.patch(visit_url(fresh), {"purpose": "经理改"}, format="json")
        assert response.status_code == 403
        fresh.refresh_from_db()
        assert fresh.purpose == "初次"

    @pytest.mark.parametrize(("who", "expected"), [("rep_peer", 404), ("other_manager", 404), ("finance", 404)])
    def test_others_cannot_even_find_it(self, api_as, everyone, fresh, who, expected):
        response = api_as(everyone[who]).patch(visit_url(fresh), {"purpose": "x"}, format="json")
        assert response.status_code == expected
        fresh.refresh_from_db()
        assert fresh.purpose == "初次"

    def test_after_review_is_409_naming_the_state(self, api_as, rep, manager, fresh):
        assert api_as(manager).post(visit_url(fresh, "confirm")).status_code == 200
        response = api_as(rep).patch(visit_url(fresh), {"purpose": "审核后改"}, format="json")
        assert response.status_code == 409
        assert "已确认" in response.json()["detail"]  # "confirmed" (the default language is Chinese)
        assert response.json()["current_state"] == "confirmed"
        assert api_as(rep).get(visit_url(fresh)).json()["editable_until"] is None


# =================================================================================================
# actions: confirm / mark-false / mark-fabricated
# =================================================================================================


class TestReview:
    def test_manager_confirms_then_marks_false_then_fabricated(self, api_as, manager, rep, fresh):
        client = api_as(manager)
        confirmed = client.post(visit_url(fresh, "confirm"), {"comment": "属实"}, format="json")
        assert confirmed.status_code == 200
        assert confirmed.json()["status"] == "confirmed"
        assert confirmed.json()["reviewed_by"] == manager.pk
        assert confirmed.json()["review_comment"] == "属实"
        assert confirmed.json()["reviewed_at"] is not None

        again = client.post(visit_url(fresh, "confirm"))
        assert again.status_code == 409
        assert "已确认" in again.json()["detail"]  # "confirmed"
        assert again.json()["current_state"] == "confirmed"

        false = client.post(visit_url(fresh, "mark-false"), {"comment": "未到店"}, format="json")
        assert false.status_code == 200
        assert false.json()["status"] == "false_report"

        fabricated = client.post(visit_url(fresh, "mark-fabricated"), {"comment": "照片造假"}, format="json")
        assert fabricated.status_code == 200
        assert fabricated.json()["status"] == "fabricated"
        assert fabricated.json()["review_comment"] == "照片造假"

        assert state_changes(fresh) == [
            ("create", "", "submitted", "rep_a1"),
            ("confirm", "submitted", "confirmed", "manager_a"),
            ("mark_false", "confirmed", "false_report", "manager_a"),
            ("mark_fabricated", "false_report", "fabricated", "manager_a"),
        ]
        assert [c.comment for c in StateChange.objects.for_object(fresh)][1:] == ["属实", "未到店", "照片造假"]

    def test_no_way_back_from_fabricated(self, api_as, manager, fresh):
        client = api_as(manager)
        assert (
            client.post(visit_url(fresh, "mark-fabricated"), {"comment": "照片造假"}, format="json").status_code == 200
        )
        for action in ("confirm", "mark-false", "mark-fabricated"):
            response = client.post(visit_url(fresh, action))
            assert response.status_code == 409
            assert response.json()["current_state"] == "fabricated"

    @pytest.mark.parametrize(
        ("who", "expected"),
        [("rep", 403), ("rep_peer", 404), ("other_manager", 404), ("finance", 404), ("other_rep", 404)],
    )
    def test_who_may_not_review(self, api_as, everyone, fresh, who, expected):
        for action in ("confirm", "mark-false", "mark-fabricated"):
            assert api_as(everyone[who]).post(visit_url(fresh, action)).status_code == expected
        fresh.refresh_from_db()
        assert fresh.status == "submitted"
        assert state_changes(fresh) == [("create", "", "submitted", "rep_a1")]

    @pytest.mark.parametrize("action", ["mark-false", "mark-fabricated"])
    def test_a_verdict_against_the_rep_needs_a_reason(self, api_as, manager, fresh, action):
        response = api_as(manager).post(visit_url(fresh, action), {"comment": " "}, format="json")
        assert response.status_code == 400 and "comment" in response.json()
        fresh.refresh_from_db()
        assert fresh.status == "submitted"

    def test_admin_reviews_anyone(self, api_as, admin_user, fresh):
        marked = api_as(admin_user).post(visit_url(fresh, "mark-false"), {"comment": "未到店"}, format="json")
        assert marked.json()["status"] == "false_report"

    def test_unknown_visit_is_404(self, api_as, manager, d):
        assert api_as(manager).post(visit_url(999_999, "confirm")).status_code == 404

    def test_the_rep_is_told_when_marked_false(self, api_as, manager, rep, fresh):
        from channelhub.notifications.models import Notification

        api_as(manager).post(visit_url(fresh, "mark-false"), {"comment": "未到店"}, format="json")
        assert Notification.objects.filter(recipient=rep).count() == 1


# =================================================================================================
# lists: scope, filters, pagination, query counts
# =================================================================================================


@pytest.fixture
def scoped(d, covered, manager, rep, rep_peer, other_rep):
    """One visit per corner of the scope table; ``others_east`` is other_rep's, at a dealer in manager's territory."""
    d["X1"] = make_dealer(
        manager, covered["SH-PD"], other_rep, "X1", name="浦东(刘洋)", latitude="31.2", longitude="121.5"
    )
    return {
        "mine": log(rep, d["A1"], at(2026, 11, 2, 10)),
        "peers": log(rep_peer, d["P1"], at(2026, 11, 3, 10)),
        "others": log(other_rep, d["O1"], at(2026, 11, 4, 10)),
        "others_east": log(other_rep, d["X1"], at(2026, 11, 5, 10)),
    }


VISIBLE_VISITS = {
    "rep": {"mine"},
    "rep_peer": {"peers"},
    "other_rep": {"others", "others_east"},
    "manager": {"mine", "peers", "others_east"},  # team + visits at dealers in EAST
    "other_manager": {"others", "others_east"},  # team (other_rep), whatever the dealer
    "finance": set(),
    "admin": {"mine", "peers", "others", "others_east"},
}


@pytest.mark.parametrize("who", VISIBLE_VISITS)
def test_visit_list_and_detail_scope_per_role(api_as, everyone, scoped, who):
    client = api_as(everyone[who])
    response = client.get(VISITS)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(VISIBLE_VISITS[who])
    by_pk = {visit.pk: name for name, visit in scoped.items()}
    assert {by_pk[pk] for pk in ids(response)} == VISIBLE_VISITS[who]
    for name, visit in scoped.items():
        assert client.get(visit_url(visit)).status_code == (200 if name in VISIBLE_VISITS[who] else 404)


@pytest.fixture
def filtered(d, rep, rep_peer, manager):
    """Visits for the filter tests (times in Asia/Shanghai)."""
    far = Decimal("0.020000")
    v = {
        "v1": log(rep, d["A1"], at(2026, 11, 2, 10)),
        # 00:30 on 3 Nov in Shanghai is still 2 Nov in UTC: the visit date is the local one
        "v2": log(rep, d["A2"], at(2026, 11, 3, 0, 30), kind="training"),
        # 07:00 on 5 Nov in Shanghai is 4 Nov in UTC; logged four days later: late
        "v3": log(rep, d["A1"], at(2026, 11, 5, 7), now=at(2026, 11, 9, 7), kind="complaint"),
        "v4": log(rep_peer, d["P1"], at(2026, 11, 4, 23, 59)),
        "v5": log(rep, d["A3"], at(2026, 11, 6, 10), latitude=d["A3"].latitude + far),  # far from the dealer
    }
    from visits.services.visits import visit_review

    visit_review(actor=manager, visit=v["v5"], name="confirm")
    return v


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["v5", "v3", "v4", "v2", "v1"]),  # newest visit first
        ({"rep": "rep"}, ["v5", "v3", "v2", "v1"]),
        ({"rep": "rep_peer"}, ["v4"]),
        ({"dealer": "A1"}, ["v3", "v1"]),
        ({"status": "confirmed"}, ["v5"]),
        ({"status": "submitted"}, ["v3", "v4", "v2", "v1"]),
        ({"kind": "training"}, ["v2"]),
        ({"kind": "complaint"}, ["v3"]),
        ({"date_from": "2026-11-03"}, ["v5", "v3", "v4", "v2"]),
        ({"date_to": "2026-11-02"}, ["v1"]),
        ({"date_from": "2026-11-03", "date_to": "2026-11-04"}, ["v4", "v2"]),
        ({"date_from": "2026-11-05", "date_to": "2026-11-05"}, ["v3"]),
        ({"flagged": "true"}, ["v5", "v3"]),
        ({"flagged": "false"}, ["v4", "v2", "v1"]),
        ({"rep": "rep", "flagged": "true", "kind": "complaint"}, ["v3"]),
        ({"rep": "rep", "dealer": "P1"}, []),
        ({"ordering": "visited_at"}, ["v1", "v2", "v4", "v3", "v5"]),
    ],
)
def test_visit_list_filters(api_as, everyone, manager, d, filtered, params, expected):
    query = dict(params)
    if "rep" in query:
        query["rep"] = everyone[query["rep"]].pk
    if "dealer" in query:
        query["dealer"] = d[query["dealer"]].pk
    response = api_as(manager).get(VISITS, query)
    by_pk = {visit.pk: name for name, visit in filtered.items()}
    assert [by_pk[pk] for pk in ids(response)] == expected
    assert response.json()["count"] == len(expected)


def test_filters_do_not_reach_outside_scope(api_as, manager, other_rep, d, scoped):
    client = api_as(manager)
    # other_rep is a valid rep and O1 a valid dealer, but their visits outside EAST stay hidden
    assert ids(client.get(VISITS, {"rep": other_rep.pk})) == [scoped["others_east"].pk]
    # a dealer out of scope is answered exactly like one that does not exist
    hidden, missing = client.get(VISITS, {"dealer": d["O1"].pk}), client.get(VISITS, {"dealer": 999_999})
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["dealer"][0].replace(str(d["O1"].pk), "ID") == missing.json()["dealer"][0].replace(
        "999999", "ID"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"kind": "party"},
        {"date_from": "2026-13-01"},
        {"date_to": "yesterday"},
        {"rep": "abc"},
        {"dealer": "999999"},
    ],
)
def test_bad_filter_values_are_400_not_500(api_as, manager, filtered, params):
    response = api_as(manager).get(VISITS, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_visit_list_pagination(api_as, manager, filtered):
    client = api_as(manager)
    first = client.get(VISITS, {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"] is not None
    assert first["previous"] is None
    last = client.get(VISITS, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    seen = [
        row["id"] for page in (1, 2, 3) for row in client.get(VISITS, {"page_size": 2, "page": page}).json()["results"]
    ]
    assert sorted(seen) == sorted(v.pk for v in filtered.values())
    assert client.get(VISITS, {"page_size": 2, "page": 4}).status_code == 404


def test_page_size_is_at_most_500(api_as, admin_user, rep, d):
    day = date(2026, 10, 1)
    Visit.objects.bulk_create(
        Visit(
            rep=rep,
            dealer=d["A1"],
            visited_at=at(2026, 10, 1, 10),
            visited_on=day,
            created_at=at(2026, 10, 1, 10),
            kind="maintenance",
            purpose="批量",
            client_uuid=uuid.uuid4(),
        )
        for _ in range(501)
    )
    client = api_as(admin_user)
    body = client.get(VISITS, {"page_size": 1000}).json()
    assert body["count"] == 501
    assert len(body["results"]) == 500
    assert len(client.get(VISITS).json()["results"]) == 50  # the default page


def test_money_like_decimals_in_lists_are_strings(api_as, manager, filtered):
    row = next(r for r in api_as(manager).get(VISITS).json()["results"] if r["id"] == filtered["v5"].pk)
    assert row["latitude"] == "31.253400"
    assert row["longitude"] == "121.473700"
    # 0.02° north along the meridian: 6 371 008.8 × 0.02 × π/180 = 2223.9 m
    assert row["distance_m"] == "2223.9"
    assert row["flags"] == ["far_from_dealer"]


def _many_visits(d, rep, rep_peer, other_rep, manager, count: int) -> None:
    """``count`` visits from three reps, some flagged, some reviewed."""
    from visits.services.visits import visit_review

    dealers = [(rep, d[f"A{n}"]) for n in range(1, 10)] + [(rep_peer, d["P1"]), (other_rep, d["O1"])]
    existing = Visit.objects.count()
    for n in range(existing, existing + count):
        who, dealer = dealers[n % len(dealers)]
        visit = log(who, dealer, at(2026, 10, 1 + n % 28, 8 + n % 10), now=at(2026, 11, 1, 8) if n % 3 == 0 else None)
        if n % 4 == 0 and who != other_rep:
            visit_review(actor=manager, visit=visit, name="confirm")


#: session, user, roles, (a manager's territories,) count, page with rep, dealer and territory joined —
#: measured at 3 rows
VISIT_LIST_MAX_QUERIES = 6


@pytest.mark.parametrize("who", ["rep", "manager", "admin"])
def test_visit_list_query_count_does_not_grow_with_rows(
    api_as, everyone, d, rep, rep_peer, other_rep, manager, who, django_assert_max_num_queries
):
    client = api_as(everyone[who])
    _many_visits(d, rep, rep_peer, other_rep, manager, 3)
    with CaptureQueriesContext(connection) as at_three:
        assert client.get(VISITS).status_code == 200
    assert len(at_three) <= VISIT_LIST_MAX_QUERIES
    _many_visits(d, rep, rep_peer, other_rep, manager, 27)
    with django_assert_max_num_queries(len(at_three)):
        body = client.get(VISITS).json()
    # 30 visits over 11 dealers in turn: rep's A1–A9 take 26, P1 (rep_peer) and O1 (other_rep) 2 each
    assert body["count"] == {"rep": 26, "manager": 28, "admin": 30}[who]


# =================================================================================================
# visit plans
# =================================================================================================

#: A fixed week far ahead: Monday 30 December 2030 is in ISO week 1 of 2031 (Thursday 2 January 2031).
FAR_WEEK = date(2030, 12, 30)


def plan_body(d, monday: date = FAR_WEEK, **overrides) -> dict:
    body = {
        "week_start": monday.isoformat(),
        "note": "年末拜访",
        "items": [
            {"dealer": d["A1"].pk, "planned_date": monday.isoformat()},
            {"dealer": d["A2"].pk, "planned_date": (monday + timedelta(days=2)).isoformat(), "note": "带样品"},
            {"dealer": d["A1"].pk, "planned_date": (monday + timedelta(days=6)).isoformat()},
        ],
    }
    body.update(overrides)
    return body


@pytest.fixture
def plan(api_as, rep, d):
    response = api_as(rep).post(PLANS, plan_body(d), format="json")
    assert response.status_code == 201, response.json()
    return VisitPlan.objects.get(pk=response.json()["id"])


class TestPlans:
    def test_rep_creates_a_plan_with_items(self, api_as, rep, rep_peer, d):
        body = plan_body(d)
        body["rep"] = rep_peer.pk  # ignored
        body["status"] = "approved"  # read-only
        response = api_as(rep).post(PLANS, body, format="json")
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["rep"] == rep.pk
        assert data["rep_name"] == "张伟"
        assert data["week_start"] == "2030-12-30"
        assert data["iso_week"] == "2031-W01"
        # due by Saturday 28 December 23:59, i.e. late from Sunday 29 December 00:00 in Shanghai
        assert parse_datetime(data["due_at"]) == datetime(2030, 12, 29, 0, 0, tzinfo=SHANGHAI)
        assert data["status"] == "draft"
        assert data["note"] == "年末拜访"
        assert data["submitted_at"] is None
        assert data["is_late"] is False
        assert [(i["dealer"], i["dealer_name"], i["planned_date"], i["note"]) for i in data["items"]] == [
            (d["A1"].pk, "浦东经销商1", "2030-12-30", ""),
            (d["A2"].pk, "浦东经销商2", "2031-01-01", "带样品"),
            (d["A1"].pk, "浦东经销商1", "2031-01-05", ""),
        ]
        plan = VisitPlan.objects.get()
        assert plan.rep == rep
        assert plan.items.count() == 3
        assert state_changes(plan) == [("create", "", "draft", "rep_a1")]

    def test_a_plan_without_items_is_a_draft_that_cannot_be_submitted(self, api_as, rep, d):
        client = api_as(rep)
        response = client.post(PLANS, {"week_start": FAR_WEEK.isoformat()}, format="json")
        assert response.status_code == 201
        assert response.json()["items"] == []
        refused = client.post(plan_url(response.json()["id"], "submit"))
        assert refused.status_code == 400
        assert "detail" in refused.json()
        assert VisitPlan.objects.get().status == "draft"

    def test_second_plan_for_the_same_week_is_400_on_week_start(self, api_as, rep, plan, d):
        response = api_as(rep).post(PLANS, plan_body(d), format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"week_start"}
        assert VisitPlan.objects.count() == 1
        assert VisitPlanItem.objects.count() == 3

    def test_another_rep_may_plan_the_same_week(self, api_as, rep_peer, plan, d):
        body = plan_body(d, items=[{"dealer": d["P1"].pk, "planned_date": FAR_WEEK.isoformat()}])
        assert api_as(rep_peer).post(PLANS, body, format="json").status_code == 201

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"week_start": "2030-12-31"}, "week_start"),  # a Tuesday
            ({"week_start": "2020-01-06"}, "week_start"),  # a Monday long past
            ({"week_start": "not a date"}, "week_start"),
            ({"items": [{"dealer": "A1", "planned_date": "2030-12-29"}]}, "items"),  # the Sunday before
            ({"items": [{"dealer": "A1", "planned_date": "2031-01-06"}]}, "items"),  # the Monday after
            ({"items": [{"dealer": "P1", "planned_date": "2030-12-30"}]}, "items"),  # rep_peer's dealer
            ({"items": [{"dealer": "O1", "planned_date": "2030-12-30"}]}, "items"),  # other_rep's dealer
            (
                {
                    "items": [
                        {"dealer": "A1", "planned_date": "2030-12-30"},
                        {"dealer": "A1", "planned_date": "2030-12-30"},
                    ]
                },
                "items",
            ),  # twice on the same day
            ({"items": [{"dealer": "A1"}]}, "items"),
        ],
    )
    def test_bad_plans_are_400_on_the_field(self, api_as, rep, d, change, field):
        body = plan_body(d)
        if "items" in change:
            change = {"items": [{**item, "dealer": d[item["dealer"]].pk} for item in change["items"]]}
        body.update(change)
        response = api_as(rep).post(PLANS, body, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {field}
        assert VisitPlan.objects.count() == 0
        assert VisitPlanItem.objects.count() == 0

    def test_items_errors_name_the_item(self, api_as, rep, d):
        body = plan_body(d)
        body["items"].append({"dealer": d["A3"].pk, "planned_date": "2031-01-06"})
        response = api_as(rep).post(PLANS, body, format="json")
        assert response.status_code == 400
        # "Visit 4: 2031-01-06 is not in the week of 2031-W01." (the default language is Chinese)
        assert response.json()["items"] == ["第 4 项拜访：2031-01-06 不在 2031-W01 这一周内。"]

    @pytest.mark.parametrize("who", ["manager", "finance", "admin"])
    def test_only_reps_create_plans(self, api_as, everyone, d, who):
        assert api_as(everyone[who]).post(PLANS, plan_body(d), format="json").status_code == 403
        assert VisitPlan.objects.count() == 0

    def test_submitted_before_the_due_moment_is_not_late(self, api_as, rep, d):
        monday = week_start(timezone.localdate()) + timedelta(days=14)  # the week after next
        body = plan_body(d, monday=monday)
        client = api_as(rep)
        created = client.post(PLANS, body, format="json")
        assert created.status_code == 201
        assert parse_datetime(created.json()["due_at"]) == datetime.combine(
            monday - timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI
        )
        response = client.post(plan_url(created.json()["id"], "submit"))
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"
        assert response.json()["is_late"] is False
        assert abs(parse_datetime(response.json()["submitted_at"]) - timezone.now()) < timedelta(minutes=1)

    def test_a_plan_for_this_week_submitted_now_is_late(self, api_as, rep, d):
        monday = week_start(timezone.localdate())  # its due moment (last Sunday 00:00) has passed
        body = plan_body(d, monday=monday, items=[{"dealer": d["A1"].pk, "planned_date": monday.isoformat()}])
        client = api_as(rep)
        created = client.post(PLANS, body, format="json")
        assert created.status_code == 201
        response = client.post(plan_url(created.json()["id"], "submit"))
        assert response.json()["is_late"] is True
        assert ids(client.get(PLANS, {"is_late": "true"})) == [created.json()["id"]]
        assert ids(client.get(PLANS, {"is_late": "false"})) == []

    def test_the_whole_cycle_submit_return_correct_resubmit_approve(self, api_as, rep, manager, plan, d):
        rep_client = api_as(rep)
        submitted = rep_client.post(plan_url(plan, "submit"), {"comment": "请审批"}, format="json")
        assert submitted.status_code == 200
        assert submitted.json()["status"] == "submitted"
        assert submitted.json()["is_late"] is False
        first_submitted_at = submitted.json()["submitted_at"]
        # a submitted plan is not the rep's to change any more
        locked = rep_client.patch(plan_url(plan), {"note": "改"}, format="json")
        assert locked.status_code == 409
        assert "已提交" in locked.json()["detail"]  # "submitted"

        # the rep may not approve
        assert rep_client.post(plan_url(plan, "approve")).status_code == 403

        manager_client = api_as(manager)
        no_comment = manager_client.post(plan_url(plan, "return"))
        assert no_comment.status_code == 400
        assert set(no_comment.json()) == {"comment"}
        blank = manager_client.post(plan_url(plan, "return"), {"comment": ""}, format="json")
        assert blank.status_code == 400
        assert set(blank.json()) == {"comment"}
        assert VisitPlan.objects.get(pk=plan.pk).status == "submitted"

        returned = manager_client.post(plan_url(plan, "return"), {"comment": "周三加一家"}, format="json")
        assert returned.status_code == 200
        assert returned.json()["status"] == "returned"
        assert returned.json()["review_comment"] == "周三加一家"
        assert returned.json()["reviewed_by"] == manager.pk

        rep_client = api_as(rep)
        new_items = [
            {"dealer": d["A1"].pk, "planned_date": "2030-12-30"},
            {"dealer": d["A2"].pk, "planned_date": "2031-01-01"},
            {"dealer": d["A3"].pk, "planned_date": "2031-01-01", "note": "新增"},
        ]
        patched = rep_client.patch(plan_url(plan), {"items": new_items}, format="json")
        assert patched.status_code == 200, patched.json()
        assert patched.json()["status"] == "returned"
        assert [(i["dealer"], i["planned_date"], i["note"]) for i in patched.json()["items"]] == [
            (d["A1"].pk, "2030-12-30", ""),
            (d["A2"].pk, "2031-01-01", ""),
            (d["A3"].pk, "2031-01-01", "新增"),
        ]
        assert patched.json()["note"] == "年末拜访"  # not sent, not changed
        assert VisitPlanItem.objects.filter(plan=plan).count() == 3

        resubmitted = rep_client.post(plan_url(plan, "submit"))
        assert resubmitted.status_code == 200
        assert resubmitted.json()["submitted_at"] == first_submitted_at  # the first submission counts

        approved = api_as(manager).post(plan_url(plan, "approve"), {"comment": "同意"}, format="json")
        assert approved.status_code == 200
        assert approved.json()["status"] == "approved"

        again = api_as(manager).post(plan_url(plan, "approve"))
        assert again.status_code == 409
        assert again.json()["current_state"] == "approved"

        refused = api_as(rep).patch(plan_url(plan), {"items": new_items[:1]}, format="json")
        assert refused.status_code == 409
        assert "已通过" in refused.json()["detail"]  # "approved"
        assert VisitPlanItem.objects.filter(plan=plan).count() == 3

        assert state_changes(plan) == [
            ("create", "", "draft", "rep_a1"),
            ("submit", "draft", "submitted", "rep_a1"),
            ("return", "submitted", "returned", "manager_a"),
            ("submit", "returned", "submitted", "rep_a1"),
            ("approve", "submitted", "approved", "manager_a"),
        ]

    def test_rep_patches_a_draft_note_and_items(self, api_as, rep, plan, d):
        response = api_as(rep).patch(
            plan_url(plan),
            {"note": "改了", "items": [{"dealer": d["A9"].pk, "planned_date": "2031-01-03"}]},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["note"] == "改了"
        assert [i["dealer"] for i in response.json()["items"]] == [d["A9"].pk]

    def test_a_plan_cannot_move_to_another_week(self, api_as, rep, plan):
        response = api_as(rep).patch(plan_url(plan), {"week_start": "2031-01-06"}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"week_start"}
        assert VisitPlan.objects.get(pk=plan.pk).week_start == FAR_WEEK

    def test_bad_items_on_patch_are_400_and_keep_the_old_items(self, api_as, rep, plan, d):
        response = api_as(rep).patch(
            plan_url(plan), {"items": [{"dealer": d["O1"].pk, "planned_date": "2030-12-30"}]}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"items"}
        assert VisitPlanItem.objects.filter(plan=plan).count() == 3

    def test_manager_may_not_change_or_submit_a_reps_plan(self, api_as, manager, plan):
        client = api_as(manager)
        assert client.get(plan_url(plan)).status_code == 200
        assert client.patch(plan_url(plan), {"note": "经理改"}, format="json").status_code == 403
        assert client.post(plan_url(plan, "submit")).status_code == 403
        assert VisitPlan.objects.get(pk=plan.pk).status == "draft"

    @pytest.mark.parametrize("who", ["other_manager", "finance", "rep_peer", "other_rep"])
    def test_outside_scope_everything_is_404(self, api_as, everyone, rep, plan, who):
        api_as(rep).post(plan_url(plan, "submit"))
        client = api_as(everyone[who])
        assert client.get(plan_url(plan)).status_code == 404
        assert client.patch(plan_url(plan), {"note": "x"}, format="json").status_code == 404
        for action in ("submit", "approve"):
            assert client.post(plan_url(plan, action)).status_code == 404
        assert client.post(plan_url(plan, "return"), {"comment": "x"}, format="json").status_code == 404
        assert VisitPlan.objects.get(pk=plan.pk).status == "submitted"

    def test_admin_approves(self, api_as, rep, admin_user, plan):
        api_as(rep).post(plan_url(plan, "submit"))
        assert api_as(admin_user).post(plan_url(plan, "approve")).json()["status"] == "approved"


@pytest.fixture
def plans(d, rep, rep_peer, other_rep):
    from visits.services.plans import plan_create

    def make(who, dealer, weeks_ahead=0):
        monday = FAR_WEEK + timedelta(days=7 * weeks_ahead)
        return plan_create(rep=who, week_start=monday, items=[{"dealer": dealer, "planned_date": monday}])

    return {"rep": make(rep, d["A1"]), "rep_peer": make(rep_peer, d["P1"]), "other_rep": make(other_rep, d["O1"])}


VISIBLE_PLANS = {
    "rep": {"rep"},
    "rep_peer": {"rep_peer"},
    "other_rep": {"other_rep"},
    "manager": {"rep", "rep_peer"},
    "other_manager": {"other_rep"},
    "finance": set(),
    "admin": {"rep", "rep_peer", "other_rep"},
}


@pytest.mark.parametrize("who", VISIBLE_PLANS)
def test_plan_list_and_detail_scope_per_role(api_as, everyone, plans, who):
    client = api_as(everyone[who])
    response = client.get(PLANS)
    assert response.status_code == 200
    assert response.json()["count"] == len(VISIBLE_PLANS[who])
    by_pk = {plan.pk: name for name, plan in plans.items()}
    assert {by_pk[pk] for pk in ids(response)} == VISIBLE_PLANS[who]
    for name, plan in plans.items():
        assert client.get(plan_url(plan)).status_code == (200 if name in VISIBLE_PLANS[who] else 404)


def test_plan_list_rows_and_filters(api_as, manager, rep, rep_peer, plans):
    client = api_as(manager)
    rows = client.get(PLANS, {"rep": rep.pk}).json()["results"]
    assert len(rows) == 1
    row = rows[0]
    assert row["item_count"] == 1
    assert "items" not in row
    assert (row["iso_week"], row["status"], row["rep_name"]) == ("2031-W01", "draft", "张伟")
    assert ids(client.get(PLANS, {"status": "submitted"})) == []
    assert ids(client.get(PLANS, {"week_start": "2030-12-30"})) == [plans["rep"].pk, plans["rep_peer"].pk]
    assert ids(client.get(PLANS, {"date_from": "2031-01-06"})) == []
    assert client.get(PLANS, {"status": "lost"}).status_code == 400


def test_plan_list_is_ordered_newest_week_first_then_by_rep(api_as, admin_user, d, rep, rep_peer, other_rep):
    from visits.services.plans import plan_create

    def make(who, dealer, weeks_ahead):
        monday = FAR_WEEK + timedelta(days=7 * weeks_ahead)
        return plan_create(rep=who, week_start=monday, items=[{"dealer": dealer, "planned_date": monday}])

    # made in an order that is neither the week's nor the rep's
    p = {
        "rep_w0": make(rep, d["A1"], 0),
        "other_w2": make(other_rep, d["O1"], 2),
        "peer_w1": make(rep_peer, d["P1"], 1),
        "rep_w2": make(rep, d["A1"], 2),
        "peer_w2": make(rep_peer, d["P1"], 2),
    }
    week_2 = sorted(["rep_w2", "peer_w2", "other_w2"], key=lambda name: p[name].rep_id)
    expected = [p[name].pk for name in [*week_2, "peer_w1", "rep_w0"]]
    client = api_as(admin_user)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UnorderedObjectListWarning from the paginator
        assert ids(client.get(PLANS)) == expected
        pages = [ids(client.get(PLANS, {"page_size": 2, "page": page})) for page in (1, 2, 3)]
    assert [pk for page in pages for pk in page] == expected
    assert ids(client.get(PLANS, {"ordering": "week_start", "rep": rep.pk})) == [p["rep_w0"].pk, p["rep_w2"].pk]


#: session, user, roles, count, page (rep joined, items counted) — measured at 3 rows
PLAN_LIST_MAX_QUERIES = 5


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_plan_list_query_count_does_not_grow_with_rows(
    api_as, everyone, d, rep, rep_peer, other_rep, plans, who, django_assert_max_num_queries
):
    from visits.services.plans import plan_create

    client = api_as(everyone[who])
    with CaptureQueriesContext(connection) as at_three:
        assert client.get(PLANS).status_code == 200
    assert len(at_three) <= PLAN_LIST_MAX_QUERIES
    for weeks_ahead in range(1, 10):
        monday = FAR_WEEK + timedelta(days=7 * weeks_ahead)
        for who_, dealer in ((rep, d["A1"]), (rep_peer, d["P1"]), (other_rep, d["O1"])):
            items = [{"dealer": dealer, "planned_date": monday + timedelta(days=n)} for n in range(weeks_ahead % 3 + 1)]
            plan_create(rep=who_, week_start=monday, items=items)
    with django_assert_max_num_queries(len(at_three)):
        body = client.get(PLANS).json()
    assert body["count"] == {"manager": 20, "admin": 30}[who]


# =================================================================================================
# visit compliance
# =================================================================================================


@pytest.fixture
def march(api_as, d, rep, rep_peer, manager):
    """March 2026 (1 March is a Sunday). rep's visits:

    Mon 2 Mar  10:00 A1, 15:00 A2   (ISO week 10)
    Tue 3 Mar  10:00 A1             (ISO week 10)
    Tue 31 Mar 10:00 A3 → marked false by the manager (ISO week 14, which belongs to April)
    Fri 27 Feb 10:00 A4             (February: ISO week 9)

    plus rep_peer at P1 on 4 March. Logged on 10 April, so all are late entries (irrelevant here).
    """
    logged = at(2026, 4, 10, 9)
    v = {
        "a1_mon": log(rep, d["A1"], at(2026, 3, 2, 10), now=logged),
        "a2_mon": log(rep, d["A2"], at(2026, 3, 2, 15), now=logged),
        "a1_tue": log(rep, d["A1"], at(2026, 3, 3, 10), now=logged),
        "a3_end": log(rep, d["A3"], at(2026, 3, 31, 10), now=logged),
        "a4_feb": log(rep, d["A4"], at(2026, 2, 27, 10), now=logged),
        "peer": log(rep_peer, d["P1"], at(2026, 3, 4, 10), now=logged),
    }
    response = api_as(manager).post(visit_url(v["a3_end"], "mark-false"), {"comment": "未到店"}, format="json")
    assert response.status_code == 200
    return v


#: ISO weeks whose Thursday is in March 2026: W10 (2 Mar) … W13 (23 Mar).
MARCH_WEEKS = ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
#: Monday–Friday in March 2026: 2–6, 9–13, 16–20, 23–27, 30–31.
MARCH_WORKING_DAYS = 22


class TestCompliance:
    def test_one_rep_for_a_past_month_by_hand(self, api_as, manager, rep, march):
        response = api_as(manager).get(COMPLIANCE, {"rep": rep.pk, "period": "2026-03"})
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["rep"] == rep.pk
        assert data["rep_name"] == "张伟"
        assert data["period"] == "2026-03"
        assert data["quota"] == {"daily_min": 2, "weekly_unique_min": 8, "monthly_min": 30}
        assert data["visits_counted"] == 3  # 2 Mar ×2, 3 Mar; 31 Mar is false, 27 Feb is February
        assert data["distinct_dealers"] == 2  # A1, A2 (A3 only in the false report)
        assert data["false_reports"] == 1
        assert data["fabricated_reports"] == 0
        assert data["shortfall"] == 30 - 3
        assert data["working_days"] == MARCH_WORKING_DAYS
        # only 2 March reached 2 counted visits
        assert data["days_below_daily_min"] == MARCH_WORKING_DAYS - 1
        assert data["weeks"] == [
            {
                "week_start": "2026-03-02",
                "iso_week": "2026-W10",
                "visits": 3,
                "distinct_dealers": 2,
                "over": True,
                "below": True,
            },
            *(
                {
                    "week_start": monday,
                    "iso_week": f"2026-W{week}",
                    "visits": 0,
                    "distinct_dealers": 0,
                    "over": True,
                    "below": True,
                }
                for monday, week in zip(MARCH_WEEKS[1:], (11, 12, 13), strict=True)
            ),
        ]
        assert data["weeks_below_weekly_min"] == 4

    def test_a_compliant_week_and_a_fabricated_visit(self, api_as, manager, rep, d):
        # week 11 (9–13 March): two visits a day Mon–Thu to eight different dealers
        for n in range(8):
            log(rep, d[f"A{n + 1}"], at(2026, 3, 9 + n // 2, 9 + n % 2 * 5))
        fabricated = log(rep, d["A9"], at(2026, 3, 13, 10))
        marked = api_as(manager).post(visit_url(fabricated, "mark-fabricated"), {"comment": "照片造假"}, format="json")
        assert marked.status_code == 200
        data = api_as(manager).get(COMPLIANCE, {"rep": rep.pk, "period": "2026-03"}).json()
        assert data["visits_counted"] == 8
        assert data["distinct_dealers"] == 8
        assert data["fabricated_reports"] == 1
        assert data["false_reports"] == 0
        assert data["shortfall"] == 22
        assert data["days_below_daily_min"] == MARCH_WORKING_DAYS - 4  # 9–12 March met the minimum
        assert [(w["iso_week"], w["visits"], w["distinct_dealers"], w["below"]) for w in data["weeks"]] == [
            ("2026-W10", 0, 0, True),
            ("2026-W11", 8, 8, False),
            ("2026-W12", 0, 0, True),
            ("2026-W13", 0, 0, True),
        ]
        assert data["weeks_below_weekly_min"] == 3

    def test_team_as_manager_lists_the_team_with_totals(self, api_as, manager, rep, rep_peer, march):
        response = api_as(manager).get(COMPLIANCE, {"period": "2026-03"})
        assert response.status_code == 200
        data = response.json()
        assert data["period"] == "2026-03"
        assert [row["rep"] for row in data["reps"]] == [rep.pk, rep_peer.pk]  # by username
        mine, peers = data["reps"]
        assert (mine["visits_counted"], mine["distinct_dealers"], mine["false_reports"]) == (3, 2, 1)
        assert (peers["visits_counted"], peers["distinct_dealers"], peers["false_reports"]) == (1, 1, 0)
        assert peers["shortfall"] == 29
        assert peers["days_below_daily_min"] == MARCH_WORKING_DAYS
        assert data["visits_counted"] == 4
        assert data["distinct_dealers"] == 3  # A1, A2, P1
        assert data["false_reports"] == 1
        assert data["fabricated_reports"] == 0
        assert data["shortfall"] == 27 + 29
        assert data["days_below_daily_min"] == (MARCH_WORKING_DAYS - 1) + MARCH_WORKING_DAYS
        assert data["weeks_below_weekly_min"] == 4 + 4

    def test_team_as_a_rep_is_only_themself(self, api_as, rep, march):
        data = api_as(rep).get(COMPLIANCE, {"period": "2026-03"}).json()
        assert [row["rep"] for row in data["reps"]] == [rep.pk]
        assert data["visits_counted"] == 3

    def test_team_as_admin_is_every_rep(self, api_as, admin_user, rep, rep_peer, other_rep, march):
        data = api_as(admin_user).get(COMPLIANCE, {"period": "2026-03"}).json()
        assert [row["rep"] for row in data["reps"]] == [rep.pk, rep_peer.pk, other_rep.pk]
        assert data["visits_counted"] == 4

    def test_rep_sees_own_figures(self, api_as, rep, march):
        response = api_as(rep).get(COMPLIANCE, {"rep": rep.pk, "period": "2026-03"})
        assert response.status_code == 200
        assert response.json()["visits_counted"] == 3

    def test_default_period_is_this_month(self, api_as, manager, rep):
        data = api_as(manager).get(COMPLIANCE, {"rep": rep.pk}).json()
        assert data["period"] == timezone.localdate().strftime("%Y-%m")

    def test_this_month_counts_only_days_and_weeks_that_are_over(self, api_as, manager, rep):
        today = timezone.localdate()
        data = api_as(manager).get(COMPLIANCE, {"rep": rep.pk, "period": today.strftime("%Y-%m")}).json()
        past_workdays = sum(1 for n in range(1, today.day) if date(today.year, today.month, n).weekday() < 5)
        assert data["days_below_daily_min"] == past_workdays
        assert data["weeks_below_weekly_min"] == sum(1 for w in data["weeks"] if w["over"])
        assert all(
            not w["over"] for w in data["weeks"] if date.fromisoformat(w["week_start"]) + timedelta(days=6) >= today
        )

    @pytest.mark.parametrize("period", ["2026-13", "abc", "2026-3", "", "2026-00", "26-03", "0000-01", "9999-12"])
    def test_bad_period_is_400(self, api_as, manager, rep, period):
        response = api_as(manager).get(COMPLIANCE, {"rep": rep.pk, "period": period})
        assert response.status_code == 400
        assert set(response.json()) == {"period"}
        assert api_as(manager).get(COMPLIANCE, {"period": period}).status_code == 400

    @pytest.mark.parametrize("value", ["abc", "-1", "1.5", " 1", "²"])
    def test_bad_rep_is_400(self, api_as, manager, value):
        response = api_as(manager).get(COMPLIANCE, {"rep": value, "period": "2026-03"})
        assert response.status_code == 400
        assert set(response.json()) == {"rep"}

    @pytest.mark.parametrize(
        ("who", "whom"),
        [
            ("manager", "other_rep"),
            ("other_manager", "rep"),
            ("rep", "rep_peer"),
            ("finance", "rep"),
            ("finance", "other_rep"),
            ("manager", "manager"),  # not a rep
            ("admin", "finance"),  # not a rep
        ],
    )
    def test_rep_out_of_scope_is_404(self, api_as, everyone, who, whom):
        response = api_as(everyone[who]).get(COMPLIANCE, {"rep": everyone[whom].pk, "period": "2026-03"})
        assert response.status_code == 404

    def test_unknown_rep_is_404(self, api_as, admin_user):
        assert api_as(admin_user).get(COMPLIANCE, {"rep": 999_999, "period": "2026-03"}).status_code == 404
        assert api_as(admin_user).get(COMPLIANCE, {"rep": "9" * 30, "period": "2026-03"}).status_code == 404

    @pytest.mark.parametrize(
        ("period", "code"), [("1900-01", 200), ("2999-12", 200), ("1899-12", 400), ("3000-01", 400)]
    )
    def test_periods_between_1900_and_2999_answer(self, api_as, manager, rep, period, code):
        response = api_as(manager).get(COMPLIANCE, {"rep": rep.pk, "period": period})
        assert response.status_code == code
        if code == 200:
            assert response.json()["visits_counted"] == 0

    def test_finance_has_no_team_view(self, api_as, finance, march):
        assert api_as(finance).get(COMPLIANCE, {"period": "2026-03"}).status_code == 404

    def test_query_count_does_not_grow_with_the_team(
        self, api_as, manager, rep, rep_peer, d, march, django_assert_max_num_queries
    ):
        client = api_as(manager)
        with CaptureQueriesContext(connection) as two_reps:
            assert client.get(COMPLIANCE, {"period": "2026-03"}).status_code == 200
        from channelhub.roles import Role
        from tests.factories import UserFactory

        for n in range(8):
            UserFactory(username=f"rep_a{n + 3}", roles=[Role.FIELD_REP], manager=manager)
        with django_assert_max_num_queries(len(two_reps)):
            assert len(client.get(COMPLIANCE, {"period": "2026-03"}).json()["reps"]) == 10


# =================================================================================================
# OpenAPI
# =================================================================================================


def test_schema_lists_the_visit_paths(api_as, rep):
    response = api_as(rep).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/visits/",
        "/api/v1/visits/{id}/",
        "/api/v1/visits/{id}/confirm/",
        "/api/v1/visits/{id}/mark-false/",
        "/api/v1/visits/{id}/mark-fabricated/",
        "/api/v1/visit-plans/",
        "/api/v1/visit-plans/{id}/",
        "/api/v1/visit-plans/{id}/submit/",
        "/api/v1/visit-plans/{id}/approve/",
        "/api/v1/visit-plans/{id}/return/",
        "/api/v1/visit-compliance/",
    ):
        assert path in paths, path
    assert "delete" not in paths["/api/v1/visits/{id}/"]
    assert set(paths["/api/v1/visits/"]) >= {"get", "post"}
    parameters = {p["name"] for p in paths["/api/v1/visits/"]["get"]["parameters"]}
    assert {"rep", "dealer", "status", "kind", "date_from", "date_to", "flagged", "page", "page_size"} <= parameters
    compliance = {p["name"] for p in paths["/api/v1/visit-compliance/"]["get"]["parameters"]}
    assert {"rep", "period"} <= compliance

    def request_fields(path, method):
        ref = paths[path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return set(response.json()["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"])

    created = request_fields("/api/v1/visits/", "post")
    assert {"dealer", "visited_at", "kind", "purpose", "latitude", "longitude", "client_uuid"} <= created
    assert not {"rep", "status", "flags", "created_at"} & created
    patched = request_fields("/api/v1/visits/{id}/", "patch")
    assert {"dealer", "visited_at", "kind", "purpose", "summary"} <= patched
    assert not {"latitude", "longitude", "accuracy_m", "client_uuid", "rep", "status"} & patched
