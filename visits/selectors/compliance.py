"""Visit quotas and compliance for a rep or a team and a month (SPEC §4), in a fixed number of queries.

For a month M and reps R (any number), three aggregate queries:

1. visits per rep and day over the weeks that belong to M (counted / false / fabricated);
2. distinct dealers per rep and ISO week, over the same weeks;
3. distinct dealers per rep over the days of M (from the roll-up ``VisitMonth``: one row per rep, month
   and dealer visited);

plus one for the reps' own quotas. Nothing loops over visits; Python only walks the ≤ 31 days and
≤ 5 weeks of the month per rep.

Definitions chosen where SPEC §4 is silent (see docs/visits/decisions.md):

* a day is "below the daily minimum" when it is a working day (``VISIT_WORKING_DAYS``, ISO
  weekdays, Monday–Friday by default) of M that is over (before ``as_of``) and has fewer counted
  visits than ``daily_min``;
* a week belongs to the month holding its Thursday (the ISO rule), is counted whole (its days in
  the neighbouring month too) and is "below the weekly minimum" once it is over and has fewer
  distinct dealers than ``weekly_unique_min``;
* ``shortfall`` = max(0, ``monthly_min`` − visits counted in M) — for the running month it is what
  is still missing today.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from django.utils import timezone

from channelhub.periods import Month
from visits.models import Quota, Visit, VisitMonth

_COUNTED = Q(status__in=Visit.COUNTED)


@dataclass(frozen=True)
class EffectiveQuota:
    daily_min: int
    weekly_unique_min: int
    monthly_min: int

    @classmethod
    def default(cls) -> EffectiveQuota:
        return cls(
            daily_min=settings.VISIT_QUOTA_DAILY_MIN,
            weekly_unique_min=settings.VISIT_QUOTA_WEEKLY_UNIQUE_MIN,
            monthly_min=settings.VISIT_QUOTA_MONTHLY_MIN,
        )

    def with_overrides(self, quota: Quota | None) -> EffectiveQuota:
        if quota is None:
            return self
        return EffectiveQuota(
            daily_min=self.daily_min if quota.daily_min is None else quota.daily_min,
            weekly_unique_min=self.weekly_unique_min if quota.weekly_unique_min is None else quota.weekly_unique_min,
            monthly_min=self.monthly_min if quota.monthly_min is None else quota.monthly_min,
        )


def quotas_for(rep_ids) -> dict[int, EffectiveQuota]:
    """Each rep's quota: their own overrides on top of the defaults (one query)."""
    default = EffectiveQuota.default()
    overrides = {q.rep_id: q for q in Quota.objects.filter(rep_id__in=list(rep_ids))}
    return {rep_id: default.with_overrides(overrides.get(rep_id)) for rep_id in rep_ids}


def quotas_of(reps) -> dict[int, EffectiveQuota]:
    """Like ``quotas_for``, but with no query when the reps were read with ``select_related("visit_quota")``."""
    if reps and all(rep._state.fields_cache.__contains__("visit_quota") for rep in reps):
        default = EffectiveQuota.default()
        return {rep.pk: default.with_overrides(rep._state.fields_cache["visit_quota"]) for rep in reps}
    return quotas_for([rep.pk for rep in reps])


def quota_for(rep) -> EffectiveQuota:
    return quotas_for([rep.pk])[rep.pk]


@dataclass
class WeekFigures:
    week_start: date
    label: str
    visits: int = 0
    distinct_dealers: int = 0
    over: bool = False
    below: bool = False


@dataclass
class Compliance:
    rep_id: int
    period: str
    quota: EffectiveQuota
    visits_counted: int = 0
    distinct_dealers: int = 0
    days_below_daily_min: int = 0
    weeks_below_weekly_min: int = 0
    shortfall: int = 0
    false_reports: int = 0
    fabricated_reports: int = 0
    working_days: int = 0
    weeks: list[WeekFigures] = field(default_factory=list)
    rep: object = None

    @property
    def daily_min(self) -> int:
        return self.quota.daily_min

    @property
    def weekly_unique_min(self) -> int:
        return self.quota.weekly_unique_min

    @property
    def monthly_min(self) -> int:
        return self.quota.monthly_min

    @property
    def compliant(self) -> bool:
        return not (self.shortfall or self.days_below_daily_min or self.weeks_below_weekly_min)


@dataclass
class TeamCompliance:
    period: str
    reps: list[Compliance]
    visits_counted: int
    distinct_dealers: int
    shortfall: int
    false_reports: int
    fabricated_reports: int
    days_below_daily_min: int
    weeks_below_weekly_min: int


def working_weekdays() -> frozenset[int]:
    """ISO weekdays (1 = Monday) on which the daily minimum applies."""
    return frozenset(settings.VISIT_WORKING_DAYS)


def compliance_for(reps, month: Month, *, as_of: date | None = None) -> list[Compliance]:
    """Compliance of each of ``reps`` (users, in the order given) for ``month``, as of ``as_of`` (today)."""
    reps = list(reps)
    as_of = as_of or timezone.localdate()
    rep_ids = [rep.pk for rep in reps]
    quotas = quotas_of(reps)
    mondays = month.weeks()
    span_start = min(month.first_day, mondays[0])
    span_end = max(month.last_day, mondays[-1] + timedelta(days=6))
    visits = Visit.objects.filter(rep_id__in=rep_ids, visited_on__range=(span_start, span_end))

    per_day = defaultdict(dict)  # rep → day → counted visits
    results = {rep.pk: Compliance(rep_id=rep.pk, period=str(month), quota=quotas[rep.pk], rep=rep) for rep in reps}
    for row in visits.values("rep_id", "visited_on").annotate(
        counted=Count("pk", filter=_COUNTED),
        false=Count("pk", filter=Q(status=Visit.Status.FALSE_REPORT)),
        fabricated=Count("pk", filter=Q(status=Visit.Status.FABRICATED)),
    ):
        per_day[row["rep_id"]][row["visited_on"]] = row["counted"]
        if month.first_day <= row["visited_on"] <= month.last_day:
            result = results[row["rep_id"]]
            result.visits_counted += row["counted"]
            result.false_reports += row["false"]
            result.fabricated_reports += row["fabricated"]

    per_week = defaultdict(dict)  # rep → (iso year, week) → distinct dealers
    for row in (
        visits.filter(_COUNTED)
        .annotate(iso_year=ExtractIsoYear("visited_on"), week=ExtractWeek("visited_on"))
        .values("rep_id", "iso_year", "week")
        .annotate(dealers=Count("dealer_id", distinct=True))
    ):
        per_week[row["rep_id"]][(row["iso_year"], row["week"])] = row["dealers"]

    counted = sum((F(status) for status in Visit.COUNTED[1:]), F(Visit.COUNTED[0]))
    for row in (  # the month's dealers from the roll-up: one row per rep and dealer visited
        VisitMonth.objects.filter(rep_id__in=rep_ids, month=month.first_day)
        .alias(counted=counted)
        .filter(counted__gt=0)
        .values("rep_id")
        .annotate(dealers=Count("dealer_id"))
        .order_by()
    ):
        results[row["rep_id"]].distinct_dealers = row["dealers"]

    workdays = [day for day in month.days() if day.isoweekday() in working_weekdays()]
    for rep_id, result in results.items():
        quota, days = result.quota, per_day[rep_id]
        result.working_days = len(workdays)
        result.days_below_daily_min = sum(1 for day in workdays if day < as_of and days.get(day, 0) < quota.daily_min)
        for monday in mondays:
            iso_year, week, _day = monday.isocalendar()
            figures = WeekFigures(
                week_start=monday,
                label=f"{iso_year}-W{week:02d}",
                visits=sum(days.get(monday + timedelta(days=n), 0) for n in range(7)),
                distinct_dealers=per_week[rep_id].get((iso_year, week), 0),
                over=monday + timedelta(days=6) < as_of,
            )
            figures.below = figures.over and figures.distinct_dealers < quota.weekly_unique_min
            result.weeks.append(figures)
        result.weeks_below_weekly_min = sum(1 for week in result.weeks if week.below)
        result.shortfall = max(0, quota.monthly_min - result.visits_counted)
    return [results[rep_id] for rep_id in rep_ids]


def rep_compliance(rep, month: Month, *, as_of: date | None = None) -> Compliance:
    return compliance_for([rep], month, as_of=as_of)[0]


def team_compliance(reps, month: Month, *, as_of: date | None = None) -> TeamCompliance:
    """Each rep's compliance and the team's totals: sums, except distinct dealers, which are
    counted across the team (a dealer two reps visited counts once)."""
    reps = list(reps)
    rows = compliance_for(reps, month, as_of=as_of)
    distinct = Visit.objects.filter(
        _COUNTED, rep__in=reps, visited_on__range=(month.first_day, month.last_day)
    ).aggregate(dealers=Count("dealer_id", distinct=True))["dealers"]

    def total(name: str) -> int:
        return sum(getattr(row, name) for row in rows)

    return TeamCompliance(
        period=str(month),
        reps=rows,
        visits_counted=total("visits_counted"),
        distinct_dealers=distinct or 0,
        shortfall=total("shortfall"),
        false_reports=total("false_reports"),
        fabricated_reports=total("fabricated_reports"),
        days_below_daily_min=total("days_below_daily_min"),
        weeks_below_weekly_min=total("weeks_below_weekly_min"),
    )
