"""Targets (目标责任书, SPEC §5): kpi.services.targets — the life cycle, who may do what, the figures,
annual spreads and the reader for measures — with hand-made numbers.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user

Months are far ahead (2031) so that no period is closed unless a test closes it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from channelhub.errors import Conflict, TransitionNotAllowed
from channelhub.notifications.models import Notification
from channelhub.periods import Month
from channelhub.scoping import SegregationOfDutiesError
from kpi.models import Period, Target, TargetCategoryShare
from kpi.selectors.targets import targets_for
from kpi.services.periods import PeriodClosed
from kpi.services.targets import (
    EVEN,
    split,
    target_acknowledge,
    target_approve,
    target_propose,
    target_update,
    targets_spread,
)

PERIOD = "2031-07"


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def propose(actor, rep, period=PERIOD, **figures):
    figures.setdefault("sales_target", "100000.00")
    figures.setdefault("expense_rate_target", "8.00")
    figures.setdefault("collection_rate_target", "90.00")
    figures.setdefault("new_dealers_target", 2)
    return target_propose(actor=actor, rep=rep, period=period, **figures)


def log(target) -> list[tuple[str, str, str, str, str]]:
    return [
        (change.transition, change.from_state, change.to_state, change.by.username, change.comment)
        for change in Target.workflow.log(target)
    ]


def close(code: str) -> None:
    Period.objects.create(code=code, status=Period.Status.CLOSED, closed_at=timezone.now())


# --- propose ---------------------------------------------------------------------------------------


def test_rep_proposes_their_own_target_bottom_up(rep):
    target = propose(rep, rep, comment="冲刺新品")
    target.refresh_from_db()
    assert (target.rep, target.period, target.status, target.proposed_by) == (rep, PERIOD, "proposed", rep)
    assert (target.sales_target, target.expense_rate_target, target.collection_rate_target) == (
        Decimal("100000.00"),
        Decimal("8.00"),
        Decimal("90.00"),
    )
    assert target.new_dealers_target == 2
    assert target.approved_by is None and target.approved_at is None and target.acknowledged_at is None
    assert log(target) == [("create", "", "proposed", "rep_a1", "冲刺新品")]
    assert target.history.count() == 1


def test_manager_sets_a_target_for_a_team_rep_top_down_still_proposed(manager, rep_peer):
    target = propose(manager, rep_peer)
    assert (target.rep, target.status, target.proposed_by) == (rep_peer, "proposed", manager)
    assert log(target) == [("create", "", "proposed", "manager_a", "")]


def test_admin_may_set_a_target_for_any_rep(admin_user, other_rep):
    assert propose(admin_user, other_rep).proposed_by == admin_user


@pytest.mark.parametrize(
    ("who", "for_whom"),
    [("rep", "rep_peer"), ("manager", "other_rep"), ("other_manager", "rep"), ("finance", "rep")],
)
def test_only_the_rep_their_manager_or_an_admin_set_a_target(everyone, who, for_whom):
    with pytest.raises(PermissionDenied):
        propose(everyone[who], everyone[for_whom])
    assert not Target.objects.exists()


def test_targets_are_for_field_reps(manager):
    with pytest.raises(ValidationError) as error:
        propose(manager, manager)
    assert "rep" in error.value.message_dict


def test_one_target_per_rep_and_period(rep, rep_peer, manager):
    propose(rep, rep)
    with pytest.raises(ValidationError) as error:
        propose(manager, rep)  # the manager cannot set a second one either
    assert "period" in error.value.message_dict
    propose(rep, rep, period="2031-08")
    propose(rep_peer, rep_peer)
    assert Target.objects.count() == 3


@pytest.mark.parametrize("period", ["2031-7", "2031-13", "203107", "07-2031", "", "2031-00"])
def test_the_period_is_yyyy_mm(rep, period):
    with pytest.raises(ValidationError) as error:
        propose(rep, rep, period=period)
    assert "period" in error.value.message_dict


def test_money_and_rates_are_rounded_half_up_to_the_cent(rep):
    target = propose(
        rep, rep, sales_target="1250.005", expense_rate_target="12.345", collection_rate_target=Decimal("95.994")
    )
    target.refresh_from_db()
    # 1250.005 → 1250.01 and 12.345 → 12.35 (half up, not half even); 95.994 → 95.99
    assert (target.sales_target, target.expense_rate_target, target.collection_rate_target) == (
        Decimal("1250.01"),
        Decimal("12.35"),
        Decimal("95.99"),
    )


def test_bad_figures_are_all_reported_and_nothing_is_saved(rep):
    with pytest.raises(ValidationError) as error:
        propose(
            rep,
            rep,
            sales_target="-0.01",
            expense_rate_target="1000.01",
            collection_rate_target="abc",
            new_dealers_target="1.5",
        )
    assert set(error.value.message_dict) == {
        "sales_target",
        "expense_rate_target",
        "collection_rate_target",
        "new_dealers_target",
    }
    assert not Target.objects.exists()


def test_category_shares_are_optional_each_0_to_100_and_together_at_most_100(rep, lines):
    target = propose(
        rep,
        rep,
        category_shares=[
            {"category": lines["kitchen"], "share": "60.00"},
            {"category": lines["water"], "share": Decimal("40")},
        ],
    )
    assert {(s.category.code, s.share) for s in target.category_shares.all()} == {
        ("kitchen", Decimal("60.00")),
        ("water", Decimal("40.00")),
    }  # 60 + 40 = 100: allowed
    for shares in (
        [{"category": lines["kitchen"], "share": "60.00"}, {"category": lines["water"], "share": "40.01"}],  # 100.01
        [{"category": lines["hvac"], "share": "100.01"}],
        [{"category": lines["hvac"], "share": "-1"}],
        [{"category": lines["hvac"], "share": "10"}, {"category": lines["hvac"], "share": "10"}],  # twice
    ):
        with pytest.raises(ValidationError) as error:
            propose(rep, rep, period="2031-08", category_shares=shares)
        assert "category_shares" in error.value.message_dict
    assert Target.objects.count() == 1 and TargetCategoryShare.objects.count() == 2


def test_a_closed_period_refuses_a_target_naming_it(english, rep):
    close(PERIOD)
    with pytest.raises(PeriodClosed) as error:
        propose(rep, rep)
    assert PERIOD in str(error.value) and error.value.status_code == 409


# --- update ----------------------------------------------------------------------------------------


def test_the_proposer_changes_a_proposed_target(rep, lines):
    target = propose(rep, rep, category_shares=[{"category": lines["kitchen"], "share": "50"}])
    target = target_update(
        actor=rep, target=target, sales_target="90000", category_shares=[{"category": lines["water"], "share": "20"}]
    )
    target.refresh_from_db()
    assert target.sales_target == Decimal("90000.00") and target.expense_rate_target == Decimal("8.00")
    assert [(s.category.code, s.share) for s in target.category_shares.all()] == [("water", Decimal("20.00"))]
    assert target.history.first().diff_against(target.history.last()).changed_fields == ["sales_target"]


def test_the_reps_manager_changes_a_reps_proposal_and_shares_stay_when_not_given(rep, manager, lines):
    target = propose(rep, rep, category_shares=[{"category": lines["kitchen"], "share": "50"}])
    target = target_update(actor=manager, target=target, new_dealers_target=5)
    assert target.new_dealers_target == 5 and target.category_shares.count() == 1


def test_a_rep_cannot_change_a_target_the_manager_set(rep, manager):
    target = propose(manager, rep)
    with pytest.raises(PermissionDenied):
        target_update(actor=rep, target=target, sales_target="1")


@pytest.mark.parametrize("who", ["rep_peer", "other_manager", "finance"])
def test_others_cannot_change_a_target(everyone, rep, who):
    target = propose(rep, rep)
    with pytest.raises(PermissionDenied):
        target_update(actor=everyone[who], target=target, sales_target="1")


def test_an_approved_target_is_settled(rep, manager):
    target = target_approve(actor=manager, target=propose(rep, rep))
    with pytest.raises(Conflict) as error:
        target_update(actor=rep, target=target, sales_target="1")
    assert error.value.status_code == 409 and error.value.extra == {"current_state": "approved"}


# --- approve ---------------------------------------------------------------------------------------


def test_manager_approves_and_changes_the_figures_in_the_same_step(rep, manager, lines):
    target = propose(rep, rep, sales_target="100000.00")
    target = target_approve(
        actor=manager,
        target=target,
        sales_target="120000.00",
        collection_rate_target="95",
        category_shares=[{"category": lines["hvac"], "share": "30"}],
        comment="新店开业，目标上调",
    )
    target.refresh_from_db()
    assert (target.status, target.approved_by, target.sales_target, target.collection_rate_target) == (
        "approved",
        manager,
        Decimal("120000.00"),
        Decimal("95.00"),
    )
    assert target.expense_rate_target == Decimal("8.00") and target.approved_at is not None
    assert [(s.category.code, s.share) for s in target.category_shares.all()] == [("hvac", Decimal("30.00"))]
    assert log(target) == [
        ("create", "", "proposed", "rep_a1", ""),
        ("approve", "proposed", "approved", "manager_a", "新店开业，目标上调"),
    ]
    changed = target.history.first().diff_against(target.history.all()[1]).changed_fields
    assert set(changed) == {"sales_target", "collection_rate_target", "status", "approved_by", "approved_at"}
    assert Notification.objects.get(recipient=rep).key == f"target-approved:{target.pk}"


def test_rep_cannot_approve_their_own_target(rep):
    target = propose(rep, rep)
    with pytest.raises(SegregationOfDutiesError):
        target_approve(actor=rep, target=target)
    assert Target.objects.get().status == "proposed"


def test_manager_cannot_approve_a_target_they_set_themselves_an_admin_does(rep, manager, admin_user):
    target = propose(manager, rep)
    with pytest.raises(SegregationOfDutiesError):
        target_approve(actor=manager, target=target)
    assert target_approve(actor=admin_user, target=target).approved_by == admin_user


def test_admin_cannot_approve_a_target_they_set(admin_user, rep):
    target = propose(admin_user, rep)
    with pytest.raises(SegregationOfDutiesError):
        target_approve(actor=admin_user, target=target)


@pytest.mark.parametrize("who", ["other_manager", "finance", "rep_peer"])
def test_only_the_reps_manager_or_an_admin_approves(everyone, rep, who):
    target = propose(rep, rep)
    with pytest.raises(PermissionDenied):
        target_approve(actor=everyone[who], target=target)


def test_a_target_is_approved_once(english, rep, manager):
    target = target_approve(actor=manager, target=propose(rep, rep))
    with pytest.raises(TransitionNotAllowed) as error:
        target_approve(actor=manager, target=target, sales_target="1")
    assert "approved" in str(error.value) and error.value.extra == {"current_state": "approved"}
    assert Target.objects.get().sales_target == Decimal("100000.00")


def test_bad_figures_in_an_approval_change_nothing(rep, manager):
    target = propose(rep, rep)
    with pytest.raises(ValidationError):
        target_approve(actor=manager, target=target, sales_target="-5")
    assert Target.objects.get().status == "proposed"


def test_approving_in_a_closed_period_is_refused(rep, manager):
    target = propose(rep, rep)
    close(PERIOD)
    with pytest.raises(PeriodClosed):
        target_approve(actor=manager, target=target)


# --- acknowledge -----------------------------------------------------------------------------------


def test_rep_acknowledges_an_approved_target(rep, manager):
    target = target_approve(actor=manager, target=propose(rep, rep))
    target = target_acknowledge(actor=rep, target=target, comment="已确认")
    target.refresh_from_db()
    assert target.status == "acknowledged" and target.acknowledged_at is not None
    assert log(target)[-1] == ("acknowledge", "approved", "acknowledged", "rep_a1", "已确认")


def test_acknowledging_before_approval_is_a_conflict(english, rep):
    with pytest.raises(TransitionNotAllowed) as error:
        target_acknowledge(actor=rep, target=propose(rep, rep))
    assert "proposed" in str(error.value)


@pytest.mark.parametrize("who", ["manager", "admin_user", "rep_peer"])
def test_only_the_rep_acknowledges(everyone, rep, manager, who, request):
    target = target_approve(actor=manager, target=propose(rep, rep))
    with pytest.raises(PermissionDenied):
        target_acknowledge(actor=request.getfixturevalue(who), target=target)


# --- annual targets spread over the months ---------------------------------------------------------


def monthly(targets) -> list[tuple[str, Decimal, int]]:
    return [(t.period, t.sales_target, t.new_dealers_target) for t in targets]


def test_split_gives_the_leftover_units_to_the_last_months():
    # 1,000,000.00 = 100,000,000 cents; 100,000,000 / 12 = 8,333,333 rest 4
    parts = split(100_000_000, [1] * 12)
    assert parts == [8_333_333] * 8 + [8_333_334] * 4
    assert sum(parts) == 100_000_000
    # months with no weight get nothing, not even a leftover unit
    assert split(100, [3333, 3333, 3334] + [0] * 9) == [33, 33, 34] + [0] * 9


def test_even_spread_of_one_million(rep):
    targets = targets_spread(
        actor=rep,
        rep=rep,
        year=2031,
        sales_target="1000000.00",
        expense_rate_target="8.50",
        collection_rate_target="92.00",
        new_dealers_target=30,
        distribution=EVEN,
    )
    # 1,000,000.00 / 12 = 83,333.333…: 12 × 83,333.33 = 999,999.96, so the 4 cents left go one each to
    # September–December: 8 × 83,333.33 + 4 × 83,333.34 = 666,666.64 + 333,333.36 = 1,000,000.00.
    # 30 new dealers / 12 = 2 rest 6: January–June 2, July–December 3 (6 × 2 + 6 × 3 = 30).
    assert monthly(targets) == [(f"2031-{m:02d}", Decimal("83333.33"), 2) for m in range(1, 7)] + [
        ("2031-07", Decimal("83333.33"), 3),
        ("2031-08", Decimal("83333.33"), 3),
        ("2031-09", Decimal("83333.34"), 3),
        ("2031-10", Decimal("83333.34"), 3),
        ("2031-11", Decimal("83333.34"), 3),
        ("2031-12", Decimal("83333.34"), 3),
    ]
    stored = Target.objects.filter(rep=rep).order_by("period")
    assert sum(t.sales_target for t in stored) == Decimal("1000000.00")
    assert sum(t.new_dealers_target for t in stored) == 30
    assert {(t.expense_rate_target, t.collection_rate_target, t.status, t.proposed_by_id) for t in stored} == {
        (Decimal("8.50"), Decimal("92.00"), "proposed", rep.pk)
    }
    assert all(log(t)[0][:3] == ("create", "", "proposed") for t in stored)


def test_spread_by_percentages_sums_exactly(manager, rep_peer, lines):
    percentages = ["6", "6", "7", "8", "8", "8", "8", "8", "9", "9", "10", "13"]  # 100
    targets = targets_spread(
        actor=manager,
        rep=rep_peer,
        year=2031,
        sales_target="123456.78",
        new_dealers_target=10,
        distribution=percentages,
        category_shares=[{"category": lines["water"], "share": "25"}],
    )
    # each month rounded down to the cent: 6 % of 123,456.78 = 7,407.4068 → 7,407.40; 7 % = 8,641.9746 → 8,641.97;
    # 8 % = 9,876.5424 → 9,876.54; 9 % = 11,111.1102 → 11,111.11; 10 % = 12,345.678 → 12,345.67;
    # 13 % = 16,049.3814 → 16,049.38. Together 2 × 7,407.40 + 8,641.97 + 5 × 9,876.54 + 2 × 11,111.11
    # + 12,345.67 + 16,049.38 = 123,456.74: the 4 cents left go to December, November, October, September.
    # New dealers: 10 × 6 % = 0.6 → 0 … 10 × 10 % = 1 and 10 × 13 % = 1.3 → 1: 2 given, the 8 left go one each
    # to December … May.
    assert monthly(targets) == [
        ("2031-01", Decimal("7407.40"), 0),
        ("2031-02", Decimal("7407.40"), 0),
        ("2031-03", Decimal("8641.97"), 0),
        ("2031-04", Decimal("9876.54"), 0),
        ("2031-05", Decimal("9876.54"), 1),
        ("2031-06", Decimal("9876.54"), 1),
        ("2031-07", Decimal("9876.54"), 1),
        ("2031-08", Decimal("9876.54"), 1),
        ("2031-09", Decimal("11111.12"), 1),
        ("2031-10", Decimal("11111.12"), 1),
        ("2031-11", Decimal("12345.68"), 2),
        ("2031-12", Decimal("16049.39"), 2),
    ]
    assert sum(t.sales_target for t in targets) == Decimal("123456.78")
    assert {t.proposed_by for t in targets} == {manager}
    assert TargetCategoryShare.objects.filter(category=lines["water"], share=Decimal("25.00")).count() == 12


def test_spread_with_round_percentages_is_exact_to_the_cent(rep):
    percentages = ["5", "5", "6", "7", "8", "9", "10", "10", "9", "9", "10", "12"]  # 100
    targets = targets_spread(actor=rep, rep=rep, year=2031, sales_target="1200000", distribution=percentages)
    # 1,200,000.00 × 5 % = 60,000.00 … × 12 % = 144,000.00: nothing to round
    assert [t.sales_target for t in targets] == [
        Decimal(v)
        for v in (
            "60000.00",
            "60000.00",
            "72000.00",
            "84000.00",
            "96000.00",
            "108000.00",
            "120000.00",
            "120000.00",
            "108000.00",
            "108000.00",
            "120000.00",
            "144000.00",
        )
    ]


@pytest.mark.parametrize(
    "percentages",
    [
        ["8.33"] * 12,  # 99.96
        ["8.34"] * 12,  # 100.08
        ["10"] * 10,  # ten months
        ["-1", "11"] + ["9"] * 10,  # 100, but a negative month
        ["x"] + ["9.09"] * 11,
    ],
)
def test_percentages_must_be_twelve_adding_up_to_exactly_100(rep, percentages):
    with pytest.raises(ValidationError) as error:
        targets_spread(actor=rep, rep=rep, year=2031, sales_target="1200000", distribution=percentages)
    assert "percentages" in error.value.message_dict
    assert not Target.objects.exists()


def test_the_message_says_what_the_percentages_add_up_to(english, rep):
    with pytest.raises(ValidationError) as error:
        targets_spread(actor=rep, rep=rep, year=2031, sales_target="1", distribution=["8.33"] * 12)
    assert "99.96" in error.value.message_dict["percentages"][0]


def test_a_year_with_targets_already_is_refused_naming_the_months(english, rep):
    propose(rep, rep, period="2031-03")
    propose(rep, rep, period="2031-07")
    with pytest.raises(ValidationError) as error:
        targets_spread(actor=rep, rep=rep, year=2031, sales_target="1200000")
    assert "2031-03, 2031-07" in error.value.message_dict["year"][0]
    assert Target.objects.count() == 2  # all or nothing


def test_a_closed_month_refuses_the_whole_spread(rep):
    close("2031-01")
    with pytest.raises(PeriodClosed):
        targets_spread(actor=rep, rep=rep, year=2031, sales_target="1200000")
    assert not Target.objects.exists()


def test_spreads_follow_the_rules_of_proposals(manager, other_rep, rep):
    with pytest.raises(PermissionDenied):
        targets_spread(actor=manager, rep=other_rep, year=2031, sales_target="1")
    with pytest.raises(ValidationError) as error:
        targets_spread(actor=rep, rep=rep, year=10000, sales_target="1", distribution="quarterly")
    assert set(error.value.message_dict) == {"year", "distribution"}


# --- the reader for measures -----------------------------------------------------------------------


def test_targets_for_gives_only_approved_and_acknowledged_targets_in_one_query(
    rep, rep_peer, other_rep, manager, other_manager, lines, django_assert_num_queries
):
    proposed = propose(rep, rep, period="2031-06")
    approved = target_approve(actor=manager, target=propose(rep, rep, period="2031-07"))
    acknowledged = target_acknowledge(
        actor=rep_peer, target=target_approve(actor=manager, target=propose(rep_peer, rep_peer))
    )
    other = target_approve(actor=other_manager, target=propose(other_rep, other_rep, period="2031-08"))
    with django_assert_num_queries(1):
        found = targets_for([rep, rep_peer.pk, other_rep], [Month(2031, 6), "2031-07"])
    assert found == {(rep.pk, "2031-07"): approved, (rep_peer.pk, "2031-07"): acknowledged}
    assert (rep.pk, "2031-06") not in found and proposed.pk not in {t.pk for t in found.values()}
    assert other.period == "2031-08"  # outside the months asked for
    with django_assert_num_queries(0):
        assert targets_for([], [PERIOD]) == {}


def test_targets_for_with_shares_reads_them_in_a_second_query(rep, manager, lines, django_assert_num_queries):
    target = propose(rep, rep, category_shares=[{"category": lines["kitchen"], "share": "45"}])
    target_approve(actor=manager, target=target)
    with django_assert_num_queries(2):  # targets; their shares ⋈ product line
        found = targets_for([rep], [PERIOD], with_shares=True)
        shares = [(s.category.code, s.share) for s in found[(rep.pk, PERIOD)].category_shares.all()]
    assert shares == [("kitchen", Decimal("45.00"))]
