"""Scheduled partner jobs (SPEC §9). Each one is idempotent and calls a service."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from channelhub.tasks import reliable_task
from partners.notifications import agreements_remind_expiring


@reliable_task(name="partners.remind_expiring_agreements")
def remind_expiring_agreements(today: str | None = None) -> int:
    """Daily: the agreement-expiry digests for ``today`` (ISO date; default: today in ``TIME_ZONE``)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return agreements_remind_expiring(today=day)
