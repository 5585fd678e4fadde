"""The commission computation for one rep and month (SPEC §6), step by step, each step a line.

``compute(rep, month, plan, figures=…)`` is arithmetic only: given the month's figures it makes no
query (the plan's tiers prefetched, as ``plans_for`` does). ``compute_many(reps, month)`` loads the
plans and every figure of any number of reps in a fixed number of queries (aggregated in the database,
rep by rep through the (rep, date) indexes: no sales line is loaded into Python) and computes each rep.
Nothing is written here: the runs store the result as a statement (``Computation.lines`` are its
lines, in order), and the statements add the adjustment lines of accepted disputes
(``Computation.add_adjustment``), which recomputes net, retained and payable.

The steps (docs/commissions/computation.md has the choices where the spec is silent):

1. base — net sales (credit notes included) or collections of the rep in the month;
2. gross — the plan's tiers on the month's total: ``marginal`` (each band's part at its own rate) or
   ``flat`` (the whole base at the rate of the band it falls in; a base exactly at a band's start is
   in that band); a negative base is a claw-back at the first band's rate;
3. gate — collection rate below the plan's gate → 0, compared exactly (collections × 100 against
   gate × net sales; the rate shown has the decimals it takes to agree); undefined (no positive
   net sales) → the gate does not apply;
3b. distribution gate — the rep's distribution coverage (铺货率, ``inventory.selectors.rep_coverage``:
   their active terminals with stock or sell-out in the month ÷ their active terminals) below the
   plan's ``distribution_gate`` → 0, compared exactly (covered × 100 against gate × active); no
   active terminals → the gate does not apply; a claw-back (negative gross) stands;
4. scorecard factor — × total / 100 of the rep's *confirmed* scorecard on the plan's template; none
   confirmed → factor 0; a negative gross (claw-back) is left as it is;
5. deductions — over-budget expenses × share, missing visits, false and fabricated reports;
6. net = carried forward + gross − deductions (+ adjustments); 7. retained = retention × net when
   net > 0; payable = net − retained; a negative net pays nothing (payable 0.00) and is
   ``carried_forward`` into the rep's next monthly statement, which starts with a carry-forward line
   naming it; 8. each line's amount is rounded to 0.01 half up (a band's part too).

Line amounts are the figure the step names, as the statement's fields hold it: base, gross (after
each of tiers, gate and factor), each deduction as a positive amount, net, retained (≥ 0), payable.
Adjustment lines are signed: positive in the rep's favour. A line stores its inputs and the cases the
computation decided, never a sentence: ``line_texts.line_text`` renders it in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model

from channelhub.formatting import round_cent
from channelhub.periods import Month
from commissions.models import CommissionPlan, Statement, StatementLine
from commissions.selectors import plans_for
from inventory.selectors import Coverage, rep_coverage
from kpi.models import Scorecard
from kpi.selectors import FACT_FIGURES, month_fact_columns, month_facts_of
from kpi.selectors.measures import (
    HUNDRED,
    ZERO,
    exact_percent,
    exact_rate_of_sales,
    meets,
    rate_of_sales,
    shown_against,
)
from kpi.selectors.targets import targets_for
from visits.models import Visit
from visits.selectors import counted_visits_column
from visits.selectors.compliance import quotas_for

Step = StatementLine.Step
User = get_user_model()
#: The largest amount a statement's columns hold (14 digits, 2 of them decimals).
MAX_MONEY = Decimal("999999999999.99")


def plain(value: Decimal) -> str:
    """A JSON-safe figure for ``inputs``: ``"1250.00"``."""
    return f"{value:.2f}"


# --- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """Everything the computation reads about one rep and month (``compute_many`` loads them)."""

    rep_id: int
    period: str
    net_sales: Decimal = ZERO
    collections: Decimal = ZERO
    expenses: Decimal = ZERO
    #: The approved (or acknowledged) target's expense rate target, % of net sales; None: no target.
    expense_rate_target: Decimal | None = None
    visit_shortfall: int = 0
    false_reports: int = 0
    fabricated_reports: int = 0
    #: The visits behind those counts, oldest first: ``{"id", "date", "dealer", "reason"}`` each.
    false_visits: tuple[dict[str, Any], ...] = ()
    fabricated_visits: tuple[dict[str, Any], ...] = ()
    #: Total of the rep's *confirmed* scorecard of the month on the plan's template; None: none.
    scorecard_total: Decimal | None = None
    #: Total of an unconfirmed (draft) one, only to say so on the line.
    draft_scorecard_total: Decimal | None = None
    #: The rep's distribution coverage of the month; read only for a plan with a distribution gate.
    coverage: Coverage | None = None

    @property
    def collection_rate(self) -> Decimal | None:
        """Collections / net sales × 100 to 0.01; None when net sales are not positive."""
        return rate_of_sales(self.collections, self.net_sales)


def _rep_refs(reps: Iterable) -> list[Any]:
    """Users stay users; IDs become objects with ``pk`` (all ``compliance_for`` reads)."""
    refs, seen = [], set()
    for rep in reps:
        ref = SimpleNamespace(pk=rep) if isinstance(rep, int) else rep
        if ref.pk not in seen:
            seen.add(ref.pk)
            refs.append(ref)
    return refs


def _reported_visits(rep_ids: list[int], month: Month) -> defaultdict[tuple[int, str], list[dict[str, Any]]]:
    """The reps' visits of ``month`` marked false or fabricated, by (rep ID, status), oldest first, each
    with its date, dealer and the manager's reason (one query)."""
    rows = (
        Visit.objects.filter(
            rep_id__in=rep_ids,
            visited_on__range=(month.first_day, month.last_day),
            status__in=(Visit.Status.FALSE_REPORT, Visit.Status.FABRICATED),
        )
        .order_by("visited_at", "pk")
        .values_list("pk", "rep_id", "status", "visited_on", "dealer__name", "review_comment")
    )
    found: defaultdict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for pk, rep_id, status, day, dealer, reason in rows:
        found[(rep_id, status)].append({"id": pk, "date": day.isoformat(), "dealer": dealer, "reason": reason})
    return found


def load_figures(reps: Iterable, month: Month | str, plans: Mapping[int, CommissionPlan]) -> dict[int, Figures]:
    """The figures of each rep (user or ID) for ``month``, by rep ID, in at most seven queries whatever the
    number of reps: one row per rep with its month's net sales, collections, expenses and counted visits —
    each a correlated aggregate over that rep's month, so that the database
    reads only the chunk's rows through the (rep, date) indexes, however many reps the month has —; the
    visits marked false or fabricated, with their reasons (``_reported_visits``); the approved targets
    (``targets.targets_for``); the visit quotas (``compliance.quotas_for``); the scorecards on the
    templates of ``plans`` (none when no plan uses a scorecard); and the distribution coverage of the reps
    whose plan has a distribution gate (two queries, ``inventory.selectors.rep_coverage``; none when no
    plan has one).

    The same figures as ``measures.month_figures`` and ``compliance.compliance_for`` give (the shortfall
    is ``max(0, monthly minimum − counted visits)``), without the weekly and daily breakdowns the
    computation does not use."""
    month = month if isinstance(month, Month) else Month.parse(month)
    refs = _rep_refs(reps)
    if not refs:
        return {}
    rep_ids = [ref.pk for ref in refs]
    code = str(month)
    rows = {
        row["pk"]: row
        for row in User.objects.filter(pk__in=rep_ids)
        .order_by()
        .annotate(**month_fact_columns(month), visits_counted=counted_visits_column(month))
        .values("pk", *FACT_FIGURES, "visits_counted")
    }
    reported = _reported_visits(rep_ids, month)
    targets = targets_for(rep_ids, [month])
    quotas = quotas_for(rep_ids)
    templates = {
        rep_id: plan.scorecard_template_id
        for rep_id, plan in plans.items()
        if plan.use_scorecard and plan.scorecard_template_id
    }
    gated = [rep_id for rep_id in rep_ids if rep_id in plans and plans[rep_id].distribution_gate is not None]
    coverages = rep_coverage(gated, month) if gated else {}
    cards: dict[tuple[int, int], Scorecard] = {}
    if templates:
        for card in Scorecard.objects.filter(
            rep_id__in=list(templates), period=code, template_id__in=set(templates.values())
        ).only("rep_id", "template_id", "status", "total"):
            cards[(card.rep_id, card.template_id)] = card
    result = {}
    for rep_id in rep_ids:
        row = rows.get(rep_id, {})
        facts = month_facts_of(row)
        target = targets.get((rep_id, code))
        card = cards.get((rep_id, templates.get(rep_id)))
        confirmed = card is not None and card.status == Scorecard.Status.CONFIRMED
        counted = row.get("visits_counted") or 0
        result[rep_id] = Figures(
            rep_id=rep_id,
            period=code,
            net_sales=facts.net_sales,
            collections=facts.collections,
            expenses=facts.expenses,
            expense_rate_target=target.expense_rate_target if target is not None else None,
            visit_shortfall=max(0, quotas[rep_id].monthly_min - counted),
            false_reports=len(reported[(rep_id, Visit.Status.FALSE_REPORT)]),
            fabricated_reports=len(reported[(rep_id, Visit.Status.FABRICATED)]),
            false_visits=tuple(reported[(rep_id, Visit.Status.FALSE_REPORT)]),
            fabricated_visits=tuple(reported[(rep_id, Visit.Status.FABRICATED)]),
            scorecard_total=card.total if confirmed else None,
            draft_scorecard_total=card.total if card is not None and not confirmed else None,
            coverage=coverages.get(rep_id),
        )
    return result


# --- the result ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    """A statement line before it is stored: ``inputs`` hold JSON-safe strings (and, for the tiers, a list
    of bands, each a dict of strings) and the cases the computation decided; its sentence is rendered
    from them in the reader's language (``description``, ``line_texts.line_text``), never stored."""

    step: str
    inputs: dict[str, Any]
    amount: Decimal
    #: A carry-forward line: the ID of the statement whose negative net it carries.
    carried_from: int | None = None

    @property
    def description(self) -> str:
        from commissions.services.line_texts import line_text

        return line_text(self.step, self.inputs, self.amount)


def _line(step: str, inputs: dict[str, Any], amount: Decimal, carried_from: int | None = None) -> LineDraft:
    return LineDraft(step=str(step), inputs=inputs, amount=round_cent(amount), carried_from=carried_from)


@dataclass
class Computation:
    """One rep's month computed: the amounts of the statement and its lines, in order.

    ``gross_amount`` is the commission before deductions (tiers, then the gates and scorecard factor);
    ``net_amount`` = carried forward + gross − deductions + adjustments; when it is positive,
    ``payable_amount`` = net − retained; when it is negative nothing is payable and the whole net is
    ``carried_forward`` into the rep's next monthly statement (SPEC §6).
    """

    rep_id: int
    period: str
    plan: CommissionPlan
    base_amount: Decimal
    gross_amount: Decimal
    deductions_amount: Decimal
    retention: Decimal
    #: The steps up to the deductions (base … fabricated).
    head: list[LineDraft]
    adjustments: list[LineDraft] = field(default_factory=list)
    #: Negative months of earlier statements carried into this one (the statement starts with them).
    carried: list[LineDraft] = field(default_factory=list)
    net_amount: Decimal = ZERO
    retained_amount: Decimal = ZERO
    payable_amount: Decimal = ZERO
    carried_forward: Decimal = ZERO
    #: Net, retained (when the plan retains) and payable.
    tail: list[LineDraft] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._close()

    @property
    def lines(self) -> list[LineDraft]:
        """Every line in order: carried forward, the steps, the adjustments, then net, retained and payable."""
        return [*self.carried, *self.head, *self.adjustments, *self.tail]

    @property
    def adjustments_amount(self) -> Decimal:
        return sum((line.amount for line in self.adjustments), ZERO)

    @property
    def carried_amount(self) -> Decimal:
        return sum((line.amount for line in self.carried), ZERO)

    def add_adjustment(self, inputs: dict[str, Any], amount: Decimal) -> LineDraft:
        """Add an adjustment line (``amount`` signed: positive in the rep's favour, rounded to 0.01)
        before the net, and recompute net, retained and payable with their lines."""
        line = _line(Step.ADJUSTMENT, dict(inputs), Decimal(amount))
        self.adjustments.append(line)
        self._close()
        return line

    def add_carried(self, inputs: dict[str, Any], amount: Decimal, source: int) -> LineDraft:
        """Start the statement with the negative month of statement ``source`` carried forward
        (``amount`` < 0), and recompute."""
        line = _line(Step.CARRY_FORWARD, dict(inputs), Decimal(amount), carried_from=source)
        self.carried.append(line)
        self._close()
        return line

    def _close(self) -> None:
        """Steps 6–7: net, retained, payable and carried forward from the gross, the deductions, the
        adjustments and the months carried in."""
        adjustments = self.adjustments_amount
        carried = self.carried_amount
        self.net_amount = carried + self.gross_amount - self.deductions_amount + adjustments
        inputs = {
            "gross": plain(self.gross_amount),
            "deductions": plain(self.deductions_amount),
            "net": plain(self.net_amount),
        }
        if self.adjustments:
            inputs["adjustments"] = plain(adjustments)
        if self.carried:
            inputs["carried"] = plain(carried)
        tail = [_line(Step.NET, inputs, self.net_amount)]

        self.retained_amount = ZERO
        if self.retention > 0:
            if self.net_amount > 0:
                self.retained_amount = round_cent(self.net_amount * self.retention / HUNDRED)
            retained_inputs = {
                "retention": plain(self.retention),
                "net": plain(self.net_amount),
                "retained": plain(self.retained_amount),
            }
            tail.append(_line(Step.RETAINED, retained_inputs, self.retained_amount))

        if self.net_amount < 0:
            # a negative month is not paid (nor taken from the rep's pay here): it is carried forward
            self.payable_amount = ZERO
            self.carried_forward = self.net_amount
        else:
            self.payable_amount = self.net_amount - self.retained_amount
            self.carried_forward = ZERO
        payable_inputs = {
            "net": plain(self.net_amount),
            "retained": plain(self.retained_amount),
            "payable": plain(self.payable_amount),
            "carried_forward": plain(self.carried_forward),
        }
        tail.append(_line(Step.PAYABLE, payable_inputs, self.payable_amount))
        self.tail = tail


def overflowing(computation: Computation) -> tuple[str, Decimal] | None:
    """The first amount of ``computation`` (a statement field, or a line's step) beyond what a statement
    holds (± ``MAX_MONEY``), with its value; None when everything fits."""
    for name in Statement.AMOUNT_FIELDS:
        value = getattr(computation, name)
        if abs(value) > MAX_MONEY:
            return name, value
    for line in computation.lines:
        if abs(line.amount) > MAX_MONEY:
            return str(line.step), line.amount
    return None


# --- the steps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BandPart:
    """The part of the base that falls in one band, and what it earns (rounded to 0.01)."""

    start: Decimal
    end: Decimal | None  # the next band's start; None for the last band
    rate: Decimal
    portion: Decimal
    amount: Decimal


def apply_tiers(base: Decimal, tiers: list[tuple[Decimal, Decimal]], mode: str) -> tuple[Decimal, list[BandPart]]:
    """The gross of ``base`` on ``tiers`` (``(from_amount, rate)`` sorted by start, the first at 0),
    and the bands that made it. Each band's amount is rounded to 0.01 half up; the gross is their sum.

    A base ≤ 0 falls in the first band whatever the mode: a negative base (credit notes exceeding the
    month's sales) gives a negative gross at the first band's rate — a claw-back.
    """
    if not tiers:
        return ZERO, []
    ends = [start for start, _rate in tiers[1:]] + [None]
    bands = [(start, end, rate) for (start, rate), end in zip(tiers, ends, strict=True)]
    if base <= 0:
        start, end, rate = bands[0]
        part = BandPart(start, end, rate, base, round_cent(base * rate / HUNDRED))
        return part.amount, [part]
    if mode == CommissionPlan.TierMode.FLAT:
        # The band whose start is the highest not above the base: a base exactly at a start is in it.
        start, end, rate = next(band for band in reversed(bands) if band[0] <= base)
        part = BandPart(start, end, rate, base, round_cent(base * rate / HUNDRED))
        return part.amount, [part]
    parts = []
    for start, end, rate in bands:
        if base <= start:
            break
        portion = (min(base, end) if end is not None else base) - start
        parts.append(BandPart(start, end, rate, portion, round_cent(portion * rate / HUNDRED)))
    return sum((part.amount for part in parts), ZERO), parts


def _base_line(plan: CommissionPlan, figures: Figures) -> tuple[Decimal, LineDraft]:
    base = figures.collections if plan.base == CommissionPlan.Base.COLLECTIONS else figures.net_sales
    inputs = {
        "base": str(plan.base),
        "period": figures.period,
        "net_sales": plain(figures.net_sales),
        "collections": plain(figures.collections),
    }
    return base, _line(Step.BASE, inputs, base)


def _gross_line(plan: CommissionPlan, base: Decimal) -> tuple[Decimal, LineDraft]:
    tiers = [(tier.from_amount, tier.rate) for tier in sorted(plan.tiers.all(), key=lambda tier: tier.from_amount)]
    gross, parts = apply_tiers(base, tiers, plan.tier_mode)
    inputs = {
        "basis": str(plan.base),
        "base": plain(base),
        "mode": str(plan.tier_mode),
        "bands": [
            {
                "from_amount": plain(part.start),
                "to_amount": plain(part.end) if part.end is not None else "",
                "rate": plain(part.rate),
                "portion": plain(part.portion),
                "amount": plain(part.amount),
            }
            for part in parts
        ],
    }
    return gross, _line(Step.GROSS, inputs, gross)


def _gate_line(plan: CommissionPlan, figures: Figures, gross: Decimal) -> tuple[Decimal, LineDraft]:
    """Step 3. The exact collection rate (collections × 100 against gate × net sales) decides; the rate
    shown has as many decimals as it takes not to contradict the decision (79.999 % < 80.00 %)."""
    gate = plan.collection_gate
    exact = exact_rate_of_sales(figures.collections, figures.net_sales)
    rate = shown_against(exact, gate)
    if exact is None:
        decision = "undefined"
    elif not meets(exact, gate):
        decision, gross = "below", ZERO
    else:
        decision = "met"
    inputs = {
        "gate": plain(gate),
        "collections": plain(figures.collections),
        "net_sales": plain(figures.net_sales),
        "collection_rate": str(rate) if rate is not None else "",
        "decision": decision,
    }
    return gross, _line(Step.GATE, inputs, gross)


def _distribution_gate_line(plan: CommissionPlan, coverage: Coverage, gross: Decimal) -> tuple[Decimal, LineDraft]:
    """Step 3b. The exact coverage (covered × 100 against gate × active, ``Coverage.below``) decides; the
    coverage shown has as many decimals as it takes not to contradict the decision (2 of 3 terminals
    = 66.666… % against a 66.67 % gate shows 66.667 %, not 66.67 %). No active terminals: the coverage is
    undefined and the gate does not apply. A claw-back (negative gross) is not cancelled by the gate."""
    gate = plan.distribution_gate
    shown = shown_against(exact_percent(coverage.covered, coverage.active), gate)
    if not coverage.active:
        decision = "undefined"
    elif coverage.below(gate):
        # a negative gross recovers commission on returned sales: poor coverage must not cancel it
        decision = "claw_back" if gross < 0 else "below"
        gross = gross if gross < 0 else ZERO
    else:
        decision = "met"
    inputs = {
        "gate": plain(gate),
        "coverage": str(shown) if shown is not None else None,
        "covered": coverage.covered,
        "active": coverage.active,
        "decision": decision,
    }
    return gross, _line(Step.DISTRIBUTION_GATE, inputs, gross)


def _scorecard_line(plan: CommissionPlan, figures: Figures, gross: Decimal) -> tuple[Decimal, LineDraft]:
    template = plan.scorecard_template
    total = figures.scorecard_total
    inputs = {
        "template": template.code if template is not None else "",
        "template_name": template.name if template is not None else "",
        "period": figures.period,
        "gross": plain(gross),
        "scorecard_total": plain(total) if total is not None else "",
    }
    if gross < 0:
        # A claw-back recovers commission on returned sales: the month's score neither scales it nor,
        # when the scorecard is missing, cancels it.
        inputs["case"] = "claw_back"
        return gross, _line(Step.SCORECARD, inputs, gross)
    if total is None:
        if figures.draft_scorecard_total is not None:
            inputs.update(case="not_confirmed", draft_scorecard_total=plain(figures.draft_scorecard_total))
        else:
            inputs["case"] = "none"
        return ZERO, _line(Step.SCORECARD, inputs, ZERO)
    inputs["case"] = "confirmed"
    result = round_cent(gross * total / HUNDRED)
    return result, _line(Step.SCORECARD, inputs, result)


def _expenses_line(plan: CommissionPlan, figures: Figures) -> LineDraft:
    share = plan.over_budget_expense_share
    target = figures.expense_rate_target
    inputs = {
        "period": figures.period,
        "expenses": plain(figures.expenses),
        "net_sales": plain(figures.net_sales),
        "expense_rate_target": plain(target) if target is not None else "",
        "share": plain(share),
    }
    if target is None:
        inputs.update(budget="", over_budget="")
        return _line(Step.EXPENSES, inputs, ZERO)
    # A budget is never negative: with no positive net sales every expense is over budget.
    budget = round_cent(target * max(figures.net_sales, ZERO) / HUNDRED)
    over = max(ZERO, figures.expenses - budget)
    inputs.update(budget=plain(budget), over_budget=plain(over))
    return _line(Step.EXPENSES, inputs, round_cent(over * share / HUNDRED))


def _count_line(step: str, count: int, each: Decimal, visits: Iterable[dict[str, Any]] = ()) -> LineDraft:
    """A deduction of ``each`` per occurrence. ``visits`` (false or fabricated ones) go into the inputs,
    each with its ID, date, dealer and the reason it was marked: the statement names them with links."""
    inputs: dict[str, Any] = {"count": str(count), "per_unit": plain(each)}
    visits = list(visits)
    if visits:
        inputs["visits"] = visits
    return _line(step, inputs, round_cent(each * count))


def _deduction_lines(plan: CommissionPlan, figures: Figures) -> list[LineDraft]:
    """Step 5: the deductions the plan makes (a share or an amount above 0), each as a positive amount."""
    lines = []
    if plan.over_budget_expense_share > 0:
        lines.append(_expenses_line(plan, figures))
    if plan.visit_shortfall_deduction > 0:
        lines.append(_count_line(Step.SHORTFALL, figures.visit_shortfall, plan.visit_shortfall_deduction))
    if plan.false_report_deduction > 0:
        lines.append(
            _count_line(Step.FALSE_REPORTS, figures.false_reports, plan.false_report_deduction, figures.false_visits)
        )
    if plan.fabricated_deduction > 0:
        lines.append(
            _count_line(
                Step.FABRICATED, figures.fabricated_reports, plan.fabricated_deduction, figures.fabricated_visits
            )
        )
    return lines


# --- the computation -------------------------------------------------------------------------------


def compute(rep, month: Month | str, plan: CommissionPlan, *, figures: Figures | None = None) -> Computation:
    """``rep``'s commission for ``month`` on ``plan`` (SPEC §6, steps 1–8), with its lines.

    ``figures`` are the month's inputs (``load_figures``); without them they are read for this rep
    (seven queries at most). No query otherwise when ``plan.tiers`` is prefetched — except the rep's
    coverage (two) when the plan has a distribution gate and ``figures`` were made without it. Writes
    nothing.
    """
    month = month if isinstance(month, Month) else Month.parse(month)
    rep_id = rep if isinstance(rep, int) else rep.pk
    if figures is None:
        figures = load_figures([rep], month, {rep_id: plan})[rep_id]

    base, base_line = _base_line(plan, figures)
    gross, gross_line = _gross_line(plan, base)
    head = [base_line, gross_line]
    if plan.collection_gate is not None:
        gross, line = _gate_line(plan, figures, gross)
        head.append(line)
    if plan.distribution_gate is not None:
        coverage = figures.coverage if figures.coverage is not None else rep_coverage([rep_id], month)[rep_id]
        gross, line = _distribution_gate_line(plan, coverage, gross)
        head.append(line)
    if plan.use_scorecard:
        gross, line = _scorecard_line(plan, figures, gross)
        head.append(line)
    deductions = _deduction_lines(plan, figures)
    head.extend(deductions)
    return Computation(
        rep_id=rep_id,
        period=str(month),
        plan=plan,
        base_amount=round_cent(base),
        gross_amount=round_cent(gross),
        deductions_amount=sum((line.amount for line in deductions), ZERO),
        retention=plan.retention,
        head=head,
    )


def compute_many(reps: Iterable, month: Month | str) -> dict[int, Computation | None]:
    """Each rep's computation for ``month`` by rep ID; None for a rep without a plan on the month's
    last day. At most nine queries whatever the number of reps: the plans (two, ``plans_for``) and the
    figures (five, ``load_figures``, and two more for the coverage when a plan has a distribution gate)."""
    month = month if isinstance(month, Month) else Month.parse(month)
    refs = _rep_refs(reps)
    plans = plans_for([ref.pk for ref in refs], month)
    with_plan = [ref for ref in refs if ref.pk in plans]
    figures = load_figures(with_plan, month, plans)
    return {
        ref.pk: compute(ref.pk, month, plans[ref.pk], figures=figures[ref.pk]) if ref.pk in plans else None
        for ref in refs
    }
