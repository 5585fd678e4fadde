"""The visit figures of the dashboards (SPEC §7): a rep's day, week and month against quota; a
manager's team compliance and what waits for review. A fixed number of queries each."""

from __future__ import annotations

import math

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from channelhub.periods import Month, iso_week_label, month_pace, week_start
from channelhub.scoping import visit_reps
from visits.models import Visit
from visits.selectors import visit_list
from visits.services.compliance import rep_compliance, team_compliance


def rep_visit_figures(user) -> dict:
    today = timezone.localdate()
    monday = week_start(today)
    month = Month.of(today)
    counted = Q(status__in=Visit.COUNTED)
    figures = Visit.objects.filter(
        rep=user, visited_on__gte=min(monday, month.first_day), visited_on__lte=today
    ).aggregate(
        today=Count("pk", filter=counted & Q(visited_on=today)),
        week_dealers=Count("dealer_id", filter=counted & Q(visited_on__gte=monday), distinct=True),
    )
    compliance = rep_compliance(user, month, as_of=today)
    pace = month_pace(month, today)
    # the month's minimum, in the share of its working days behind: what "on pace" asks for today
    expected_visits = math.ceil(compliance.quota.monthly_min * pace.share)
    return {
        "visits_pace": pace,
        "expected_visits": expected_visits,
        "visits_on_pace": compliance.visits_counted >= expected_visits,
        "quota": compliance.quota,
        "compliance": compliance,
        "today_visits": figures["today"],
        "working_day": today.isoweekday() in settings.VISIT_WORKING_DAYS,
        "week_dealers": figures["week_dealers"],
        "this_week": iso_week_label(monday),
        "recent_visits": list(visit_list(user).filter(rep=user)[:5]),
    }


def manager_visit_figures(user, reps=None) -> dict:
    month = Month.current()
    reps = visit_reps(user).order_by("username") if reps is None else reps
    return {
        "team_compliance": team_compliance(reps, month),
    }
