"""Reads of inspections, rectifications and complaints (SPEC §17). Every list starts from
``channelhub.scoping.scope``; every figure here is the one source pages, the API and other apps read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from channelhub.periods import Month
from channelhub.scoping import scope
from evidence.models import Attachment
from inspections.models import ChecklistTemplate, Complaint, Inspection, InspectionResult, Rectification
from partners.models import Agreement, Dealer, ProductLine

#: The time to respond to a complaint (``services.complaints.RESPONSE_TIME``).
RESPONSE_TIME = timedelta(hours=4)


# --- minimum prices ------------------------------------------------------------------------------------------


def _agreement_in_force(dealer_id: int, day: date) -> Agreement | None:
    return (
        Agreement.objects.filter(
            dealer_id=dealer_id, status=Agreement.Status.SIGNED, start_date__lte=day, end_date__gte=day
        )
        .order_by("-start_date", "-pk")
        .first()
    )


def min_price_for(dealer: Dealer, product_line: ProductLine, day: date) -> Decimal | None:
    """The line's minimum price on the dealer's agreement in force on ``day``; a terminal or sub-dealer without
    one of its own follows its parent's agreement. None: no minimum."""
    for dealer_id in (dealer.pk, dealer.parent_id):
        if dealer_id is None:
            continue
        agreement = _agreement_in_force(dealer_id, day)
        if agreement is not None:
            value = (agreement.min_prices or {}).get(product_line.code)
            return None if value in (None, "") else Decimal(str(value))
    return None


# --- photos ---------------------------------------------------------------------------------------------------


def photo_count(obj) -> int:
    return Attachment.objects.filter(object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).count()


def photo_counts(result_ids: Iterable[int]) -> dict[int, int]:
    """Photos per item result, one query."""
    ids = list(result_ids)
    if not ids:
        return {}
    rows = (
        Attachment.objects.filter(object_type=ContentType.objects.get_for_model(InspectionResult), object_id__in=ids)
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    return {row["object_id"]: row["n"] for row in rows}


# --- templates -------------------------------------------------------------------------------------------------


def usable_templates() -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.filter(is_active=True).order_by("code")


# --- inspections ---------------------------------------------------------------------------------------------


def inspection_list(user) -> QuerySet[Inspection]:
    return scope(user, Inspection).select_related("dealer", "dealer__territory", "template", "inspector")


def inspection_detail(user, pk) -> Inspection:
    from channelhub.scoping import get_scoped_or_404

    return get_scoped_or_404(user, inspection_list(user), pk=pk)


def inspection_results(inspection: Inspection) -> list[InspectionResult]:
    return list(inspection.results.select_related("item", "item__product_line").order_by("item__position", "item_id"))


def inspector_plan(user, today: date | None = None) -> QuerySet[Inspection]:
    """The user's planned inspections, the earliest first (overdue plans included)."""
    return inspection_list(user).filter(inspector=user, status=Inspection.Status.PLANNED).order_by("planned_on", "pk")


def inspections_to_review(user) -> QuerySet[Inspection]:
    """Done inspections of the manager's territories made by someone else (the to-do)."""
    from channelhub.roles import Role, has_role
    from channelhub.scoping import in_territories_of

    rows = Inspection.objects.filter(status=Inspection.Status.DONE)
    if has_role(user, Role.ADMIN):
        return rows.exclude(inspector=user)
    if not has_role(user, Role.CHANNEL_MANAGER):
        return rows.none()
    return rows.filter(in_territories_of(user, "dealer__territory")).exclude(inspector=user)


def dealer_score_trend(user, dealer: Dealer, limit: int = 12) -> list[Inspection]:
    """The dealer's latest scored inspections the user sees, oldest first (the trend chart)."""
    rows = (
        scope(user, Inspection)
        .filter(dealer=dealer, score__isnull=False, status__in=[Inspection.Status.DONE, Inspection.Status.REVIEWED])
        .select_related("template")
        .order_by("-done_at")[:limit]
    )
    return list(reversed(list(rows)))


def scores_by_territory(user, since: date, until: date) -> list[dict]:
    """Inspections done in [since, until] that the user sees, per dealer territory: count, average score,
    price violations and failed critical items — one query."""
    from django.db.models import Avg

    rows = (
        scope(user, Inspection)
        .filter(done_at__date__gte=since, done_at__date__lte=until, score__isnull=False)
        .values("dealer__territory_id", "dealer__territory__name", "dealer__territory__path")
        .annotate(
            inspections=Count("pk"),
            average=Avg("score"),
            price_violations=Count("pk", filter=Q(price_violation=True)),
            critical_failed=Count("pk", filter=Q(critical_failed=True)),
        )
        .order_by("dealer__territory__path")
    )
    return [
        {
            "territory_id": row["dealer__territory_id"],
            "territory": row["dealer__territory__name"],
            "inspections": row["inspections"],
            "average": Decimal(row["average"]).quantize(Decimal("0.1")) if row["average"] is not None else None,
            "price_violations": row["price_violations"],
            "critical_failed": row["critical_failed"],
        }
        for row in rows
    ]


# --- rectifications --------------------------------------------------------------------------------------------


def rectification_list(user) -> QuerySet[Rectification]:
    return scope(user, Rectification).select_related(
        "dealer", "inspection", "inspection__inspector", "result__item", "result__item__product_line", "answered_by"
    )


def overdue_condition(today: date) -> Q:
    return Q(status__in=Rectification.WAITING, due_date__lt=today)


def rectifications_to_answer(user) -> QuerySet[Rectification]:
    """Waiting for the user as the dealer's rep."""
    return scope(user, Rectification).filter(status__in=Rectification.WAITING, dealer__owner=user)


def rectifications_to_verify(user) -> QuerySet[Rectification]:
    """Submitted ones the user verifies: as the inspector, or as the dealer's manager (not their own answer)."""
    from channelhub.roles import Role, has_role
    from channelhub.scoping import in_territories_of

    rows = Rectification.objects.filter(status=Rectification.Status.SUBMITTED).exclude(answered_by=user)
    if has_role(user, Role.ADMIN):
        return rows
    mine = Q(inspection__inspector=user)
    if has_role(user, Role.CHANNEL_MANAGER):
        mine |= in_territories_of(user, "dealer__territory")
    return rows.filter(mine)


# --- complaints -------------------------------------------------------------------------------------------------


def complaint_list(user) -> QuerySet[Complaint]:
    return scope(user, Complaint).select_related("dealer", "assignee")


def late_condition(now: datetime | None = None) -> Q:
    """Complaints handled late: responded more than 4 hours after receipt, or not responded to and the 4 hours
    are over at ``now``."""
    now = now or timezone.now()
    return Q(late=True) | Q(responded_at__isnull=True, received_at__lt=now - RESPONSE_TIME)


def _month_range(month: Month) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(month.first_day, time.min, tzinfo=zone),
        datetime.combine(month.next().first_day, time.min, tzinfo=zone),
    )


def complaints_late(month: Month, *, assignee_ids=None, dealer_ids=None, now: datetime | None = None) -> dict[int, int]:
    """Complaints received in ``month`` and handled late, counted per assignee (``assignee_ids``) or per dealer
    (``dealer_ids``) — one query. The scorecard metric "complaints handled late" (SPEC §5) reads this."""
    start, end = _month_range(month)
    rows = Complaint.objects.filter(late_condition(now), received_at__gte=start, received_at__lt=end)
    if dealer_ids is not None:
        key = "dealer_id"
        rows = rows.filter(dealer_id__in=list(dealer_ids))
    else:
        key = "assignee_id"
        rows = rows.filter(assignee_id__in=list(assignee_ids or []))
    return {row[key]: row["n"] for row in rows.values(key).annotate(n=Count("pk")).order_by()}


def complaint_clock(complaint: Complaint, now: datetime | None = None) -> dict:
    """What the page's 4-hour clock shows: the deadline, the time left (negative: overdue) and ``late``."""
    now = now or timezone.now()
    deadline = complaint.received_at + RESPONSE_TIME
    answered = complaint.responded_at
    return {
        "deadline": deadline,
        "seconds_left": int(((answered or now) - deadline).total_seconds()) * -1,
        "late": complaint.late if answered else now > deadline,
        "answered": answered is not None,
    }


def complaints_open_for(user) -> QuerySet[Complaint]:
    """Complaints assigned to the user and not responded to yet."""
    return Complaint.objects.filter(assignee=user, status=Complaint.Status.RECEIVED)
