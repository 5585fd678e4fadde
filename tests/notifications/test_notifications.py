"""In-app notifications: notify once per key (one e-mail), only one's own, the bell, the list, mark read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from channelhub.notifications.models import Notification
from channelhub.notifications.services import notification_mark_read, notification_send_email, notify
from channelhub.notifications.tasks import send_notification_email
from channelhub.notifications.types import register
from channelhub.roles import Role
from channelhub.scoping import scope
from tests.factories import UserFactory

# A kind of notification for these tests: its title and text are its figures.
register("test.note", title=lambda params: params["title"], body=lambda params: params.get("body", ""))


def note(user, key="k", **fields):
    values = {"title": f"title {key}", "body": "body", "url": "", **fields}
    return Notification.objects.create(recipient=user, key=key, **values)


def notification_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]


# --- notify --------------------------------------------------------------------------------------


def test_notify_creates_a_notification_once_per_key(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipient=rep,
            key="agreement-expiry:2026-06-01",
            kind="test.note",
            params={"title": "3 agreements", "body": "…"},
        )
        again = notify(
            recipient=rep,
            key="agreement-expiry:2026-06-01",
            kind="test.note",
            params={"title": "changed", "body": "changed"},
        )
    assert first is not None and first.title_text == "3 agreements"
    assert again is None
    assert Notification.objects.filter(recipient=rep).count() == 1
    assert Notification.objects.get(recipient=rep).title_text == "3 agreements"


def test_notify_sends_one_email_to_the_recipient(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=rep,
            key="a",
            kind="test.note",
            params={"title": "Agreement ends soon", "body": "上海华丰贸易 · 2026-06-30"},
        )
        notify(
            recipient=rep,
            key="a",
            kind="test.note",
            params={"title": "Agreement ends soon", "body": "上海华丰贸易 · 2026-06-30"},
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [rep.email]
    assert mail.outbox[0].subject == "Agreement ends soon"
    assert "上海华丰贸易" in mail.outbox[0].body
    assert Notification.objects.get(recipient=rep).emailed_at is not None


def test_the_email_waits_for_the_commit(rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=rep, key="a", kind="test.note", params={"title": "t", "body": "b"})
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_same_key_reaches_each_recipient(rep, rep_peer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(recipient=rep, key="a", kind="test.note", params={"title": "t", "body": "b"}) is not None
        assert notify(recipient=rep_peer, key="a", kind="test.note", params={"title": "t", "body": "b"}) is not None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([rep.email, rep_peer.email])


def test_a_recipient_without_address_gets_no_email(db, django_capture_on_commit_callbacks):
    user = UserFactory(roles=[Role.FIELD_REP], email="")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(recipient=user, key="a", kind="test.note", params={"title": "t", "body": "b"}) is not None
    assert mail.outbox == []


def test_the_email_task_sends_at_most_once(rep):
    notification = note(rep)
    assert send_notification_email.delay(notification.pk).get() is True
    assert send_notification_email.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1


def test_a_failed_email_is_released_for_the_retry(rep, monkeypatch):
    notification = note(rep)

    def down(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("channelhub.notifications.services.send_mail", down)
    with pytest.raises(ConnectionRefusedError):
        notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_a_mail_server_failure_does_not_undo_the_notification(rep, monkeypatch, django_capture_on_commit_callbacks):
    def down(**kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("channelhub.notifications.services.send_mail", down)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(recipient=rep, key="a", kind="test.note", params={"title": "t", "body": "b"}) is not None
    assert Notification.objects.filter(recipient=rep, key="a", emailed_at__isnull=True).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_notifies_give_one_notification_and_one_email(rep):
    import threading

    barrier = threading.Barrier(2)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(notify(recipient=rep, key="race", kind="test.note", params={"title": "t", "body": "b"}))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(result is None for result in results) == [False, True]
    assert Notification.objects.filter(recipient=rep, key="race").count() == 1
    assert len(mail.outbox) == 1


# --- mark read -----------------------------------------------------------------------------------


def test_mark_read_marks_all_or_the_given_ones_of_the_user_only(rep, rep_peer):
    mine = [note(rep, "a"), note(rep, "b"), note(rep, "c")]
    theirs = note(rep_peer, "a")
    assert notification_mark_read(user=rep, ids=[mine[0].pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notification_mark_read(user=rep) == 2
    assert notification_mark_read(user=rep) == 0
    assert not Notification.objects.filter(recipient=rep, read_at__isnull=True).exists()


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "rep_peer", "other_rep", "manager", "other_manager", "finance", "admin"])
def test_everyone_sees_only_their_own_notifications(everyone, who):
    for user in everyone.values():
        note(user, "hello")
    user = everyone[who]
    assert list(scope(user, Notification).values_list("recipient", flat=True)) == [user.pk]


def test_a_manager_cannot_open_a_reps_notification(client_as, rep, manager):
    notification = note(rep, url="/")
    client = client_as(manager)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert notification.title_text not in client.get(reverse("notifications:list")).content.decode()
    client.post(reverse("notifications:mark-read"), {"id": [notification.pk]})
    notification.refresh_from_db()
    assert notification.read_at is None


def test_admin_does_not_see_other_peoples_notifications_either(client_as, rep, admin_user):
    notification = note(rep)
    client = client_as(admin_user)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert client.get(reverse("notifications:list")).context["page_obj"].paginator.count == 0


# --- pages ---------------------------------------------------------------------------------------


def test_list_is_newest_first_in_pages_of_50_with_unread_marked(client_as, rep, django_assert_max_num_queries):
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient=rep, key=f"n{i}", title=f"note {i}", created_at=now - timedelta(minutes=i))
        for i in range(51)
    )
    Notification.objects.filter(recipient=rep, key="n1").update(read_at=now)
    client = client_as(rep)
    client.get("/")  # warm the session
    # session, user, roles, bell count, page count, page rows (+ margin for savepoints)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:list"))
    page = response.context["page_obj"]
    assert [n.title_text for n in page][:3] == ["note 0", "note 1", "note 2"]
    assert len(page) == 50 and page.paginator.num_pages == 2
    html = response.content.decode()
    assert html.count('data-unread="true"') == 49 and html.count('data-unread="false"') == 1
    assert [n.title_text for n in client.get(reverse("notifications:list"), {"page": 2}).context["page_obj"]] == [
        "note 50"
    ]


def test_mark_all_read_button(client_as, rep):
    note(rep, "a")
    note(rep, "b")
    client = client_as(rep)
    assert 'data-testid="mark-all-read"' in client.get(reverse("notifications:list")).content.decode()
    response = client.post(reverse("notifications:mark-read"))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=rep, read_at__isnull=True).exists()
    assert 'data-testid="mark-all-read"' not in client.get(reverse("notifications:list")).content.decode()


def test_mark_read_is_a_post(client_as, rep):
    assert client_as(rep).get(reverse("notifications:mark-read")).status_code == 405


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_as, rep):
    notification = note(rep, url="/notifications/?from=mail")
    response = client_as(rep).get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/notifications/?from=mail"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_never_redirects_off_site(client_as, rep):
    notification = note(rep, url="https://evil.example.com/")
    response = client_as(rep).get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


# --- the bell ------------------------------------------------------------------------------------


def badge(html: str) -> str | None:
    found = re.search(r'data-testid="unread-count"[^>]*>([^<]+)<', html)
    return found.group(1) if found else None


def test_the_bell_counts_unread_notifications_in_one_query(client_as, rep, rep_peer):
    note(rep, "a")
    note(rep, "b")
    note(rep, "c", read_at=timezone.now())
    note(rep_peer, "a")
    client = client_as(rep)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert len(notification_queries(captured)) == 1
    assert response.context["unread_notifications"] == 2
    html = response.content.decode()
    assert 'data-testid="notification-bell"' in html and badge(html) == "2"
    label = re.search(r'data-testid="notification-bell"[^>]*aria-label="([^"]*)"', html).group(1)
    assert "2" in label  # the count is spoken, not only shown


def test_the_badge_is_hidden_without_unread_notifications(client_as, rep):
    note(rep, "a", read_at=timezone.now())
    html = client_as(rep).get("/").content.decode()
    assert 'data-testid="notification-bell"' in html
    assert badge(html) is None


def test_the_badge_caps_at_99(client_as, rep):
    Notification.objects.bulk_create(Notification(recipient=rep, key=f"n{i}", title="t") for i in range(120))
    assert badge(client_as(rep).get("/").content.decode()) == "99+"


def test_anonymous_pages_do_not_count(client, db):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    assert notification_queries(captured) == []
    assert 'data-testid="notification-bell"' not in response.content.decode()


def test_admin_lists_notifications_read_only(client_as, admin_user, rep):
    notification = note(rep, title="合同即将到期")
    client = client_as(admin_user)
    listing = client.get("/admin/notifications/notification/", {"read_at__isempty": "1"})
    assert listing.status_code == 200 and "合同即将到期" in listing.content.decode()
    detail = client.get(f"/admin/notifications/notification/{notification.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.get("/admin/notifications/notification/add/").status_code == 403
