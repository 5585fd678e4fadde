"""The explanation of each scorecard line, rendered in the reader's language from the facts the scoring
stored (``ScorecardLine.facts``: the reading, the target and how the score was reached). Nothing here is
stored (STYLE: store facts, render words). Lines scored before keep their stored ``explanation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from channelhub.formatting import as_decimal as _d
from channelhub.formatting import money, percent


def number(value: Any) -> str:
    figure = _d(value)
    if figure is None:
        return "—"
    return f"{figure:.0f}" if figure == figure.to_integral_value() else f"{figure:.2f}"


def _figure(value: Any, is_percent: bool) -> str:
    return percent(_d(value)) if is_percent else number(value)


COUNTS = {
    "new_dealers": ngettext_lazy("%(count)s dealer activated", "%(count)s dealers activated", "count"),
    "visits_counted": ngettext_lazy("%(count)s visit counted", "%(count)s visits counted", "count"),
    "distinct_dealers": ngettext_lazy(
        "%(count)s distinct dealer visited", "%(count)s distinct dealers visited", "count"
    ),
    "trainings": ngettext_lazy("%(count)s training held", "%(count)s trainings held", "count"),
    "complaints_late": ngettext_lazy(
        "%(count)s complaint responded to more than 4 h after receipt",
        "%(count)s complaints responded to more than 4 h after receipt",
        "count",
    ),
}


def reading_text(reading: Mapping[str, Any]) -> str:
    case = reading.get("case", "")
    if case == "sales_no_target":
        return _("net sales %(sales)s; no approved sales target for %(period)s") % {
            "sales": money(reading.get("sales")),
            "period": reading.get("period", ""),
        }
    if case == "sales_target_zero":
        return _("net sales %(sales)s / sales target %(target)s: undefined") % {
            "sales": money(reading.get("sales")),
            "target": money(0),
        }
    if case == "sales":
        return _("net sales %(sales)s / sales target %(target)s") % {
            "sales": money(reading.get("sales")),
            "target": money(reading.get("target")),
        }
    if case in ("expense_rate", "collection_rate"):
        values = {"sales": money(reading.get("sales"))}
        if case == "expense_rate":
            text = _("expenses %(expenses)s / net sales %(sales)s") % {
                **values,
                "expenses": money(reading.get("amount")),
            }
        else:
            text = _("collections %(collections)s / net sales %(sales)s") % {
                **values,
                "collections": money(reading.get("amount")),
            }
        if reading.get("undefined"):
            return text + " — " + _("no positive net sales: the rate is undefined")
        return text
    if case == "category_share":
        text = _("%(category)s sales %(part)s / net sales %(sales)s") % {
            "category": reading.get("category", "—"),
            "part": money(reading.get("part")),
            "sales": money(reading.get("sales")),
        }
        if reading.get("undefined"):
            return text + " — " + _("no positive net sales: the share is undefined")
        return text
    if case == "visit_compliance":
        return _("%(count)s visits counted / monthly minimum %(minimum)s (at most 100 %%)") % reading
    if case in COUNTS:
        return COUNTS[case] % {"count": int(reading.get("count") or 0)}
    return ""


def score_text(score: Mapping[str, Any], shown: str, target: str) -> str:
    case = score.get("case")
    if case == "manager":
        return _("manager's score %(score)s") % {"score": score.get("value", "")}
    if case == "self":
        return _("self-evaluation %(score)s, not yet confirmed by the manager") % {"score": score.get("value", "")}
    if case == "unscored":
        return _("not scored yet: 0")
    if case == "deduction":
        return _("score = max(0, 100 − %(points)s × %(count)s) = %(score)s") % score
    if case == "undefined":
        return _("undefined actual: score 0")
    if case == "no_target":
        return _("no target: score 0")
    if case == "threshold":
        return _("%(actual)s %(sign)s %(target)s? %(answer)s → score %(score)s") % {
            "actual": shown,
            "sign": "≤" if score.get("lower_is_better") else "≥",
            "target": target,
            "answer": _("met") if score.get("met") else _("not met"),
            "score": score.get("score", ""),
        }
    if case == "ratio_actual_zero":
        return _("actual 0: score = cap %(cap)s × 100 = %(score)s") % score
    if case == "ratio_target_zero":
        return _("target 0: score %(score)s") % score
    if case == "ratio":
        return _("score = min(%(a)s / %(b)s, %(cap)s) × 100 = %(score)s") % score
    return ""


def explanation(facts: Mapping[str, Any] | None) -> str:
    """The line's arithmetic in words: how the actual came about, the target, the score."""
    facts = facts or {}
    is_percent = bool(facts.get("percent"))
    shown = _figure(facts.get("shown"), is_percent)
    target = _figure(facts.get("target"), is_percent)
    parts = []
    reading = reading_text(facts.get("reading") or {})
    if reading and facts.get("formula"):
        reading = f"{reading} = {shown}"
    parts.append(reading)
    if facts.get("target") not in (None, ""):
        if facts.get("target_source") == "template":
            parts.append(_("target %(target)s (set on the template)") % {"target": target})
        else:
            parts.append(_("target %(target)s") % {"target": target})
    parts.append(score_text(facts.get("score") or {}, shown, target))
    return "; ".join(part for part in parts if part)
