"""The visit figures of the dashboards (SPEC §7): a rep's day, week and month against quota; a
manager's team compliance and what waits for review. A fixed number of queries each."""

from __future__ import annotations

import math

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from channelhub.accounts.selectors import team_list
from channelhub.periods import Month, iso_week_label, month_pace, week_start
from channelhub.roles import Role, has_role
from visits.models import Visit
from visits.policies import visit_reps
from visits.selectors import visit_list
from visits.selectors.compliance import rep_compliance, team_compliance


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


def rep_panel(user, context: dict) -> dict:
    return rep_visit_figures(user)


def manager_panel(user, context: dict) -> dict:
    """The manager's team, read once (its field reps, with their visit quotas, feed the later panels
    as ``reps``), and the team's compliance."""
    team = list(
        team_list(user)
        .select_related("visit_quota")
        .annotate(is_visit_rep=Exists(visit_reps(user).filter(pk=OuterRef("pk"))))
    )
    reps = [member for member in team if member.is_visit_rep]
    if has_role(user, Role.FIELD_REP):
        reps.append(user)  # a manager who is also a field rep counts in their own compliance
    reps.sort(key=lambda member: member.username)
    return {"team": team, "reps": reps, **manager_visit_figures(user, reps)}


def manager_visit_figures(user, reps=None) -> dict:
    month = Month.current()
    reps = visit_reps(user).order_by("username") if reps is None else reps
    return {
        "team_compliance": team_compliance(reps, month),
    }
