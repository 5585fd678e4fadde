"""Measures (SPEC §5): net sales, collections, expenses and targets of reps per month, and the rates
made from them — sales achievement, expense rate (费用率) and collection rate (回款率).

For any number of reps and months, four aggregate queries (``GROUP BY rep, month``): sales,
collections, expenses and the approved targets. Nothing loops over facts. A quarter (``YYYY-Qn``)
or a year (``YYYY``) is the sum of its months, and a team or the company the sum of its reps: the
rates are recomputed from the sums, never averaged.

* sales achievement % = net sales / sales target × 100 (undefined when the target is 0 or missing);
* expense rate % = expenses / net sales × 100, collection rate % = collections / net sales × 100,
  undefined when net sales are 0 *or negative* (a rate over a non-positive base means nothing:
  returns exceeding sales would otherwise turn a cost into a "negative rate");
* rates are rounded to 0.01, half up (``Decimal``); undefined is ``None``, shown as "—".

Targets count only when approved or acknowledged (a proposal is not a target yet). A period longer
than a month adds the sales targets of the months that have one (``months_without_target`` says
how many (rep, month) pairs had none); its rate targets are the months' rate targets weighted by
their sales targets (Σ rate × sales target / Σ sales target), as the budgets they imply add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from channelhub.formatting import round_cent
from channelhub.periods import YEARS, Month
from kpi.models import Target
from kpi.selectors.targets import targets_for

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- arithmetic -------------------------------------------------------------------------------------


def percent(numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator × 100 to 0.01 half up; ``None`` when the denominator is missing or 0."""
    if denominator is None or denominator == 0:
        return None
    return round_cent(Decimal(numerator) * HUNDRED / Decimal(denominator))


def rate_of_sales(amount: Decimal, net_sales: Decimal) -> Decimal | None:
    """``amount`` as a % of net sales; ``None`` when net sales are not positive (no meaningful base)."""
    if net_sales <= 0:
        return None
    return percent(amount, net_sales)


# --- thresholds: exact comparisons, and a figure shown that agrees with them --------------------------


def exact_percent(numerator: Decimal | int, denominator: Decimal | int | None) -> Fraction | None:
    """numerator / denominator × 100 as an exact fraction (no rounding at all); None when the
    denominator is missing or 0. A threshold is compared with this, never with a rounded rate:
    79.999 % is below an 80 % gate even though it rounds to 80.00 %."""
    if denominator is None or denominator == 0:
        return None
    return Fraction(Decimal(numerator)) * 100 / Fraction(Decimal(denominator))


def exact_rate_of_sales(amount: Decimal, net_sales: Decimal) -> Fraction | None:
    """``rate_of_sales`` exactly: None when net sales are not positive."""
    if net_sales <= 0:
        return None
    return exact_percent(amount, net_sales)


def meets(exact: Fraction | Decimal | int | None, threshold: Decimal | int | None, *, lower_is_better=False) -> bool:
    """``exact`` reaches ``threshold`` (≥, or ≤ for a lower-is-better figure), compared exactly. An
    undefined figure or threshold meets nothing."""
    if exact is None or threshold is None:
        return False
    value, limit = Fraction(exact), Fraction(Decimal(threshold))
    return value <= limit if lower_is_better else value >= limit


def _quantize(value: Fraction, places: int, rounding: str) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    # enough digits that the quotient is exact to far beyond ``places`` before it is rounded
    quotient = Decimal(value.numerator) / Decimal(value.denominator)
    if rounding != ROUND_HALF_UP:
        # the division itself rounds (28 digits): compare back with the fraction to step the right way
        rounded = quotient.quantize(exponent, rounding=rounding)
        if rounding == ROUND_FLOOR and Fraction(rounded) > value:
            rounded -= exponent
        elif rounding == ROUND_CEILING and Fraction(rounded) < value:
            rounded += exponent
        return rounded
    return quotient.quantize(exponent, rounding=rounding)


def shown_against(
    exact: Fraction | None,
    threshold: Decimal | int | None,
    *,
    lower_is_better: bool = False,
    places: int = 2,
    max_places: int = 6,
) -> Decimal | None:
    """The figure to show beside a decision on ``threshold``: ``exact`` rounded half up to ``places``
    decimals, with more decimals (up to ``max_places``) when that rounding would cross the threshold
    (79.999 % against 80 % shows as 79.999, not 80.00), and at ``max_places`` rounded towards the
    side of the decision when even that is not enough. So the figure never contradicts the decision."""
    if exact is None:
        return None
    if threshold is None:
        return _quantize(exact, places, ROUND_HALF_UP)
    decision = meets(exact, threshold, lower_is_better=lower_is_better)
    for digits in range(places, max_places + 1):
        rounded = _quantize(exact, digits, ROUND_HALF_UP)
        if meets(rounded, threshold, lower_is_better=lower_is_better) == decision:
            return rounded
    # ≥: rounding down keeps "met" met and "not met" below; ≤: rounding up does the same
    return _quantize(exact, max_places, ROUND_CEILING if lower_is_better else ROUND_FLOOR)


# --- periods: a month, a quarter or a year -----------------------------------------------------------

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class ReportingPeriod:
    """A month (``2026-07``), a quarter (``2026-Q3``) or a year (``2026``): the months it sums."""

    code: str
    kind: str  # "month", "quarter" or "year"
    months: tuple[Month, ...]

    @classmethod
    def parse(cls, text: str) -> ReportingPeriod:
        text = str(text or "").strip().upper()
        if match := _QUARTER.match(text):
            if int(match.group(1)) in YEARS:
                return cls.quarter(int(match.group(1)), int(match.group(2)))
        elif match := _YEAR.match(text):
            if int(match.group(1)) in YEARS:
                return cls.year(int(match.group(1)))
        else:
            try:
                return cls.of_month(Month.parse(text))
            except ValidationError:
                pass
        raise ValidationError(
            _(
                "Enter a period as YYYY-MM (a month), YYYY-Qn (a quarter) or YYYY (a year), e.g. 2026-07, 2026-Q3, 2026."
            ),
            code="period",
        )

    @classmethod
    def of_month(cls, month: Month) -> ReportingPeriod:
        return cls(str(month), "month", (month,))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> ReportingPeriod:
        first = 3 * (quarter - 1) + 1
        return cls(f"{year:04d}-Q{quarter}", "quarter", tuple(Month(year, m) for m in range(first, first + 3)))

    @classmethod
    def year(cls, year: int) -> ReportingPeriod:
        return cls(f"{year:04d}", "year", tuple(Month(year, m) for m in range(1, 13)))

    @property
    def first_day(self) -> date:
        return self.months[0].first_day

    @property
    def last_day(self) -> date:
        return self.months[-1].last_day

    def previous(self) -> ReportingPeriod:
        return self._shift(-1)

    def next(self) -> ReportingPeriod:
        return self._shift(1)

    def _shift(self, step: int) -> ReportingPeriod:
        first = self.months[0]
        if self.kind == "year":
            return ReportingPeriod.year(first.year + step)
        if self.kind == "quarter":
            index = first.year * 4 + (first.month - 1) // 3 + step
            return ReportingPeriod.quarter(index // 4, index % 4 + 1)
        return ReportingPeriod.of_month(first.next() if step > 0 else first.previous())

    def __str__(self) -> str:
        return self.code


def as_months(months: Iterable[Month | str]) -> list[Month]:
    """Months given as ``Month`` or ``"YYYY-MM"``, without repeats, in order."""
    return sorted({month if isinstance(month, Month) else Month.parse(month) for month in months})


# --- figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """What one rep did in one month, and their approved target for it (``None`` if none)."""

    rep_id: int
    period: str
    net_sales: Decimal = ZERO
    collections: Decimal = ZERO
    expenses: Decimal = ZERO
    target: Target | None = None


@dataclass(frozen=True)
class Measures:
    """The measures of one rep (``rep_id``) — or several (``rep_id`` None: a team's or company's
    total) — over a period, with the period's dates so that a page can link to the facts behind."""

    period: str
    first_day: date
    last_day: date
    rep_id: int | None
    net_sales: Decimal
    collections: Decimal
    expenses: Decimal
    sales_target: Decimal | None
    expense_rate_target: Decimal | None
    collection_rate_target: Decimal | None
    new_dealers_target: int | None
    months_without_target: int
    sales_achievement: Decimal | None
    expense_rate: Decimal | None
    collection_rate: Decimal | None
    #: The Target row, for a single rep and month (for a link to it).
    target_id: int | None = None
    #: For the month under way: how much of it lies behind (``channelhub.periods.month_pace``); the
    #: target to date is this share of the month's (``expected_to_date``, ``pace_band``).
    pace: object = field(default=None, compare=False, repr=False)
    rep: object = field(default=None, compare=False, repr=False)
    parts: tuple[MonthFigures, ...] = field(default=(), compare=False, repr=False)

    @property
    def facts_query(self) -> str:
        """``rep=…&date_from=…&date_to=…`` for the facts lists (``kpi:sales-list`` and the others)."""
        params = {"rep": self.rep_id} if self.rep_id is not None else {}
        params.update(date_from=self.first_day.isoformat(), date_to=self.last_day.isoformat())
        return urlencode(params)

    @property
    def has_target(self) -> bool:
        return self.sales_target is not None

    @property
    def collection_rate_exact(self) -> Fraction | None:
        return exact_rate_of_sales(self.collections, self.net_sales)

    @property
    def sales_achievement_exact(self) -> Fraction | None:
        return exact_percent(self.net_sales, self.sales_target)

    @property
    def below_collection_target(self) -> bool:
        """The collection rate is defined and, compared exactly, under its target."""
        exact = self.collection_rate_exact
        if exact is None or self.collection_rate_target is None:
            return False
        return not meets(exact, self.collection_rate_target)

    @property
    def collection_rate_shown(self) -> Decimal | None:
        """The collection rate to show beside its target: two decimals, more where rounding would cross
        the target (79.99999 % below an 80 % target, never "80.00 %")."""
        return shown_against(self.collection_rate_exact, self.collection_rate_target)

    @property
    def sales_achievement_shown(self) -> Decimal | None:
        """Sales achievement to show beside its band (``sales_band``): never a figure across 80 % or 100 %
        that contradicts the band's colour."""
        band = self.sales_band
        return shown_against(self.sales_achievement_exact, 80 if band == "below" else 100)

    @property
    def expected_to_date(self) -> Decimal | None:
        """The share of the sales target the month's elapsed working days ask for (the whole target
        without a pace)."""
        if self.sales_target is None:
            return None
        share = self.pace.share if self.pace is not None else Fraction(1)
        return _quantize(Fraction(self.sales_target) * share, 2, ROUND_HALF_UP)

    @property
    def pace_band(self) -> str:
        """``sales_band`` against the target to date: 6 December is not "below" for being at 20 % of
        December's target when 20 % of December's working days are behind."""
        if self.pace is None:
            return self.sales_band
        if self.sales_target is None:
            return ""
        expected = Fraction(self.sales_target) * self.pace.share
        if expected <= 0:
            return "met"
        ratio = Fraction(self.net_sales) / expected
        if ratio >= 1:
            return "met"
        return "near" if ratio >= Fraction(8, 10) else "below"

    @property
    def sales_band(self) -> str:
        """``met`` (≥ 100 % of the sales target, exactly), ``near`` (≥ 80 %), ``below``; "" without a target."""
        exact = self.sales_achievement_exact
        if exact is None:
            return ""
        if meets(exact, 100):
            return "met"
        return "near" if meets(exact, 80) else "below"


def _weighted_rate(parts: Sequence[MonthFigures], name: str) -> Decimal | None:
    """A rate target over several months: weighted by the months' sales targets (their implied
    budgets add up); a plain mean when every sales target is 0; ``None`` without any target."""
    targets = [part.target for part in parts if part.target is not None]
    if not targets:
        return None
    basis = sum((t.sales_target for t in targets), ZERO)
    if basis > 0:
        return round_cent(sum((getattr(t, name) * t.sales_target for t in targets), ZERO) / basis)
    return round_cent(sum((getattr(t, name) for t in targets), ZERO) / len(targets))


def combine(
    parts: Sequence[MonthFigures], *, period: str, first_day: date, last_day: date, rep_id: int | None, rep=None
) -> Measures:
    """The measures of ``parts`` taken together (months of a rep, or reps of a team): sums, then rates."""
    net_sales = sum((p.net_sales for p in parts), ZERO)
    collections = sum((p.collections for p in parts), ZERO)
    expenses = sum((p.expenses for p in parts), ZERO)
    targets = [p.target for p in parts if p.target is not None]
    sales_target = sum((t.sales_target for t in targets), ZERO) if targets else None
    return Measures(
        period=period,
        first_day=first_day,
        last_day=last_day,
        rep_id=rep_id,
        net_sales=net_sales,
        collections=collections,
        expenses=expenses,
        sales_target=sales_target,
        expense_rate_target=_weighted_rate(parts, "expense_rate_target"),
        collection_rate_target=_weighted_rate(parts, "collection_rate_target"),
        new_dealers_target=sum(t.new_dealers_target for t in targets) if targets else None,
        months_without_target=len(parts) - len(targets),
        sales_achievement=percent(net_sales, sales_target),
        expense_rate=rate_of_sales(expenses, net_sales),
        collection_rate=rate_of_sales(collections, net_sales),
        target_id=targets[0].pk if len(parts) == 1 and targets else None,
        rep=rep,
        parts=tuple(parts),
    )


# --- queries ---------------------------------------------------------------------------------------


def approved_targets(rep_ids: Iterable[int], months: Iterable[Month | str]) -> dict[tuple[int, str], Target]:
    """The approved or acknowledged target of each (rep ID, ``YYYY-MM``) that has one (one query)."""
    return targets_for(rep_ids, months)


def _rep_ids(reps: Iterable) -> list[tuple[int, object]]:
    """(ID, user or None) of each rep given as a user or an ID, without repeats, in order."""
    seen: dict[int, object] = {}
    for rep in reps:
        rep_id = rep if isinstance(rep, int) else rep.pk
        seen.setdefault(rep_id, None if isinstance(rep, int) else rep)
    return list(seen.items())


def month_figures(reps: Iterable, months: Iterable[Month | str]) -> dict[tuple[int, str], MonthFigures]:
    """Every (rep ID, ``YYYY-MM``) pair of ``reps`` × ``months``, zeros where nothing happened.

    Two queries whatever the number of reps and months: the reps' months of facts
    (``kpi.selectors.rep_month_facts``, the one source of these figures) and the approved targets.
    """
    from kpi.selectors import rep_month_facts

    rep_ids = [rep_id for rep_id, _rep in _rep_ids(reps)]
    months = as_months(months)
    if not rep_ids or not months:
        return {}
    facts = rep_month_facts(rep_ids, months)
    targets = approved_targets(rep_ids, months)
    return {
        (rep_id, code): MonthFigures(
            rep_id=rep_id,
            period=code,
            net_sales=facts[(rep_id, code)].net_sales,
            collections=facts[(rep_id, code)].collections,
            expenses=facts[(rep_id, code)].expenses,
            target=targets.get((rep_id, code)),
        )
        for rep_id in rep_ids
        for code in sorted({str(month) for month in months})
    }


def measures_for(reps: Iterable, months: Iterable[Month | str]) -> dict[tuple[int, str], Measures]:
    """The measures of each rep in each month, keyed ``(rep ID, "YYYY-MM")`` (two queries).

    ``reps`` are users (kept on the result as ``rep``) or IDs; ``months`` are ``Month`` or ``"YYYY-MM"``.
    For the dashboards: sales against target by rep and month, collection rates, month to date.
    """
    reps = _rep_ids(reps)
    months = as_months(months)
    figures = month_figures([rep_id for rep_id, _rep in reps], months)
    return {
        (rep_id, str(month)): combine(
            [figures[(rep_id, str(month))]],
            period=str(month),
            first_day=month.first_day,
            last_day=month.last_day,
            rep_id=rep_id,
            rep=rep,
        )
        for rep_id, rep in reps
        for month in months
    }


@dataclass(frozen=True)
class MeasuresTable:
    """Reps × measures for a period, and the total of the reps listed (a team or the company)."""

    period: ReportingPeriod
    rows: list[Measures]
    total: Measures


def measures_table(reps: Iterable, period: ReportingPeriod | str) -> MeasuresTable:
    """Each rep's measures over ``period`` (its months summed) and the total (two queries)."""
    if not isinstance(period, ReportingPeriod):
        period = ReportingPeriod.parse(period)
    reps = _rep_ids(reps)
    figures = month_figures([rep_id for rep_id, _rep in reps], period.months)
    dates = {"period": period.code, "first_day": period.first_day, "last_day": period.last_day}
    rows = [
        combine([figures[(rep_id, str(m))] for m in period.months], rep_id=rep_id, rep=rep, **dates)
        for rep_id, rep in reps
    ]
    return MeasuresTable(period=period, rows=rows, total=measures_total(rows, **dates))


def measures_total(rows: Sequence[Measures], *, period: str, first_day: date, last_day: date) -> Measures:
    """The total of several reps' measures over the same period: their months summed, rates recomputed."""
    parts = [part for row in rows for part in row.parts]
    return combine(parts, period=period, first_day=first_day, last_day=last_day, rep_id=None)


def rep_measures(rep, period: ReportingPeriod | str | Month) -> Measures:
    """One rep's measures over a month, quarter or year."""
    if isinstance(period, Month):
        period = ReportingPeriod.of_month(period)
    return measures_table([rep], period).rows[0]
