"""Django admin for commission plans: tiers and assignments inline, saved through the plan service
(same rules as the API: bands from 0.00 without duplicates, one plan per rep on any day)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from commissions.models import CommissionPlan
from commissions.services.plans import plan_create

D = Decimal


def plan_post(name="Senior", tiers=(("0", "2"), ("50000", "3")), assignments=(), **fields) -> dict:
    """The admin form's data for a new plan (no existing inline rows)."""
    data = {
        "name": name,
        "is_active": "on",
        "base": "net_sales",
        "tier_mode": "marginal",
        "collection_gate": "",
        "scorecard_template": "",
        "over_budget_expense_share": "0",
        "visit_shortfall_deduction": "0",
        "false_report_deduction": "100",
        "fabricated_deduction": "200",
        "retention": "0",
        "tiers-TOTAL_FORMS": str(len(tiers)),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
        "assignments-TOTAL_FORMS": str(len(assignments)),
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, (start, rate) in enumerate(tiers):
        data.update({f"tiers-{n}-from_amount": start, f"tiers-{n}-rate": rate})
    for n, (rep, start, end) in enumerate(assignments):
        data.update(
            {f"assignments-{n}-rep": rep.pk, f"assignments-{n}-start_date": start, f"assignments-{n}-end_date": end}
        )
    return data


ADD = reverse("admin:commissions_commissionplan_add")


def test_a_plan_is_added_with_its_tiers_and_assignments(client_as, admin_user, rep):
    response = client_as(admin_user).post(ADD, plan_post(assignments=[(rep, "2026-07-01", "")]))
    assert response.status_code == 302
    plan = CommissionPlan.objects.get(name="Senior")
    assert list(plan.tiers.values_list("from_amount", "rate")) == [(D("0.00"), D("2.00")), (D("50000.00"), D("3.00"))]
    assert list(plan.assignments.values_list("rep_id", "start_date")) == [(rep.pk, date(2026, 7, 1))]


def test_bands_not_starting_at_zero_are_refused_on_the_form(client_as, admin_user):
    response = client_as(admin_user).post(ADD, plan_post(tiers=[("150", "2")]))
    assert response.status_code == 200
    assert "150.00" in response.content.decode()  # "The first band must start at 0.00 (the lowest starts at 150.00)"
    assert not CommissionPlan.objects.exists()


def test_an_overlapping_assignment_is_refused_on_the_form(client_as, admin_user, rep):
    plan_create(
        name="Standard",
        tiers=[{"from_amount": "0", "rate": "1"}],
        assignments=[{"rep": rep, "start_date": date(2026, 1, 1), "end_date": None}],
    )
    response = client_as(admin_user).post(ADD, plan_post(assignments=[(rep, "2026-07-01", "2026-07-31")]))
    assert response.status_code == 200
    assert "Standard" in response.content.decode() and "2026-07-01 – 2026-07-31" in response.content.decode()
    assert not CommissionPlan.objects.filter(name="Senior").exists()


def test_a_scorecard_factor_without_template_is_refused(client_as, admin_user):
    response = client_as(admin_user).post(ADD, plan_post(use_scorecard="on"))
    assert response.status_code == 200
    assert not CommissionPlan.objects.exists()


def test_plan_pages_load(client_as, admin_user, rep):
    plan = plan_create(
        name="Standard",
        tiers=[{"from_amount": "0", "rate": "1"}],
        assignments=[{"rep": rep, "start_date": date(2026, 1, 1), "end_date": None}],
    )
    client = client_as(admin_user)
    assert client.get(reverse("admin:commissions_commissionplan_changelist")).status_code == 200
    assert client.get(reverse("admin:commissions_commissionplan_change", args=[plan.pk])).status_code == 200
    assert client.get(reverse("admin:commissions_planassignment_changelist")).status_code == 200


def test_a_change_deletes_and_adds_rows_through_the_service(client_as, admin_user, rep, rep_peer):
    plan = plan_create(
        name="Standard",
        tiers=[{"from_amount": "0", "rate": "1"}, {"from_amount": "1000", "rate": "2"}],
        assignments=[{"rep": rep, "start_date": date(2026, 1, 1), "end_date": None}],
    )
    tiers, (assignment,) = list(plan.tiers.order_by("from_amount")), list(plan.assignments.all())
    data = plan_post(name="Standard", tiers=[], assignments=[])
    data.update(
        {
            "tiers-TOTAL_FORMS": "3",
            "tiers-INITIAL_FORMS": "2",
            "assignments-TOTAL_FORMS": "2",
            "assignments-INITIAL_FORMS": "1",
        }
    )
    for n, tier in enumerate(tiers):
        data.update({f"tiers-{n}-id": tier.pk, f"tiers-{n}-plan": plan.pk})
        data.update({f"tiers-{n}-from_amount": tier.from_amount, f"tiers-{n}-rate": tier.rate})
    data["tiers-1-DELETE"] = "on"  # the 1,000.00 band goes, a 5,000.00 band comes
    data.update({"tiers-2-from_amount": "5000", "tiers-2-rate": "3", "tiers-2-plan": plan.pk})
    data.update(
        {
            "assignments-0-id": assignment.pk,
            "assignments-0-plan": plan.pk,
            "assignments-0-rep": rep.pk,
            "assignments-0-start_date": "2026-01-01",
            "assignments-0-end_date": "2026-06-30",
            "assignments-1-plan": plan.pk,
            "assignments-1-rep": rep_peer.pk,
            "assignments-1-start_date": "2026-07-01",
            "assignments-1-end_date": "",
        }
    )
    response = client_as(admin_user).post(reverse("admin:commissions_commissionplan_change", args=[plan.pk]), data)
    assert response.status_code == 302
    assert list(plan.tiers.values_list("from_amount", "rate")) == [(D("0.00"), D("1.00")), (D("5000.00"), D("3.00"))]
    assert sorted(plan.assignments.values_list("rep_id", "end_date")) == sorted(
        [(rep.pk, date(2026, 6, 30)), (rep_peer.pk, None)]
    )
