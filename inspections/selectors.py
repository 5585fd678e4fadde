"""Reads of inspections, rectifications and complaints (SPEC §17). Every list starts from
``channelhub.scoping.scope``; every figure here is the one source pages, the API and other apps read."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from channelhub.periods import Month
from channelhub.scoping import scope
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
    """The line's minimum price on the dealer's agreement in force on ``day`` (``minimum_prices``); None: no
    minimum."""
    return minimum_prices(dealer, day).get(product_line.code)


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


def complaints_late(month: Month, *, assignee_ids=None, dealer_ids=None, now: datetime | None = None) -> dict[int, int]:
    """Complaints received in ``month`` and handled late, counted per assignee (``assignee_ids``) or per dealer
    (``dealer_ids``) — one query. The scorecard metric "complaints handled late" (SPEC §5) reads this."""
    start, end = month.bounds()
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
        "seconds_left": int((deadline - (answered or now)).total_seconds()),
        "late": complaint.late if answered else now > deadline,
        "answered": answered is not None,
    }


def complaints_open_for(user) -> QuerySet[Complaint]:
    """Complaints assigned to the user and not responded to yet."""
    return Complaint.objects.filter(assignee=user, status=Complaint.Status.RECEIVED)


# --- pages ----------------------------------------------------------------------------------------------------


def results_with_photos(inspection: Inspection) -> list[InspectionResult]:
    """The inspection's results in the checklist's order, each with ``photos`` (its files) — two queries."""
    from evidence.selectors import attachments_for

    results = inspection_results(inspection)
    found = attachments_for(InspectionResult, [result.pk for result in results])
    for result in results:
        result.photos = found.get(result.pk, [])
    return results


def inspector_choices(user):
    """Who ``user`` may plan an inspection for: an admin anyone who inspects; a manager themselves and the
    managers and inspectors whose territories meet theirs; an inspector themselves."""
    from django.contrib.auth import get_user_model

    from channelhub.roles import Role, has_role
    from channelhub.scoping import territory_paths

    users = get_user_model()._default_manager.filter(is_active=True)
    inspectors = users.filter(groups__name__in=[Role.INSPECTOR, Role.CHANNEL_MANAGER])
    if has_role(user, Role.ADMIN):
        return inspectors.distinct().order_by("username")
    if not has_role(user, Role.CHANNEL_MANAGER):
        return users.filter(pk=user.pk)
    near = Q(pk=user.pk)
    for path in territory_paths(user):
        near |= Q(profile__territories__path__startswith=path)
    return (users.filter(pk=user.pk) | inspectors.filter(near)).distinct().order_by("username")


def plannable_dealers(user) -> QuerySet[Dealer]:
    """The active dealers ``user`` may plan an inspection of (the plan form's choices): the dealers they read as
    a directory (``partners.selectors.directory_dealers``: an inspector's or a manager's territories', all for
    an admin); the service checks the rest."""
    from partners.selectors import directory_dealers

    return directory_dealers(user).filter(status=Dealer.Status.ACTIVE).order_by("code")


def complaint_dealers(user) -> QuerySet[Dealer]:
    """The dealers ``user`` records complaints of: those the dealers' scope rule shows them (a rep their own, a
    manager their territories', finance and admins all — the form's role check keeps finance out), not
    terminated."""
    return scope(user, Dealer).exclude(status=Dealer.Status.TERMINATED).order_by("code")


def complaint_assignees(user):
    """Whom a complaint may go to, as far as ``user`` sees people: reps and managers (the service checks that
    the assignee is the dealer's rep or one of its managers)."""
    from django.contrib.auth import get_user_model

    from channelhub.roles import Role
    from channelhub.scoping import scope as scoped

    users = get_user_model()._default_manager.filter(
        is_active=True, groups__name__in=[Role.FIELD_REP, Role.CHANNEL_MANAGER]
    )
    return scoped(user, users).distinct().order_by("username")


def overdue_rectifications(user, today: date) -> QuerySet[Rectification]:
    """The rectifications ``user`` sees that are overdue ``today`` (a manager: of their territories)."""
    return rectification_list(user).filter(overdue_condition(today)).order_by("due_date", "pk")


def complaints_late_in_month(user, month: Month, now: datetime | None = None) -> QuerySet[Complaint]:
    """The complaints ``user`` sees received in ``month`` and handled late (so far, at ``now``)."""
    start, end = month.bounds()
    return complaint_list(user).filter(late_condition(now), received_at__gte=start, received_at__lt=end)


def dealer_section(user, dealer: Dealer, limit: int = 5) -> dict:
    """The dealer page's inspections section: the latest inspections ``user`` sees (a planned mystery one only
    to whom may see it), the score trend, the rectifications still open and the latest complaints — four
    queries."""
    latest = list(inspection_list(user).filter(dealer=dealer).order_by("-planned_on", "-pk")[:limit])
    trend = dealer_score_trend(user, dealer)
    open_rectifications = list(
        rectification_list(user)
        .filter(dealer=dealer)
        .exclude(status=Rectification.Status.VERIFIED)
        .order_by("due_date", "pk")[: limit * 2]
    )
    complaints = list(complaint_list(user).filter(dealer=dealer).order_by("-received_at", "-pk")[:limit])
    return {"latest": latest, "trend": trend, "rectifications": open_rectifications, "complaints": complaints}


def minimum_prices(dealer: Dealer, day: date) -> dict[str, Decimal]:
    """The minimum prices by product line code that ``min_price_for`` reads for ``dealer`` on ``day`` (its
    agreement in force, else its parent's) — one query, two for a dealer following its parent."""
    for dealer_id in (dealer.pk, dealer.parent_id):
        if dealer_id is None:
            continue
        agreement = _agreement_in_force(dealer_id, day)
        if agreement is not None:
            return {code: Decimal(str(value)) for code, value in (agreement.min_prices or {}).items() if value != ""}
    return {}
