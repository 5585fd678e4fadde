"""The sentence of each settlement line, rendered in the reader's language from its step, inputs and amount
(STYLE: store facts, render words). Nothing here is stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channelhub.formatting import as_decimal as _d
from channelhub.formatting import money
from channelhub.formatting import percent as pct


def _basis(inputs, amount) -> str:
    days = inputs.get("days") or []
    covered = ", ".join(f"{start} – {end}" for start, end in days) or "—"
    lines = ", ".join(inputs.get("lines") or []) or _("all product lines")
    if inputs.get("basis") == "collections":
        text = _("Collections received on the days the agreement covers (%(days)s) = %(basis)s") % {
            "days": covered,
            "basis": money(amount),
        }
    else:
        text = _("Net sales of %(lines)s on the days the agreement covers (%(days)s) = %(basis)s") % {
            "lines": lines,
            "days": covered,
            "basis": money(amount),
        }
    excluded = _d(inputs.get("excluded_conflicts")) or Decimal(0)
    if excluded:
        text += "; " + _("flagged cross-territory sales of %(amount)s left out") % {"amount": money(excluded)}
    returned = _d(inputs.get("returned")) or Decimal(0)
    if returned:
        text += "; " + _("credit notes of %(amount)s left out: they return goods of %(period)s, clawed back below") % {
            "amount": money(returned),
            "period": inputs.get("returned_to") or "",
        }
    return text


def _target(inputs, amount) -> str:
    parts = inputs.get("agreements") or []
    if not parts:
        return _("No annual sales target in the period: prorated target %(target)s") % {"target": money(amount)}
    pieces = "; ".join(
        _("%(annual)s × %(share)s of the year × %(days)s/%(period_days)s days")
        % {
            "annual": money(part.get("annual")),
            "share": part.get("year_share", ""),
            "days": part.get("days", ""),
            "period_days": part.get("period_days", ""),
        }
        for part in parts
    )
    return _("Annual sales target prorated to the period: %(pieces)s = %(target)s") % {
        "pieces": pieces,
        "target": money(amount),
    }


def _attainment(inputs, amount) -> str:
    values = {
        "basis": money(inputs.get("basis")),
        "target": money(inputs.get("target")),
        "attainment": pct(inputs.get("attainment")),
        "rate": pct(inputs.get("rate")),
    }
    if inputs.get("attainment") is None:
        if inputs.get("band_from") is None:
            return _("No target: no band applies, rate %(rate)s") % values
        return _("No target: the band from 0 %%, rate %(rate)s") % values
    if inputs.get("band_from") is None:
        return _("Attainment %(basis)s ÷ %(target)s = %(attainment)s: no band reached, rate %(rate)s") % values
    return _("Attainment %(basis)s ÷ %(target)s = %(attainment)s: band from %(band)s, rate %(rate)s") % {
        **values,
        "band": pct(inputs.get("band_from")),
    }


def _gross(inputs, amount) -> str:
    return _("The whole basis %(basis)s at %(rate)s = %(gross)s") % {
        "basis": money(inputs.get("basis")),
        "rate": pct(inputs.get("rate")),
        "gross": money(amount),
    }


def _gate(inputs, amount) -> str:
    values = {
        "gate": pct(inputs.get("gate")),
        "rate": pct(inputs.get("collection_rate")),
        "collections": money(inputs.get("collections")),
        "sales": money(inputs.get("net_sales")),
        "gross": money(amount),
    }
    decision = inputs.get("decision")
    if decision == "undefined":
        return _("Collection gate %(gate)s: no net sales in the period, the gate does not apply → %(gross)s") % values
    if decision == "below":
        return (
            _(
                "Collection gate %(gate)s: collections %(collections)s ÷ net sales %(sales)s = %(rate)s, below the gate: "
                "nothing is paid → %(gross)s"
            )
            % values
        )
    return (
        _("Collection gate %(gate)s: collections %(collections)s ÷ net sales %(sales)s = %(rate)s, met → %(gross)s")
        % values
    )


def _penalty(inputs, amount) -> str:
    count = int(inputs.get("count") or 0)
    values = {
        "count": count,
        "per": pct(inputs.get("per_sale")),
        "share": pct(inputs.get("share")),
        "gross": money(inputs.get("gross")),
        "penalty": money(amount),
    }
    return (
        ngettext(
            "%(count)d flagged cross-territory sale × %(per)s = %(share)s of %(gross)s forfeited → %(penalty)s",
            "%(count)d flagged cross-territory sales × %(per)s = %(share)s of %(gross)s forfeited → %(penalty)s",
            count,
        )
        % values
    )


def _clawback(inputs, amount) -> str:
    return _(
        "Credit notes of %(returned)s return goods of %(period)s, which paid %(rate)s (net %(net)s ÷ basis %(basis)s): "
        "clawed back %(amount)s"
    ) % {
        "returned": money(inputs.get("returned")),
        "period": inputs.get("settled_period", ""),
        "rate": pct(inputs.get("paid_rate")),
        "net": money(inputs.get("settled_net")),
        "basis": money(inputs.get("settled_basis")),
        "amount": money(amount),
    }


def _net(inputs, amount) -> str:
    return _("Net rebate = gross %(gross)s − penalty %(penalty)s + claw-back %(clawback)s = %(net)s") % {
        "gross": money(inputs.get("gross")),
        "penalty": money(inputs.get("penalty")),
        "clawback": money(inputs.get("clawback")),
        "net": money(amount),
    }


_TEXTS: dict[str, Callable[[Mapping[str, Any], Any], str]] = {
    "basis": _basis,
    "target": _target,
    "attainment": _attainment,
    "gross": _gross,
    "gate": _gate,
    "penalty": _penalty,
    "clawback": _clawback,
    "net": _net,
}


def line_text(step: str, inputs: Mapping[str, Any] | None, amount) -> str:
    render = _TEXTS.get(step)
    return render(inputs or {}, amount) if render else step
