"""Rebate periods (SPEC §15): a quarter ``YYYY-Qn`` or a year ``YYYY``, in the deployment's time zone.

A quarterly program settles quarters, an annual one years. The agreement's ``annual_sales_target`` is
prorated to a period by its share of the year in months (a quarter: a quarter of it), then by the days of
the agreement inside the period (``RebatePeriod.target_share``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from channelhub.periods import YEARS, Month

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, order=True)
class RebatePeriod:
    year: int
    quarter: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, text: str) -> RebatePeriod:
        """``"2026-Q3"`` → the third quarter of 2026; ``"2026"`` → the year; anything else a ``ValidationError``."""
        value = str(text or "").strip().upper()
        if match := _QUARTER.match(value):
            year, quarter = int(match.group(1)), int(match.group(2))
        elif match := _YEAR.match(value):
            year, quarter = int(match.group(1)), None
        else:
            raise ValidationError(_("Enter a period as YYYY-Qn or YYYY, e.g. 2026-Q3 or 2026."), code="period")
        if year not in YEARS:
            raise ValidationError(_("Enter a period as YYYY-Qn or YYYY, e.g. 2026-Q3 or 2026."), code="period")
        return cls(year, quarter)

    @classmethod
    def containing(cls, day: date, *, annual: bool) -> RebatePeriod:
        return cls(day.year, None if annual else (day.month - 1) // 3 + 1)

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.is_year else 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        month = 12 if self.is_year else 3 * self.quarter
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def months(self) -> list[Month]:
        first = self.first_day.month
        return [Month(self.year, first + n) for n in range(12 if self.is_year else 3)]

    @property
    def year_share(self) -> Fraction:
        """The period's share of a year, in months (a quarter: 1/4)."""
        return Fraction(1) if self.is_year else Fraction(1, 4)

    def previous(self) -> RebatePeriod:
        if self.is_year:
            return RebatePeriod(self.year - 1)
        return RebatePeriod(self.year - 1, 4) if self.quarter == 1 else RebatePeriod(self.year, self.quarter - 1)

    def next(self) -> RebatePeriod:
        if self.is_year:
            return RebatePeriod(self.year + 1)
        return RebatePeriod(self.year + 1, 1) if self.quarter == 4 else RebatePeriod(self.year, self.quarter + 1)

    def overlap(self, start: date, end: date) -> tuple[date, date] | None:
        """The days of ``start``–``end`` inside the period, or None."""
        first, last = max(start, self.first_day), min(end, self.last_day)
        return (first, last) if first <= last else None

    def target_share(self, start: date, end: date, *, until: date | None = None) -> Fraction:
        """The share of an annual target an agreement from ``start`` to ``end`` carries in this period (up to
        ``until`` for an accrual): the period's share of the year × the agreement's days inside it / the
        period's days. 0 when the agreement does not touch the period."""
        inside = self.overlap(start, min(end, until) if until else end)
        if inside is None:
            return Fraction(0)
        return self.year_share * Fraction((inside[1] - inside[0]).days + 1, self.days)

    def __str__(self) -> str:
        return str(self.year) if self.is_year else f"{self.year}-Q{self.quarter}"


def period_of(text: str) -> RebatePeriod:
    """``RebatePeriod.parse`` with the error under the field ``period`` (a 400 with field errors)."""
    try:
        return RebatePeriod.parse(text)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from None
