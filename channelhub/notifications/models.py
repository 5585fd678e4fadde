from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one user. ``key`` names what it is about (``agreement-expiry:2026-11-22``): a user
    gets each key once, which is what makes the jobs that notify safe to run again."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    key = models.CharField(_("key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=60, blank=True, help_text=_("What it is about (a code)."))
    params = models.JSONField(_("figures"), default=dict, blank=True)
    #: Sentences stored by notifications made before the texts were rendered from ``kind`` and ``params``.
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    #: When the e-mail copy went out (claimed before sending, so a retried task does not send twice).
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_key_once_per_recipient"),
        ]
        indexes = [
            # the bell: unread count of one user
            models.Index(fields=["recipient", "read_at"], name="notification_recipient_read"),
            # the list: one user's, newest first
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
        ]

    def __str__(self) -> str:
        return self.title_text

    def _rendered(self) -> tuple[str, str]:
        from channelhub.notifications.types import render

        rendered = render(self.kind, self.params)
        return rendered if rendered is not None else (self.title, self.body)

    @property
    def title_text(self) -> str:
        """The title in the reader's language."""
        return self._rendered()[0]

    @property
    def body_text(self) -> str:
        """The text in the reader's language."""
        return self._rendered()[1]

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
