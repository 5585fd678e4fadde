"""The demo company's rebates (SPEC §10, §15), built through the services as the demo people.

* Two programs: 阶梯季度返利 (quarterly on net sales: bands 0 % → 0 %, 80 % → 1 %, 100 % → 2 %, 120 % → 3 %;
  at least 60 % collected; 10 % forfeited per flagged 窜货 sale; paid by credit note) on the demo's
  distribution agreements, and 年度回款返利 (annual on collections: 0 % → 0 %, 90 % → 0.5 %, 100 % → 1 %; cash)
  on its franchise and agency agreements. An agreement a user has given a program keeps it.
* The showcase distributor: the first active distributor whose agreement covers the whole last quarter gets
  a top-up sale and a target so that its attainment is exactly 104 % (the 2 % band) and two sales shipped
  into another region (flagged 窜货): its settlement reads gross × 2 %, − 20 % penalty, by hand.
* The quarter before last is settled: run, submitted by the dealers' managers, approved by finance and paid
  (credit notes ``CN-<period>-<dealer>``, cash ``PAY-…``). The last quarter is run and left in draft for the
  managers to submit. Last month's accruals are written.

Idempotent: programs by name, facts by reference, a period's run only when the period has none; what people
have moved on since is left as it is.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import DomainError
from channelhub.periods import Month
from kpi.services.facts import facts_record
from partners.demo import demo_agreement_ids
from partners.models import Agreement, Dealer, Territory
from rebates import policies
from rebates.models import RebateAccrual, RebateProgram, RebateRun, RebateSettlement, RebateTier
from rebates.periods import RebatePeriod
from rebates.services import runs, settlements
from rebates.services.accruals import accruals_compute
from rebates.services.compute import compute_many

REFUSALS = (ValidationError, PermissionDenied, DomainError)
D = Decimal

TIERED = "阶梯季度返利 Tiered quarterly"
ANNUAL = "年度回款返利 Annual on collections"
PROGRAMS = (
    (
        TIERED,
        {
            "basis": RebateProgram.Basis.SELL_IN,
            "frequency": RebateProgram.Frequency.QUARTERLY,
            "min_collection_rate": D("60"),
            "conflict_penalty": D("10"),
            "payout": RebateProgram.Payout.CREDIT_NOTE,
        },
        (("0", "0"), ("80", "1"), ("100", "2"), ("120", "3")),
    ),
    (
        ANNUAL,
        {
            "basis": RebateProgram.Basis.COLLECTIONS,
            "frequency": RebateProgram.Frequency.ANNUAL,
            "conflict_penalty": D("0"),
            "payout": RebateProgram.Payout.CASH,
        },
        (("0", "0"), ("90", "0.5"), ("100", "1")),
    ),
)


def _programs() -> dict[str, RebateProgram]:
    found = {}
    for name, fields, bands in PROGRAMS:
        program, created = RebateProgram.objects.get_or_create(name=name, defaults=fields)
        if created:
            RebateTier.objects.bulk_create(
                RebateTier(program=program, from_attainment=D(edge), rate=D(rate)) for edge, rate in bands
            )
        found[name] = program
    return found


def _assign(programs: dict[str, RebateProgram]) -> None:
    """The demo's signed agreements without a program get one (a user's choice is kept)."""
    own = Agreement.objects.filter(pk__in=demo_agreement_ids(), rebate_program__isnull=True)
    own.filter(kind=Agreement.Kind.ANNUAL_DISTRIBUTION).update(rebate_program=programs[TIERED])
    own.exclude(kind=Agreement.Kind.ANNUAL_DISTRIBUTION).update(rebate_program=programs[ANNUAL])


def _showcase(finance, program: RebateProgram, quarter: RebatePeriod) -> Dealer | None:
    """The showcase distributor of ``quarter`` (see the module's docstring), or None."""
    candidates = (
        Agreement.objects.filter(
            pk__in=demo_agreement_ids(),
            status=Agreement.Status.SIGNED,
            rebate_program=program,
            start_date__lte=quarter.first_day,
            end_date__gte=quarter.last_day,
            dealer__kind=Dealer.Kind.DISTRIBUTOR,
            dealer__status=Dealer.Status.ACTIVE,
        )
        .select_related("dealer", "dealer__territory", "territory")
        .order_by("dealer__code")
    )
    for agreement in candidates:
        dealer = agreement.dealer
        others = Agreement.objects.filter(
            dealer=dealer,
            rebate_program=program,
            status=Agreement.Status.SIGNED,
            start_date__lte=quarter.last_day,
            end_date__gte=quarter.first_day,
        ).exclude(pk=agreement.pk)
        if (
            others.exists()
            or RebateSettlement.objects.filter(dealer=dealer, period=str(quarter))
            .exclude(status=RebateSettlement.Status.DRAFT)
            .exists()
        ):
            continue
        try:
            _make_showcase(finance, dealer, agreement, program, quarter)
        except REFUSALS:
            continue
        return dealer
    return None


def _make_showcase(finance, dealer: Dealer, agreement: Agreement, program: RebateProgram, quarter: RebatePeriod):
    elsewhere = (
        Territory.objects.exclude(path__startswith=agreement.territory.path)
        .filter(level=agreement.territory.level)
        .order_by("code")
        .first()
    )
    tag = f"{quarter}-{dealer.code}"
    (found,) = [c for c in compute_many([dealer.pk], quarter) if c.program_id == program.pk]
    if found.conflict_count > 2:
        raise ValidationError("more than two flagged sales already")
    items = [
        {
            "reference": f"DEMO-REBATE-CONFLICT-{tag}-{number}",
            "date": quarter.first_day + timedelta(days=20 * number),
            "dealer": dealer.pk,
            "amount": "8000.00",
            "ship_to": elsewhere.code,
        }
        for number in range(found.conflict_count + 1, 3)
        if elsewhere is not None
    ]
    if items:
        facts_record(actor=finance, kind="sales", items=items)
    (before,) = [c for c in compute_many([dealer.pk], quarter) if c.program_id == program.pk]
    basis = before.basis_amount
    # the quarter's target, a multiple of 10 000.00 at most basis ÷ 1.04; the top-up brings the basis to 104 %
    quarter_target = D(max(1, math.ceil(basis / D("1.04") / 10000))) * 10000
    top_up = quarter_target * D("1.04") - basis
    if top_up > 0:
        facts_record(
            actor=finance,
            kind="sales",
            items=[
                {
                    "reference": f"DEMO-REBATE-TOPUP-{tag}",
                    "date": quarter.last_day,
                    "dealer": dealer.pk,
                    "amount": f"{top_up:.2f}",
                    "ship_to": agreement.territory.code,
                }
            ],
        )
    collected = before.collection_rate
    if collected is not None and collected < program.min_collection_rate:
        facts_record(
            actor=finance,
            kind="collections",
            items=[
                {
                    "reference": f"DEMO-REBATE-COLLECTION-{tag}",
                    "date": quarter.last_day,
                    "dealer": dealer.pk,
                    "amount": f"{quarter_target:.2f}",
                }
            ],
        )
    Agreement.objects.filter(pk=agreement.pk).update(annual_sales_target=quarter_target * 4)


def _run(finance, quarter: RebatePeriod) -> RebateRun | None:
    existing = RebateRun.objects.filter(period=str(quarter)).exclude(status=RebateRun.Status.FAILED).first()
    if existing is not None:
        return existing
    try:
        run = runs.run_start(actor=finance, period=quarter)
    except REFUSALS:
        return None
    return runs.run_execute(run.pk)


def _settle(people: dict, quarter: RebatePeriod, today: date) -> None:
    """Submit (the dealer's manager, else admin), approve (finance) and pay every draft of ``quarter``."""
    managers = [people[name] for name in ("manager1", "manager2") if name in people]
    paid_on = today  # not before the approval, made just now
    for settlement in RebateSettlement.objects.filter(period=str(quarter)).select_related(
        "dealer", "dealer__territory", "program"
    ):
        try:
            if settlement.status == RebateSettlement.Status.DRAFT:
                submitter = next((m for m in managers if policies.submits_for(m, settlement.dealer)), people["admin"])
                settlement = settlements.settlement_submit(actor=submitter, settlement=settlement)
            if settlement.status == RebateSettlement.Status.SUBMITTED:
                settlement = settlements.settlement_approve(actor=people["finance"], settlement=settlement)
            if settlement.status == RebateSettlement.Status.APPROVED:
                prefix = "CN" if settlement.program.payout == RebateProgram.Payout.CREDIT_NOTE else "PAY"
                settlements.settlement_mark_paid(
                    actor=people["finance"],
                    settlement=settlement,
                    payment_reference=f"{prefix}-{quarter}-{settlement.dealer.code}",
                    paid_on=paid_on,
                )
        except REFUSALS:
            continue


def seed_rebates(users: dict, *, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    people = {
        user.username: user for user in get_user_model()._default_manager.filter(pk__in=[u.pk for u in users.values()])
    }
    programs = _programs()
    _assign(programs)
    last = RebatePeriod.containing(today, annual=False).previous()
    before = last.previous()
    _showcase(people["finance"], programs[TIERED], last)
    if _run(people["finance"], before) is not None:
        _settle(people, before, today)
    _run(people["finance"], last)
    month = Month.of(today).previous()
    if not RebateAccrual.objects.filter(month=str(month)).exists():
        accruals_compute(month)
    return {
        "programs": RebateProgram.objects.count(),
        "settlements": RebateSettlement.objects.count(),
        "paid": RebateSettlement.objects.filter(status=RebateSettlement.Status.PAID).count(),
    }


def demo_step(users: dict) -> str:
    return _("Demo rebates: %(programs)d programs, %(settlements)d settlements (%(paid)d paid)") % seed_rebates(users)
