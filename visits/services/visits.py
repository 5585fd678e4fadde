"""Visit writes: log (idempotent per rep and ``client_uuid``), edit within 24 h, review (SPEC §4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict
from channelhub.fields import validate_year
from channelhub.geo import distance_m
from channelhub.notifications.services import notify
from channelhub.periods import local_date
from channelhub.roles import Role, require_role
from channelhub.scoping import scope
from evidence.services import attachments_add, attachments_recheck, files_inspect
from partners.models import Dealer
from visits import policies
from visits.models import Visit
from visits.services.review import verdict_apply
from visits.services.rollups import Counted, visits_moved

#: What a rep writes about a visit (and may change within 24 h, with ``dealer`` and ``visited_at``).
CONTENT_FIELDS = ("kind", "purpose", "summary", "outcome", "next_action")
EDITABLE_FIELDS = ("dealer", "visited_at", *CONTENT_FIELDS)
POSITION_FIELDS = ("latitude", "longitude", "accuracy_m")
REVIEW_TRANSITIONS = ("confirm", "mark_false", "mark_fabricated")


def check_dealer(rep, dealer: Dealer) -> None:
    """A rep logs visits to the dealers they can see (their own), and not to a terminated one."""
    if not scope(rep, Dealer.objects.filter(pk=dealer.pk)).exists():
        raise ValidationError({"dealer": _("Unknown dealer.")})
    if dealer.status == Dealer.Status.TERMINATED:
        raise ValidationError({"dealer": _("This dealer is terminated; visits to it are no longer logged.")})


def visit_apply_checks(visit: Visit) -> None:
    """Set ``visited_on`` and the anti-fabrication flags from what the visit says and when it was logged."""
    visit.visited_on = local_date(visit.visited_at)
    visit.late_entry = visit.created_at - visit.visited_at > policies.LATE_ENTRY_AFTER
    dealer = visit.dealer
    visit.no_position = visit.latitude is None or visit.longitude is None
    if None in (visit.latitude, visit.longitude, dealer.latitude, dealer.longitude):
        visit.distance_m = None
        visit.far_from_dealer = False
    else:
        visit.distance_m = distance_m(visit.latitude, visit.longitude, dealer.latitude, dealer.longitude)
        visit.far_from_dealer = visit.distance_m > policies.FAR_FROM_DEALER_M


def _check_time(visited_at: datetime, now: datetime) -> None:
    if timezone.is_naive(visited_at):
        raise ValidationError({"visited_at": _("Give the time with its time zone.")})
    try:
        validate_year(visited_at)
    except ValidationError as error:
        raise ValidationError({"visited_at": error.messages}) from None
    if visited_at > now:
        raise ValidationError({"visited_at": _("A visit cannot be in the future.")})


def _check_month(rep_id: int, visited_at: datetime) -> None:
    """A visit dated in a closed period, or in a month whose statement is approved or paid, is refused
    (400 naming the period): its month has been paid on the visits it had."""
    from kpi.services.periods import month_locked_for_rep

    if problem := month_locked_for_rep(rep_id, local_date(visited_at)):
        raise ValidationError({"visited_at": problem})


def _check_position(values: dict[str, Any]) -> None:
    if (values.get("latitude") is None) != (values.get("longitude") is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})


def visit_log(
    *,
    rep,
    dealer: Dealer,
    visited_at: datetime,
    kind: str,
    purpose: str,
    client_uuid: uuid.UUID | str | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> tuple[Visit, bool]:
    """Log a visit; returns ``(visit, created)``.

    The same rep sending the same ``client_uuid`` again gets the first visit back
    (``created`` is False), whatever else the repeat says — phones retry on bad networks. The
    unique constraint on (rep, client_uuid) settles two identical posts arriving together.
    """
    require_role(rep, Role.FIELD_REP)
    unknown = set(fields) - {"summary", "outcome", "next_action", *POSITION_FIELDS}
    if unknown:
        raise ValueError(f"Not visit fields: {sorted(unknown)}")
    client_uuid = uuid.UUID(str(client_uuid)) if client_uuid else uuid.uuid4()
    existing = Visit.objects.filter(rep=rep, client_uuid=client_uuid).first()
    if existing is not None:
        return existing, False

    now = now or timezone.now()
    _check_time(visited_at, now)
    _check_month(rep.pk, visited_at)
    _check_position(fields)
    check_dealer(rep, dealer)
    visit = Visit(
        rep=rep,
        dealer=dealer,
        visited_at=visited_at,
        kind=kind,
        purpose=purpose,
        client_uuid=client_uuid,
        created_at=now,
        **fields,
    )
    visit_apply_checks(visit)
    visit.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            visit.save()
            Visit.workflow.record_creation(visit, by=rep)
            visits_moved((None, Counted.of(visit)))
    except IntegrityError:
        # The same post arrived twice at once and the other one won: answer with its visit.
        existing = Visit.objects.filter(rep=rep, client_uuid=client_uuid).first()
        if existing is None:
            raise
        return existing, False
    if visit.is_flagged:
        _tell_manager_flagged(visit)
    return visit, True


def visit_log_with_photos(*, rep, photos=(), **fields: Any) -> tuple[Visit, bool]:
    """The phone form: log a visit and attach its photos in one go — every photo is read first, so a
    refused one refuses the form (400 naming it) and logs nothing. A resent form (the same
    ``client_uuid``) finds the visit, and its photos (the same ``sha256``): nothing is made twice."""
    if photos:
        files_inspect(photos)
    with transaction.atomic():
        visit, created = visit_log(rep=rep, **fields)
        if photos:
            attachments_add(actor=rep, obj=visit, files=photos, latitude=visit.latitude, longitude=visit.longitude)
            visit.refresh_from_db()
    return visit, created


def visit_apply_photo_flags(visit: Visit, flags: set[str]) -> None:
    """The flags of the visit's photos (``evidence``: ``photo_time_mismatch``, ``photo_far``,
    ``photo_reused``) kept on the visit; a visit they newly flag waits for the manager, who is told."""
    changed = [flag for flag in Visit.PHOTO_FLAGS if getattr(visit, flag.value) != (flag.value in flags)]
    if not changed:
        return
    newly = [flag.value for flag in changed if flag.value in flags]
    for flag in changed:
        setattr(visit, flag.value, flag.value in flags)
    visit.save(update_fields=[flag.value for flag in changed])
    if newly and visit.status == Visit.Status.SUBMITTED:
        _tell_manager_flagged(visit, key_suffix=":" + ",".join(sorted(newly)))


def _tell_manager_flagged(visit: Visit, key_suffix: str = "") -> None:
    """A flagged visit waits for the rep's manager: the manager is told."""
    manager = getattr(getattr(visit.rep, "profile", None), "manager", None)
    if manager is None:
        return
    notify(
        recipient=manager,
        key=f"visit-flagged:{visit.pk}{key_suffix}",
        kind="visit.flagged",
        params={
            "rep": display_name(visit.rep),
            "dealer": visit.dealer.name,
            "date": visit.visited_on.isoformat(),
            "flags": visit.flags,
        },
        url=reverse("visits:visit-detail", args=[visit.pk]),
    )


@transaction.atomic
def visit_update(*, actor, visit: Visit, now: datetime | None = None, **changes: Any) -> Visit:
    """The rep's own correction within 24 h of logging, while the visit is not yet reviewed.

    The position is evidence and cannot be changed; the flags are checked again against the
    (possibly new) dealer and time.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    visit = Visit.objects.select_for_update().select_related("dealer").get(pk=visit.pk)
    if visit.rep_id != actor.pk:
        raise PermissionDenied(_("Only the rep who logged a visit may change it."))
    now = now or timezone.now()
    if visit.status != Visit.Status.SUBMITTED:
        raise Conflict(
            _("This visit is “%(state)s”: a reviewed visit cannot be changed.") % {"state": visit.get_status_display()},
            current_state=visit.status,
        )
    deadline = policies.edit_deadline(visit)
    if now > deadline:
        raise Conflict(
            _("A visit can be changed for 24 hours after it is logged; this one could be changed until %(deadline)s.")
            % {"deadline": formats.date_format(timezone.localtime(deadline), "Y-m-d H:i")},
        )
    if "visited_at" in changes:
        _check_time(changes["visited_at"], now)
        _check_month(visit.rep_id, changes["visited_at"])
    if "dealer" in changes and changes["dealer"].pk != visit.dealer_id:
        check_dealer(actor, changes["dealer"])
    moved = any(field in changes for field in ("visited_at", "dealer"))
    counted = Counted.of(visit)
    for field, value in changes.items():
        setattr(visit, field, value)
    visit_apply_checks(visit)
    visit.full_clean(validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        visit.save()
        visits_moved((counted, Counted.of(visit)))
    if moved:
        # its photos are checked again against the new time and dealer
        attachments_recheck(visit)
    return visit


def visit_review(*, actor, visit: Visit, name: str, comment: str = "", now: datetime | None = None) -> Visit:
    """A manager's verdict: ``confirm``, ``mark_false`` (虚报) or ``mark_fabricated`` (弄虚作假); the last
    two need the reason (``comment``, 400 without one), which the rep is told and the statement names."""
    if name not in REVIEW_TRANSITIONS:
        raise ValueError(f"Not a review transition: {name}")
    now = now or timezone.now()
    with transaction.atomic():
        counted = Counted.locked(visit.pk)
        verdict_apply(
            visit,
            name,
            actor=actor,
            comment=comment,
            now=now,
            own_refusal=_("You cannot review your own visit."),
            reason_required=""
            if name == "confirm"
            else _("Say why: the rep reads the reason, and so does the statement."),
        )
        visits_moved((counted, counted._replace(status=visit.status)))
        if name != "confirm":
            _tell_rep(visit, comment)
    return visit


def _tell_rep(visit: Visit, comment: str) -> None:
    notify(
        recipient=visit.rep,
        key=f"visit-review:{visit.pk}:{visit.status}",
        kind="visit.reviewed",
        params={
            "dealer": visit.dealer.name,
            "date": visit.visited_on.isoformat(),
            "status": visit.status,
            "reason": comment,
        },
        url=reverse("visits:visit-detail", args=[visit.pk]),
    )
