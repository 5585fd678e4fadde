"""Calendar helpers shared by visits, KPI and commissions: months (``YYYY-MM``) and ISO weeks.

Dates are local dates in the deployment's time zone (``TIME_ZONE``); a datetime becomes a date
with ``local_date``. An ISO week runs Monday to Sunday and belongs to the month (and the ISO year)
that holds its Thursday, so a week that crosses a month boundary is counted once, in one month.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
#: Years a period or a week may name: far enough either way for any business record, and clear of
#: the ends of Python's calendar (a week or month next to year 1 or 9999 cannot be computed).
YEARS = range(1900, 3000)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-07"`` → ``Month(2026, 7)``; anything else is a ``ValidationError``."""
        match = _PERIOD.match(str(text or "").strip())
        if not match or int(match.group(1)) not in YEARS:
            raise ValidationError(_("Enter a period as YYYY-MM, e.g. 2026-07."), code="period")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Month:
        return cls.of(timezone.localdate())

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def bounds(self) -> tuple[datetime, datetime]:
        """The month as aware datetimes in ``TIME_ZONE``: [first day 00:00, next month's first day 00:00)."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.first_day, time.min, tzinfo=zone),
            datetime.combine(self.next().first_day, time.min, tzinfo=zone),
        )

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    def weeks(self) -> list[date]:
        """Mondays of the ISO weeks that belong to this month (their Thursday lies in it)."""
        thursday = self.first_day + timedelta(days=(3 - self.first_day.weekday()) % 7)
        mondays = []
        while thursday.month == self.month:
            mondays.append(thursday - timedelta(days=3))
            thursday += timedelta(days=7)
        return mondays

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def local_date(moment: datetime) -> date:
    """The date ``moment`` falls on in the deployment's time zone."""
    return timezone.localtime(moment).date()


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def iso_week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(text: str) -> date:
    """``"2026-W53"`` → the Monday of that ISO week; a ``ValidationError`` if there is no such week."""
    match = _ISO_WEEK.match(str(text or "").strip())
    if match and int(match.group(1)) in YEARS:
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            pass
    raise ValidationError(_("Enter a week as YYYY-Www, e.g. 2026-W53."), code="week")


@dataclass(frozen=True)
class Pace:
    """How much of a month's working days (``VISIT_WORKING_DAYS``) lies behind ``today``, today included:
    month-to-date figures are compared with that share of the month's target, not with all of it."""

    elapsed: int
    total: int

    @property
    def share(self):
        from fractions import Fraction

        return Fraction(self.elapsed, self.total) if self.total else Fraction(1)


def month_pace(month: Month, today: date | None = None) -> Pace:
    from django.conf import settings

    today = today or timezone.localdate()
    workdays = [day for day in month.days() if day.isoweekday() in settings.VISIT_WORKING_DAYS]
    if month < Month.of(today):
        return Pace(len(workdays), len(workdays))
    if month > Month.of(today):
        return Pace(0, len(workdays))
    return Pace(sum(1 for day in workdays if day <= today), len(workdays))
