"""The daily agreement-expiry digest (SPEC §3, §9): who hears about what, once a day.

World (tests.partners.world): manager covers EAST, other_manager covers SOUTH; rep and rep_peer report
to manager, other_rep to other_manager. Here a national manager covers all of China as well.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channelhub.celery import app
from channelhub.notifications.models import Notification
from channelhub.roles import Role
from partners.notifications import agreements_remind_expiring, expiry_key
from partners.services import agreements as agreement_services
from partners.tasks import remind_expiring_agreements
from tests.factories import UserFactory
from tests.partners.world import make_agreement, make_dealer, qualify, signed

TODAY = date(2026, 6, 1)

#: The expiry digests (qualifying the dealers of the world notifies finance too).
EXPIRY_NOTES = Notification.objects.filter(kind="agreements.expiring")


@pytest.fixture
def national(covered):
    user = UserFactory(username="manager_cn", name="全国经理", roles=[Role.CHANNEL_MANAGER])
    user.profile.territories.add(covered["CN"])
    return user


@pytest.fixture
def agreement_ending(covered, lines, manager, other_manager, finance, rep):
    """``agreement_ending(days, owner=rep, city="SH-SH")`` → a signed agreement ending ``days`` after TODAY."""
    count = {"n": 0}

    def make(days, owner=rep, city="SH-SH", sign=True):
        count["n"] += 1
        actor = other_manager if city.startswith("GD") else manager
        dealer = make_dealer(actor, covered[city], owner, f"D{count['n']:03d}", name=f"经销商{count['n']}")
        qualify(dealer, actor, finance)
        end = TODAY + timedelta(days=days)
        start = end - timedelta(days=364)
        agreement = make_agreement(actor, dealer, covered[city], [lines["kitchen"]], start, end, exclusive=False)
        return signed(actor, agreement) if sign else agreement

    return make


def digests(today=TODAY):
    return {
        n.recipient.username: n for n in Notification.objects.filter(key=expiry_key(today)).select_related("recipient")
    }


def remind(django_capture_on_commit_callbacks, today=TODAY) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return agreements_remind_expiring(today=today)


def test_owner_owners_manager_and_covering_managers_are_told(
    agreement_ending, national, rep, django_capture_on_commit_callbacks
):
    # A dealer in Guangzhou (other_manager's SOUTH) owned by rep (manager's team).
    agreement_ending(10, owner=rep, city="GD-GZ")
    assert remind(django_capture_on_commit_callbacks) == 4
    assert set(digests()) == {"rep_a1", "manager_a", "manager_b", "manager_cn"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{name}@example.com" for name in ("rep_a1", "manager_a", "manager_b", "manager_cn")
    )


def test_reps_and_managers_not_concerned_hear_nothing(
    agreement_ending, rep, other_rep, django_capture_on_commit_callbacks
):
    agreement_ending(10, owner=rep, city="SH-SH")
    remind(django_capture_on_commit_callbacks)
    assert set(digests()) == {"rep_a1", "manager_a"}  # not rep_a2, rep_b1, manager_b, finance


def test_one_digest_per_recipient_lists_all_of_their_agreements(
    agreement_ending, rep, rep_peer, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"  # the job speaks the deployment's language
    first = agreement_ending(20, owner=rep)
    second = agreement_ending(3, owner=rep)
    agreement_ending(7, owner=rep_peer)
    remind(django_capture_on_commit_callbacks)
    found = digests()
    assert EXPIRY_NOTES.count() == 3  # rep, rep_peer, manager (both reps' manager and covering)
    assert found["rep_a1"].title_text == "2 agreements end within 30 days"
    assert found["rep_a1"].body_text.splitlines() == [
        f"经销商2 (D002) · Agreement #{second.pk}, annual distribution agreement · ends 2026-06-04 (3 days left)"
        " · owner: 张伟",
        f"经销商1 (D001) · Agreement #{first.pk}, annual distribution agreement · ends 2026-06-21 (20 days left)"
        " · owner: 张伟",
    ]
    assert found["manager_a"].title_text == "3 agreements end within 30 days"
    assert len(found["manager_a"].body_text.splitlines()) == 3
    assert found["rep_a1"].url == reverse("partners:agreement-list") + "?ending_within=30"  # the same filter
    assert len(mail.outbox) == 3
    assert {m.subject for m in mail.outbox} == {n.title_text for n in found.values()}


def test_the_window_is_today_to_30_days_ahead(agreement_ending, rep, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "en"
    agreement_ending(0, owner=rep)  # ends today: listed
    agreement_ending(30, owner=rep)  # listed
    agreement_ending(31, owner=rep)  # not yet
    agreement_ending(-1, owner=rep)  # already ended
    remind(django_capture_on_commit_callbacks)
    body = digests()["rep_a1"].body_text
    assert [line.split(" (")[0] for line in body.splitlines()] == ["经销商1", "经销商2"]
    assert "ends 2026-06-01 (today)" in body.splitlines()[0]


def test_draft_pending_and_terminated_agreements_are_not_listed(
    agreement_ending, manager, django_capture_on_commit_callbacks
):
    agreement_ending(5, sign=False)  # draft
    pending = agreement_ending(5, sign=False)
    agreement_services.agreement_submit(actor=manager, agreement=pending)
    ended = agreement_ending(5)
    agreement_services.agreement_terminate(actor=manager, agreement=ended)
    assert remind(django_capture_on_commit_callbacks) == 0
    assert not EXPIRY_NOTES.exists()
    assert mail.outbox == []


def test_twice_the_same_day_notifies_once_and_the_next_day_again(agreement_ending, django_capture_on_commit_callbacks):
    agreement_ending(10)
    assert remind(django_capture_on_commit_callbacks) == 2
    assert remind(django_capture_on_commit_callbacks) == 0
    assert EXPIRY_NOTES.count() == 2 and len(mail.outbox) == 2
    assert remind(django_capture_on_commit_callbacks, TODAY + timedelta(days=1)) == 2
    assert EXPIRY_NOTES.count() == 4 and len(mail.outbox) == 4
    assert set(digests(TODAY + timedelta(days=1))) == {"rep_a1", "manager_a"}


def test_inactive_people_are_skipped(agreement_ending, rep, django_capture_on_commit_callbacks):
    agreement_ending(10)
    rep.is_active = False
    rep.save()
    remind(django_capture_on_commit_callbacks)
    assert set(digests()) == {"manager_a"}


def test_queries_do_not_grow_with_the_agreements(agreement_ending, rep, rep_peer, django_capture_on_commit_callbacks):
    agreement_ending(10, owner=rep)
    agreement_ending(11, owner=rep_peer)
    with CaptureQueriesContext(connection) as few:
        remind(django_capture_on_commit_callbacks)
    Notification.objects.all().delete()
    for days in range(12, 20):
        agreement_ending(days, owner=rep if days % 2 else rep_peer)
    with CaptureQueriesContext(connection) as many:
        remind(django_capture_on_commit_callbacks)
    assert len(many) == len(few)


def test_the_task_runs_eagerly_for_today_by_default(agreement_ending, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    agreement_ending((today - TODAY).days + 5)  # ends 5 days from the real today
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_expiring_agreements.delay().get() == 2
    assert set(digests(today)) == {"rep_a1", "manager_a"}


def test_the_task_takes_an_iso_date(agreement_ending, django_capture_on_commit_callbacks):
    agreement_ending(10)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_expiring_agreements.delay(TODAY.isoformat()).get() == 2
        assert remind_expiring_agreements.delay(TODAY.isoformat()).get() == 0
    assert remind_expiring_agreements.acks_late is True


def test_beat_runs_the_reminder_daily_at_eight():
    app.loader.import_default_modules()
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "partners.remind_expiring_agreements"
    )
    assert entry["schedule"] == crontab(hour=8, minute=0)
    assert "partners.remind_expiring_agreements" in app.tasks
