from __future__ import annotations

from celery import shared_task


@shared_task(name="inspections.overdue_digest")
def overdue_digest(today: str | None = None) -> int:
    """Daily: each rep's and inspector's overdue rectifications, one notification a day (SPEC §17)."""
    from datetime import date

    from inspections.services.rectifications import overdue_digest as digest

    return digest(date.fromisoformat(today) if today else None)
