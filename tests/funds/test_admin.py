"""Django admin for channel funds: every page renders for an admin in a bounded number of queries, the
workflow rows are read only, budgets are saved through the service, and the admin imports budgets
through the same resource as the API (all or nothing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funds.models import (
    DepositEntry,
    DepositRefund,
    FundBudget,
    FundClaim,
    FundRequest,
    Material,
    MaterialCount,
    MaterialIssue,
)
from funds.services import deposits as deposit_services
from funds.services import materials as material_services
from partners.models import Dealer
from tests.funds.api_world import claimed, in_year, this_year

pytestmark = pytest.mark.django_db

MODELS = [FundBudget, FundRequest, FundClaim, DepositEntry, DepositRefund, Material, MaterialIssue, MaterialCount]


@pytest.fixture
def filled(fw, rep, manager, other_manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    poster = material_services.material_save(actor=finance, code="P1", name="海报", unit="张", unit_cost=Decimal("1"))
    material_services.material_issue(
        actor=manager, dealer=fw["A"], material=poster, quantity=Decimal("5"), day=in_year(1, 2)
    )
    material_services.material_count_record(
        actor=rep,
        dealer=fw["A"],
        material=poster,
        day=in_year(1, 3),
        counted_quantity=Decimal("1"),
        used_quantity=Decimal("1"),
    )
    Dealer.objects.filter(pk=fw["O"].pk).update(status=Dealer.Status.TERMINATED)
    refund = deposit_services.deposit_refund_propose(actor=other_manager, dealer=fw["O"], reason="清退")
    return {"claim": claim, "material": poster, "refund": refund}


@pytest.mark.parametrize("model", MODELS)
def test_changelists_render(client_as, admin_user, filled, model, django_assert_max_num_queries):
    client = client_as(admin_user)
    url = reverse(f"admin:funds_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_change_pages_render(client_as, admin_user, filled, model):
    obj = model._default_manager.order_by("pk").first()
    url = reverse(f"admin:funds_{model._meta.model_name}_change", args=[obj.pk])
    assert client_as(admin_user).get(url).status_code == 200


@pytest.mark.parametrize("model", [FundRequest, FundClaim, DepositEntry, DepositRefund, MaterialIssue, MaterialCount])
def test_workflow_rows_are_read_only(client_as, admin_user, filled, model):
    client = client_as(admin_user)
    name = model._meta.model_name
    assert client.get(reverse(f"admin:funds_{name}_add")).status_code == 403
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        response = client.post(reverse(f"admin:funds_{name}_change", args=[obj.pk]), {"status": "settled"})
        assert response.status_code == 403
        assert client.get(reverse(f"admin:funds_{name}_delete", args=[obj.pk])).status_code == 403


def test_request_status_cannot_change_in_the_admin(client_as, admin_user, filled):
    request = filled["claim"].request
    client_as(admin_user).post(reverse("admin:funds_fundrequest_change", args=[request.pk]), {"status": "settled"})
    request.refresh_from_db()
    assert request.status == "claimed"


def test_history_pages_of_budgets_requests_and_claims(client_as, admin_user, filled):
    client = client_as(admin_user)
    for model in (FundBudget, FundRequest, FundClaim):
        obj = model._default_manager.order_by("pk").first()
        assert client.get(reverse(f"admin:funds_{model._meta.model_name}_history", args=[obj.pk])).status_code == 200


def budget_form(budget: FundBudget, **changes) -> dict:
    data = {
        "category": budget.category,
        "territory": budget.territory_id,
        "year": budget.year,
        "quarter": budget.quarter or "",
        "amount": budget.amount,
        "max_cost_ratio": budget.max_cost_ratio,
    }
    return {**data, **changes}


def test_budget_saved_through_the_service_and_refused_below_committed(client_as, admin_user, fw, filled):
    budget = fw["budget"]  # 1,000.00 committed by the claimed request
    client = client_as(admin_user)
    url = reverse("admin:funds_fundbudget_change", args=[budget.pk])
    refused = client.post(url, budget_form(budget, amount="999.99"))
    assert refused.status_code == 200 and "amount" in refused.context["adminform"].form.errors
    moved = client.post(url, budget_form(budget, year=this_year() + 1))
    assert moved.status_code == 200 and moved.context["adminform"].form.non_field_errors()
    assert client.post(url, budget_form(budget, amount="12000.00")).status_code == 302
    budget.refresh_from_db()
    assert budget.amount == Decimal("12000.00")
    assert budget.history.first().history_user == admin_user


def test_budget_added_in_the_admin(client_as, admin_user, fw, covered):
    data = {"category": "training", "territory": covered["SH"].pk, "year": this_year(), "quarter": "1"}
    data |= {"amount": "500.00", "max_cost_ratio": "5.00"}
    assert client_as(admin_user).post(reverse("admin:funds_fundbudget_add"), data).status_code == 302
    assert FundBudget.objects.get(territory=covered["SH"]).created_by == admin_user


def test_budgets_cannot_be_deleted(client_as, admin_user, fw):
    url = reverse("admin:funds_fundbudget_delete", args=[fw["budget"].pk])
    assert client_as(admin_user).get(url).status_code == 403


def test_admin_import_previews_and_refuses_bad_rows(client_as, admin_user, fw):
    client = client_as(admin_user)
    url = reverse("admin:funds_fundbudget_import")
    assert client.get(url).status_code == 200
    year = this_year()
    good = f"territory,category,year,quarter,amount,max_cost_ratio\nSH,training,{year},,300,5\n".encode()
    preview = client.post(url, {"format": 0, "resource": 0, "import_file": SimpleUploadedFile("b.csv", good)})
    assert preview.status_code == 200 and not preview.context["result"].has_validation_errors()
    bad = good + f"NOWHERE,training,{year},,300,5\n".encode()
    refused = client.post(url, {"format": 0, "resource": 0, "import_file": SimpleUploadedFile("b.csv", bad)})
    assert refused.context["result"].has_validation_errors()
    assert not FundBudget.objects.filter(category="training").exists()
    assert client.get(reverse("admin:funds_fundbudget_export")).status_code == 200
