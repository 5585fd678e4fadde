"""Complaints (客诉, SPEC §17): recorded with when they were received, responded to and resolved.

A complaint responded to more than 4 hours after it was received is ``late`` (exactly 4 hours is in time); the
flag is stored when the response is recorded. One not responded to yet is late as soon as its 4 hours are
over (``selectors.late_condition``), which is what the scorecard's "complaints handled late" counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections import notifications, policies
from inspections.models import Complaint
from partners.models import Dealer

#: The time to respond to a complaint.
RESPONSE_TIME = timedelta(hours=4)


def is_late(received_at: datetime, responded_at: datetime) -> bool:
    return responded_at - received_at > RESPONSE_TIME


def respond_by(complaint: Complaint) -> datetime:
    return complaint.received_at + RESPONSE_TIME


def _check_times(received_at: datetime, later: datetime | None, field: str) -> None:
    if later is not None and later < received_at:
        raise ValidationError({field: _("This is before the complaint was received.")})
    if later is not None and later > timezone.now() + timedelta(minutes=5):
        raise ValidationError({field: _("This time is in the future.")})


@transaction.atomic
def complaint_record(
    actor,
    *,
    dealer: Dealer,
    source: str,
    category: str,
    description: str,
    received_at: datetime | None = None,
    assignee=None,
) -> Complaint:
    """Record a complaint about ``dealer``; it goes to ``assignee`` (default: the dealer's rep), who is told."""
    policies.require(policies.records_complaints_for(actor, dealer))
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"received_at": _("This time is in the future.")})
    assignee = assignee or dealer.owner
    if (refusal := policies.assignee_refusal(dealer, assignee)) is not None:
        raise ValidationError({"assignee": refusal})
    if not description.strip():
        raise ValidationError({"description": _("Describe the complaint.")})
    complaint = Complaint(
        dealer=dealer,
        source=source,
        category=category,
        description=description.strip(),
        received_at=received_at,
        assignee=assignee,
        created_by=actor,
    )
    complaint.full_clean()
    complaint.save()
    Complaint.workflow.record_creation(complaint, by=actor)
    if assignee.pk != actor.pk:
        notifications.complaint_assigned(complaint)
    return complaint


def _locked(actor, complaint: Complaint, name: str) -> Complaint:
    complaint = (
        Complaint.objects.select_for_update(of=("self",)).select_related("dealer__territory").get(pk=complaint.pk)
    )
    if not policies.handles(actor, complaint):
        raise PermissionDenied(_("Only the assignee, the dealer's channel manager or an admin handles a complaint."))
    if not Complaint.workflow.can(complaint, name):
        raise Complaint.workflow.refusal(complaint, Complaint.workflow.get(name), complaint.status)
    return complaint


@transaction.atomic
def complaint_respond(actor, complaint: Complaint, *, response: str, responded_at: datetime | None = None) -> Complaint:
    """The first answer to whoever complained; ``late`` when more than 4 hours after receipt."""
    complaint = _locked(actor, complaint, "respond")
    responded_at = responded_at or timezone.now()
    _check_times(complaint.received_at, responded_at, "responded_at")
    if not response.strip():
        raise ValidationError({"response": _("Say how the complaint was answered.")})
    Complaint.workflow.apply(
        complaint,
        "respond",
        by=actor,
        changes={
            "responded_at": responded_at,
            "response": response.strip(),
            "late": is_late(complaint.received_at, responded_at),
        },
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    actor, complaint: Complaint, *, resolution: str, resolved_at: datetime | None = None
) -> Complaint:
    """Close the complaint; one resolved without an earlier response was responded to when it was resolved."""
    complaint = _locked(actor, complaint, "resolve")
    resolved_at = resolved_at or timezone.now()
    _check_times(complaint.received_at, resolved_at, "resolved_at")
    if complaint.responded_at is not None and resolved_at < complaint.responded_at:
        raise ValidationError({"resolved_at": _("This is before the complaint was responded to.")})
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say how the complaint was resolved.")})
    changes = {"resolved_at": resolved_at, "resolution": resolution.strip()}
    if complaint.responded_at is None:
        changes |= {
            "responded_at": resolved_at,
            "response": resolution.strip(),
            "late": is_late(complaint.received_at, resolved_at),
        }
    Complaint.workflow.apply(complaint, "resolve", by=actor, changes=changes)
    return complaint
