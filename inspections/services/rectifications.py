"""Rectifications (整改, SPEC §17): one per failed item of a completed inspection.

* Due 7 days after the inspection (3 for a critical item), calendar days: a weekend counts. Overdue: still
  waiting for an answer (``open`` or ``reopened``) after its due date.
* ``open → submitted`` (the dealer's rep answers with a note and photos) ``→ verified`` or ``reopened`` (the
  inspector, the dealer's manager or an admin; not who answered). A reopened one is due again 7 (3) days after
  it was reopened, and answered again.
* ``overdue_digest``: once a day, each rep and inspector with overdue rectifications gets one notification.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import notifications, policies
from inspections.models import Inspection, InspectionResult, Rectification

#: Days to rectify a failed item; a failed critical item is due sooner.
DUE_DAYS = 7
CRITICAL_DUE_DAYS = 3


def due_date_for(day: date, *, critical: bool) -> date:
    return day + timedelta(days=CRITICAL_DUE_DAYS if critical else DUE_DAYS)


def rectifications_open(inspection: Inspection, failed: list[InspectionResult], *, on: date) -> list[Rectification]:
    """A rectification for each failed item of ``inspection`` (completed ``on``)."""
    rows = Rectification.objects.bulk_create(
        [
            Rectification(
                inspection=inspection,
                result=result,
                dealer_id=inspection.dealer_id,
                critical=result.item.critical,
                due_date=due_date_for(on, critical=result.item.critical),
            )
            for result in failed
        ]
    )
    if rows and rows[0].pk is None:  # a backend that does not return IDs from a bulk insert
        rows = list(Rectification.objects.filter(inspection=inspection).order_by("pk"))
    for row in Rectification.workflow.creation_entries(rows, by=inspection.inspector):
        row.save()
    return rows


def _locked(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("dealer__territory", "inspection", "result__item")
        .get(pk=rectification.pk)
    )


@transaction.atomic
def rectification_submit(actor, rectification: Rectification, *, note: str, photos=()) -> Rectification:
    """The dealer's rep answers: what was done, with photos (at least one when the item required one)."""
    rectification = _locked(rectification)
    if not policies.answers_for(actor, rectification.dealer):
        raise PermissionDenied(_("Only the dealer's rep answers a rectification."))
    if not Rectification.workflow.can(rectification, "submit"):
        raise Rectification.workflow.refusal(rectification, Rectification.workflow.get("submit"), rectification.status)
    if not note.strip():
        raise ValidationError({"note": _("Say what was done.")})
    photos = list(photos)
    if photos:
        from evidence.services import attachments_add

        attachments_add(actor=actor, obj=rectification, files=photos)
    from evidence.selectors import file_count

    if rectification.result.item.requires_photo and not file_count(rectification):
        raise ValidationError({"photos": _("Show the correction with a photo.")})
    Rectification.workflow.apply(
        rectification,
        "submit",
        by=actor,
        changes={"answer_note": note.strip(), "answered_by": actor, "answered_at": timezone.now()},
    )
    notifications.rectification_submitted(rectification)
    return rectification


def _decide(actor, rectification: Rectification, name: str) -> Rectification:
    rectification = _locked(rectification)
    if (refusal := policies.verify_refusal(actor, rectification)) is not None:
        raise PermissionDenied(refusal)
    if not Rectification.workflow.can(rectification, name):
        raise Rectification.workflow.refusal(rectification, Rectification.workflow.get(name), rectification.status)
    return rectification


@transaction.atomic
def rectification_verify(actor, rectification: Rectification, *, note: str = "") -> Rectification:
    rectification = _decide(actor, rectification, "verify")
    Rectification.workflow.apply(
        rectification, "verify", by=actor, comment=note, changes={"verified_by": actor, "verified_at": timezone.now()}
    )
    return rectification


@transaction.atomic
def rectification_reopen(actor, rectification: Rectification, *, reason: str) -> Rectification:
    if not reason.strip():
        raise ValidationError({"reason": _("Say what is still to be corrected.")})
    rectification = _decide(actor, rectification, "reopen")
    Rectification.workflow.apply(
        rectification,
        "reopen",
        by=actor,
        comment=reason.strip(),
        changes={
            "reopen_reason": reason.strip(),
            "due_date": due_date_for(timezone.localdate(), critical=rectification.critical),
        },
    )
    notifications.rectification_reopened(rectification)
    return rectification


def overdue_digest(today: date | None = None) -> int:
    """Tell each rep (the dealer's owner) and inspector how many of their rectifications are overdue ``today``:
    one notification per person per day (run twice, sent once). Answers how many were sent now."""
    today = today or timezone.localdate()
    recipients: dict[int, int] = defaultdict(int)
    people: dict[int, object] = {}
    rows = Rectification.objects.filter(status__in=Rectification.WAITING, due_date__lt=today).select_related(
        "dealer__owner", "inspection__inspector"
    )
    for row in rows:
        for person in {row.dealer.owner, row.inspection.inspector}:
            if person is not None and person.is_active:
                recipients[person.pk] += 1
                people[person.pk] = person
    sent = 0
    for pk, count in sorted(recipients.items()):
        sent += notifications.rectifications_overdue(people[pk], count, today) is not None
    return sent
