"""The rebate of a dealer, program and period (SPEC §15), step by step — every step a line with its inputs.

For the agreements of the dealer that name the program and are signed, in force some day of the period:

1. **basis** — ``sell_in``: the dealer's net sales (invoices less credit notes and returns) of the program's
   product lines (all when it names none) dated on the days the agreements cover; sales flagged 窜货 are left
   out. ``collections``: the dealer's collections on those days. When the dealer's previous period of the
   program is settled (approved or paid), the credit notes of this period are returns of goods that earned
   that rebate: they leave the basis and are clawed back (step 6).
2. **target** — each agreement's ``annual_sales_target`` × the period's share of the year (a quarter: ¼) ×
   the agreement's days inside the period ÷ the period's days.
3. **attainment** — basis ÷ target × 100, compared exactly (never rounded) with the bands' lower edges; the
   band reached is the highest edge at or below it (no target: the band from 0 %). A negative basis reaches
   no band.
4. **gross** — the whole basis at the band's rate, to the cent (half up); never below 0.
5. **gate** — when the program sets ``min_collection_rate``: the dealer's collections of the period ÷ its net
   sales of the period × 100 below it → nothing is paid. With no net sales the rate is undefined and the gate
   does not apply.
6. **penalty** — ``conflict_penalty`` % of the gross per flagged 窜货 sale of the dealer in the period, 100 %
   at most. **claw-back** — the returned credit notes × the rate the settled period actually paid (its net ÷
   its basis), a negative line naming that settlement.
7. **net** = gross − penalty + claw-back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from channelhub.formatting import round_cent
from kpi.selectors import dealer_day_collections, dealer_day_sales
from partners.selectors import rebate_agreements
from rebates.models import RebateLine, RebateProgram, RebateSettlement
from rebates.periods import RebatePeriod

ZERO = Decimal("0.00")
HUNDRED = Fraction(100)
Step = RebateLine.Step


def _text(value: Fraction | Decimal | None, places: int = 2) -> str | None:
    """An exact figure as text, rounded half up to ``places`` (for a line's inputs)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding="ROUND_HALF_UP"))


def _cent(value: Fraction) -> Decimal:
    return round_cent(Decimal(value.numerator) / Decimal(value.denominator))


@dataclass
class LineDraft:
    step: str
    inputs: dict
    amount: Decimal | None = None
    clawed_from: int | None = None


@dataclass
class Computation:
    dealer_id: int
    program_id: int
    period: str
    basis_amount: Decimal = ZERO
    target_amount: Decimal = ZERO
    attainment: Decimal | None = None
    rate: Decimal = ZERO
    collection_rate: Decimal | None = None
    conflict_count: int = 0
    gross_amount: Decimal = ZERO
    penalty_amount: Decimal = ZERO
    clawback_amount: Decimal = ZERO
    net_amount: Decimal = ZERO
    lines: list[LineDraft] = field(default_factory=list)

    def amounts(self) -> dict:
        return {name: getattr(self, name) for name in RebateSettlement.AMOUNT_FIELDS}


@dataclass(frozen=True)
class ProgramTerms:
    """What the computation needs of a program (read once per run)."""

    id: int
    basis: str
    lines: frozenset[int]
    line_codes: tuple[str, ...]
    bands: tuple[tuple[Decimal, Decimal], ...]  # (from_attainment, rate), ascending
    min_collection_rate: Decimal | None
    conflict_penalty: Decimal


def program_terms(program_ids: Iterable[int]) -> dict[int, ProgramTerms]:
    """The terms of ``program_ids`` — three queries."""
    programs = RebateProgram.objects.filter(pk__in=list(program_ids)).prefetch_related("tiers", "product_lines")
    return {
        program.pk: ProgramTerms(
            id=program.pk,
            basis=program.basis,
            lines=frozenset(line.pk for line in program.product_lines.all()),
            line_codes=tuple(sorted(line.code for line in program.product_lines.all())),
            bands=tuple((tier.from_attainment, tier.rate) for tier in program.tiers.all()),
            min_collection_rate=program.min_collection_rate,
            conflict_penalty=program.conflict_penalty,
        )
        for program in programs
    }


def band_for(bands: tuple[tuple[Decimal, Decimal], ...], attainment: Fraction | None) -> tuple[Decimal, Decimal] | None:
    """The band reached: the highest lower edge at or below ``attainment`` (exact); None: no band reached.
    No target (``attainment`` None): the band from 0 %."""
    if attainment is None:
        return next((band for band in bands if band[0] == 0), None)
    reached = None
    for band in bands:
        # an edge has two decimals: compare in hundredths, exactly
        if attainment * 100 >= int(band[0] * 100):
            reached = band
    return reached


@dataclass
class _Facts:
    """One dealer's facts of the period, as the computation reads them."""

    sales: list = field(default_factory=list)  # DealerDaySales
    collections: list[tuple[date, Decimal]] = field(default_factory=list)


def _covers(ranges: list[tuple[date, date]], day: date) -> bool:
    return any(start <= day <= end for start, end in ranges)


def compute_one(
    *,
    dealer_id: int,
    terms: ProgramTerms,
    period: RebatePeriod,
    agreements: list[dict],
    facts: _Facts,
    settled_before: RebateSettlement | None = None,
    until: date | None = None,
) -> Computation:
    """The computation of one dealer and program (see the module's docstring); ``until`` cuts the period short
    for an accrual (the target is prorated to it too)."""
    last = min(period.last_day, until) if until else period.last_day
    ranges = sorted({(max(a["start_date"], period.first_day), min(a["end_date"], last)) for a in agreements})
    ranges = [(start, end) for start, end in ranges if start <= end]
    result = Computation(dealer_id=dealer_id, program_id=terms.id, period=str(period))
    lines = result.lines

    # 1. basis (one pass over the dealer's days; the rows are inside the period already)
    whole = len(ranges) == 1 and ranges[0] == (period.first_day, last)
    covered = facts.sales if whole else [row for row in facts.sales if _covers(ranges, row.day)]
    lines_wanted = terms.lines
    flagged_amount = kept_amount = kept_credit = net_sales = ZERO
    conflicts = 0
    for row in covered:
        net_sales += row.amount
        in_lines = not lines_wanted or row.category_id in lines_wanted
        if row.channel_conflict:
            if in_lines:
                flagged_amount += row.amount
        elif in_lines:
            kept_amount += row.amount
            kept_credit += row.credit
    for row in facts.sales:
        if row.channel_conflict:
            conflicts += row.count
    returned = ZERO
    if settled_before is not None and terms.basis == RebateProgram.Basis.SELL_IN:
        returned = kept_credit
    collections = (
        facts.collections if whole else [(day, amount) for day, amount in facts.collections if _covers(ranges, day)]
    )
    collected = sum((amount for _day, amount in collections), ZERO)
    basis = collected if terms.basis == RebateProgram.Basis.COLLECTIONS else kept_amount - returned
    result.basis_amount = basis
    lines.append(
        LineDraft(
            Step.BASIS,
            {
                "basis": terms.basis,
                "period": str(period),
                "days": [[str(start), str(end)] for start, end in ranges],
                "lines": list(terms.line_codes),
                "excluded_conflicts": str(flagged_amount),
                "returned": str(returned),
                "returned_to": settled_before.period if settled_before is not None else None,
            },
            basis,
        )
    )

    # 2. target
    target = Fraction(0)
    parts = []
    for agreement in agreements:
        share = period.target_share(agreement["start_date"], agreement["end_date"], until=until)
        if share:
            annual = Fraction(agreement["annual_sales_target"])
            target += annual * share
            inside = period.overlap(agreement["start_date"], min(agreement["end_date"], last))
            parts.append(
                {
                    "agreement": agreement["id"],
                    "annual": str(agreement["annual_sales_target"]),
                    "days": (inside[1] - inside[0]).days + 1 if inside else 0,
                    "period_days": period.days,
                    "year_share": str(period.year_share),
                }
            )
    result.target_amount = _cent(target)
    lines.append(LineDraft(Step.TARGET, {"agreements": parts}, result.target_amount))

    # 3. attainment and band
    attainment = Fraction(basis) / target * HUNDRED if target > 0 else None
    band = band_for(terms.bands, attainment) if basis >= 0 else None
    rate = band[1] if band else ZERO
    result.attainment = Decimal(_text(attainment)) if attainment is not None else None
    result.rate = rate
    lines.append(
        LineDraft(
            Step.ATTAINMENT,
            {
                "basis": str(basis),
                "target": str(result.target_amount),
                "attainment": _text(attainment, 4),
                "band_from": str(band[0]) if band else None,
                "rate": str(rate),
                "bands": [[str(edge), str(band_rate)] for edge, band_rate in terms.bands],
            },
        )
    )

    # 4. gross
    gross = max(ZERO, round_cent(basis * rate / 100))
    lines.append(LineDraft(Step.GROSS, {"basis": str(basis), "rate": str(rate)}, gross))

    # 5. collection gate
    collection_rate = Fraction(collected) / Fraction(net_sales) * HUNDRED if net_sales > 0 else None
    result.collection_rate = Decimal(_text(collection_rate)) if collection_rate is not None else None
    if terms.min_collection_rate is not None:
        if collection_rate is None:
            decision = "undefined"
        elif collection_rate < Fraction(terms.min_collection_rate):
            decision = "below"
            gross = ZERO
        else:
            decision = "met"
        lines.append(
            LineDraft(
                Step.GATE,
                {
                    "gate": str(terms.min_collection_rate),
                    "collections": str(collected),
                    "net_sales": str(net_sales),
                    "collection_rate": _text(collection_rate, 4),
                    "decision": decision,
                },
                gross,
            )
        )
    result.gross_amount = gross

    # 6. penalty and claw-back (flagged sales of the whole period so far, whatever their line)
    result.conflict_count = conflicts
    share = min(Decimal(100), terms.conflict_penalty * conflicts)
    penalty = round_cent(gross * share / 100)
    if terms.conflict_penalty or conflicts:
        lines.append(
            LineDraft(
                Step.PENALTY,
                {"count": conflicts, "per_sale": str(terms.conflict_penalty), "share": str(share), "gross": str(gross)},
                -penalty,
            )
        )
    result.penalty_amount = penalty
    clawback = ZERO
    if settled_before is not None and returned:
        paid_rate = (
            Fraction(settled_before.net_amount) / Fraction(settled_before.basis_amount)
            if settled_before.basis_amount > 0 and settled_before.net_amount > 0
            else Fraction(0)
        )
        clawback = -_cent(Fraction(-returned) * paid_rate)
        lines.append(
            LineDraft(
                Step.CLAWBACK,
                {
                    "returned": str(returned),
                    "settled_period": settled_before.period,
                    "settled_net": str(settled_before.net_amount),
                    "settled_basis": str(settled_before.basis_amount),
                    "paid_rate": _text(paid_rate * HUNDRED, 4),
                },
                clawback,
                clawed_from=settled_before.pk,
            )
        )
    result.clawback_amount = clawback

    # 7. net
    result.net_amount = gross - penalty + clawback
    lines.append(
        LineDraft(
            Step.NET,
            {"gross": str(gross), "penalty": str(penalty), "clawback": str(clawback)},
            result.net_amount,
        )
    )
    return result


def compute_many(
    dealer_ids: Iterable[int],
    period: RebatePeriod,
    *,
    until: date | None = None,
    program_ids: Iterable[int] | None = None,
) -> list[Computation]:
    """The computations of ``dealer_ids`` for ``period`` (one per dealer and program of the period's frequency),
    in a fixed number of queries whatever the number of dealers."""
    dealer_ids = sorted(set(dealer_ids))
    frequency = RebateProgram.Frequency.ANNUAL if period.is_year else RebateProgram.Frequency.QUARTERLY
    last = min(period.last_day, until) if until else period.last_day
    program_filter = {"frequency": frequency}
    if program_ids is not None:
        program_filter["pk__in"] = list(program_ids)
    agreements = rebate_agreements(period.first_day, last, dealer_ids=dealer_ids, program_filter=program_filter)
    if not agreements:
        return []
    by_pair: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for agreement in agreements:
        by_pair[(agreement["dealer_id"], agreement["rebate_program_id"])].append(agreement)
    terms = program_terms({program_id for _dealer, program_id in by_pair})
    with_facts = sorted({dealer_id for dealer_id, _program in by_pair})
    facts: dict[int, _Facts] = defaultdict(_Facts)
    for row in dealer_day_sales(with_facts, period.first_day, last):
        facts[row.dealer_id].sales.append(row)
    for dealer_id, days in dealer_day_collections(with_facts, period.first_day, last).items():
        facts[dealer_id].collections = days
    previous = str(period.previous())
    settled = {
        (s.dealer_id, s.program_id): s
        for s in RebateSettlement.objects.filter(
            dealer_id__in=with_facts, period=previous, status__in=RebateSettlement.FINAL
        ).only("id", "dealer_id", "program_id", "period", "basis_amount", "net_amount")
    }
    return [
        compute_one(
            dealer_id=dealer_id,
            terms=terms[program_id],
            period=period,
            agreements=pair_agreements,
            facts=facts[dealer_id],
            settled_before=settled.get((dealer_id, program_id)),
            until=until,
        )
        for (dealer_id, program_id), pair_agreements in sorted(by_pair.items())
    ]
