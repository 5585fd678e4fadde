"""Channel funds on the bench data set (SPEC §14), for the pages' probes: written once, in bulk, like the
data set itself (no services, so no state log, history or notifications for these rows).

For every bench region (one per manager): a budget per category and quarter of the run month's year;
two requests per dealer in every state of the life cycle, the charged ones against their region's
budget; a claim for each claimed and settled request; a received deposit per dealer with a deduction for
one in ten; ten materials, an issue and a count per dealer (one count in twenty beyond 5 %).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from channelhub.periods import Month

STATES = (
    "draft",
    "submitted",
    "manager_approved",
    "approved",
    "claimed",
    "settled",
    "rejected",
    "cancelled",
)
CATEGORIES = ("promotion", "advertising", "decoration", "rent_subsidy", "materials", "training")
BATCH = 2000


def prepare(run_month: Month | str | None = None, *, log: Callable[[str], None] = print) -> dict:
    from django.contrib.auth import get_user_model

    from bench.dataset import ROOT
    from funds.models import (
        DepositEntry,
        FundBudget,
        FundClaim,
        FundRequest,
        Material,
        MaterialCount,
        MaterialIssue,
    )
    from partners.models import Dealer, Territory

    if FundBudget.objects.filter(territory__path__startswith=f"/{ROOT}/").exists():
        counts = {"budgets": FundBudget.objects.count(), "requests": FundRequest.objects.count()}
        log(f"  funds already there: {counts}")
        return counts
    started = time.perf_counter()
    month = Month.parse(str(run_month)) if run_month else Month.current()
    year = month.year
    day = month.first_day
    finance = get_user_model().objects.filter(groups__name="finance").order_by("pk").first()
    regions = list(Territory.objects.filter(path__startswith=f"/{ROOT}/", level=1).order_by("path"))
    dealers = list(Dealer.objects.filter(territory__in=regions).values_list("pk", "territory_id", "owner_id"))
    with transaction.atomic():
        budgets = FundBudget.objects.bulk_create(
            [
                FundBudget(
                    category=category,
                    territory=region,
                    year=year,
                    quarter=quarter,
                    amount=Decimal("5000000.00"),
                    max_cost_ratio=Decimal("8.00"),
                    created_by=finance,
                )
                for region in regions
                for category in CATEGORIES
                for quarter in (1, 2, 3, 4)
            ],
            batch_size=BATCH,
        )
        budget_of = {(b.territory_id, b.category, b.quarter): b.pk for b in budgets}
        quarter = (month.month - 1) // 3 + 1
        now = timezone.now()
        requests = []
        for index, (dealer_id, territory_id, owner_id) in enumerate(dealers):
            for second in (0, 1):
                n = index * 2 + second
                state = STATES[n % len(STATES)]
                category = CATEGORIES[n % len(CATEGORIES)]
                charged = state in ("approved", "claimed", "settled")
                amount = Decimal(1000 + (n % 40) * 250)
                requests.append(
                    FundRequest(
                        number=f"FR-B{n + 1:07d}",
                        dealer_id=dealer_id,
                        category=category,
                        title=f"Bench activity {n + 1}",
                        start_date=day + timedelta(days=n % 20),
                        end_date=day + timedelta(days=n % 20 + 3),
                        requested_amount=amount,
                        expected_sales=amount * 20,
                        requested_by_id=owner_id,
                        submitted_by_id=owner_id if state != "draft" else None,
                        submitted_at=now if state != "draft" else None,
                        status=state,
                        budget_id=budget_of[(territory_id, category, quarter)] if charged else None,
                        approved_amount=amount if charged else None,
                        approved_by=finance if charged else None,
                        settled_amount=amount - 100 if state == "settled" else None,
                        possible_split=n % 50 == 0,
                        reject_reason="bench" if state == "rejected" else "",
                    )
                )
        requests = FundRequest.objects.bulk_create(requests, batch_size=BATCH)
        FundClaim.objects.bulk_create(
            [
                FundClaim(
                    request=request,
                    actual_amount=request.approved_amount - 100,
                    actual_sales=request.expected_sales,
                    claimed_by_id=request.requested_by_id,
                    status="settled" if request.status == "settled" else "open",
                    settled_amount=request.settled_amount,
                    settled_on=day if request.status == "settled" else None,
                )
                for request in requests
                if request.status in ("claimed", "settled")
            ],
            batch_size=BATCH,
        )
        entries = [
            DepositEntry(dealer_id=dealer_id, kind="received", amount=Decimal("20000.00"), date=day)
            for dealer_id, _territory, _owner in dealers
        ]
        entries += [
            DepositEntry(dealer_id=dealer_id, kind="deducted", amount=Decimal("500.00"), date=day, reason="bench")
            for dealer_id, _territory, _owner in dealers[::10]
        ]
        DepositEntry.objects.bulk_create(entries, batch_size=BATCH)
        materials = Material.objects.bulk_create(
            [
                Material(code=f"BENCH-M{m:02d}", name=f"Bench material {m}", unit="piece", unit_cost=Decimal("12.50"))
                for m in range(1, 11)
            ]
        )
        MaterialIssue.objects.bulk_create(
            [
                MaterialIssue(
                    dealer_id=dealer_id, material=materials[i % 10], quantity=Decimal(100), date=day, issued_by=finance
                )
                for i, (dealer_id, _territory, _owner) in enumerate(dealers)
            ],
            batch_size=BATCH,
        )
        MaterialCount.objects.bulk_create(
            [
                MaterialCount(
                    dealer_id=dealer_id,
                    material=materials[i % 10],
                    date=day + timedelta(days=20),
                    counted_quantity=Decimal(20 if i % 20 else 10),
                    used_quantity=Decimal(78),
                    issued_quantity=Decimal(100),
                    variance=Decimal(2 if i % 20 else 12),
                    variance_flagged=i % 20 == 0,
                )
                for i, (dealer_id, _territory, _owner) in enumerate(dealers)
            ],
            batch_size=BATCH,
        )
    counts = {
        "budgets": len(budgets),
        "requests": len(requests),
        "claims": FundClaim.objects.count(),
        "deposit_entries": len(entries),
        "material_counts": len(dealers),
        "seconds": round(time.perf_counter() - started, 1),
    }
    log(f"  funds written: {counts}")
    return counts
