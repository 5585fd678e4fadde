"""Scheduled visit jobs (SPEC §9). Each one is idempotent and calls a service."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from channelhub.tasks import reliable_task
from visits.services.plans import plans_remind_missing as remind


@reliable_task(name="visits.remind_missing_plans")
def remind_missing_plans(today: str | None = None) -> int:
    """Saturday: remind reps without a handed-in plan for next week (ISO date; default: today)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return remind(today=day)
