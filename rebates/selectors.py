"""Reads of rebates (SPEC §15), always through ``channelhub.scoping.scope``: a settlement out of scope is absent
from lists and totals, and a 404 in details. Each list comes with what its page or API shows joined in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum

from channelhub.periods import Month
from channelhub.scoping import scope
from rebates.models import RebateAccrual, RebateLine, RebateProgram, RebateRun, RebateSettlement

ZERO = Decimal("0.00")


def settlement_list(user) -> QuerySet[RebateSettlement]:
    return (
        scope(user, RebateSettlement)
        .select_related("dealer", "dealer__territory", "program", "submitted_by", "approved_by")
        .order_by("-period", "dealer__code", "program__name", "pk")
    )


def settlement_detail(user) -> QuerySet[RebateSettlement]:
    return (
        settlement_list(user)
        .select_related("run", "paid_by", "dealer__owner")
        .prefetch_related(
            Prefetch("lines", queryset=RebateLine.objects.select_related("clawed_from").order_by("position"))
        )
    )


def settlement_totals(queryset: QuerySet[RebateSettlement]) -> dict:
    """``{"count", "basis", "net"}`` of ``queryset`` (one query)."""
    totals = queryset.order_by().aggregate(basis=Sum("basis_amount"), net=Sum("net_amount"), count=Count("pk"))
    count = totals.pop("count")
    return {name: value if value is not None else ZERO for name, value in totals.items()} | {"count": count}


def program_list() -> QuerySet[RebateProgram]:
    return RebateProgram.objects.prefetch_related("tiers", "product_lines").order_by("name")


def run_list(user) -> QuerySet[RebateRun]:
    return scope(user, RebateRun).select_related("started_by").order_by("-created_at", "-id")


def latest_accrual_month(today: date | None = None) -> Month:
    from django.utils import timezone

    return Month.of(today or timezone.localdate()).previous()


def accrual_total(user, month: Month) -> Decimal:
    """What the dealers ``user`` may see accrued at ``month``'s end (their open quarter and year)."""
    total = scope(user, RebateAccrual).filter(month=str(month)).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def dealer_rebate_year(dealer_id: int, today: date) -> dict:
    """A dealer's rebate of the year to ``today``: the settlements of its periods (any state), and the estimate of
    the open periods not settled yet — ``{"settled", "accrued", "total", "settlements"}``."""
    from rebates.services.accruals import estimate

    year = today.year
    settlements = list(
        RebateSettlement.objects.filter(dealer_id=dealer_id, period__startswith=str(year))
        .select_related("program")
        .order_by("period", "program__name")
    )
    settled = sum((s.net_amount for s in settlements), ZERO)
    done = {(s.program_id, s.period) for s in settlements}
    accrued = sum((c.net_amount for c in estimate([dealer_id], today) if (c.program_id, c.period) not in done), ZERO)
    return {"settled": settled, "accrued": accrued, "total": settled + accrued, "settlements": settlements}


# --- the to-do counts -------------------------------------------------------------------------------------


def settlements_to_submit(user) -> QuerySet[RebateSettlement]:
    """Drafts of the manager's territories."""
    return scope(user, RebateSettlement).filter(status=RebateSettlement.Status.DRAFT)


def settlements_to_approve(user) -> QuerySet[RebateSettlement]:
    """Submitted settlements finance may decide (not those the user submitted)."""
    return scope(user, RebateSettlement).filter(status=RebateSettlement.Status.SUBMITTED).exclude(submitted_by=user)


def settlements_to_pay(user) -> QuerySet[RebateSettlement]:
    return scope(user, RebateSettlement).filter(status=RebateSettlement.Status.APPROVED)


# --- the pages -------------------------------------------------------------------------------------------


def latest_settlement_period(user) -> str | None:
    """The latest period of the settlements ``user`` may see (the settlement list's default), or None.
    A quarter sorts after its year's annual period (``2026-Q4`` > ``2026``): both end the same day."""
    return scope(user, RebateSettlement).order_by("-period").values_list("period", flat=True).first()


def program_agreements(user, program: RebateProgram):
    """The agreements ``user`` may see that name ``program``, newest first, with their dealer."""
    from partners.selectors import agreement_list

    return agreement_list(user).filter(rebate_program=program).prefetch_related(None).select_related("dealer")
