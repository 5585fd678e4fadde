"""The notifications of visits and week plans, rendered in the reader's language from their figures
(``channelhub.notifications.types``). Registered when the app loads (``VisitsConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from channelhub.notifications.types import register, written


def _status_label(params) -> str:
    from visits.models import Visit

    status = params.get("status", "")
    return str(Visit.Status(status).label) if status in Visit.Status.values else status


def _flag_labels(params) -> str:
    from visits.models import Visit

    labels = dict(Visit.Flag.choices)
    return pgettext("list separator", ", ").join(str(labels.get(flag, flag)) for flag in params.get("flags", []))


def register_kinds() -> None:
    register(
        "plan.submitted",
        title=lambda p: _("%(rep)s submitted the visit plan for %(week)s") % p,
        body=lambda p: _("Submitted late, after Saturday 23:59.") if p.get("late") else "",
    )
    register(
        "visit.flagged",
        title=lambda p: _("%(rep)s's visit to %(dealer)s on %(date)s waits for review") % p,
        body=lambda p: _("Flags: %(flags)s.") % {"flags": _flag_labels(p)},
    )
    register(
        "visit.reviewed",
        title=lambda p: (
            _("Your visit to %(dealer)s on %(date)s was marked “%(status)s”")
            % {"dealer": p.get("dealer", ""), "date": p.get("date", ""), "status": _status_label(p)}
        ),
        body=written("reason"),
    )
    register(
        "plan.returned",
        title=lambda p: _("Your visit plan for %(week)s was returned") % p,
        body=written("comment"),
    )
    register(
        "plan.reminder",
        title=lambda p: _("Your visit plan for %(week)s is due by %(deadline)s") % p,
        body=lambda p: _("Plan next week's visits and submit the plan to your manager."),
    )
