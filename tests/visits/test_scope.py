"""Who sees which visits, plans and quotas (SPEC §2 row "visits"): channelhub.scoping and visits.selectors.

    manager (EAST) ── rep, rep_peer            other_manager (SOUTH) ── other_rep

Visits in the world below (dealer territory in brackets):

    mine        rep        at A1 (SH-PD, EAST)
    peers       rep_peer   at P1 (JS-NJ, EAST)
    others      other_rep  at O1 (GD-GZ, SOUTH)
    others_east other_rep  at X1 (SH-PD, EAST)  — a dealer of other_rep's in manager's territory
    mine_south  rep        at Y1 (GD-GZ, SOUTH) — a dealer of rep's in other_manager's territory
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from channelhub.roles import Role
from channelhub.scoping import get_scoped_or_404, scope
from tests.factories import UserFactory
from tests.partners.world import make_dealer
from tests.visits.world import at, log
from visits.models import Quota, Visit, VisitPlan, VisitPlanItem
from visits.policies import visit_reps
from visits.selectors import (
    dealer_visits,
    plan_detail,
    plan_list,
    plans_to_review,
    review_queue,
    visit_detail,
    visit_list,
)

WEEK = date(2026, 12, 7)


@pytest.fixture
def world(d, covered, manager, other_manager, rep, rep_peer, other_rep):
    d["X1"] = make_dealer(
        manager, covered["SH-PD"], other_rep, "X1", name="浦东(刘洋)", latitude="31.2", longitude="121.5"
    )
    d["Y1"] = make_dealer(
        other_manager, covered["GD-GZ"], rep, "Y1", name="广州(张伟)", latitude="23.1", longitude="113.3"
    )
    return {
        "mine": log(rep, d["A1"], at(2026, 11, 2, 10)),
        "peers": log(rep_peer, d["P1"], at(2026, 11, 3, 10)),
        "others": log(other_rep, d["O1"], at(2026, 11, 4, 10)),
        "others_east": log(other_rep, d["X1"], at(2026, 11, 5, 10)),
        "mine_south": log(rep, d["Y1"], at(2026, 11, 6, 10)),
    }


def names(world: dict, queryset) -> set[str]:
    by_pk = {visit.pk: name for name, visit in world.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


# --- visits --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", {"mine", "mine_south"}),
        ("rep_peer", {"peers"}),
        ("other_rep", {"others", "others_east"}),
        # team (mine, mine_south, peers) + own territory EAST (others_east)
        ("manager", {"mine", "mine_south", "peers", "others_east"}),
        # team (others, others_east) + own territory SOUTH (mine_south)
        ("other_manager", {"others", "others_east", "mine_south"}),
        ("finance", set()),
        ("admin", {"mine", "peers", "others", "others_east", "mine_south"}),
    ],
)
def test_who_sees_which_visits(world, everyone, who, expected):
    assert names(world, scope(everyone[who], Visit)) == expected
    assert names(world, visit_list(everyone[who])) == expected


def test_a_rep_does_not_see_a_peers_visit_and_gets_404(world, rep):
    with pytest.raises(Http404):
        get_scoped_or_404(rep, visit_detail(rep), pk=world["peers"].pk)
    assert get_scoped_or_404(rep, visit_detail(rep), pk=world["mine"].pk) == world["mine"]


def test_a_manager_does_not_see_another_teams_visit_outside_their_territories(world, manager, other_manager):
    with pytest.raises(Http404):
        get_scoped_or_404(manager, Visit, pk=world["others"].pk)
    with pytest.raises(Http404):
        get_scoped_or_404(other_manager, Visit, pk=world["mine"].pk)


def test_a_manager_sees_visits_in_a_sub_territory(world, manager, covered):
    # manager covers EAST; A1 lies in EAST › SH › SH-SH › SH-PD
    assert world["mine"].dealer.territory == covered["SH-PD"]
    assert scope(manager, Visit).filter(pk=world["others_east"].pk).exists()


def test_inactive_and_anonymous_users_see_no_visits(world, rep):
    rep.is_active = False
    rep.save()
    assert not scope(rep, Visit).exists()
    assert not scope(AnonymousUser(), Visit).exists()


# --- plans, plan items and quotas: team only, no territories ---------------------------------------------


@pytest.fixture
def plans(world, d, rep, rep_peer, other_rep):
    made = {}
    for user, dealer in ((rep, d["A1"]), (rep_peer, d["P1"]), (other_rep, d["X1"])):
        plan = VisitPlan.objects.create(rep=user, week_start=WEEK)
        VisitPlanItem.objects.create(plan=plan, dealer=dealer, planned_date=WEEK)
        Quota.objects.create(rep=user, monthly_min=20)
        made[user.username] = plan
    return made


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", {"rep_a1"}),
        ("rep_peer", {"rep_a2"}),
        ("other_rep", {"rep_b1"}),
        # only the team: other_rep's plan is not the manager's, though its item is a dealer in EAST
        ("manager", {"rep_a1", "rep_a2"}),
        ("other_manager", {"rep_b1"}),
        ("finance", set()),
        ("admin", {"rep_a1", "rep_a2", "rep_b1"}),
    ],
)
def test_who_sees_which_plans_items_and_quotas(plans, everyone, who, expected):
    user = everyone[who]
    assert set(scope(user, VisitPlan).values_list("rep__username", flat=True)) == expected
    assert set(scope(user, VisitPlanItem).values_list("plan__rep__username", flat=True)) == expected
    assert set(scope(user, Quota).values_list("rep__username", flat=True)) == expected
    assert set(plan_list(user).values_list("rep__username", flat=True)) == expected


# --- visit_reps: whose compliance a user may see ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("rep", {"rep_a1"}),
        ("rep_peer", {"rep_a2"}),
        ("manager", {"rep_a1", "rep_a2"}),
        ("other_manager", {"rep_b1"}),
        ("finance", set()),
        ("admin", {"rep_a1", "rep_a2", "rep_b1"}),
    ],
)
def test_visit_reps(everyone, who, expected):
    assert set(visit_reps(everyone[who]).values_list("username", flat=True)) == expected


def test_visit_reps_lists_only_field_reps(everyone, manager):
    # a manager's team member without the field rep role has no visit compliance
    UserFactory(username="assistant", roles=[Role.FINANCE], manager=manager)
    assert set(visit_reps(manager).values_list("username", flat=True)) == {"rep_a1", "rep_a2"}
    assert "manager_a" not in set(visit_reps(everyone["admin"]).values_list("username", flat=True))


def test_visit_reps_of_nobody(db):
    assert not visit_reps(AnonymousUser()).exists()
    assert not visit_reps(UserFactory(username="norole", roles=[])).exists()


# --- selectors ------------------------------------------------------------------------------------------------


def test_visit_list_is_one_query_whatever_its_length(world, manager, django_assert_num_queries):
    list(visit_list(manager))  # reads (and caches) the manager's roles and territories
    with django_assert_num_queries(1):  # visits ⋈ rep ⋈ dealer ⋈ territory
        rows = [(v.rep.username, v.dealer.name, v.dealer.territory.code) for v in visit_list(manager)]
    assert len(rows) == 4
    log(world["mine"].rep, world["mine"].dealer, at(2026, 11, 9, 10))
    with django_assert_num_queries(1):
        rows = [(v.rep.username, v.dealer.name, v.dealer.territory.code) for v in visit_list(manager)]
    assert len(rows) == 5


def test_visit_list_is_newest_first(world, admin_user):
    assert [v.pk for v in visit_list(admin_user)] == [
        world[name].pk for name in ("mine_south", "others_east", "others", "peers", "mine")
    ]


def test_review_queue_holds_flagged_submitted_visits_in_scope_oldest_first(d, world, manager, rep, rep_peer, other_rep):
    late = log(rep, d["A2"], at(2026, 11, 10, 9), now=at(2026, 11, 14, 9))  # 96 h later
    far = log(rep_peer, d["P1"], at(2026, 11, 9, 9), latitude=d["P1"].latitude + 1)  # ~111 km away
    both = log(rep, d["A3"], at(2026, 11, 11, 9), now=at(2026, 11, 15, 9), latitude=d["A3"].latitude + 1)
    reviewed = log(rep, d["A4"], at(2026, 11, 8, 9), now=at(2026, 11, 12, 9))
    Visit.objects.filter(pk=reviewed.pk).update(status=Visit.Status.CONFIRMED)
    log(other_rep, d["O1"], at(2026, 11, 8, 9), now=at(2026, 11, 12, 9))  # flagged, but not manager's to see
    assert [v.pk for v in review_queue(manager)] == [far.pk, late.pk, both.pk]
    assert not review_queue(other_manager_of(other_rep)).filter(pk__in=[far.pk, late.pk, both.pk]).exists()


def other_manager_of(user):
    return user.profile.manager


def test_review_queue_leaves_out_the_reviewers_own_visits(d, world, manager, covered, rep):
    coach = UserFactory(username="coach", roles=[Role.CHANNEL_MANAGER, Role.FIELD_REP], manager=manager)
    coach.profile.territories.add(covered["EAST"])
    own_dealer = make_dealer(manager, covered["SH-PD"], coach, "C1", latitude="31.0", longitude="121.0")
    own = log(coach, own_dealer, at(2026, 11, 10, 9), now=at(2026, 11, 14, 9))
    theirs = log(rep, d["A2"], at(2026, 11, 10, 9), now=at(2026, 11, 14, 9))
    queue = [v.pk for v in review_queue(coach)]
    assert theirs.pk in queue and own.pk not in queue
    assert own.pk in [v.pk for v in review_queue(manager)]


def test_dealer_visits_are_the_visible_ones_newest_first_up_to_the_limit(d, world, rep, rep_peer, manager):
    second = log(rep, d["A1"], at(2026, 11, 12, 10))
    third = log(rep, d["A1"], at(2026, 11, 20, 10))
    assert dealer_visits(rep, d["A1"], limit=2) == [third, second]
    assert dealer_visits(manager, d["A1"]) == [third, second, world["mine"]]
    assert dealer_visits(rep_peer, d["A1"]) == []


def test_plan_list_counts_items_without_a_query_per_plan(plans, d, manager, django_assert_num_queries):
    VisitPlanItem.objects.create(plan=plans["rep_a1"], dealer=d["A2"], planned_date=WEEK + timedelta(days=1))
    list(plan_list(manager))
    with django_assert_num_queries(1):
        counts = {p.rep.username: p.item_count for p in plan_list(manager)}
    assert counts == {"rep_a1": 2, "rep_a2": 1}


def test_plan_detail_prefetches_items_and_dealers(plans, d, manager, django_assert_num_queries):
    VisitPlanItem.objects.create(plan=plans["rep_a1"], dealer=d["A2"], planned_date=WEEK + timedelta(days=1))
    list(plan_detail(manager))
    with django_assert_num_queries(2):  # the plan ⋈ rep ⋈ reviewer; its items ⋈ dealer
        plan = plan_detail(manager).get(pk=plans["rep_a1"].pk)
        items = [(i.planned_date, i.dealer.code) for i in plan.items.all()]
    assert items == [(WEEK, "A1"), (WEEK + timedelta(days=1), "A2")]
    with pytest.raises(Http404):
        get_scoped_or_404(manager, plan_detail(manager), pk=plans["rep_b1"].pk)


def test_plans_to_review_are_submitted_plans_of_the_team_oldest_week_first(plans, rep, rep_peer, manager):
    later = VisitPlan.objects.create(rep=rep, week_start=WEEK + timedelta(weeks=1), status=VisitPlan.Status.SUBMITTED)
    VisitPlan.objects.filter(pk__in=[plans["rep_a2"].pk, plans["rep_b1"].pk]).update(status=VisitPlan.Status.SUBMITTED)
    VisitPlan.objects.create(rep=rep_peer, week_start=WEEK + timedelta(weeks=2), status=VisitPlan.Status.APPROVED)
    # rep's Dec 7 plan is a draft; other_rep's is submitted but not manager's team
    assert [p.pk for p in plans_to_review(manager)] == [plans["rep_a2"].pk, later.pk]
    assert list(plans_to_review(rep)) == []
