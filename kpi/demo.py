"""The demo company's year of figures (SPEC §10): sales, collections, expenses, targets, scorecards.

Written through the services (the facts' checks and channel-conflict flags, the targets' life cycle,
the scorecards' arithmetic), planned from ``random.Random`` seeded per rep and month, and drawn only
among the demo's own rows (its agreements and cities, never those users add), so a second run — on
any later day, next to any rows of the users' — proposes exactly the same rows and adds nothing: a
month is drawn whole and cut at yesterday, references already recorded and closed months are skipped,
existing targets and scorecards are left as they are.

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
from django.utils.translation import gettext as _

from channelhub.db import rows_where
from channelhub.periods import Month
from kpi.models import Collection, Expense, SalesRecord, Scorecard, ScorecardTemplate, Target
from kpi.scorecard_defaults import ensure_default_templates
from kpi.services.facts import facts_record, model_of
from kpi.services.periods import closed_codes
from kpi.services.scorecards import scorecard_compute_unchecked, scorecard_confirm, scorecard_self_evaluate
from kpi.services.targets import target_acknowledge, target_approve, target_propose
from partners.demo import demo_agreement_ids, demo_territory_codes
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


@dataclass
class DemoFacts:
    sales: list[dict]
    collections: list[dict]
    expenses: list[dict]
    #: (rep ID, period) of the months in which the rep has sold
    sold: set[tuple[int, str]]


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` in ``parts`` random positive amounts that add up to it exactly."""
    total = total.quantize(CENT, rounding=ROUND_HALF_UP)
    weights = [rng.uniform(0.5, 1.5) for _part in range(parts)]
    amounts = [_money(float(total) * w / sum(weights)) for w in weights]
    amounts[-1] += total - sum(amounts)
    return [amount for amount in amounts if amount > 0]


def _months(today: date) -> list[Month]:
    months = [Month.of(today)]
    for _index in range(11):
        months.insert(0, months[0].previous())
    return months


def _coverage(reps: dict) -> dict[int, list[Agreement]]:
    """Each rep's dealers' signed agreements — the demo's own, never one a user added (one query)."""
    agreements: dict[int, list[Agreement]] = {rep.pk: [] for rep in reps.values()}
    for agreement in (
        Agreement.objects.filter(
            pk__in=demo_agreement_ids(), status=Agreement.Status.SIGNED, dealer__owner__in=list(reps.values())
        )
        .select_related("dealer", "dealer__territory")
        .prefetch_related("product_lines")
    ):
        agreements[agreement.dealer.owner_id].append(agreement)
    return agreements


def _facts(reps: dict, months: list[Month], today: date) -> DemoFacts:
    """The demo's facts dated before ``today``. Each month is drawn whole, whatever the day, and only then
    cut at ``today``: a fact drawn once is drawn the same on every later run (same reference, same values),
    and the days since the last run bring only new references."""
    sales, collections, expenses = [], [], []
    sold: set[tuple[int, str]] = set()
    coverage = _coverage(reps)
    cities = Territory.objects.filter(code__in=demo_territory_codes(Territory.Level.CITY)).order_by("path")
    foreign = {
        region: [city for city in cities if not city.path.startswith(f"/CN/{region}/")]
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
            month_sales = []
            for number, (amount, day) in enumerate(
                zip(_split(net * Decimal("1.03"), rng.randint(14, 22), rng), rng.choices(days, k=22), strict=False)
            ):
                covered = [a for a in coverage[rep.pk] if a.start_date <= day <= a.end_date]
                if not covered:
                    continue
                agreement = rng.choice(covered)
                item = {"reference": f"S{code}-{username}-{number:03d}", "date": day, "amount": amount}
                item.update(
                    dealer=agreement.dealer_id, category=rng.choice(list(agreement.product_lines.all()) or [None])
                )
                if rng.random() < 0.025:
                    region = agreement.dealer.territory.path.split("/")[2]
                    item["ship_to"] = rng.choice(foreign.get(region) or foreign["EAST"]).code
                month_sales.append(item)
            if not month_sales:
                continue
            sales.extend(month_sales)
            if any(s["date"] < today for s in month_sales):
                sold.add((rep.pk, str(month)))
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
                day, dealer = rng.choice(days), rng.choice(dealers)
                collections.append(
                    {"reference": f"R{code}-{username}-{number:02d}", "date": day, "amount": amount, "dealer": dealer}
                )
            spent = _money(float(month_net) * rng.uniform(*profile.expense))
            for number, amount in enumerate(_split(spent, rng.randint(4, 8), rng)):
                day, dealer, category = rng.choice(days), rng.choice(dealers), rng.choice(Expense.Category.values)
                expenses.append(
                    {
                        "reference": f"E{code}-{username}-{number:02d}",
                        "date": day,
                        "amount": amount,
                        "dealer": dealer,
                        "category": category,
                    }
                )
    for item in sales:
        item["category"] = item["category"].code if item.get("category") else ""
    before = [[item for item in items if item["date"] < today] for items in (sales, collections, expenses)]
    return DemoFacts(*before, sold=sold)


def _targets(users: dict, reps: dict, months: list[Month], sold: set[tuple[int, str]]) -> None:
    """Acknowledged targets for past months, approved for this one, proposed for the next (a rep's target
    someone has entered already is left as it is; a closed period gets none)."""
    current = months[-1]
    existing = set(Target.objects.filter(rep__in=list(reps.values())).values_list("rep_id", "period"))
    closed = set(closed_codes(str(month) for month in [*months, current.next()]))
    for username, rep in reps.items():
        manager = users["manager1" if username in ("rep1", "rep2", "rep3") else "manager2"]
        for month in [*months, current.next()]:
            if (rep.pk, str(month)) in existing or (month != current.next() and (rep.pk, str(month)) not in sold):
                continue
            if str(month) in closed:
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
    # (a template an administrator has taken out of use scores nothing more)
    templates = list(ScorecardTemplate.objects.filter(code__in=("mbo", "bsc"), is_active=True))
    last, before = months[-2], months[-3]
    closed = set(closed_codes([str(last), str(before)]))
    for username, rep in reps.items():
        manager = users["manager1" if username in ("rep1", "rep2", "rep3") else "manager2"]
        for month in (before, last):
            if str(month) in closed:
                continue
            for template in templates:
                if Scorecard.objects.filter(rep=rep, period=str(month), template=template).exists():
                    continue
                scorecard, _created = scorecard_compute_unchecked(rep, month, template, actor=manager)
                manual = {
                    line.pk: Decimal(80 + len(username) % 3 * 5)
                    for line in scorecard.lines.all()
                    if line.item.method == "manual"
                }
                if manual:
                    scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores=manual)
                if month == before:
                    scorecard_confirm(actor=manager, scorecard=scorecard, comment="已核对")


def _unrecorded(kind: str, items: list[dict]) -> list[dict]:
    """The ``items`` whose reference is not recorded yet, outside closed periods. A reference recorded
    once is left as it is, whoever recorded it (a demo of another day, or a user who chose the same
    number): the demo never asks to change a fact, which ``facts_record`` would refuse."""
    recorded = set(
        rows_where(
            model_of(kind).objects.values_list("reference", flat=True),
            "reference",
            [item["reference"] for item in items],
        )
    )
    closed = set(closed_codes(str(Month.of(item["date"])) for item in items))
    return [i for i in items if i["reference"] not in recorded and str(Month.of(i["date"])) not in closed]


def seed_kpi(users: dict, *, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    reps = {username: users[username] for username in PROFILES}
    months = _months(today)
    facts = _facts(reps, months, today)
    for kind, items in (("sales", facts.sales), ("collections", facts.collections), ("expenses", facts.expenses)):
        items = _unrecorded(kind, items)
        if items:
            facts_record(actor=users["finance"], kind=kind, items=items)
    _targets(users, reps, months, facts.sold)
    _scorecards(users, reps, months)
    return {
        "sales": SalesRecord.objects.count(),
        "collections": Collection.objects.count(),
        "expenses": Expense.objects.count(),
        "targets": Target.objects.count(),
        "scorecards": Scorecard.objects.count(),
    }


def demo_step(users: dict) -> str:
    """``seed_demo``'s step for the facts, targets and scorecards: its line of output."""
    return _(
        "Demo figures: %(sales)d sales, %(collections)d collections, %(expenses)d expenses, "
        "%(targets)d targets, %(scorecards)d scorecards"
    ) % seed_kpi(users)
