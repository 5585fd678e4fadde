"""Week plans (周拜访计划): the rep writes and submits, the manager approves or returns (SPEC §4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import display_name
from channelhub.errors import Conflict, DomainError
from channelhub.fields import validate_year, year_message
from channelhub.notifications.services import notify
from channelhub.periods import iso_week_label, week_start
from channelhub.roles import Role, require_role
from channelhub.scoping import scope
from partners.models import Dealer
from visits import policies
from visits.models import VisitPlan, VisitPlanItem, plan_due_at
from visits.selectors import reps_without_plan
from visits.services.review import verdict_apply


def _check_week(monday: date, today: date) -> None:
    try:  # the whole week, to its Sunday, lies within the years a date may have
        validate_year(monday)
        validate_year(monday + timedelta(days=6))
    except (ValidationError, OverflowError):
        raise ValidationError({"week_start": year_message()}) from None
    if monday.weekday() != 0:
        raise ValidationError({"week_start": _("A week plan starts on a Monday.")})
    if monday < week_start(today):
        raise ValidationError({"week_start": _("This week is over; plan this week or a later one.")})


def _items(plan: VisitPlan, rep, items: Iterable[Mapping[str, Any]]) -> list[VisitPlanItem]:
    rows, errors, seen = [], [], set()
    items = list(items)
    dealer_ids = {item["dealer"].pk for item in items}
    visible = set(
        scope(rep, Dealer.objects.filter(pk__in=dealer_ids))
        .exclude(status=Dealer.Status.TERMINATED)
        .values_list("pk", flat=True)
    )
    for number, item in enumerate(items, start=1):
        dealer, day = item["dealer"], item["planned_date"]
        if dealer.pk not in visible:
            errors.append(_("Visit %(number)d: unknown dealer.") % {"number": number})
        elif not plan.week_start <= day <= plan.week_end:
            errors.append(
                _("Visit %(number)d: %(date)s is not in the week of %(week)s.")
                % {"number": number, "date": day.isoformat(), "week": plan.iso_week}
            )
        elif (dealer.pk, day) in seen:
            errors.append(
                _("Visit %(number)d: %(dealer)s is already planned on %(date)s.")
                % {"number": number, "dealer": dealer.name, "date": day.isoformat()}
            )
        seen.add((dealer.pk, day))
        rows.append(VisitPlanItem(plan=plan, dealer=dealer, planned_date=day, note=item.get("note", "")))
    if errors:
        raise ValidationError({"items": errors})
    return rows


@transaction.atomic
def plan_create(*, rep, week_start: date, items: Iterable[Mapping[str, Any]] = (), note: str = "") -> VisitPlan:
    """A rep's new draft plan for the ISO week starting ``week_start`` (this week or a later one)."""
    require_role(rep, Role.FIELD_REP)
    _check_week(week_start, timezone.localdate())
    plan = VisitPlan(rep=rep, week_start=week_start, note=note)
    rows = _items(plan, rep, items)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError(
            {"week_start": _("You already have a plan for the week %(week)s.") % {"week": plan.iso_week}}
        ) from None
    VisitPlanItem.objects.bulk_create(rows)
    VisitPlan.workflow.record_creation(plan, by=rep)
    return plan


def _locked_editable(actor, plan: VisitPlan) -> VisitPlan:
    plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.rep_id != actor.pk:
        raise PermissionDenied(_("Only the rep whose plan it is may change it."))
    if not policies.can_edit_plan(actor, plan):
        raise Conflict(
            _("This plan is “%(state)s”; only a draft or a returned plan can be changed.")
            % {"state": plan.get_status_display()},
            current_state=plan.status,
        )
    return plan


@transaction.atomic
def plan_update(
    *, actor, plan: VisitPlan, items: Iterable[Mapping[str, Any]] | None = None, note: str | None = None
) -> VisitPlan:
    """Replace a draft's (or a returned plan's) items and note."""
    plan = _locked_editable(actor, plan)
    if note is not None:
        plan.note = note
        plan.save(update_fields=["note", "updated_at"])
    if items is not None:
        rows = _items(plan, actor, items)
        plan.items.all().delete()
        VisitPlanItem.objects.bulk_create(rows)
    return plan


def plan_submit(*, actor, plan: VisitPlan, comment: str = "", now: datetime | None = None) -> VisitPlan:
    """Submit for the manager. Late when first submitted after Saturday 23:59 of the week before;
    a returned plan submitted again keeps the time (and lateness) of its first submission."""
    now = now or timezone.now()
    with transaction.atomic():
        plan = _locked_editable(actor, plan)
        if not plan.items.exists():
            raise DomainError(_("Add at least one planned visit before submitting."))
        changes = {}
        if plan.submitted_at is None:
            changes = {"submitted_at": now, "is_late": now >= plan_due_at(plan.week_start)}
        change = VisitPlan.workflow.apply(plan, "submit", by=actor, comment=comment, changes=changes)
        manager = getattr(getattr(plan.rep, "profile", None), "manager", None)
        if manager is not None:
            notify(
                recipient=manager,
                key=f"visit-plan-submitted:{change.pk}",
                kind="plan.submitted",
                params={"rep": display_name(plan.rep), "week": plan.iso_week, "late": plan.is_late},
                url=reverse("visits:plan-detail", args=[plan.pk]),
            )
    return plan


def _review(actor, plan: VisitPlan, name: str, comment: str, now: datetime | None) -> VisitPlan:
    now = now or timezone.now()
    with transaction.atomic():
        verdict_apply(
            plan, name, actor=actor, comment=comment, now=now, own_refusal=_("You cannot review your own plan.")
        )
        if name == "return":
            notify(
                recipient=plan.rep,
                key=f"visit-plan-returned:{plan.pk}:{now.isoformat()}",
                kind="plan.returned",
                params={"week": plan.iso_week, "comment": comment},
                url=reverse("visits:plan-detail", args=[plan.pk]),
            )
    return plan


def plan_approve(*, actor, plan: VisitPlan, comment: str = "", now: datetime | None = None) -> VisitPlan:
    return _review(actor, plan, "approve", comment, now)


def plan_return(*, actor, plan: VisitPlan, comment: str, now: datetime | None = None) -> VisitPlan:
    """Send the plan back to the rep; the comment says what to change (required)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what the rep should change.")})
    return _review(actor, plan, "return", comment, now)


# --- the Saturday reminder (SPEC §9) ---------------------------------------------------------------


def plans_remind_missing(today: date | None = None) -> int:
    """Remind each rep without a handed-in plan for next week; once per rep and week. Returns how many."""
    today = today or timezone.localdate()
    monday = week_start(today) + timedelta(days=7)
    week = iso_week_label(monday)
    deadline = formats.date_format(timezone.localtime(plan_due_at(monday) - timedelta(minutes=1)), "Y-m-d H:i")
    sent = 0
    for rep in reps_without_plan(monday):
        notification = notify(
            recipient=rep,
            key=f"visit-plan-reminder:{week}",
            kind="plan.reminder",
            params={"week": week, "deadline": deadline},
            url=reverse("visits:my-plan") + f"?week={week}",
        )
        sent += notification is not None
    return sent
