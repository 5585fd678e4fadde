"""Complaints (客诉): ``late`` when responded to more than 4 hours after receipt; the scorecard's "complaints
handled late" and the per-dealer count read them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from channelhub.errors import Conflict
from channelhub.periods import Month
from inspections.models import Complaint
from inspections.selectors import complaint_clock, complaints_late
from inspections.services.complaints import complaint_record, complaint_resolve, complaint_respond

pytestmark = pytest.mark.django_db
D = Decimal


def at(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_default_timezone())


def received(rep, dealer, when, **kw) -> Complaint:
    return complaint_record(
        rep, dealer=dealer, source="consumer", category="quality", description="漏水", received_at=when, **kw
    )


def test_responded_at_exactly_4_hours_is_in_time_and_at_4_hours_1_minute_late(rep, insp_dealers):
    a = received(rep, insp_dealers["T1"], at(2026, 11, 2, 9, 0))
    b = received(rep, insp_dealers["T2"], at(2026, 11, 2, 9, 0))
    assert complaint_respond(rep, a, response="已联系", responded_at=at(2026, 11, 2, 13, 0)).late is False
    assert complaint_respond(rep, b, response="已联系", responded_at=at(2026, 11, 2, 13, 1)).late is True


def test_the_clock_shows_the_deadline_and_the_time_left(rep, insp_dealers):
    c = received(rep, insp_dealers["T1"], at(2026, 11, 2, 9, 0))
    clock = complaint_clock(c, now=at(2026, 11, 2, 12, 30))
    assert clock["deadline"] == at(2026, 11, 2, 13, 0) and clock["seconds_left"] == 30 * 60 and not clock["late"]
    clock = complaint_clock(c, now=at(2026, 11, 2, 13, 1))
    assert clock["seconds_left"] == -60 and clock["late"]


def test_a_complaint_goes_to_the_dealers_rep_who_is_told(manager, rep, insp_dealers):
    c = complaint_record(manager, dealer=insp_dealers["T1"], source="terminal", category="delivery", description="缺货")
    assert c.assignee == rep
    assert rep.notifications.filter(kind="complaint.assigned").count() == 1


def test_the_assignee_must_be_the_dealers_rep_or_manager(manager, rep_peer, insp_dealers):
    with pytest.raises(ValidationError) as refused:
        complaint_record(
            manager, dealer=insp_dealers["T1"], source="dealer", category="price", description="x", assignee=rep_peer
        )
    assert "assignee" in refused.value.message_dict


def test_who_may_record_and_handle(rep, rep_peer, finance, insp_dealers):
    with pytest.raises(PermissionDenied):
        received(rep_peer, insp_dealers["T1"], timezone.now())
    with pytest.raises(PermissionDenied):
        received(finance, insp_dealers["T1"], timezone.now())
    c = received(rep, insp_dealers["T1"], timezone.now() - timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        complaint_respond(rep_peer, c, response="x")


def test_resolving_an_unanswered_complaint_responds_to_it_then(rep, insp_dealers):
    c = received(rep, insp_dealers["T1"], timezone.now() - timedelta(hours=6))
    resolved = complaint_resolve(rep, c, resolution="已换货")
    assert resolved.status == "resolved" and resolved.responded_at == resolved.resolved_at and resolved.late
    with pytest.raises(Conflict):
        complaint_respond(rep, resolved, response="x")


def test_times_before_receipt_or_in_the_future_are_refused(rep, insp_dealers):
    c = received(rep, insp_dealers["T1"], timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError):
        complaint_respond(rep, c, response="x", responded_at=c.received_at - timedelta(minutes=1))
    with pytest.raises(ValidationError):
        complaint_respond(rep, c, response="x", responded_at=timezone.now() + timedelta(hours=1))
    assert Complaint.objects.get(pk=c.pk).status == "received"


def test_complaints_handled_late_per_assignee_and_per_dealer(rep, manager, insp_dealers):
    november = Month.parse("2026-11")
    late = received(rep, insp_dealers["T1"], at(2026, 11, 3, 9))
    complaint_respond(rep, late, response="x", responded_at=at(2026, 11, 3, 14))  # 5 h: late
    in_time = received(rep, insp_dealers["T2"], at(2026, 11, 4, 9))
    complaint_respond(rep, in_time, response="x", responded_at=at(2026, 11, 4, 10))  # 1 h
    by_manager = received(manager, insp_dealers["T1"], at(2026, 11, 5, 9), assignee=manager)
    complaint_respond(manager, by_manager, response="x", responded_at=at(2026, 11, 5, 18))  # 9 h: the manager's
    now = at(2026, 12, 1, 0)
    assert complaints_late(november, assignee_ids=[rep.pk, manager.pk], now=now) == {rep.pk: 1, manager.pk: 1}
    dealers = [insp_dealers["T1"].pk, insp_dealers["T2"].pk]
    assert complaints_late(november, dealer_ids=dealers, now=now) == {insp_dealers["T1"].pk: 2}
