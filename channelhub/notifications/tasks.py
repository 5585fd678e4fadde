from __future__ import annotations

from channelhub.tasks import RETRY_ON, reliable_task

from .services import notification_send_email


# OSError covers smtplib's errors and refused or dropped connections to the mail server.
@reliable_task(name="notifications.send_email", autoretry_for=(*RETRY_ON, OSError))
def send_notification_email(notification_id: int) -> bool:
    return notification_send_email(notification_id=notification_id)
