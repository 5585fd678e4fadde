"""The inspection score (SPEC §17): weights passed ÷ weights applicable × 100, to one decimal (half up); a
failed critical item caps it at 59.0; nothing applicable (every item ``na``) gives no score. And the price rule:
an observed price below the line's minimum fails (at the minimum it passes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: The highest score of an inspection with a failed critical item.
CRITICAL_CAP = Decimal("59.0")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Scored:
    result: str  # pass, fail or na
    weight: Decimal
    critical: bool = False


def score(results: Iterable[Scored]) -> Decimal | None:
    """The score of answered items (exact sums; rounded once, at the end)."""
    passed = applicable = Decimal("0")
    critical_failed = False
    for row in results:
        if row.result == "na":
            continue
        applicable += row.weight
        if row.result == "pass":
            passed += row.weight
        elif row.critical:
            critical_failed = True
    if applicable == 0:
        return None
    value = (passed * 100 / applicable).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return min(value, CRITICAL_CAP) if critical_failed else value


def price_violates(observed: Decimal | None, minimum: Decimal | None) -> bool:
    """A price below the minimum (exact); no price or no minimum: no violation."""
    return observed is not None and minimum is not None and observed < minimum
