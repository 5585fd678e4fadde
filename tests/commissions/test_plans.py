"""Commission plans (SPEC §6): a plan saved with its tiers and assignments all or nothing; bands that
leave a gap or overlap refused; one plan per rep on any day; which plan pays a month (its last day)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from channelhub.periods import Month
from channelhub.roles import Role
from commissions.models import CommissionPlan, CommissionTier, PlanAssignment
from commissions.selectors import plan_for, plans_for
from commissions.services.plans import plan_create, plan_update
from tests.factories import UserFactory

D = Decimal
JULY = Month(2026, 7)
TIERS = [{"from_amount": "0.00", "rate": "2.00"}, {"from_amount": "50000.00", "rate": "3.00"}]


@pytest.fixture(autouse=True)
def english(db):
    with translation.override("en"):
        yield


def make(name="Standard", tiers=TIERS, assignments=(), **fields) -> CommissionPlan:
    return plan_create(name=name, tiers=tiers, assignments=list(assignments), **fields)


def on(rep, start, end=None) -> dict:
    return {"rep": rep, "start_date": start, "end_date": end}


def refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def bands(plan) -> list[tuple[Decimal, Decimal]]:
    return list(plan.tiers.order_by("from_amount").values_list("from_amount", "rate"))


# --- tiers -----------------------------------------------------------------------------------------


def test_a_plan_is_saved_with_its_tiers_and_assignments(rep):
    plan = make(assignments=[on(rep, date(2026, 1, 1))], collection_gate=D("80.00"), retention=D("10.00"))
    assert bands(plan) == [(D("0.00"), D("2.00")), (D("50000.00"), D("3.00"))]
    assert list(plan.assignments.values_list("rep_id", "start_date", "end_date")) == [(rep.pk, date(2026, 1, 1), None)]
    assert plan.history.count() == 1


def test_bands_given_in_any_order_are_kept_sorted():
    plan = make(tiers=[{"from_amount": "100000", "rate": "4"}, {"from_amount": "0", "rate": "2"}, TIERS[1]])
    assert bands(plan) == [(D("0.00"), D("2.00")), (D("50000.00"), D("3.00")), (D("100000.00"), D("4.00"))]


def test_bands_not_starting_at_zero_leave_a_gap_and_are_refused():
    errors = refusal(lambda: make(tiers=[{"from_amount": "100.00", "rate": "2"}, TIERS[1]]))
    assert errors["tiers"] == [
        "The first band must start at 0.00 (the lowest starts at 100.00): bands may not leave a gap."
    ]
    assert not CommissionPlan.objects.exists()


def test_two_bands_with_the_same_start_overlap_and_are_refused():
    errors = refusal(lambda: make(tiers=[*TIERS, {"from_amount": "50000", "rate": "5"}]))
    assert errors["tiers"] == ["Two bands start at 50,000.00: bands may not overlap."]


def test_a_band_below_zero_and_a_rate_above_100_are_refused():
    errors = refusal(
        lambda: make(tiers=[TIERS[0], {"from_amount": "-10", "rate": "3"}, {"from_amount": "9", "rate": "101"}])
    )
    assert errors["tiers"] == [
        "Band 2 starts below 0.00 (-10.00).",
        "Band 3: the rate must be between 0 and 100 %.",
    ]


def test_a_plan_needs_at_least_one_band():
    assert refusal(lambda: make(tiers=[]))["tiers"] == ["Give at least one band, starting at 0.00."]


def test_a_scorecard_factor_needs_a_template(templates):
    errors = refusal(lambda: make(use_scorecard=True))
    assert errors["scorecard_template"] == ["Choose the scorecard template whose total multiplies the commission."]
    assert make(use_scorecard=True, scorecard_template=templates["mbo"]).use_scorecard


def test_field_errors_come_together_and_nothing_is_written(rep, manager):
    make(name="Taken")
    errors = refusal(
        lambda: make(
            name="Taken",
            retention=D("120"),
            tiers=[{"from_amount": "5", "rate": "2"}],
            assignments=[on(manager, date(2026, 1, 1))],
        )
    )
    assert set(errors) == {"name", "retention", "tiers", "assignments"}
    assert CommissionPlan.objects.count() == 1 and not CommissionTier.objects.exclude(plan__name="Taken").exists()


# --- assignments -----------------------------------------------------------------------------------


def test_a_rep_on_another_plan_the_same_days_is_refused_naming_it(rep):
    make(name="Standard", assignments=[on(rep, date(2026, 1, 1), date(2026, 12, 31))])
    errors = refusal(lambda: make(name="Senior", assignments=[on(rep, date(2026, 7, 1))]))
    assert errors["assignments"] == [
        "张伟 is on plan “Standard” for 2026-01-01 – 2026-12-31, which overlaps 2026-07-01 – (open-ended): "
        "a rep has one plan on any day."
    ]
    assert not CommissionPlan.objects.filter(name="Senior").exists()


def test_an_open_ended_assignment_overlaps_everything_after_it(rep):
    make(name="Standard", assignments=[on(rep, date(2026, 1, 1))])
    errors = refusal(lambda: make(name="Senior", assignments=[on(rep, date(2030, 1, 1), date(2030, 1, 31))]))
    assert "“Standard” for 2026-01-01 – (open-ended)" in errors["assignments"][0]


def test_back_to_back_assignments_do_not_overlap(rep):
    make(name="Standard", assignments=[on(rep, date(2026, 1, 1), date(2026, 6, 30))])
    senior = make(name="Senior", assignments=[on(rep, "2026-07-01")])  # dates inclusive: 30 June ≠ 1 July
    assert senior.assignments.get().start_date == date(2026, 7, 1)


def test_the_same_rep_twice_on_overlapping_dates_in_one_plan_is_refused(rep):
    errors = refusal(lambda: make(assignments=[on(rep, date(2026, 1, 1), date(2026, 7, 1)), on(rep, date(2026, 7, 1))]))
    assert errors["assignments"] == [
        "张伟 is given this plan twice on overlapping dates: 2026-01-01 – 2026-07-01 and 2026-07-01 – (open-ended)."
    ]


def test_only_field_reps_get_plans_and_dates_must_be_in_order(rep, manager):
    errors = refusal(
        lambda: make(assignments=[on(manager, date(2026, 1, 1)), on(rep, date(2026, 7, 1), date(2026, 6, 1))])
    )
    assert errors["assignments"] == [
        "Assignment 1: 陈经理 is not a field rep; plans are for field reps.",
        "Assignment 2 ends (2026-06-01) before it starts (2026-07-01).",
    ]


def test_saving_a_plan_again_does_not_clash_with_its_own_assignments(rep, rep_peer):
    plan = make(assignments=[on(rep, date(2026, 1, 1))])
    plan = plan_update(plan=plan, assignments=[on(rep, date(2026, 1, 1)), on(rep_peer, date(2026, 3, 1))])
    assert plan.assignments.count() == 2


# --- updates ---------------------------------------------------------------------------------------


def test_an_update_replaces_what_it_is_given_and_keeps_the_rest(rep):
    plan = make(assignments=[on(rep, date(2026, 1, 1))])
    plan = plan_update(plan=plan, name="Standard 2027", retention=D("5.00"))
    assert bands(plan) == [(D("0.00"), D("2.00")), (D("50000.00"), D("3.00"))]
    assert plan.assignments.count() == 1
    plan = plan_update(plan=plan, tiers=[{"from_amount": "0", "rate": "1.5"}], assignments=[])
    assert bands(plan) == [(D("0.00"), D("1.50"))]
    assert not plan.assignments.exists()
    assert (plan.name, plan.retention, plan.history.count()) == ("Standard 2027", D("5.00"), 3)


def test_a_refused_update_changes_nothing(rep):
    plan = make(assignments=[on(rep, date(2026, 1, 1))])
    refusal(lambda: plan_update(plan=plan, name="Changed", tiers=[{"from_amount": "1", "rate": "2"}]))
    plan.refresh_from_db()
    assert plan.name == "Standard" and len(bands(plan)) == 2


@pytest.mark.parametrize("who", ["rep", "manager", "finance"])
def test_only_administrators_set_up_plans(everyone, who):
    with pytest.raises(PermissionDenied):
        plan_create(actor=everyone[who], name="Mine", tiers=TIERS)
    plan = plan_create(actor=everyone["admin"], name="Theirs", tiers=TIERS)
    with pytest.raises(PermissionDenied):
        plan_update(actor=everyone[who], plan=plan, name="Mine")


# --- which plan pays a month -----------------------------------------------------------------------


def test_the_plan_of_a_month_is_the_one_on_its_last_day(rep, rep_peer, other_rep):
    standard = make(
        name="Standard",
        assignments=[on(rep, date(2026, 1, 1), date(2026, 7, 15)), on(rep_peer, date(2026, 1, 1), date(2026, 7, 30))],
    )
    senior = make(name="Senior", assignments=[on(rep, date(2026, 7, 16))])
    assert plan_for(rep, "2026-06") == standard
    assert plan_for(rep, JULY) == senior  # changed on the 16th: July is paid on the new plan
    assert plan_for(rep_peer, JULY) is None  # left on the 30th: no plan on 31 July
    assert plan_for(rep_peer, "2026-06") == standard
    assert plan_for(other_rep, JULY) is None
    assert plan_for(rep, "2025-12") is None  # before the first assignment


def test_plans_for_many_reps_take_two_queries(rep, rep_peer, other_rep, django_assert_num_queries):
    reps = [rep, rep_peer, other_rep] + [UserFactory(roles=[Role.FIELD_REP]) for _n in range(4)]
    standard = make(name="Standard", assignments=[on(r, date(2026, 1, 1)) for r in reps[:5]])
    senior = make(name="Senior", tiers=[{"from_amount": "0", "rate": "5"}], assignments=[on(reps[5], date(2026, 7, 1))])
    # 1. the assignments on 31 July with their plans (and templates); 2. the plans' tiers
    with django_assert_num_queries(2):
        plans = plans_for(reps, JULY)
        tiers = {rep_id: [t.rate for t in plan.tiers.all()] for rep_id, plan in plans.items()}
    assert set(plans) == {r.pk for r in reps[:6]}
    assert plans[rep.pk] == standard and plans[reps[5].pk] == senior
    assert plans[rep.pk] is plans[rep_peer.pk]  # one object per plan
    assert tiers[rep.pk] == [D("2.00"), D("3.00")] and tiers[reps[5].pk] == [D("5.00")]
    assert PlanAssignment.objects.count() == 6
