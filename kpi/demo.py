"""The demo company's year of figures (SPEC §10): sales, collections, expenses, targets, scorecards.

Written through the services (the facts' checks and channel-conflict flags, the targets' life cycle,
the scorecards' arithmetic), planned from ``random.Random`` seeded per rep and month, so a second run
proposes exactly the same rows and adds nothing (facts with the same reference and values are
"unchanged"; existing targets and scorecards are left as they are). Dates stop at yesterday.

The story the figures tell:

* each rep sells only to their dealers with a signed agreement covering the day — so rep5 and rep6,
  whose first agreements were signed in the spring, start from zero; about one sale in 40 is shipped
  into another region (窜货) and flagged;
* rep3 and rep5 spend far over the 6 % expense-rate target; rep2 and rep5 collect under 80 %;
* past months' targets are acknowledged, this month's approved, next month's proposed;
* last month's scorecards exist on MBO and BSC for every rep (the one before confirmed by the manager).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from channelhub.periods import Month
from kpi.models import Collection, Expense, SalesRecord, Scorecard, ScorecardTemplate, Target
from kpi.scorecard_defaults import ensure_default_templates
from kpi.services.facts import facts_record
from kpi.services.scorecards import compute_scorecard, scorecard_confirm, scorecard_self_evaluate
from kpi.services.targets import target_acknowledge, target_approve, target_propose
from partners.models import Agreement, Territory

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Profile:
    monthly_target: int  #: yuan
    achievement: tuple[float, float]  #: net sales / target, drawn per month
    collection: tuple[float, float]  #: collections / net sales
    expense: tuple[float, float]  #: expenses / net sales


PROFILES = {
    "rep1": Profile(600_000, (0.95, 1.20), (0.88, 1.02), (0.035, 0.055)),
    "rep2": Profile(450_000, (0.85, 1.10), (0.62, 0.78), (0.040, 0.055)),  # collects too little
    "rep3": Profile(500_000, (0.75, 1.00), (0.85, 0.98), (0.075, 0.095)),  # spends too much
    "rep4": Profile(400_000, (0.90, 1.15), (0.86, 1.00), (0.035, 0.050)),
    "rep5": Profile(350_000, (0.70, 0.95), (0.60, 0.75), (0.080, 0.100)),  # both
    "rep6": Profile(300_000, (0.90, 1.10), (0.85, 0.98), (0.030, 0.050)),
}
SEASON = (0.8, 0.75, 0.95, 1.0, 1.05, 1.0, 0.95, 0.95, 1.05, 1.1, 1.15, 1.25)  # January … December
EXPENSE_RATE_TARGET = Decimal("6.00")
COLLECTION_RATE_TARGET = Decimal("85.00")


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` in ``parts`` random positive amounts that add up to it exactly."""
    total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [_money(float(total) * w / sum(weights)) for w in weights]
    amounts[-1] += total - sum(amounts)
    return [amount for amount in amounts if amount > 0]


def _months(today: date) -> list[Month]:
    months = [Month.of(today)]
    for _index in range(11):
        months.insert(0, months[0].previous())
    return months


def _coverage(reps: dict) -> dict[int, list[Agreement]]:
    """Each rep's dealers' signed agreements (one query)."""
    agreements: dict[int, list[Agreement]] = {rep.pk: [] for rep in reps.values()}
    for agreement in (
        Agreement.objects.filter(status=Agreement.Status.SIGNED, dealer__owner__in=list(reps.values()))
        .select_related("dealer", "dealer__territory")
        .prefetch_related("product_lines")
    ):
        agreements[agreement.dealer.owner_id].append(agreement)
    return agreements


def _facts(reps: dict, months: list[Month], today: date) -> tuple[list[dict], list[dict], list[dict]]:
    sales, collections, expenses = [], [], []
    coverage = _coverage(reps)
    foreign = {
        region: list(Territory.objects.filter(level=Territory.Level.CITY).exclude(path__startswith=f"/CN/{region}/"))
        for region in ("EAST", "NORTH", "SOUTH")
    }
    for username, rep in reps.items():
        profile = PROFILES[username]
        for month in months:
            rng = random.Random(f"kpi-demo:{username}:{month}")
            days = [d for d in month.days() if d.isoweekday() <= 5]
            target = profile.monthly_target * SEASON[month.month - 1]
            net = _money(target * rng.uniform(*profile.achievement))
            code = f"{month.year}{month.month:02d}"
            for number, (amount, day) in enumerate(
                zip(_split(net * Decimal("1.03"), rng.randint(14, 22), rng), rng.choices(days, k=22), strict=False)
            ):
                covered = [a for a in coverage[rep.pk] if a.start_date <= day <= a.end_date]
                if not covered or day >= today:
                    continue
                agreement = rng.choice(covered)
                item = {"reference": f"S{code}-{username}-{number:03d}", "date": day, "amount": amount}
                item.update(
                    dealer=agreement.dealer_id, category=rng.choice(list(agreement.product_lines.all()) or [None])
                )
                if rng.random() < 0.025:
                    region = agreement.dealer.territory.path.split("/")[2]
                    item["ship_to"] = rng.choice(foreign.get(region) or foreign["EAST"]).code
                sales.append(item)
            month_sales = [s for s in sales if s["reference"].startswith(f"S{code}-{username}-")]
            if not month_sales:
                continue
            month_net = sum(s["amount"] for s in month_sales)
            # a credit note now and then (a return): negative sales
            if rng.random() < 0.5:
                returned = rng.choice(month_sales)
                sales.append(
                    {
                        "reference": f"C{code}-{username}",
                        "date": returned["date"],
                        "amount": -_money(float(returned["amount"]) * rng.uniform(0.1, 0.4)),
                        "dealer": returned["dealer"],
                        "category": returned["category"],
                        "note": "退货",
                    }
                )
            dealers = sorted({s["dealer"] for s in month_sales})
            collected = _money(float(month_net) * rng.uniform(*profile.collection))
            for number, amount in enumerate(_split(collected, rng.randint(3, 6), rng)):
                day = rng.choice(days)
                if day < today:
                    collections.append(
                        {
                            "reference": f"R{code}-{username}-{number:02d}",
                            "date": day,
                            "amount": amount,
                            "dealer": rng.choice(dealers),
                        }
                    )
            spent = _money(float(month_net) * rng.uniform(*profile.expense))
            for number, amount in enumerate(_split(spent, rng.randint(4, 8), rng)):
                day = rng.choice(days)
                if day < today:
                    expenses.append(
                        {
                            "reference": f"E{code}-{username}-{number:02d}",
                            "date": day,
                            "amount": amount,
                            "dealer": rng.choice(dealers),
                            "category": rng.choice(Expense.Category.values),
                        }
                    )
    for item in sales:
        item["category"] = item["category"].code if item.get("category") else ""
    return sales, collections, expenses


def _targets(users: dict, reps: dict, months: list[Month], sold: set[tuple[int, str]]) -> None:
    """Acknowledged targets for past months, approved for this one, proposed for the next."""
    current = months[-1]
    existing = set(Target.objects.filter(rep__in=list(reps.values())).values_list("rep_id", "period"))
    for username, rep in reps.items():
        manager = users["manager1" if username in ("rep1", "rep2", "rep3") else "manager2"]
        for month in [*months, current.next()]:
            if (rep.pk, str(month)) in existing or (month != current.next() and (rep.pk, str(month)) not in sold):
                continue
            figure = _money(PROFILES[username].monthly_target * SEASON[month.month - 1])
            target = target_propose(
                actor=rep,
                rep=rep,
                period=str(month),
                sales_target=figure,
                expense_rate_target=EXPENSE_RATE_TARGET,
                collection_rate_target=COLLECTION_RATE_TARGET,
                new_dealers_target=1,
            )
            if month > current:
                continue
            target_approve(actor=manager, target=target, comment="同意")
            if month < current:
                target_acknowledge(actor=rep, target=target)


def _scorecards(users: dict, reps: dict, months: list[Month]) -> None:
    """Last month's scorecards on MBO and BSC for every rep; the month before confirmed."""
    ensure_default_templates()
    templates = list(ScorecardTemplate.objects.filter(code__in=("mbo", "bsc")))
    last, before = months[-2], months[-3]
    for username, rep in reps.items():
        manager = users["manager1" if username in ("rep1", "rep2", "rep3") else "manager2"]
        for month in (before, last):
            for template in templates:
                if Scorecard.objects.filter(rep=rep, period=str(month), template=template).exists():
                    continue
                scorecard, _created = compute_scorecard(rep, month, template, actor=manager)
                manual = {
                    line.pk: Decimal(80 + len(username) % 3 * 5)
                    for line in scorecard.lines.all()
                    if line.item.method == "manual"
                }
                if manual:
                    scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores=manual)
                if month == before:
                    scorecard_confirm(actor=manager, scorecard=scorecard, comment="已核对")


def seed_kpi(users: dict, *, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    reps = {username: users[username] for username in PROFILES}
    months = _months(today)
    sales, collections, expenses = _facts(reps, months, today)
    for kind, items in (("sales", sales), ("collections", collections), ("expenses", expenses)):
        if items:
            facts_record(actor=users["finance"], kind=kind, items=items)
    sold = set(SalesRecord.objects.filter(rep__in=list(reps.values())).values_list("rep_id", "date"))
    sold_months = {(rep_id, str(Month.of(day))) for rep_id, day in sold}
    _targets(users, reps, months, sold_months)
    _scorecards(users, reps, months)
    return {
        "sales": SalesRecord.objects.count(),
        "collections": Collection.objects.count(),
        "expenses": Expense.objects.count(),
        "targets": Target.objects.count(),
        "scorecards": Scorecard.objects.count(),
    }
