"""The notifications of inspections, rectifications and complaints, each to the next actor, rendered in the
reader's language from their figures. Registered when the app loads (``register_kinds``).

A planned mystery inspection tells its inspector only; the dealer's rep hears of it when it is done (the
rectifications it opened)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channelhub.notifications.services import notify
from channelhub.notifications.types import register, written


def register_kinds() -> None:
    register(
        "inspection.planned",
        title=lambda p: _("Inspection of %(dealer)s planned for you on %(date)s") % p,
    )
    register(
        "inspection.sampled",
        title=lambda p: (
            ngettext(
                "%(count)s mystery inspection planned for you on %(date)s",
                "%(count)s mystery inspections planned for you on %(date)s",
                p["count"],
            )
            % p
        ),
    )
    register(
        "inspection.done",
        title=lambda p: _("Inspection of %(dealer)s done: score %(score)s — to review") % p,
    )
    register(
        "rectification.opened",
        title=lambda p: (
            ngettext(
                "%(count)s item of %(dealer)s to rectify, first due %(date)s",
                "%(count)s items of %(dealer)s to rectify, first due %(date)s",
                p["count"],
            )
            % p
        ),
    )
    register(
        "rectification.submitted",
        title=lambda p: _("Rectification of %(dealer)s answered: to verify") % p,
        body=written("note"),
    )
    register(
        "rectification.reopened",
        title=lambda p: _("Rectification of %(dealer)s reopened, due %(date)s") % p,
        body=written("reason"),
    )
    register(
        "rectification.overdue",
        title=lambda p: (
            ngettext(
                "%(count)s rectification overdue on %(date)s",
                "%(count)s rectifications overdue on %(date)s",
                p["count"],
            )
            % p
        ),
    )
    register(
        "complaint.assigned",
        title=lambda p: _("Complaint about %(dealer)s: respond by %(deadline)s") % p,
        body=written("description"),
    )


def _url(name: str, *args, query: str = "") -> str:
    try:
        return reverse(name, args=args) + query
    except NoReverseMatch:
        return ""


def _score(value) -> str:
    return "—" if value is None else f"{value}"


def inspection_planned(inspection) -> None:
    notify(
        recipient=inspection.inspector,
        key=f"inspection-{inspection.pk}-planned",
        kind="inspection.planned",
        params={"dealer": inspection.dealer.name, "date": inspection.planned_on.isoformat()},
        url=_url("inspections:inspection-detail", inspection.pk),
    )


def mystery_sampled(inspector, count: int, planned_on) -> None:
    notify(
        recipient=inspector,
        key=f"inspection-sample-{planned_on.isoformat()}-{timezone.now():%Y%m%d%H%M%S%f}",
        kind="inspection.sampled",
        params={"count": count, "date": planned_on.isoformat()},
        url=_url("inspections:plan"),
    )


def inspection_done(inspection, actor) -> None:
    """The dealer's managers review it (not the one who inspected)."""
    from funds.selectors import dealer_managers

    for manager in dealer_managers(inspection.dealer):
        if manager.pk == actor.pk or manager.pk == inspection.inspector_id:
            continue
        notify(
            recipient=manager,
            key=f"inspection-{inspection.pk}-done",
            kind="inspection.done",
            params={"dealer": inspection.dealer.name, "score": _score(inspection.score)},
            url=_url("inspections:inspection-detail", inspection.pk),
        )


def rectifications_opened(inspection, rectifications) -> None:
    """The dealer's rep answers them."""
    owner = inspection.dealer.owner
    if owner is None or not owner.is_active:
        return
    notify(
        recipient=owner,
        key=f"inspection-{inspection.pk}-rectifications",
        kind="rectification.opened",
        params={
            "dealer": inspection.dealer.name,
            "count": len(rectifications),
            "date": min(r.due_date for r in rectifications).isoformat(),
        },
        url=_url("inspections:rectification-list", query=f"?inspection={inspection.pk}"),
    )


def rectification_submitted(rectification) -> None:
    """The inspector verifies it."""
    inspector = rectification.inspection.inspector
    notify(
        recipient=inspector,
        key=f"rectification-{rectification.pk}-submitted-{rectification.answered_at:%Y%m%d%H%M%S%f}",
        kind="rectification.submitted",
        params={"dealer": rectification.dealer.name, "note": rectification.answer_note},
        url=_url("inspections:rectification-detail", rectification.pk),
    )


def rectification_reopened(rectification) -> None:
    recipient = rectification.answered_by or rectification.dealer.owner
    if recipient is None:
        return
    notify(
        recipient=recipient,
        key=f"rectification-{rectification.pk}-reopened-{rectification.due_date.isoformat()}",
        kind="rectification.reopened",
        params={
            "dealer": rectification.dealer.name,
            "date": rectification.due_date.isoformat(),
            "reason": rectification.reopen_reason,
        },
        url=_url("inspections:rectification-detail", rectification.pk),
    )


def rectifications_overdue(person, count: int, today):
    return notify(
        recipient=person,
        key=f"rectifications-overdue-{today.isoformat()}",
        kind="rectification.overdue",
        params={"count": count, "date": today.isoformat()},
        url=_url("inspections:rectification-list", query="?overdue=1"),
    )


def complaint_assigned(complaint) -> None:
    deadline = timezone.localtime(complaint.received_at) + timedelta(hours=4)
    notify(
        recipient=complaint.assignee,
        key=f"complaint-{complaint.pk}-assigned-{complaint.assignee_id}",
        kind="complaint.assigned",
        params={
            "dealer": complaint.dealer.name,
            "deadline": f"{deadline:%Y-%m-%d %H:%M}",
            "description": complaint.description[:200],
        },
        url=_url("inspections:complaint-detail", complaint.pk),
    )
