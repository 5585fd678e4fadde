"""channelhub: channel-partner management (dealers, visits, KPIs, commissions)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
