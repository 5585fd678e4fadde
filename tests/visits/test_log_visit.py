"""Logging, correcting and reviewing visits (SPEC §4): visits.services.visits."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from channelhub.errors import Conflict, TransitionNotAllowed
from channelhub.notifications.models import Notification
from channelhub.roles import Role
from channelhub.scoping import SegregationOfDutiesError
from partners.models import Dealer
from tests.factories import UserFactory
from tests.visits.world import at, log
from visits import policies
from visits.models import Visit
from visits.services.rollups import Counted, visits_moved
from visits.services.visits import visit_log, visit_review, visit_update

EARTH_RADIUS_M = 6_371_008.8  # the mean radius; along a meridian the distance is R × Δφ (radians)


def metres_north(degrees: str) -> float:
    return EARTH_RADIUS_M * math.radians(float(degrees))


def north_of(dealer: Dealer, degrees: str) -> Decimal:
    return dealer.latitude + Decimal(degrees)


def terminate(dealer: Dealer) -> Dealer:
    Dealer.objects.filter(pk=dealer.pk).update(status=Dealer.Status.TERMINATED)
    dealer.refresh_from_db()
    return dealer


def set_status(visit: Visit, status: str) -> Visit:
    Visit.objects.filter(pk=visit.pk).update(status=status)
    visit.refresh_from_db()
    return visit


NOW = at(2026, 11, 20, 15, 0)


# --- client_uuid: logging is idempotent per rep ---------------------------------------------------


def test_same_rep_and_uuid_gives_the_first_visit_back(d, rep):
    key = uuid.uuid4()
    first, created = visit_log(
        rep=rep,
        dealer=d["A1"],
        visited_at=at(2026, 11, 20, 9),
        kind="maintenance",
        purpose="补货",
        client_uuid=key,
        now=NOW,
    )
    again, created_again = visit_log(
        rep=rep,
        dealer=d["A1"],
        visited_at=at(2026, 11, 20, 9),
        kind="maintenance",
        purpose="补货",
        client_uuid=key,
        now=NOW,
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Visit.objects.filter(rep=rep).count() == 1


def test_a_repeat_with_different_content_still_gives_the_first_visit(d, rep):
    key = uuid.uuid4()
    first, _ = visit_log(
        rep=rep,
        dealer=d["A1"],
        visited_at=at(2026, 11, 20, 9),
        kind="maintenance",
        purpose="补货",
        client_uuid=key,
        now=NOW,
    )
    again, created = visit_log(
        rep=rep,
        dealer=d["A2"],
        visited_at=at(2026, 11, 19, 14),
        kind="training",
        purpose="新品培训",
        summary="different",
        client_uuid=str(key),  # the phone may send it as text
        now=NOW + timedelta(minutes=5),
    )
    assert created is False
    assert again.pk == first.pk
    assert (again.dealer_id, again.kind, again.purpose) == (d["A1"].pk, "maintenance", "补货")
    assert Visit.objects.count() == 1


def test_another_rep_with_the_same_uuid_gets_a_new_visit(d, rep, rep_peer):
    key = uuid.uuid4()
    mine, _ = visit_log(
        rep=rep,
        dealer=d["A1"],
        visited_at=at(2026, 11, 20, 9),
        kind="maintenance",
        purpose="补货",
        client_uuid=key,
        now=NOW,
    )
    theirs, created = visit_log(
        rep=rep_peer,
        dealer=d["P1"],
        visited_at=at(2026, 11, 20, 9),
        kind="maintenance",
        purpose="补货",
        client_uuid=key,
        now=NOW,
    )
    assert created is True
    assert theirs.pk != mine.pk
    assert Visit.objects.filter(client_uuid=key).count() == 2


def test_without_a_uuid_each_call_is_a_new_visit(d, rep):
    one, _ = visit_log(
        rep=rep, dealer=d["A1"], visited_at=at(2026, 11, 20, 9), kind="maintenance", purpose="a", now=NOW
    )
    two, _ = visit_log(
        rep=rep, dealer=d["A1"], visited_at=at(2026, 11, 20, 9), kind="maintenance", purpose="a", now=NOW
    )
    assert one.pk != two.pk and one.client_uuid != two.client_uuid


def test_logging_records_who_and_when_and_the_first_state(d, rep):
    visit = log(rep, d["A1"], at(2026, 11, 20, 9), now=NOW)
    assert visit.rep == rep
    assert visit.created_at == NOW
    assert visit.status == Visit.Status.SUBMITTED
    [change] = Visit.workflow.log(visit)
    assert (change.transition, change.from_state, change.to_state, change.by) == ("create", "", "submitted", rep)


# --- visited_at: not in the future; late_entry after 72 h ----------------------------------------


def test_a_visit_one_second_in_the_future_is_refused(d, rep):
    with pytest.raises(ValidationError) as error:
        log(rep, d["A1"], NOW + timedelta(seconds=1), now=NOW)
    assert "visited_at" in error.value.message_dict
    assert not Visit.objects.exists()


def test_a_visit_at_exactly_now_is_accepted(d, rep):
    visit = log(rep, d["A1"], NOW, now=NOW)
    assert visit.visited_at == NOW and visit.late_entry is False


def test_a_naive_visited_at_is_refused(d, rep):
    with pytest.raises(ValidationError) as error:
        log(rep, d["A1"], datetime(2026, 11, 20, 9, 0), now=NOW)
    assert "visited_at" in error.value.message_dict


def test_logged_exactly_72_hours_later_is_not_late(d, rep):
    visited = at(2026, 11, 17, 15, 0)
    visit = log(rep, d["A1"], visited, now=visited + timedelta(hours=72))  # = Nov 20 15:00
    assert visit.late_entry is False
    assert visit.flags == []


def test_logged_72_hours_and_one_second_later_is_flagged_late(d, rep):
    visited = at(2026, 11, 17, 15, 0)
    visit = log(rep, d["A1"], visited, now=visited + timedelta(hours=72, seconds=1))
    assert visit.late_entry is True
    assert visit.flags == ["late_entry"]
    assert Visit.objects.get(pk=visit.pk).late_entry is True


# --- far_from_dealer: more than 1 km from the dealer -----------------------------------------------


def test_900_metres_from_the_dealer_is_not_far(d, rep):
    # 0.008° north: 6 371 008.8 m × 0.008 × π/180 = 889.56 m → stored as 889.6 m
    expected = metres_north("0.008")
    assert round(expected, 1) == 889.6
    visit = log(rep, d["A1"], NOW, latitude=north_of(d["A1"], "0.008"), longitude=d["A1"].longitude)
    assert visit.distance_m == pytest.approx(Decimal("889.6"), abs=Decimal("0.1"))
    assert visit.far_from_dealer is False


def test_1100_metres_from_the_dealer_is_far(d, rep):
    # 0.01° north: 6 371 008.8 × 0.01 × π/180 = 1111.95 m > 1000 m
    expected = metres_north("0.01")
    assert expected == pytest.approx(1111.95, abs=0.01)
    visit = log(rep, d["A1"], NOW, latitude=north_of(d["A1"], "0.01"), longitude=d["A1"].longitude)
    assert float(visit.distance_m) == pytest.approx(expected, abs=0.1)
    assert visit.far_from_dealer is True
    assert visit.flags == ["far_from_dealer"]
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.far_from_dealer is True and float(stored.distance_m) == pytest.approx(expected, abs=0.1)


def test_the_1_km_line(d, rep):
    # 0.008993° = 999.98 m (not far); 0.008994° = 1000.09 m (far)
    inside = log(rep, d["A1"], NOW, latitude=north_of(d["A1"], "0.008993"), longitude=d["A1"].longitude)
    outside = log(rep, d["A2"], NOW, latitude=north_of(d["A2"], "0.008994"), longitude=d["A2"].longitude)
    assert float(inside.distance_m) == pytest.approx(999.98, abs=0.1) and inside.far_from_dealer is False
    assert float(outside.distance_m) == pytest.approx(1000.09, abs=0.1) and outside.far_from_dealer is True


def test_a_degree_of_longitude_is_shorter_at_shanghai(d, rep):
    # 0.01° east at 31.2314° N: 1111.95 m × cos(31.2314°) = 950.8 m → not far, though 0.01° north is
    expected = metres_north("0.01") * math.cos(math.radians(31.2314))
    visit = log(rep, d["A1"], NOW, latitude=d["A1"].latitude, longitude=d["A1"].longitude + Decimal("0.01"))
    assert float(visit.distance_m) == pytest.approx(expected, abs=0.5)
    assert visit.far_from_dealer is False


def test_a_visit_without_position_is_not_far_and_has_no_distance(d, rep):
    visit = log(rep, d["A1"], NOW, latitude=None, longitude=None)
    assert visit.distance_m is None and visit.far_from_dealer is False


def test_a_dealer_without_position_is_never_far(d, rep):
    assert d["NOPOS"].latitude is None
    visit = log(rep, d["NOPOS"], NOW, latitude=Decimal("40.000000"), longitude=Decimal("116.000000"))
    assert visit.distance_m is None and visit.far_from_dealer is False


@pytest.mark.parametrize(("latitude", "longitude"), [(Decimal("31.231400"), None), (None, Decimal("121.473700"))])
def test_half_a_position_is_refused(d, rep, latitude, longitude):
    with pytest.raises(ValidationError) as error:
        log(rep, d["A1"], NOW, latitude=latitude, longitude=longitude)
    assert "latitude" in error.value.message_dict
    assert not Visit.objects.exists()


# --- visited_on: the Asia/Shanghai date --------------------------------------------------------------


def test_one_minute_before_and_after_local_midnight_fall_on_different_dates(d, rep):
    before = log(rep, d["A1"], at(2026, 12, 31, 23, 59))
    after = log(rep, d["A1"], at(2027, 1, 1, 0, 1))
    assert before.visited_on == date(2026, 12, 31)
    assert after.visited_on == date(2027, 1, 1)


def test_visited_on_is_the_local_date_of_a_utc_time(d, rep):
    # 2026-06-30 16:30 UTC + 8 h = 2026-07-01 00:30 in Shanghai
    visit = log(rep, d["A1"], datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    assert visit.visited_on == date(2026, 7, 1)
    assert Visit.objects.get(pk=visit.pk).visited_on == date(2026, 7, 1)


# --- who may log, at which dealer ---------------------------------------------------------------------


@pytest.mark.parametrize("dealer", ["P1", "O1"])
def test_a_rep_cannot_log_a_visit_to_a_dealer_they_do_not_own(d, rep, dealer):
    with pytest.raises(ValidationError) as error:
        log(rep, d[dealer], NOW)
    assert "dealer" in error.value.message_dict
    assert not Visit.objects.exists()


def test_a_rep_cannot_log_a_visit_to_a_terminated_dealer(d, rep):
    with pytest.raises(ValidationError) as error:
        log(rep, terminate(d["A1"]), NOW)
    assert "dealer" in error.value.message_dict


@pytest.mark.parametrize("who", ["manager", "finance", "admin"])
def test_only_field_reps_log_visits(d, everyone, who):
    with pytest.raises(PermissionDenied):
        log(everyone[who], d["A1"], NOW)
    assert not Visit.objects.exists()


# --- visit_update: the rep's correction within 24 h ----------------------------------------------


@pytest.fixture
def visit(d, rep):
    """Logged at NOW (Nov 20 15:00) about a visit an hour earlier, at the dealer's door."""
    return log(rep, d["A1"], NOW - timedelta(hours=1), now=NOW, purpose="补货")


def test_the_rep_may_correct_a_visit_within_24_hours(visit, rep):
    updated = visit_update(actor=rep, visit=visit, now=NOW + timedelta(hours=24), purpose="补货+陈列", outcome="下单")
    assert (updated.purpose, updated.outcome) == ("补货+陈列", "下单")
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.purpose, stored.outcome) == ("补货+陈列", "下单")


def test_one_second_after_24_hours_the_visit_is_frozen(visit, rep):
    with pytest.raises(Conflict):
        visit_update(actor=rep, visit=visit, now=NOW + timedelta(hours=24, seconds=1), purpose="late fix")
    assert Visit.objects.get(pk=visit.pk).purpose == "补货"


def test_a_reviewed_visit_cannot_be_corrected(visit, rep, manager):
    visit_review(actor=manager, visit=visit, name="confirm", now=NOW + timedelta(minutes=10))
    with pytest.raises(Conflict):
        visit_update(actor=rep, visit=visit, now=NOW + timedelta(minutes=20), purpose="x")


@pytest.mark.parametrize("who", ["rep_peer", "manager", "admin"])
def test_only_the_rep_who_logged_it_may_correct_it(visit, everyone, who):
    with pytest.raises(PermissionDenied):
        visit_update(actor=everyone[who], visit=visit, now=NOW, purpose="x")


@pytest.mark.parametrize(
    "field", [("latitude", Decimal("31.0")), ("longitude", Decimal("121.0")), ("accuracy_m", Decimal("5.0"))]
)
def test_the_position_cannot_be_corrected(visit, rep, field):
    name, value = field
    with pytest.raises(ValidationError) as error:
        visit_update(actor=rep, visit=visit, now=NOW, **{name: value})
    assert name in error.value.message_dict


@pytest.mark.parametrize("name", ["status", "client_uuid", "rep", "created_at"])
def test_other_fields_cannot_be_changed_either(visit, rep, name):
    with pytest.raises(ValidationError):
        visit_update(actor=rep, visit=visit, now=NOW, **{name: None})


def test_correcting_the_time_recomputes_late_entry_and_the_date(visit, rep):
    # logged Nov 20 15:00; said to be Nov 17 14:00 → 73 h before logging > 72 h → late
    updated = visit_update(actor=rep, visit=visit, now=NOW + timedelta(hours=1), visited_at=at(2026, 11, 17, 14, 0))
    assert updated.late_entry is True
    assert updated.visited_on == date(2026, 11, 17)
    assert updated.created_at == NOW  # the server's time does not move
    back = visit_update(actor=rep, visit=visit, now=NOW + timedelta(hours=2), visited_at=at(2026, 11, 17, 15, 0))
    assert back.late_entry is False  # exactly 72 h


def test_a_corrected_time_may_not_be_in_the_future(visit, rep):
    with pytest.raises(ValidationError) as error:
        visit_update(
            actor=rep, visit=visit, now=NOW + timedelta(hours=1), visited_at=NOW + timedelta(hours=1, seconds=1)
        )
    assert "visited_at" in error.value.message_dict


def test_correcting_the_dealer_recomputes_the_distance(d, rep):
    # The position is A1 + 0.0095° north: 1056.4 m from A1 → far.
    # A9 lies 0.008° north of A1, so the same point is 0.0095 − 0.008 = 0.0015° = 166.8 m from A9 → not far.
    visit = log(rep, d["A1"], NOW - timedelta(hours=1), now=NOW, latitude=north_of(d["A1"], "0.0095"))
    assert visit.far_from_dealer is True
    assert float(visit.distance_m) == pytest.approx(metres_north("0.0095"), abs=0.1)  # 1056.4
    updated = visit_update(actor=rep, visit=visit, now=NOW + timedelta(hours=1), dealer=d["A9"])
    assert updated.dealer == d["A9"]
    assert float(updated.distance_m) == pytest.approx(metres_north("0.0015"), abs=0.1)  # 166.8
    assert updated.far_from_dealer is False
    assert updated.latitude == north_of(d["A1"], "0.0095")  # the position itself is kept


def test_correcting_to_a_dealer_without_position_clears_the_distance(d, rep):
    visit = log(rep, d["A1"], NOW - timedelta(hours=1), now=NOW, latitude=north_of(d["A1"], "0.01"))
    assert visit.far_from_dealer is True
    updated = visit_update(actor=rep, visit=visit, now=NOW, dealer=d["NOPOS"])
    assert updated.distance_m is None and updated.far_from_dealer is False


def test_a_visit_cannot_be_moved_to_someone_elses_dealer(visit, rep, d):
    with pytest.raises(ValidationError) as error:
        visit_update(actor=rep, visit=visit, now=NOW, dealer=d["P1"])
    assert "dealer" in error.value.message_dict
    assert Visit.objects.get(pk=visit.pk).dealer_id == d["A1"].pk


def test_a_visit_cannot_be_moved_to_a_terminated_dealer(visit, rep, d):
    with pytest.raises(ValidationError):
        visit_update(actor=rep, visit=visit, now=NOW, dealer=terminate(d["A2"]))


# --- visit_review ------------------------------------------------------------------------------------


def test_a_manager_confirms_a_visit(visit, manager, rep):
    reviewed_at = NOW + timedelta(hours=2)
    visit_review(actor=manager, visit=visit, name="confirm", comment="照片清晰", now=reviewed_at)
    stored = Visit.objects.get(pk=visit.pk)
    assert stored.status == Visit.Status.CONFIRMED
    assert (stored.reviewed_by, stored.reviewed_at, stored.review_comment) == (manager, reviewed_at, "照片清晰")
    changes = [(c.transition, c.from_state, c.to_state, c.by, c.comment) for c in Visit.workflow.log(visit)]
    assert changes == [
        ("create", "", "submitted", rep, ""),
        ("confirm", "submitted", "confirmed", manager, "照片清晰"),
    ]
    assert not Notification.objects.filter(recipient=rep).exists()  # a confirmation is no news


ALLOWED = {
    "confirm": {"submitted"},
    "mark_false": {"submitted", "confirmed"},
    "mark_fabricated": {"submitted", "confirmed", "false_report"},
}
TARGET = {"confirm": "confirmed", "mark_false": "false_report", "mark_fabricated": "fabricated"}


@pytest.mark.parametrize("start", ["submitted", "confirmed", "false_report", "fabricated"])
@pytest.mark.parametrize("name", ["confirm", "mark_false", "mark_fabricated"])
def test_review_transitions(visit, manager, start, name):
    set_status(visit, start)
    if start in ALLOWED[name]:
        visit_review(actor=manager, visit=visit, name=name, comment="核实", now=NOW)
        assert Visit.objects.get(pk=visit.pk).status == TARGET[name]
        [change] = [c for c in Visit.workflow.log(visit) if c.transition == name]
        assert (change.from_state, change.to_state, change.by) == (start, TARGET[name], manager)
    else:
        with pytest.raises(TransitionNotAllowed):  # the state is checked before the reason
            visit_review(actor=manager, visit=visit, name=name, now=NOW)
        assert Visit.objects.get(pk=visit.pk).status == start
        assert [c.transition for c in Visit.workflow.log(visit)] == ["create"]


def test_a_confirmed_visit_can_later_be_found_false_and_then_fabricated(visit, manager, rep):
    visit_review(actor=manager, visit=visit, name="confirm", now=NOW)
    visit_review(actor=manager, visit=visit, name="mark_false", comment="门店当天关门", now=NOW + timedelta(days=1))
    visit_review(actor=manager, visit=visit, name="mark_fabricated", comment="照片是旧的", now=NOW + timedelta(days=2))
    assert [(c.from_state, c.to_state) for c in Visit.workflow.log(visit)] == [
        ("", "submitted"),
        ("submitted", "confirmed"),
        ("confirmed", "false_report"),
        ("false_report", "fabricated"),
    ]
    assert Visit.objects.get(pk=visit.pk).review_comment == "照片是旧的"


@pytest.mark.parametrize(("name", "status"), [("mark_false", "false_report"), ("mark_fabricated", "fabricated")])
def test_the_rep_is_told_when_a_visit_is_marked_false_or_fabricated(visit, manager, rep, name, status):
    visit_review(actor=manager, visit=visit, name=name, comment="没有去", now=NOW)
    [notification] = Notification.objects.filter(recipient=rep)
    assert notification.key == f"visit-review:{visit.pk}:{status}"
    assert notification.body_text == "没有去"
    assert notification.url == reverse("visits:visit-detail", args=[visit.pk])
    assert d_name(visit) in notification.title_text and "2026-11-20" in notification.title_text


def d_name(visit: Visit) -> str:
    return Dealer.objects.get(pk=visit.dealer_id).name


def test_false_then_fabricated_sends_two_notifications(visit, manager, rep):
    visit_review(actor=manager, visit=visit, name="mark_false", comment="门店当天未营业", now=NOW)
    visit_review(actor=manager, visit=visit, name="mark_fabricated", comment="照片与门店不符", now=NOW)
    assert sorted(Notification.objects.filter(recipient=rep).values_list("key", flat=True)) == [
        f"visit-review:{visit.pk}:fabricated",
        f"visit-review:{visit.pk}:false_report",
    ]


@pytest.mark.parametrize("who", ["rep", "rep_peer", "finance"])
def test_reps_and_finance_cannot_review(visit, everyone, who):
    with pytest.raises(PermissionDenied):
        visit_review(actor=everyone[who], visit=visit, name="confirm", now=NOW)
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SUBMITTED


def test_a_manager_of_another_team_and_territory_cannot_review(visit, other_manager):
    with pytest.raises(PermissionDenied):
        visit_review(actor=other_manager, visit=visit, name="mark_false", comment="门店当天未营业", now=NOW)
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SUBMITTED


def test_an_admin_may_review(visit, admin_user):
    visit_review(actor=admin_user, visit=visit, name="confirm", now=NOW)
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.CONFIRMED


def test_nobody_reviews_their_own_visit(d, manager):
    # a manager who also works as a field rep and owns a dealer
    coach = UserFactory(username="coach", roles=[Role.CHANNEL_MANAGER, Role.FIELD_REP], manager=manager)
    Dealer.objects.filter(pk=d["A3"].pk).update(owner=coach)
    d["A3"].refresh_from_db()
    own = log(coach, d["A3"], NOW)
    with pytest.raises(SegregationOfDutiesError):
        visit_review(actor=coach, visit=own, name="confirm", now=NOW)


def test_an_unknown_review_action_is_a_programming_error(visit, manager):
    with pytest.raises(ValueError):
        visit_review(actor=manager, visit=visit, name="approve", now=NOW)


def test_both_flags_together(d, rep):
    visited = at(2026, 11, 10, 9)
    visit = log(rep, d["A1"], visited, now=visited + timedelta(hours=96), latitude=north_of(d["A1"], "0.01"))
    assert visit.flags == ["late_entry", "far_from_dealer"]
    assert visit.is_flagged is True


# --- the database keeps the rules too -----------------------------------------------------------------


def raw_visit(rep, dealer, **fields) -> Visit:
    values = {
        "rep": rep,
        "dealer": dealer,
        "visited_at": NOW,
        "visited_on": NOW.date(),
        "kind": "maintenance",
        "purpose": "raw",
        "client_uuid": uuid.uuid4(),
        **fields,
    }
    visit = Visit.objects.create(**values)
    visits_moved((None, Counted.of(visit)))  # counted, as visit_log counts it
    return visit


def test_the_database_refuses_a_second_row_for_the_same_rep_and_uuid(d, rep, rep_peer):
    key = uuid.uuid4()
    raw_visit(rep, d["A1"], client_uuid=key)
    raw_visit(rep_peer, d["P1"], client_uuid=key)  # another rep: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_visit(rep, d["A2"], client_uuid=key)


def test_the_database_refuses_half_a_position(d, rep):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_visit(rep, d["A1"], latitude=Decimal("31.2"), longitude=None)


# --- policies: what the pages offer -------------------------------------------------------------------


def test_can_edit_follows_the_24_hour_window(visit, rep, rep_peer):
    assert policies.can_edit(rep, visit, now=NOW + timedelta(hours=24)) is True
    assert policies.can_edit(rep, visit, now=NOW + timedelta(hours=24, seconds=1)) is False
    assert policies.can_edit(rep_peer, visit, now=NOW) is False
    assert policies.edit_deadline(visit) == NOW + timedelta(hours=24)


def test_can_edit_is_false_once_reviewed(visit, rep):
    assert policies.can_edit(rep, set_status(visit, Visit.Status.CONFIRMED), now=NOW) is False


def test_can_review(visit, everyone):
    assert policies.can_review(everyone["manager"], visit) is True
    assert policies.can_review(everyone["admin"], visit) is True
    assert policies.can_review(everyone["rep"], visit) is False
    assert policies.can_review(everyone["finance"], visit) is False


@pytest.mark.parametrize(
    ("metres", "text"),
    [(None, "—"), ("0.4", "0 m"), ("999.4", "999 m"), ("1000.0", "1.0 km"), ("180749.2", "180.7 km")],
)
def test_distance_reads_in_metres_then_kilometres(metres, text):
    from decimal import Decimal

    from visits.models import Visit

    assert Visit(distance_m=None if metres is None else Decimal(metres)).distance_text == text


# --- flags and reasons that let a visit be checked (SPEC §4) -----------------------------------------


def test_a_visit_without_a_position_is_flagged_and_waits_for_review(d, rep, manager):
    from visits.selectors import review_queue

    without = log(rep, d["A1"], NOW - timedelta(hours=1), now=NOW, latitude=None, longitude=None)
    near = log(rep, d["A2"], NOW - timedelta(hours=1), now=NOW)
    assert (without.no_position, without.flags, without.is_flagged) == (True, ["no_position"], True)
    assert (near.no_position, near.flags) == (False, [])
    assert list(review_queue(manager)) == [without]


@pytest.mark.parametrize("name", ["mark_false", "mark_fabricated"])
@pytest.mark.parametrize("comment", ["", "   "])
def test_marking_a_visit_false_or_fabricated_needs_a_reason(visit, manager, name, comment):
    with pytest.raises(ValidationError) as refused:
        visit_review(actor=manager, visit=visit, name=name, comment=comment, now=NOW)
    assert "comment" in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED and not Notification.objects.exists()


def test_confirming_needs_no_reason(visit, manager):
    assert visit_review(actor=manager, visit=visit, name="confirm", now=NOW).status == Visit.Status.CONFIRMED


# --- a visit dated in a month already paid or closed --------------------------------------------------


def _final_statement(rep, period, status="approved"):
    from commissions.models import Statement

    fields = {"paid_at": date(2026, 11, 5), "payment_reference": "B-1"} if status == "paid" else {}
    return Statement.objects.create(rep=rep, period=period, status=status, **fields)


@pytest.mark.parametrize("status", ["approved", "paid"])
def test_a_visit_in_a_month_whose_statement_is_approved_or_paid_is_refused(d, rep, status):
    _final_statement(rep, "2026-10", status)
    with pytest.raises(ValidationError) as refused:
        log(rep, d["A1"], at(2026, 10, 30, 10), now=NOW)
    [message] = refused.value.message_dict["visited_at"]
    assert "2026-10" in message and "申诉" in message  # a correction goes through a dispute
    assert not Visit.objects.exists()
    # November is open: the same rep logs it
    assert log(rep, d["A1"], at(2026, 11, 2, 10), now=NOW).visited_on == date(2026, 11, 2)


def test_a_visit_in_a_draft_or_submitted_month_is_still_logged(d, rep):
    _final_statement(rep, "2026-10", "submitted")
    assert log(rep, d["A1"], at(2026, 10, 30, 10), now=NOW).pk


def test_a_visit_in_a_closed_period_is_refused_naming_it(d, rep):
    from kpi.models import Period

    Period.objects.create(code="2026-10", status=Period.Status.CLOSED)
    with pytest.raises(ValidationError) as refused:
        log(rep, d["A1"], at(2026, 10, 30, 10), now=NOW)
    assert "2026-10" in refused.value.message_dict["visited_at"][0]


def test_a_correction_cannot_move_a_visit_into_a_paid_month(d, rep):
    visit = log(rep, d["A1"], NOW - timedelta(hours=2), now=NOW)
    _final_statement(rep, "2026-10")
    with pytest.raises(ValidationError):
        visit_update(actor=rep, visit=visit, visited_at=at(2026, 10, 31, 9), now=NOW)
    visit.refresh_from_db()
    assert visit.visited_on == date(2026, 11, 20)
