"""Reads for notifications: always the user's own (``channelhub.scoping``)."""

from __future__ import annotations

from django.db.models import QuerySet

from channelhub.scoping import scope

from .models import Notification


def notification_list(user) -> QuerySet[Notification]:
    """``user``'s notifications, newest first."""
    return scope(user, Notification).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """How many of ``user``'s notifications are unread: one ``COUNT`` query (none without a role)."""
    return scope(user, Notification).filter(read_at__isnull=True).count()
