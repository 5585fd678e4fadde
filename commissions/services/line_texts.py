"""The sentence of each statement line, rendered in the reader's language from its step, inputs and amount
(STYLE: store facts, render words). Nothing here is stored: a line keeps its ``step``, its ``inputs``
(every figure as a string, and the cases the computation decided) and its ``amount``; the statement
page, the API and the exports call ``line_text``.

Lines written before the texts were rendered keep their stored ``description`` (``StatementLine.text``
prefers it when present).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from channelhub.formatting import as_decimal as _d
from channelhub.formatting import money
from channelhub.formatting import percent as pct


def _basis(inputs: Mapping[str, Any]) -> str:
    return _("collections") if inputs.get("basis") == "collections" else _("net sales")


def _base(inputs, amount) -> str:
    values = {"period": inputs.get("period", ""), "base": money(amount)}
    if inputs.get("base") == "collections":
        return (
            _("collections received in %(period)s (partial payments in the month the cash arrived) = %(base)s") % values
        )
    return _("net sales in %(period)s (sales less credit notes and returns dated in the month) = %(base)s") % values


def _gross(inputs, amount) -> str:
    bands = inputs.get("bands") or []
    base = _d(inputs.get("base")) or Decimal(0)
    values = {"what": _basis(inputs), "base": money(base), "gross": money(amount)}
    if not bands:
        return _("%(what)s %(base)s: the plan has no tiers → %(gross)s") % values
    if base < 0:
        return _(
            "%(what)s %(base)s is negative (returns exceed sales): claw-back at the first band's rate %(rate)s "
            "→ %(gross)s"
        ) % {**values, "rate": pct(bands[0].get("rate"))}
    if base == 0:
        return _("%(what)s %(base)s: nothing to pay → %(gross)s") % values
    if inputs.get("mode") == "flat":
        band = bands[0]
        end = money(band["to_amount"]) if band.get("to_amount") else "…"
        return _("%(what)s %(base)s × tiers (flat): in the band %(band)s, the whole base at %(rate)s → %(gross)s") % {
            **values,
            "band": f"{money(band['from_amount'])}–{end}",
            "rate": pct(band.get("rate")),
        }
    pieces = "; ".join(
        _("%(from)s–%(to)s at %(rate)s = %(amount)s")
        % {
            "from": money(band["from_amount"]),
            "to": money(_d(band["from_amount"]) + _d(band["portion"])),
            "rate": pct(band.get("rate")),
            "amount": money(band.get("amount")),
        }
        for band in bands
    )
    return _("%(what)s %(base)s × tiers (marginal): %(pieces)s → %(gross)s") % {**values, "pieces": pieces}


def _gate(inputs, amount) -> str:
    values = {
        "gate": pct(inputs.get("gate")),
        "rate": pct(inputs.get("collection_rate")) if inputs.get("collection_rate") else "—",
        "collections": money(inputs.get("collections")),
        "sales": money(inputs.get("net_sales")),
        "gross": money(amount),
    }
    decision = inputs.get("decision") or ("undefined" if not inputs.get("collection_rate") else "met")
    if decision == "undefined":
        text = _(
            "collections %(collections)s / net sales %(sales)s: no positive net sales, the collection rate is "
            "undefined and the gate %(gate)s does not apply → %(gross)s"
        )
    elif decision == "below":
        text = _(
            "collections %(collections)s / net sales %(sales)s = collection rate %(rate)s < gate %(gate)s: "
            "no commission this month → %(gross)s"
        )
    else:
        text = _(
            "collections %(collections)s / net sales %(sales)s = collection rate %(rate)s ≥ gate %(gate)s: "
            "the commission stands → %(gross)s"
        )
    return text % values


def _distribution_gate(inputs, amount) -> str:
    active = int(inputs.get("active") or 0)
    values = {
        "gate": pct(inputs.get("gate")),
        "coverage": pct(inputs.get("coverage")),
        "covered": int(inputs.get("covered") or 0),
        "active": active,
        "gross": money(amount),
    }
    decision = inputs.get("decision") or ("undefined" if not active else "met")
    if decision == "undefined":
        return (
            _(
                "no active terminals: the distribution coverage is undefined and the gate %(gate)s does not apply "
                "→ %(gross)s"
            )
            % values
        )
    terminals = (
        ngettext(
            "%(covered)s of %(active)s active terminal with stock or sell-out",
            "%(covered)s of %(active)s active terminals with stock or sell-out",
            active,
        )
        % values
    )
    values["terminals"] = terminals
    if decision == "below":
        text = _(
            "distribution coverage %(coverage)s (%(terminals)s) < gate %(gate)s: no commission this month → %(gross)s"
        )
    elif decision == "claw_back":
        text = _(
            "distribution coverage %(coverage)s (%(terminals)s) < gate %(gate)s, but the gross is a claw-back: "
            "it stands → %(gross)s"
        )
    else:
        text = _(
            "distribution coverage %(coverage)s (%(terminals)s) ≥ gate %(gate)s: the commission stands → %(gross)s"
        )
    return text % values


def _scorecard(inputs, amount) -> str:
    from kpi.scorecard_defaults import template_label

    values = {
        "template": template_label(inputs.get("template", ""), inputs.get("template_name", "")) or "—",
        "period": inputs.get("period", ""),
        "gross": money(inputs.get("gross")),
        "result": money(amount),
    }
    case = inputs.get("case")
    if case == "claw_back":
        return _("gross %(gross)s is a claw-back: the scorecard factor does not apply → %(gross)s") % values
    if case == "not_confirmed":
        return _(
            "the scorecard on %(template)s for %(period)s (total %(draft)s) is not confirmed yet: factor 0 "
            "until the manager confirms it → %(result)s"
        ) % {**values, "draft": inputs.get("draft_scorecard_total", "")}
    if case == "none":
        return _("no confirmed scorecard on %(template)s for %(period)s: factor 0 → %(result)s") % values
    return _("gross %(gross)s × scorecard total %(total)s / 100 (%(template)s, confirmed) = %(result)s") % {
        **values,
        "total": inputs.get("scorecard_total", ""),
    }


def _expenses(inputs, amount) -> str:
    if not inputs.get("expense_rate_target"):
        return _(
            "expenses %(expenses)s; no approved target for %(period)s, so no expense budget: nothing deducted "
            "→ %(deduction)s"
        ) % {"expenses": money(inputs.get("expenses")), "period": inputs.get("period", ""), "deduction": money(0)}
    sales = _d(inputs.get("net_sales")) or Decimal(0)
    return _(
        "expenses %(expenses)s − budget (%(target)s × net sales %(sales)s = %(budget)s) = over budget %(over)s; "
        "%(over)s × %(share)s = %(deduction)s"
    ) % {
        "expenses": money(inputs.get("expenses")),
        "target": pct(inputs.get("expense_rate_target")),
        "sales": money(max(sales, Decimal(0))),
        "budget": money(inputs.get("budget")),
        "over": money(inputs.get("over_budget")),
        "share": pct(inputs.get("share")),
        "deduction": money(amount),
    }


def _count(text) -> Callable[[Mapping, Any], str]:
    """``text``: an ``ngettext_lazy`` whose number is ``count``."""

    def render(inputs, amount) -> str:
        return text % {
            "count": int(inputs.get("count") or 0),
            "each": money(inputs.get("per_unit")),
            "amount": money(amount),
        }

    return render


def _adjustment(inputs, amount) -> str:
    from commissions.models import StatementLine

    step = inputs.get("step", "")
    label = StatementLine.Step(step).label if step in StatementLine.Step.values else step
    return _(
        "Adjustment from the statement for %(period)s (dispute #%(dispute)s): %(step)s %(expected)s instead of "
        "%(amount)s"
    ) % {
        "period": inputs.get("period", ""),
        "dispute": inputs.get("dispute", ""),
        "step": label,
        "expected": money(inputs.get("expected_amount")),
        "amount": money(inputs.get("line_amount")),
    }


def _carry_forward(inputs, amount) -> str:
    return _("Carried forward from the statement for %(period)s (#%(statement)s): its net %(amount)s was not paid") % {
        "period": inputs.get("period", ""),
        "statement": inputs.get("statement", ""),
        "amount": money(amount),
    }


def _net(inputs, amount) -> str:
    values = {
        "carried": money(inputs.get("carried")),
        "gross": money(inputs.get("gross")),
        "deductions": money(inputs.get("deductions")),
        "adjustments": money(inputs.get("adjustments")),
        "net": money(amount),
    }
    carried, adjusted = "carried" in inputs, "adjustments" in inputs
    if carried and adjusted:
        text = _(
            "carried forward %(carried)s + gross %(gross)s − deductions %(deductions)s + adjustments "
            "%(adjustments)s = %(net)s"
        )
    elif carried:
        text = _("carried forward %(carried)s + gross %(gross)s − deductions %(deductions)s = %(net)s")
    elif adjusted:
        text = _("gross %(gross)s − deductions %(deductions)s + adjustments %(adjustments)s = %(net)s")
    else:
        text = _("gross %(gross)s − deductions %(deductions)s = %(net)s")
    return text % values


def _retained(inputs, amount) -> str:
    if "retention" in inputs:  # a month's retention
        net = _d(inputs.get("net")) or Decimal(0)
        if net > 0:
            return _("retention %(rate)s × net %(net)s = %(retained)s, released at the year-end settlement") % {
                "rate": pct(inputs.get("retention")),
                "net": money(net),
                "retained": money(amount),
            }
        return _("net %(net)s is not positive: nothing retained (retention %(rate)s)") % {
            "net": money(net),
            "rate": pct(inputs.get("retention")),
        }
    if "period" in inputs:  # a year-end settlement: one month's retention
        return _("Retained in %(period)s") % {"period": inputs["period"]}
    return _("Retained before %(year)s and not released yet") % {"year": inputs.get("year", "")}


def _release(inputs, amount) -> str:
    return _("Retention released at the %(year)s year-end settlement") % {"year": inputs.get("year", "")}


def _payable(inputs, amount) -> str:
    net = _d(inputs.get("net")) or Decimal(0)
    if net < 0:
        return _(
            "net %(net)s is negative: nothing payable; %(net)s is carried forward into the next monthly "
            "statement → %(payable)s"
        ) % {"net": money(net), "payable": money(amount)}
    return _("net %(net)s − retained %(retained)s = %(payable)s") % {
        "net": money(net),
        "retained": money(inputs.get("retained")),
        "payable": money(amount),
    }


RENDERERS: dict[str, Callable[[Mapping, Any], str]] = {
    "carry_forward": _carry_forward,
    "base": _base,
    "gross": _gross,
    "gate": _gate,
    "distribution_gate": _distribution_gate,
    "scorecard": _scorecard,
    "expenses": _expenses,
    "shortfall": _count(
        ngettext_lazy(
            "%(count)s visit missing below the monthly minimum × %(each)s = %(amount)s",
            "%(count)s visits missing below the monthly minimum × %(each)s = %(amount)s",
            "count",
        )
    ),
    "false_reports": _count(
        ngettext_lazy(
            "%(count)s visit marked as a false report × %(each)s = %(amount)s",
            "%(count)s visits marked as false reports × %(each)s = %(amount)s",
            "count",
        )
    ),
    "fabricated": _count(
        ngettext_lazy(
            "%(count)s visit marked as fabricated × %(each)s = %(amount)s",
            "%(count)s visits marked as fabricated × %(each)s = %(amount)s",
            "count",
        )
    ),
    "adjustment": _adjustment,
    "net": _net,
    "retained": _retained,
    "release": _release,
    "payable": _payable,
}


def line_text(step: str, inputs: Mapping[str, Any] | None, amount: Any) -> str:
    """The sentence of a line in the active language."""
    render = RENDERERS.get(str(step))
    if render is None:
        return ""
    return render(inputs or {}, amount)
