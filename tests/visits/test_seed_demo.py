"""The demo visits and week plans of SPEC §10: a believable year, checked as the services would,
deterministic and idempotent."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from channelhub.accounts.demo import seed_users
from channelhub.periods import Month, week_start
from channelhub.workflow.models import StateChange
from partners.models import Dealer
from visits.demo import PLAN_WEEKS_BACK, _Rep, _week, seed_visits
from visits.models import Quota, Visit, VisitPlan, VisitPlanItem
from visits.selectors import plans_to_review, review_queue
from visits.selectors.compliance import compliance_for
from visits.services.visits import visit_apply_checks

User = get_user_model()
REPS = ("rep1", "rep2", "rep3", "rep4", "rep5", "rep6")


def seed():
    call_command("seed_demo", quiet_logins=True)


def counts() -> dict[str, int]:
    return {
        "visits": Visit.objects.count(),
        "visit history": Visit.history.count(),
        "plans": VisitPlan.objects.count(),
        "plan items": VisitPlanItem.objects.count(),
        "plan history": VisitPlan.history.count(),
        "state changes": StateChange.objects.count(),
        "quotas": Quota.objects.count(),
    }


def user(username):
    return User.objects.get(username=username)


def test_seeding_twice_adds_and_changes_nothing(db):
    seed()
    before = counts()
    statuses = sorted(Visit.objects.values_list("client_uuid", "status", "late_entry", "far_from_dealer"))
    seed()
    assert counts() == before
    assert sorted(Visit.objects.values_list("client_uuid", "status", "late_entry", "far_from_dealer")) == statuses


def test_a_later_run_adds_only_the_days_since(db):
    seed()
    before = set(Visit.objects.values_list("pk", "client_uuid", "status"))
    today = timezone.localdate()
    seed_visits(seed_users(), now=timezone.now() + timedelta(days=3))
    assert before <= set(Visit.objects.values_list("pk", "client_uuid", "status"))
    added = Visit.objects.exclude(pk__in=[pk for pk, *_rest in before])
    assert added.exists()  # three days hold at least one working day
    assert not added.filter(visited_on__lt=today).exists()


def test_a_reps_days_are_the_same_whenever_they_are_drawn():
    dealers = [Dealer(pk=n, code=f"D{n}", status=Dealer.Status.ACTIVE) for n in range(1, 11)]

    def rep():
        return _Rep("rep1", None, None, dealers, [3] * 10, pace=33, flag_rate=0.03)

    monday = week_start(timezone.localdate())
    first, second = rep(), rep()
    later_week = _week(first, monday + timedelta(days=7))
    this_week = _week(first, monday)
    assert _week(second, monday) == this_week
    assert _week(second, monday + timedelta(days=7)) == later_week


def check_every_rep_visits_own_dealers_every_month():
    today = timezone.localdate()
    months = [Month.current().previous()]
    while len(months) < 12:
        months.append(months[-1].previous())
    for username in REPS:
        visits = Visit.objects.filter(rep__username=username)
        assert not visits.exclude(dealer__owner__username=username).exists()
        assert not visits.filter(dealer__status=Dealer.Status.TERMINATED).exists()
        for month in months:
            in_month = visits.filter(visited_on__range=(month.first_day, month.last_day))
            assert 15 <= in_month.count() <= 50, (username, str(month))
        assert not visits.filter(visited_on__week_day__in=(1, 7)).exists()  # Sunday, Saturday
        assert not visits.filter(visited_on__gte=today).exists()


def check_nothing_is_in_the_future():
    now = timezone.now()
    assert not Visit.objects.filter(Q(visited_at__gt=now) | Q(created_at__gt=now) | Q(reviewed_at__gt=now)).exists()
    assert not StateChange.objects.filter(at__gt=now).exists()
    assert not Visit.objects.filter(created_at__lt=F("visited_at")).exists()


def check_some_reps_meet_the_quota_and_some_fall_short():
    reps = [user(username) for username in REPS]
    met = Counter()
    month = Month.current().previous()
    for _ in range(12):
        for row in compliance_for(reps, month):
            met[row.rep.username] += row.shortfall == 0
        month = month.previous()
    assert met["rep1"] >= 8 and met["rep4"] >= 8
    assert met["rep3"] <= 4 and met["rep5"] <= 4
    assert Quota.objects.get(rep__username="rep6").monthly_min == 25
    assert compliance_for([user("rep6")], Month.current())[0].monthly_min == 25


def check_the_flags_are_what_the_service_would_set():
    assert Visit.objects.filter(late_entry=True).count() >= 20
    far = Visit.objects.filter(far_from_dealer=True)
    assert far.count() >= 20
    assert all(Decimal(1500) < v.distance_m < Decimal(3000) for v in far)
    for visit in Visit.objects.select_related("dealer").order_by("?")[:200]:
        stored = (visit.visited_on, visit.late_entry, visit.far_from_dealer, visit.distance_m)
        visit_apply_checks(visit)
        assert (visit.visited_on, visit.late_entry, visit.far_from_dealer, visit.distance_m) == stored


def check_managers_reviewed_older_visits_and_have_flagged_ones_waiting():
    by_status = Counter(Visit.objects.values_list("status", flat=True))
    assert by_status["confirmed"] > by_status["submitted"] > 0
    assert 10 <= by_status["false_report"] < 100 and 10 <= by_status["fabricated"] < 100
    reviewed = Visit.objects.exclude(status=Visit.Status.SUBMITTED)
    for visit in reviewed.select_related("rep__profile").order_by("?")[:50]:
        assert visit.reviewed_by_id == visit.rep.profile.manager_id
        log = list(Visit.workflow.log(visit))
        assert [(c.transition, c.by_id) for c in log] == [
            ("create", visit.rep_id),
            (
                {"confirmed": "confirm", "false_report": "mark_false", "fabricated": "mark_fabricated"}[visit.status],
                visit.reviewed_by_id,
            ),
        ]
        assert [r.status for r in visit.history.order_by("history_date")] == ["submitted", visit.status]
    for manager in ("manager1", "manager2"):
        queue = review_queue(user(manager))
        team = set(User.objects.filter(profile__manager__username=manager).values_list("username", flat=True))
        assert set(queue.values_list("rep__username", flat=True)) == team
        assert queue.filter(late_entry=True).exists() and queue.filter(far_from_dealer=True).exists()


def check_week_plans():
    this_week = week_start(timezone.localdate())
    plans = VisitPlan.objects.all()
    assert set(plans.values_list("rep__username", flat=True)) == set(REPS)
    assert plans.filter(week_start__lt=this_week - timedelta(weeks=PLAN_WEEKS_BACK)).count() == 0
    by_status = Counter(plans.values_list("status", flat=True))
    assert by_status["approved"] > 30 and by_status["returned"] >= 1 and by_status["draft"] >= 1
    assert plans.filter(is_late=True).count() == 1
    current = plans.filter(week_start=this_week)
    assert current.count() == 6 and set(current.values_list("status", flat=True)) == {"submitted"}
    for manager in ("manager1", "manager2"):
        assert plans_to_review(user(manager)).count() == 3
    for item in VisitPlanItem.objects.select_related("plan", "dealer"):
        assert item.plan.week_start <= item.planned_date <= item.plan.week_end
        assert item.dealer.owner_id == item.plan.rep_id
    approved = plans.filter(status=VisitPlan.Status.APPROVED).first()
    assert [c.transition for c in VisitPlan.workflow.log(approved)][-1] == "approve"
    assert approved.submitted_at < approved.reviewed_at <= timezone.now()
    assert approved.created_at < approved.submitted_at


def test_the_demo_visits_are_complete_and_consistent(db):
    """One seed (it takes seconds), every check of what the demo must hold."""
    seed()
    check_every_rep_visits_own_dealers_every_month()
    check_nothing_is_in_the_future()
    check_some_reps_meet_the_quota_and_some_fall_short()
    check_the_flags_are_what_the_service_would_set()
    check_managers_reviewed_older_visits_and_have_flagged_ones_waiting()
    check_week_plans()
