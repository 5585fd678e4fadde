"""How a scorecard item is scored (SPEC §5): the rules a template must follow, the data of a rep's
month, each metric's actual and default target, and the four methods.

* ``ratio``: min(actual / target, cap) × 100, never below 0; lower-is-better min(target / actual,
  cap) × 100, an actual of 0 scoring cap × 100. A target of 0 for a higher-is-better metric asks
  for nothing: 100 when the actual is 0 too, cap × 100 above it.
* ``threshold``: 100 when met (actual ≥ target; ≤ for lower-is-better), else 0.
* ``deduction``: max(0, 100 − points × occurrences).
* ``manual``: the manager's score if set, else the rep's self-evaluation, else 0.

An undefined actual (a rate over no net sales, "—") or a missing target scores 0: nothing is credited
that cannot be measured, and the line's explanation says why. Scores and weighted scores are rounded
to 0.01 half up, from the actual and target as shown (rounded to 0.01), so that a reader can redo
every line from the page.

Metric definitions where SPEC §5 is silent (docs/kpi/scorecards.md):

* ``new_dealers``: dealers the rep owns that made the ``activate`` transition (qualified → active,
  when the first agreement is signed) in the month, in ``TIME_ZONE``; a reactivation is not new;
* ``visit_compliance``: visits counted / the rep's monthly minimum × 100, at most 100;
* ``complaints_late``: complaints (``inspections.Complaint``) received in the month and assigned to the rep
  that were responded to more than 4 hours after receipt, or not at all when the 4 hours are over
  (``inspections.selectors.complaints_late``);
* ``trainings``: counted visits of kind ``training``; ``distinct_dealers`` and ``visits_counted`` as
  the visit compliance counts them (false and fabricated reports never count).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kpi.models import (
    Method,
    Metric,
    ScorecardLine,
    ScorecardTemplate,
    ScorecardTemplateItem,
)
from kpi.selectors.measures import (
    HUNDRED,
    ZERO,
    exact_percent,
    exact_rate_of_sales,
    meets,
    round_cent,
    shown_against,
)
from kpi.selectors.scorecards import RepMonth

#: Metrics that are percentages (the others count things).
PERCENT_METRICS = frozenset(
    {
        Metric.SALES_ACHIEVEMENT,
        Metric.EXPENSE_RATE,
        Metric.COLLECTION_RATE,
        Metric.CATEGORY_SHARE,
        Metric.VISIT_COMPLIANCE,
    }
)
#: Metrics whose target, when the item sets none, comes from the rep (their Target row or quota).
DEFAULT_TARGET_METRICS = frozenset(
    {
        Metric.SALES_ACHIEVEMENT,
        Metric.EXPENSE_RATE,
        Metric.COLLECTION_RATE,
        Metric.CATEGORY_SHARE,
        Metric.NEW_DEALERS,
        Metric.VISITS_COUNTED,
        Metric.VISIT_COMPLIANCE,
    }
)
WEIGHT_TOTAL = Decimal(100)
#: The largest actual or target a scorecard line holds (16 digits, 2 of them decimals).
COLUMN_MAX = Decimal("99999999999999.99")


# --- template rules --------------------------------------------------------------------------------


def weights_problem(weights: Iterable[Decimal]) -> str | None:
    """Why these item weights are not a template's (they must add up to 100), or None."""
    weights = list(weights)
    total = sum((Decimal(w) for w in weights), ZERO)
    if not weights:
        return _("A template needs at least one item.")
    if total != WEIGHT_TOTAL:
        return _("The items' weights add up to %(total)s; they must add up to 100.") % {"total": f"{total:.2f}"}
    return None


def item_problems(item: ScorecardTemplateItem) -> dict[str, str]:
    """What is wrong with one item, by field: the method and metric must go together."""
    problems: dict[str, str] = {}
    is_manual_metric, is_manual_method = item.metric == Metric.MANUAL, item.method == Method.MANUAL
    if is_manual_metric != is_manual_method:
        problems["method"] = _("The manual metric goes with the manual method, and only with it.")
    if item.method == Method.DEDUCTION and not item.points:
        problems["points"] = _("A deduction needs the points lost per occurrence.")
    if item.metric == Metric.CATEGORY_SHARE and item.category_id is None:
        problems["category"] = _("Choose the category whose share of sales is measured.")
    if (
        item.method in (Method.RATIO, Method.THRESHOLD)
        and item.target is None
        and item.metric not in DEFAULT_TARGET_METRICS
    ):
        problems["target"] = _("This metric has no target of the rep's to fall back on: set one.")
    if item.target is not None and item.target < 0:
        problems["target"] = _("A target is not negative.")
    if item.cap is not None and item.cap < 1:
        problems["cap"] = _("The cap is at least 1.00.")
    return problems


def check_template(template: ScorecardTemplate, items: list[ScorecardTemplateItem]) -> None:
    """Refuse (400) a template that cannot be scored: weights not adding up to 100, or a bad item."""
    messages = []
    if problem := weights_problem(item.weight for item in items):
        messages.append(problem)
    for item in items:
        for problem in item_problems(item).values():
            messages.append(f"{item}: {problem}")
    if messages:
        intro = _("The template “%(template)s” cannot be used:") % {"template": template.display_name}
        raise ValidationError({"template": [f"{intro} {' '.join(messages)}"]})


# --- scoring methods -------------------------------------------------------------------------------


def ratio_score(actual: Decimal | None, target: Decimal | None, cap: Decimal, lower_is_better: bool) -> Decimal:
    if actual is None or target is None:
        return ZERO
    if lower_is_better:
        if actual <= 0:
            return round_cent(cap * HUNDRED)
        ratio = target / actual
    else:
        if target <= 0:
            return round_cent(cap * HUNDRED) if actual > 0 else HUNDRED.quantize(Decimal("0.01"))
        ratio = actual / target
    return round_cent(max(ZERO, min(ratio, cap)) * HUNDRED)


def threshold_met(actual: Fraction | Decimal | None, target: Decimal | None, lower_is_better: bool) -> bool:
    """Compared exactly: give the exact actual (a ``Fraction`` for a rate), never a rounded one."""
    return meets(actual, target, lower_is_better=lower_is_better)


def threshold_score(actual: Fraction | Decimal | None, target: Decimal | None, lower_is_better: bool) -> Decimal:
    return round_cent(HUNDRED if threshold_met(actual, target, lower_is_better) else ZERO)


def deduction_score(points: Decimal, occurrences: Decimal | None) -> Decimal:
    return round_cent(max(ZERO, HUNDRED - points * (occurrences or ZERO)))


def manual_score(manager_score: Decimal | None, self_score: Decimal | None) -> Decimal:
    if manager_score is not None:
        return round_cent(manager_score)
    if self_score is not None:
        return round_cent(self_score)
    return round_cent(ZERO)


def weighted(score: Decimal, weight: Decimal) -> Decimal:
    return round_cent(score * weight / HUNDRED)


# --- the data of a rep's month ---------------------------------------------------------------------


# --- reading a metric ------------------------------------------------------------------------------


def number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.2f}"


@dataclass(frozen=True)
class Reading:
    """A metric's actual (exact: a ``Fraction`` for a rate, an integer count) and the figures it came
    from (``facts``: ``case`` and strings), rendered into words when the line is read
    (``scorecard_texts``). ``formula`` readings (a rate: "collections … / net sales …") end with
    "= <actual>": beside a threshold the actual is shown with the decimals its decision needs."""

    actual: Fraction | Decimal | None
    facts: dict
    formula: bool = False


def _m(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def read_metric(item: ScorecardTemplateItem, data: RepMonth) -> Reading:
    metric = item.metric
    if metric == Metric.SALES_ACHIEVEMENT:
        m = data.measures
        facts = {"case": "sales", "sales": _m(m.net_sales), "target": _m(m.sales_target), "period": m.period}
        if m.sales_target is None:
            return Reading(None, {**facts, "case": "sales_no_target"})
        if m.sales_achievement is None:
            return Reading(None, {**facts, "case": "sales_target_zero"})
        return Reading(exact_percent(m.net_sales, m.sales_target), facts, formula=True)
    if metric in (Metric.EXPENSE_RATE, Metric.COLLECTION_RATE):
        m = data.measures
        amount = m.expenses if metric == Metric.EXPENSE_RATE else m.collections
        facts = {"case": metric, "amount": _m(amount), "sales": _m(m.net_sales)}
        exact = exact_rate_of_sales(amount, m.net_sales)
        if exact is None:
            return Reading(None, {**facts, "undefined": True})
        return Reading(exact, facts, formula=True)
    if metric == Metric.CATEGORY_SHARE:
        net_sales = data.measures.net_sales
        category_sales = data.category_sales.get(item.category_id, ZERO)
        exact = exact_rate_of_sales(category_sales, net_sales)
        facts = {
            "case": "category_share",
            "category": item.category.name if item.category else "—",
            "part": _m(category_sales),
            "sales": _m(net_sales),
        }
        if exact is None:
            return Reading(None, {**facts, "undefined": True})
        return Reading(exact, facts, formula=True)
    if metric == Metric.VISIT_COMPLIANCE:
        count, minimum = data.compliance.visits_counted, data.compliance.monthly_min
        # visits counted / monthly minimum × 100, capped at 100 (doing more than the quota is not
        # "more compliant"); a minimum of 0 asks for nothing and is met.
        exact = min(Fraction(100), Fraction(count * 100, minimum)) if minimum else Fraction(100)
        return Reading(exact, {"case": "visit_compliance", "count": count, "minimum": minimum}, formula=True)
    counts = {
        Metric.NEW_DEALERS: lambda: data.new_dealers,
        Metric.VISITS_COUNTED: lambda: data.compliance.visits_counted,
        Metric.DISTINCT_DEALERS: lambda: data.compliance.distinct_dealers,
        Metric.TRAININGS: lambda: data.visit_kinds["trainings"],
        Metric.COMPLAINTS_LATE: lambda: data.visit_kinds["complaints_late"],
    }
    if metric in counts:
        count = counts[metric]()
        return Reading(Decimal(count), {"case": str(metric), "count": count})
    return Reading(None, {})  # manual: there is nothing to measure


def _default_target(item: ScorecardTemplateItem, data: RepMonth) -> Decimal | None:
    """The rep's own target for ``item`` when the item sets none: 100 (%) of the sales target (when
    the rep has one), the expense and collection rate targets and the new dealers target of their
    approved Target, a category share target of it, the quota's monthly minimum of visits, and
    100 % visit compliance."""
    metric, target = item.metric, data.target
    if metric == Metric.VISIT_COMPLIANCE:
        return HUNDRED
    if metric == Metric.VISITS_COUNTED:
        return Decimal(data.compliance.monthly_min)
    if target is None:
        return None
    if metric == Metric.SALES_ACHIEVEMENT:
        return HUNDRED
    if metric == Metric.EXPENSE_RATE:
        return target.expense_rate_target
    if metric == Metric.COLLECTION_RATE:
        return target.collection_rate_target
    if metric == Metric.NEW_DEALERS:
        return Decimal(target.new_dealers_target)
    if metric == Metric.CATEGORY_SHARE:
        return data.category_share_targets.get(item.category_id)
    return None


def _cents(value: Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        return round_cent(Decimal(value.numerator) / Decimal(value.denominator))
    return round_cent(value)


def score_line(item: ScorecardTemplateItem, line: ScorecardLine, data: RepMonth | None) -> None:
    """Fill ``line``'s actual, target, score, weight, weighted score and the facts of its explanation
    (``line.facts``, rendered in the reader's language by ``scorecard_texts``) from ``item``.

    ``data`` may be None for a manual item (re-scoring after a self-evaluation or the manager's score).
    """
    line.weight = item.weight
    line.explanation = ""  # rendered from ``facts`` when read
    if item.method == Method.MANUAL:
        line.actual = line.target = None
        line.score = manual_score(line.manager_score, line.self_score)
        if line.manager_score is not None:
            line.facts = {"score": {"case": "manager", "value": number(line.manager_score)}}
        elif line.self_score is not None:
            line.facts = {"score": {"case": "self", "value": number(line.self_score)}}
        else:
            line.facts = {"score": {"case": "unscored"}}
        line.weighted_score = weighted(line.score, line.weight)
        return

    reading = read_metric(item, data)
    target = item.target if item.target is not None else _default_target(item, data)
    target = None if target is None else round_cent(target)
    exact = reading.actual
    if item.method == Method.THRESHOLD and exact is not None and target is not None:
        # The decision is on the exact actual; the figures shown agree with it: the column (two
        # decimals) rounded towards the decision where half up would cross the target, the text with
        # the decimals it takes (79.999 % is "not met" against 80.00 %, never "80.00 % not met").
        actual = shown_against(Fraction(exact), target, lower_is_better=item.lower_is_better, max_places=2)
        shown = shown_against(Fraction(exact), target, lower_is_better=item.lower_is_better)
    else:
        actual = None if exact is None else _cents(exact)
        shown = actual
    # the columns hold 16 digits: a figure beyond them (a rate on a tiny base) is shown, not stored
    line.actual = actual if actual is None or abs(actual) <= COLUMN_MAX else None
    line.target = target if target is None or abs(target) <= COLUMN_MAX else None
    facts = {
        "reading": reading.facts,
        "formula": reading.formula,
        "percent": item.metric in PERCENT_METRICS,
        "shown": None if shown is None else str(shown),
        "target": None if target is None else str(target),
        "target_source": "template" if item.target is not None else "rep",
    }

    if item.method == Method.DEDUCTION:
        line.score = deduction_score(item.points or ZERO, actual)
        score = {"case": "deduction", "points": number(item.points), "count": number(actual)}
    elif actual is None:
        line.score = round_cent(ZERO)
        score = {"case": "undefined"}
    elif target is None:
        line.score = round_cent(ZERO)
        score = {"case": "no_target"}
    elif item.method == Method.THRESHOLD:
        line.score = threshold_score(exact, target, item.lower_is_better)
        met = threshold_met(exact, target, item.lower_is_better)
        score = {"case": "threshold", "lower_is_better": item.lower_is_better, "met": met}
    else:
        line.score = ratio_score(actual, target, item.cap, item.lower_is_better)
        if item.lower_is_better and actual <= 0:
            score = {"case": "ratio_actual_zero", "cap": str(item.cap)}
        elif not item.lower_is_better and target <= 0:
            score = {"case": "ratio_target_zero"}
        else:
            numerator, denominator = (target, actual) if item.lower_is_better else (actual, target)
            score = {"case": "ratio", "a": str(numerator), "b": str(denominator), "cap": str(item.cap)}
    score["score"] = str(line.score)
    facts["score"] = score
    line.facts = facts
    line.weighted_score = weighted(line.score, line.weight)
