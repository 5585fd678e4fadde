"""Writes for notifications: ``notify`` (idempotent per recipient and key) and marking as read."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from .models import Notification


@transaction.atomic
def notify(*, recipient, key: str, kind: str, params: dict | None = None, url: str = "") -> Notification | None:
    """Notify ``recipient`` once per ``key``: a new notification, or ``None`` when that key was already sent.

    ``kind`` names a registered notification type (``channelhub.notifications.types``) and ``params`` its
    figures (JSON-safe): the title and the text are rendered from them when the notification is read.

    The unique constraint on (recipient, key) decides between two simultaneous calls; only the one that
    inserted the row queues the e-mail copy, after its transaction commits.
    """
    from channelhub.notifications.types import is_registered

    if not is_registered(kind):
        raise ValueError(f"Unknown notification kind: {kind!r}")
    notification, created = Notification.objects.get_or_create(
        recipient=recipient, key=key, defaults={"kind": kind, "params": dict(params or {}), "url": url}
    )
    if not created:
        return None
    if recipient.email:
        from .tasks import send_notification_email

        def send_email_copy() -> None:
            send_notification_email.delay(notification.pk)

        # robust: a mail server or broker that is down must not break what caused the notification;
        # the notification itself is the record, and the task retries on its own.
        transaction.on_commit(send_email_copy, robust=True)
    return notification


def notify_role(role: str, *, key: str, kind: str, params: dict | None = None, url: str = "", exclude=()) -> int:
    """``notify`` every active user of ``role`` (a group: finance …) but those in ``exclude`` (users or
    IDs: whoever caused it needs no telling); returns how many were notified now."""
    from django.contrib.auth import get_user_model

    excluded = {getattr(user, "pk", user) for user in exclude}
    users = get_user_model()._default_manager.filter(groups__name=role, is_active=True).exclude(pk__in=excluded)
    sent = 0
    for user in users.order_by("pk"):
        sent += notify(recipient=user, key=key, kind=kind, params=params, url=url) is not None
    return sent


def notification_send_email(*, notification_id: int) -> bool:
    """Send the e-mail copy of a notification once; ``False`` if already sent or there is no address."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True, recipient__email__gt="").update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    with translation.override(settings.LANGUAGE_CODE):  # no reader here: the deployment's language
        subject, message = notification.title_text, notification.body_text
    try:
        send_mail(
            subject=subject,
            message=message,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        # Not sent: release the claim so that the retry sends it.
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


@transaction.atomic
def notification_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notifications read (only those in ``ids`` when given); returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
