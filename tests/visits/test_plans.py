"""Week plans (周拜访计划, SPEC §4): visits.services.plans and the Saturday reminder task.

``plan_create`` checks the week against today's local date, so the weeks here are counted from
``timezone.localdate()``; submission times are passed as ``now=``.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from channelhub.errors import Conflict, DomainError, TransitionNotAllowed
from channelhub.notifications.models import Notification
from channelhub.periods import iso_week_label, week_start
from channelhub.roles import Role
from channelhub.scoping import SegregationOfDutiesError
from partners.models import Dealer
from tests.factories import UserFactory
from tests.visits.world import at
from visits import policies
from visits.models import VisitPlan, VisitPlanItem
from visits.selectors import reps_without_plan
from visits.services.plans import plan_approve, plan_create, plan_return, plan_submit, plan_update, plans_remind_missing
from visits.tasks import remind_missing_plans as remind_task


def monday(weeks_ahead: int = 1) -> date:
    """The Monday ``weeks_ahead`` weeks after this week's (0 = this week)."""
    return week_start(timezone.localdate()) + timedelta(weeks=weeks_ahead)


def item(dealer, day: date, note: str = "") -> dict:
    return {"dealer": dealer, "planned_date": day, "note": note}


def saturday_before(first_day: date, hour=23, minute=59, second=59):
    saturday = first_day - timedelta(days=2)
    return at(saturday.year, saturday.month, saturday.day, hour, minute, second)


def sunday_before(first_day: date, hour=0, minute=0, second=0):
    sunday = first_day - timedelta(days=1)
    return at(sunday.year, sunday.month, sunday.day, hour, minute, second)


@pytest.fixture
def english():
    """Item errors read in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def week():
    return monday(2)  # two weeks ahead: never in the past, whatever day the suite runs


@pytest.fixture
def draft(d, rep, week):
    return plan_create(
        rep=rep,
        week_start=week,
        items=[item(d["A1"], week), item(d["A2"], week + timedelta(days=1))],
        note="重点跟进A1补货",
    )


def submitted(plan, rep, now=None):
    return plan_submit(actor=rep, plan=plan, now=now or saturday_before(plan.week_start, 12, 0, 0))


# --- create: the week ------------------------------------------------------------------------------


def test_a_rep_creates_a_draft_with_items(draft, rep, d, week):
    assert draft.status == VisitPlan.Status.DRAFT
    assert (draft.rep, draft.week_start, draft.note) == (rep, week, "重点跟进A1补货")
    assert [(i.dealer, i.planned_date) for i in draft.items.all()] == [
        (d["A1"], week),
        (d["A2"], week + timedelta(days=1)),
    ]
    assert [(c.transition, c.to_state) for c in VisitPlan.workflow.log(draft)] == [("create", "draft")]


@pytest.mark.parametrize("offset", [1, 2, 3, 4, 5, 6])
def test_a_week_plan_starts_on_a_monday(d, rep, offset):
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=monday(1) + timedelta(days=offset))
    assert "week_start" in error.value.message_dict


def test_last_weeks_plan_cannot_be_created(d, rep):
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=monday(-1))
    assert "week_start" in error.value.message_dict


def test_this_weeks_plan_may_still_be_created(d, rep):
    assert plan_create(rep=rep, week_start=monday(0)).week_start == monday(0)


def test_one_plan_per_rep_and_week(d, rep, rep_peer, week):
    plan_create(rep=rep, week_start=week)
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=week, items=[item(d["A1"], week)])
    assert "week_start" in error.value.message_dict
    assert VisitPlan.objects.filter(rep=rep).count() == 1
    assert not VisitPlanItem.objects.exists()
    # another rep, or another week, is fine
    plan_create(rep=rep_peer, week_start=week)
    plan_create(rep=rep, week_start=week + timedelta(weeks=1))
    assert VisitPlan.objects.count() == 3


@pytest.mark.parametrize("who", ["manager", "finance"])
def test_only_reps_write_plans(d, everyone, who, week):
    with pytest.raises(PermissionDenied):
        plan_create(rep=everyone[who], week_start=week)


# --- create: the items -----------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-1, 7])
def test_items_must_lie_in_the_week(d, rep, week, offset):
    # Monday … Sunday (offsets 0 … 6) are in; the Sunday before (−1) and the next Monday (7) are not
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=week, items=[item(d["A1"], week + timedelta(days=offset))])
    assert "items" in error.value.message_dict
    assert not VisitPlan.objects.exists()


def test_the_sunday_of_the_week_is_in_it(d, rep, week):
    plan = plan_create(rep=rep, week_start=week, items=[item(d["A1"], week + timedelta(days=6))])
    assert plan.items.get().planned_date == week + timedelta(days=6)


@pytest.mark.parametrize("dealer", ["P1", "O1"])
def test_items_are_the_reps_own_dealers(english, d, rep, week, dealer):
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=week, items=[item(d["A1"], week), item(d[dealer], week)])
    assert error.value.message_dict["items"] == ["Visit 2: unknown dealer."]


def test_a_terminated_dealer_cannot_be_planned(english, d, rep, week):
    Dealer.objects.filter(pk=d["A1"].pk).update(status=Dealer.Status.TERMINATED)
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=week, items=[item(d["A1"], week)])
    assert error.value.message_dict["items"] == ["Visit 1: unknown dealer."]


def test_the_same_dealer_twice_on_one_day_is_refused(english, d, rep, week):
    with pytest.raises(ValidationError) as error:
        plan_create(rep=rep, week_start=week, items=[item(d["A1"], week), item(d["A1"], week)])
    assert len(error.value.message_dict["items"]) == 1
    assert error.value.message_dict["items"] == [f"Visit 2: {d['A1'].name} is already planned on {week.isoformat()}."]


def test_the_same_dealer_on_two_days_and_two_dealers_on_one_day_are_fine(d, rep, week):
    plan = plan_create(
        rep=rep,
        week_start=week,
        items=[item(d["A1"], week), item(d["A1"], week + timedelta(days=2)), item(d["A2"], week)],
    )
    assert plan.items.count() == 3


def test_every_bad_item_is_reported_at_once(english, d, rep, week):
    with pytest.raises(ValidationError) as error:
        plan_create(
            rep=rep,
            week_start=week,
            items=[item(d["A1"], week), item(d["P1"], week), item(d["A2"], week - timedelta(days=1))],
        )
    sunday_before_week = week - timedelta(days=1)
    assert error.value.message_dict["items"] == [
        "Visit 2: unknown dealer.",
        f"Visit 3: {sunday_before_week.isoformat()} is not in the week of {iso_week_label(week)}.",
    ]


# --- update: only draft and returned plans -------------------------------------------------------------


def test_update_replaces_the_items_and_the_note(draft, rep, d, week):
    plan_update(actor=rep, plan=draft, items=[item(d["A3"], week + timedelta(days=4))], note="改为周五")
    stored = VisitPlan.objects.get(pk=draft.pk)
    assert stored.note == "改为周五"
    assert [(i.dealer, i.planned_date) for i in stored.items.all()] == [(d["A3"], week + timedelta(days=4))]


def test_update_with_only_a_note_keeps_the_items(draft, rep):
    plan_update(actor=rep, plan=draft, note="only the note")
    assert draft.items.count() == 2


def test_update_checks_the_items_like_create(draft, rep, d, week):
    with pytest.raises(ValidationError):
        plan_update(actor=rep, plan=draft, items=[item(d["O1"], week)])
    assert draft.items.count() == 2  # nothing replaced


@pytest.mark.parametrize("who", ["rep_peer", "manager"])
def test_only_the_plans_rep_may_change_it(draft, everyone, who):
    with pytest.raises(PermissionDenied):
        plan_update(actor=everyone[who], plan=draft, note="x")


def test_a_submitted_plan_cannot_be_changed(draft, rep):
    submitted(draft, rep)
    with pytest.raises(Conflict):
        plan_update(actor=rep, plan=draft, note="x")
    with pytest.raises(Conflict):
        plan_submit(actor=rep, plan=draft)


def test_an_approved_plan_cannot_be_changed(draft, rep, manager):
    plan_approve(actor=manager, plan=submitted(draft, rep))
    with pytest.raises(Conflict):
        plan_update(actor=rep, plan=draft, note="x")


def test_a_returned_plan_can_be_changed_and_submitted_again(draft, rep, manager, d, week):
    plan_return(actor=manager, plan=submitted(draft, rep), comment="周三加一家")
    kept = [item(i.dealer, i.planned_date) for i in draft.items.all()]
    plan_update(actor=rep, plan=draft, items=[*kept, item(d["A3"], week + timedelta(days=2))])
    plan = plan_submit(actor=rep, plan=draft, now=at(2026, 1, 1))
    assert plan.status == VisitPlan.Status.SUBMITTED
    assert plan.items.count() == 3


# --- submit and lateness ------------------------------------------------------------------------------


def test_submit_needs_at_least_one_item(d, rep, week):
    plan = plan_create(rep=rep, week_start=week)
    with pytest.raises(DomainError):
        plan_submit(actor=rep, plan=plan)
    assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.DRAFT


def test_submitted_on_saturday_23_59_59_is_on_time(draft, rep):
    # due by Saturday 23:59 of the week before: the last second of Saturday is still on time
    now = saturday_before(draft.week_start)
    plan = plan_submit(actor=rep, plan=draft, now=now)
    stored = VisitPlan.objects.get(pk=plan.pk)
    assert stored.status == VisitPlan.Status.SUBMITTED
    assert stored.submitted_at == now
    assert stored.is_late is False


def test_submitted_on_sunday_00_00_is_late(draft, rep):
    now = sunday_before(draft.week_start)
    plan_submit(actor=rep, plan=draft, now=now)
    stored = VisitPlan.objects.get(pk=draft.pk)
    assert stored.submitted_at == now
    assert stored.is_late is True


def test_due_at_is_sunday_midnight_local(draft):
    assert timezone.localtime(draft.due_at) == sunday_before(draft.week_start)


def test_a_returned_plan_keeps_its_first_submission_and_punctuality(draft, rep, manager):
    on_time = saturday_before(draft.week_start, 20, 0, 0)
    plan_submit(actor=rep, plan=draft, now=on_time)
    plan_return(actor=manager, plan=draft, comment="补充目标")
    # resubmitted Tuesday of the planned week — long after the deadline
    plan_submit(actor=rep, plan=draft, now=on_time + timedelta(days=3))
    stored = VisitPlan.objects.get(pk=draft.pk)
    assert (stored.status, stored.submitted_at, stored.is_late) == ("submitted", on_time, False)


def test_a_late_plan_stays_late_when_resubmitted(draft, rep, manager):
    late = sunday_before(draft.week_start, 9, 0, 0)
    plan_submit(actor=rep, plan=draft, now=late)
    plan_return(actor=manager, plan=draft, comment="补充目标")
    plan_submit(actor=rep, plan=draft, now=late - timedelta(days=1))  # whatever the second time says
    stored = VisitPlan.objects.get(pk=draft.pk)
    assert (stored.submitted_at, stored.is_late) == (late, True)


def test_submission_is_logged(draft, rep):
    submitted(draft, rep)
    assert [(c.transition, c.from_state, c.to_state, c.by) for c in VisitPlan.workflow.log(draft)] == [
        ("create", "", "draft", rep),
        ("submit", "draft", "submitted", rep),
    ]


# --- approve and return ---------------------------------------------------------------------------------


def test_the_manager_approves(draft, rep, manager):
    reviewed = at(2026, 11, 21, 9, 0)
    plan_approve(actor=manager, plan=submitted(draft, rep), comment="同意", now=reviewed)
    stored = VisitPlan.objects.get(pk=draft.pk)
    assert (stored.status, stored.reviewed_by, stored.reviewed_at, stored.review_comment) == (
        "approved",
        manager,
        reviewed,
        "同意",
    )
    assert [c.transition for c in VisitPlan.workflow.log(draft)] == ["create", "submit", "approve"]


def test_only_a_submitted_plan_is_approved_or_returned(draft, manager):
    with pytest.raises(TransitionNotAllowed):
        plan_approve(actor=manager, plan=draft)
    with pytest.raises(TransitionNotAllowed):
        plan_return(actor=manager, plan=draft, comment="x")


def test_an_approved_plan_is_not_approved_again(draft, rep, manager):
    plan_approve(actor=manager, plan=submitted(draft, rep))
    with pytest.raises(TransitionNotAllowed):
        plan_approve(actor=manager, plan=draft)


@pytest.mark.parametrize("comment", ["", "   "])
def test_returning_needs_a_comment(draft, rep, manager, comment):
    submitted(draft, rep)
    with pytest.raises(ValidationError) as error:
        plan_return(actor=manager, plan=draft, comment=comment)
    assert "comment" in error.value.message_dict
    assert VisitPlan.objects.get(pk=draft.pk).status == VisitPlan.Status.SUBMITTED


def test_returning_tells_the_rep(draft, rep, manager):
    now = at(2026, 11, 21, 9, 0)
    plan_return(actor=manager, plan=submitted(draft, rep), comment="周三加一家", now=now)
    stored = VisitPlan.objects.get(pk=draft.pk)
    assert (stored.status, stored.review_comment, stored.reviewed_by) == ("returned", "周三加一家", manager)
    [notification] = Notification.objects.filter(recipient=rep)
    assert notification.body_text == "周三加一家"
    assert notification.url == reverse("visits:plan-detail", args=[draft.pk])
    assert iso_week_label(draft.week_start) in notification.title_text


@pytest.mark.parametrize("who", ["rep_peer", "finance"])
def test_reps_and_finance_do_not_review_plans(draft, rep, everyone, who):
    submitted(draft, rep)
    with pytest.raises(PermissionDenied):
        plan_approve(actor=everyone[who], plan=draft)


def test_a_manager_of_another_team_does_not_review_the_plan(draft, rep, other_manager):
    submitted(draft, rep)
    with pytest.raises(PermissionDenied):
        plan_approve(actor=other_manager, plan=draft)
    assert VisitPlan.objects.get(pk=draft.pk).status == VisitPlan.Status.SUBMITTED


def test_an_admin_may_approve(draft, rep, admin_user):
    plan_approve(actor=admin_user, plan=submitted(draft, rep))
    assert VisitPlan.objects.get(pk=draft.pk).status == VisitPlan.Status.APPROVED


def test_a_manager_cannot_approve_their_own_plan(d, manager, week):
    # a manager who also works as a rep: their own plan goes to their own manager, not to themselves
    coach = UserFactory(username="coach", roles=[Role.CHANNEL_MANAGER, Role.FIELD_REP], manager=manager)
    Dealer.objects.filter(pk=d["A4"].pk).update(owner=coach)
    plan = plan_create(rep=coach, week_start=week, items=[item(d["A4"], week)])
    plan_submit(actor=coach, plan=plan)
    with pytest.raises(SegregationOfDutiesError):
        plan_approve(actor=coach, plan=plan)
    plan_approve(actor=manager, plan=plan)
    assert VisitPlan.objects.get(pk=plan.pk).status == VisitPlan.Status.APPROVED


# --- who has not handed in next week's plan; the Saturday reminder -------------------------------------


NEXT_WEEK = date(2026, 12, 7)  # Monday of 2026-W50
SATURDAY = date(2026, 12, 5)  # the day the reminder runs


def hand_in(rep, status, monday=NEXT_WEEK):
    """A plan row in ``status`` (set directly: these tests are about who is reminded, not how plans move)."""
    return VisitPlan.objects.create(rep=rep, week_start=monday, status=status)


def test_reps_without_plan_are_those_without_a_submitted_or_approved_one(everyone):
    hand_in(everyone["rep"], VisitPlan.Status.SUBMITTED)
    hand_in(everyone["rep_peer"], VisitPlan.Status.DRAFT)
    hand_in(everyone["other_rep"], VisitPlan.Status.APPROVED, monday=NEXT_WEEK - timedelta(weeks=1))  # last week's
    assert set(reps_without_plan(NEXT_WEEK)) == {everyone["rep_peer"], everyone["other_rep"]}
    hand_in(everyone["other_rep"], VisitPlan.Status.APPROVED)
    assert list(reps_without_plan(NEXT_WEEK)) == [everyone["rep_peer"]]


def test_a_returned_plan_is_not_handed_in(everyone):
    hand_in(everyone["rep"], VisitPlan.Status.RETURNED)
    assert everyone["rep"] in set(reps_without_plan(NEXT_WEEK))


def test_managers_finance_admins_and_inactive_reps_are_not_asked_for_plans(everyone):
    gone = UserFactory(username="gone", roles=[Role.FIELD_REP], manager=everyone["manager"])
    gone.is_active = False
    gone.save()
    assert set(reps_without_plan(NEXT_WEEK)) == {everyone["rep"], everyone["rep_peer"], everyone["other_rep"]}


def test_the_saturday_reminder_goes_to_reps_without_a_plan_for_next_week(everyone):
    hand_in(everyone["rep"], VisitPlan.Status.SUBMITTED)
    hand_in(everyone["rep_peer"], VisitPlan.Status.DRAFT)
    # Saturday Dec 5 → next week starts Monday Dec 7 (2026-W50), due Saturday Dec 5 23:59
    assert plans_remind_missing(today=SATURDAY) == 2
    reminded = Notification.objects.filter(key="visit-plan-reminder:2026-W50")
    assert set(reminded.values_list("recipient", flat=True)) == {everyone["rep_peer"].pk, everyone["other_rep"].pk}
    notification = reminded.get(recipient=everyone["rep_peer"])
    assert "2026-W50" in notification.title_text and "2026-12-05 23:59" in notification.title_text
    assert notification.url == reverse("visits:my-plan") + "?week=2026-W50"


def test_the_reminder_is_sent_once_per_week(everyone):
    assert plans_remind_missing(today=SATURDAY) == 3
    assert plans_remind_missing(today=SATURDAY) == 0
    assert plans_remind_missing(today=SATURDAY - timedelta(days=1)) == 0  # Friday: same next week
    assert Notification.objects.count() == 3
    # the week after is another reminder
    assert plans_remind_missing(today=SATURDAY + timedelta(weeks=1)) == 3


def test_the_task_reminds_for_the_given_day(everyone):
    hand_in(everyone["other_rep"], VisitPlan.Status.APPROVED)
    assert remind_task.delay(SATURDAY.isoformat()).get() == 2
    assert remind_task.delay(SATURDAY.isoformat()).get() == 0


def test_the_task_defaults_to_today(everyone):
    label = iso_week_label(monday(1))
    assert remind_task.delay().get() == 3
    assert Notification.objects.filter(key=f"visit-plan-reminder:{label}").count() == 3


def test_can_edit_plan_only_the_reps_draft_or_returned_plan(draft, rep, rep_peer, manager):
    assert policies.can_edit_plan(rep, draft) is True
    assert policies.can_edit_plan(rep_peer, draft) is False
    plan = submitted(draft, rep)
    assert policies.can_edit_plan(rep, plan) is False
    plan = plan_return(actor=manager, plan=plan, comment="再看看")
    assert policies.can_edit_plan(rep, plan) is True


def test_beat_reminds_on_saturday_morning():
    from celery.schedules import crontab
    from django.conf import settings

    from channelhub.celery import app

    app.loader.import_default_modules()
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "visits.remind_missing_plans")
    assert entry["schedule"] == crontab(day_of_week="sat", hour=10, minute=0)
    assert "visits.remind_missing_plans" in app.tasks
    assert app.tasks["visits.remind_missing_plans"].acks_late is True


@pytest.mark.parametrize("week_start", ["9999-12-27", "2999-12-30", "0001-01-01"])
def test_a_week_plan_outside_the_years_1900_to_2999_is_refused(api_as, rep, week_start):
    # 2999-12-30 is a Monday whose Sunday falls in 3000
    response = api_as(rep).post("/api/v1/visit-plans/", {"week_start": week_start, "items": []}, format="json")
    assert response.status_code == 400 and "week_start" in response.json()
    assert not VisitPlan.objects.exists()
