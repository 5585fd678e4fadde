"""The notifications of stock reports, each to the next actor, rendered in the reader's language from their
figures. Registered when the app loads (``InventoryConfig.ready``)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from channelhub.notifications.services import notify
from channelhub.notifications.types import register, written


def register_kinds() -> None:
    register(
        "stock_report.returned",
        title=lambda p: _("The stock report of %(dealer)s for %(period)s was returned") % p,
        body=written("reason"),
    )


def _url(report) -> str:
    try:
        return reverse("inventory:month", args=[report.dealer_id, report.period])
    except NoReverseMatch:
        return ""


def report_returned(report) -> None:
    """Tell whoever submitted the report what to correct (one notification per dealer's month)."""
    if report.submitted_by is None:
        return
    notify(
        recipient=report.submitted_by,
        key=f"stock-report-{report.dealer_id}-{report.period}-returned-{report.submitted_at:%Y%m%d%H%M%S%f}",
        kind="stock_report.returned",
        params={"dealer": report.dealer.name, "period": report.period, "reason": report.return_reason},
        url=_url(report),
    )
