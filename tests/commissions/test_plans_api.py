"""``/api/v1/commission-plans/`` (SPEC §6, §8): everyone reads the plans (assignments only of the reps
they may see); administrators write a plan with its ``tiers`` and ``assignments`` in one request;
money and rates are strings with two decimals; refusals are 400 with field errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commissions.models import CommissionPlan, PlanAssignment
from commissions.services.plans import plan_create

PLANS = "/api/v1/commission-plans/"
D = Decimal


@pytest.fixture
def standard(rep, rep_peer, other_rep):
    return plan_create(
        name="Standard",
        collection_gate=D("80"),
        retention=D("10"),
        tiers=[{"from_amount": "0", "rate": "2"}, {"from_amount": "50000", "rate": "3.5"}],
        assignments=[
            {"rep": rep, "start_date": date(2026, 1, 1), "end_date": None},
            {"rep": rep_peer, "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)},
            {"rep": other_rep, "start_date": date(2026, 3, 1), "end_date": None},
        ],
    )


def body(**overrides) -> dict:
    return {
        "name": "Senior",
        "base": "collections",
        "tier_mode": "flat",
        "collection_gate": "75.00",
        "over_budget_expense_share": "50.00",
        "visit_shortfall_deduction": "100.00",
        "retention": "12.50",
        "tiers": [{"from_amount": "100000.00", "rate": "4.00"}, {"from_amount": "0.00", "rate": "3.00"}],
        "assignments": [],
        **overrides,
    }


@pytest.mark.parametrize(
    ("who", "reps"),
    [("rep", ["rep"]), ("manager", ["rep", "rep_peer"]), ("finance", ["rep", "rep_peer", "other_rep"])],
)
def test_everyone_reads_plans_with_the_assignments_they_may_see(api_as, everyone, standard, who, reps):
    response = api_as(everyone[who]).get(PLANS)
    assert response.status_code == 200
    (plan,) = response.json()["results"]
    assert [a["rep"] for a in plan["assignments"]] == [everyone[name].pk for name in reps]


def test_money_and_rates_are_strings_with_two_decimals(api_as, rep, standard):
    plan = api_as(rep).get(f"{PLANS}{standard.pk}/").json()
    assert plan["tiers"] == [{"from_amount": "0.00", "rate": "2.00"}, {"from_amount": "50000.00", "rate": "3.50"}]
    assert (plan["collection_gate"], plan["retention"], plan["false_report_deduction"]) == ("80.00", "10.00", "100.00")
    assert plan["assignments"] == [{"rep": rep.pk, "rep_name": "张伟", "start_date": "2026-01-01", "end_date": None}]


def test_an_administrator_creates_a_plan_with_tiers_and_assignments(api_as, admin_user, rep):
    response = api_as(admin_user).post(
        PLANS, body(assignments=[{"rep": rep.pk, "start_date": "2026-07-01"}]), format="json"
    )
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["tiers"] == [{"from_amount": "0.00", "rate": "3.00"}, {"from_amount": "100000.00", "rate": "4.00"}]
    assert plan["assignments"][0]["end_date"] is None
    assert (plan["base"], plan["tier_mode"], plan["retention"]) == ("collections", "flat", "12.50")
    assert CommissionPlan.objects.get(name="Senior").tiers.count() == 2


@pytest.mark.parametrize("who", ["rep", "manager", "finance"])
def test_only_administrators_write_plans(api_as, everyone, standard, who):
    client = api_as(everyone[who])
    assert client.post(PLANS, body(), format="json").status_code == 403
    assert client.patch(f"{PLANS}{standard.pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert not CommissionPlan.objects.filter(name__in=["Senior", "Mine"]).exists()


def test_bands_with_a_gap_are_a_400_naming_it(api_as, admin_user):
    response = api_as(admin_user).post(PLANS, body(tiers=[{"from_amount": "10.00", "rate": "3.00"}]), format="json")
    assert response.status_code == 400
    assert "10.00" in response.json()["tiers"][0]  # "The first band must start at 0.00 (the lowest starts at 10.00)…"
    assert not CommissionPlan.objects.exists()


def test_a_rate_above_100_is_a_400_on_the_band(api_as, admin_user):
    response = api_as(admin_user).post(PLANS, body(tiers=[{"from_amount": "0", "rate": "100.01"}]), format="json")
    assert response.status_code == 400
    assert list(response.json()["tiers"]["0"]) == ["rate"]  # DRF: errors of the first band, by field


def test_an_overlapping_assignment_is_a_400_naming_the_other_plan(api_as, admin_user, rep, standard):
    response = api_as(admin_user).post(
        PLANS, body(assignments=[{"rep": rep.pk, "start_date": "2026-07-01", "end_date": None}]), format="json"
    )
    assert response.status_code == 400
    assert "Standard" in response.json()["assignments"][0] and "2026-01-01" in response.json()["assignments"][0]
    assert not CommissionPlan.objects.filter(name="Senior").exists()


def test_patch_changes_what_it_is_given_and_keeps_the_rest(api_as, admin_user, standard):
    client = api_as(admin_user)
    response = client.patch(f"{PLANS}{standard.pk}/", {"retention": "5.00"}, format="json")
    assert response.status_code == 200
    assert response.json()["retention"] == "5.00"
    assert len(response.json()["tiers"]) == 2 and len(response.json()["assignments"]) == 3
    response = client.patch(
        f"{PLANS}{standard.pk}/", {"tiers": [{"from_amount": "0", "rate": "1"}], "assignments": []}, format="json"
    )
    assert (response.json()["tiers"], response.json()["assignments"]) == ([{"from_amount": "0.00", "rate": "1.00"}], [])
    assert not PlanAssignment.objects.exists()


def test_put_replaces_the_plan(api_as, admin_user, standard):
    response = api_as(admin_user).put(f"{PLANS}{standard.pk}/", body(name="Standard"), format="json")
    assert response.status_code == 200
    assert response.json()["tier_mode"] == "flat" and response.json()["assignments"] == []


def test_a_name_in_use_is_a_400(api_as, admin_user, standard):
    response = api_as(admin_user).post(PLANS, body(name="Standard"), format="json")
    assert response.status_code == 400 and "name" in response.json()


def test_plans_filter_by_name_and_rep(api_as, finance, standard, rep):
    plan_create(name="Senior", tiers=[{"from_amount": "0", "rate": "5"}])
    client = api_as(finance)
    assert [p["name"] for p in client.get(PLANS, {"name": "sen"}).json()["results"]] == ["Senior"]
    assert [p["name"] for p in client.get(PLANS, {"rep": rep.pk}).json()["results"]] == ["Standard"]


#: session, user, roles (groups), count, plans, tiers, assignments
LIST_QUERIES = 7


def test_list_query_count_is_pinned(api_as, manager, standard, django_assert_num_queries):
    client = api_as(manager)
    with CaptureQueriesContext(connection) as few:
        client.get(PLANS)
    for n in range(5):
        plan_create(name=f"Extra {n}", tiers=[{"from_amount": "0", "rate": "1"}, {"from_amount": "9", "rate": "2"}])
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(PLANS).json()["count"] == 6
    assert len(few) == LIST_QUERIES
