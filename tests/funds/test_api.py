"""The channel funds API (SPEC §8, §14): budgets, requests and their actions, claims with their evidence,
deposits, materials — happy paths, refusals (400 field errors, 403 role and segregation, 409 state and
budget, 404 scope) and the query count of every list and detail.

    manager (EAST) ── rep, rep_peer            other_manager (SOUTH) ── other_rep
    finance, admin_user

The world is ``tests.funds.api_world``: dealers F-A (rep's, SH-PD; deposit 5,000.00), F-P (rep_peer's,
JS-NJ), F-O (other_rep's, GD-GZ; deposit 600,000.00); EAST's promotion budget 10,000.00 at 10 %.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from evidence.services import attachments_add
from funds.models import DepositEntry, FundBudget, FundRequest, Material
from funds.services import materials as material_services
from funds.services import requests as request_services
from kpi.models import Expense
from partners.models import Dealer
from tests.evidence.files import pdf_bytes, photo, upload
from tests.funds.api_world import (
    approved,
    claimed,
    draft,
    in_year,
    manager_approved,
    submitted,
    this_year,
)

pytestmark = pytest.mark.django_db

D = Decimal
BUDGETS = "/api/v1/fund-budgets/"
REQUESTS = "/api/v1/fund-requests/"
CLAIMS = "/api/v1/fund-claims/"
DEPOSITS = "/api/v1/deposits/"
MATERIALS = "/api/v1/materials/"
ISSUES = "/api/v1/material-issues/"
COUNTS = "/api/v1/material-counts/"


def post(client, url, data=None):
    return client.post(url, data or {}, format="json", HTTP_ACCEPT_LANGUAGE="en")


def new_request_body(dealer, **fields):
    return {
        "dealer": dealer.pk,
        "category": "promotion",
        "title": "门店促销",
        "description": "周末活动",
        "start_date": in_year(6, 1).isoformat(),
        "end_date": in_year(6, 30).isoformat(),
        "requested_amount": "1500.00",
        "expected_sales": "30000.00",
        **fields,
    }


# --- budgets ---------------------------------------------------------------------------------------------


def test_finance_lists_every_budget_with_its_figures(api_as, fw, rep, manager, finance):
    approved(rep, fw["A"], manager, finance, amount="1200.00")
    rows = {row["territory_code"]: row for row in api_as(finance).get(BUDGETS).json()["results"]}
    assert set(rows) == {"EAST", "SOUTH"}
    east = rows["EAST"]
    assert (east["amount"], east["committed"], east["spent"], east["remaining"]) == (
        "10000.00",
        "1200.00",
        "0.00",
        "8800.00",
    )
    assert east["max_cost_ratio"] == "10.00" and east["quarter"] is None


def test_manager_sees_the_budgets_of_his_territories_and_a_rep_none(api_as, fw, manager, other_manager, rep):
    assert [row["territory_code"] for row in api_as(manager).get(BUDGETS).json()["results"]] == ["EAST"]
    assert api_as(other_manager).get(f"{BUDGETS}{fw['budget'].pk}/").status_code == 404
    assert api_as(rep).get(BUDGETS).json()["count"] == 0


def test_budget_list_filters(api_as, fw, finance, covered):
    client = api_as(finance)
    assert [r["territory_code"] for r in client.get(BUDGETS, {"territory": covered["SOUTH"].pk}).json()["results"]] == [
        "SOUTH"
    ]
    assert client.get(BUDGETS, {"category": "training"}).json()["count"] == 0
    assert client.get(BUDGETS, {"year": this_year(), "whole_year": "true"}).json()["count"] == 2


def test_finance_creates_a_quarter_budget(api_as, fw, finance, covered):
    body = {
        "category": "training",
        "territory": covered["SH"].pk,
        "year": this_year(),
        "quarter": 2,
        "amount": "3000.00",
        "max_cost_ratio": "5.50",
    }
    response = post(api_as(finance), BUDGETS, body)
    assert response.status_code == 201, response.json()
    assert response.json()["remaining"] == "3000.00"
    assert FundBudget.objects.get(pk=response.json()["id"]).created_by == finance
    again = post(api_as(finance), BUDGETS, body)
    assert again.status_code == 400 and "already has a budget" in str(again.json())


@pytest.mark.parametrize("who", ["rep", "manager"])
def test_only_finance_sets_budgets(api_as, fw, everyone, covered, who):
    client = api_as(everyone[who])
    body = {"category": "training", "territory": covered["SH"].pk, "year": this_year(), "amount": "1.00"}
    assert post(client, BUDGETS, body).status_code == 403
    if who == "manager":  # he sees EAST's budget, but may not change it
        assert client.patch(f"{BUDGETS}{fw['budget'].pk}/", {"amount": "1.00"}, format="json").status_code == 403


def test_budget_amount_cannot_drop_below_what_is_committed(api_as, fw, rep, manager, finance):
    approved(rep, fw["A"], manager, finance, amount="1200.00")
    response = api_as(finance).patch(
        f"{BUDGETS}{fw['budget'].pk}/", {"amount": "1000.00"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "1,200.00" in response.json()["detail"]
    ok = api_as(finance).patch(f"{BUDGETS}{fw['budget'].pk}/", {"amount": "1200.00"}, format="json")
    assert ok.status_code == 200 and ok.json()["remaining"] == "0.00"


def test_budget_bad_input_is_a_400_with_field_errors(api_as, fw, finance, covered):
    body = {
        "category": "nope",
        "territory": covered["SH"].pk,
        "year": this_year(),
        "amount": "-5",
        "max_cost_ratio": "1",
    }
    response = post(api_as(finance), BUDGETS, body)
    assert response.status_code == 400
    assert {"category"} <= set(response.json())


def test_budget_list_and_detail_query_counts(api_as, fw, finance, manager, covered, django_assert_num_queries):
    for quarter in (1, 2, 3, 4):
        FundBudget.objects.create(
            category="advertising",
            territory=covered["SH"],
            year=this_year(),
            quarter=quarter,
            amount=D("100.00"),
            max_cost_ratio=D("5.00"),
        )
    client = api_as(manager)
    # session, user, roles, territory paths, count, page of budgets (territory joined, figures annotated)
    with django_assert_num_queries(6):
        assert client.get(BUDGETS).json()["count"] == 5
    # session, user, roles, territory paths, the budget with its figures
    with django_assert_num_queries(5):
        assert client.get(f"{BUDGETS}{fw['budget'].pk}/").status_code == 200
    # finance: no territory paths
    client = api_as(finance)
    with django_assert_num_queries(5):
        assert client.get(BUDGETS).json()["count"] == 6


# --- requests: create, edit, scope --------------------------------------------------------------------


def test_rep_drafts_a_request_for_his_dealer(api_as, fw, rep):
    response = post(api_as(rep), REQUESTS, new_request_body(fw["A"]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == f"FR-{this_year()}-00001"
    assert (body["status"], body["requested_by"], body["description"]) == ("draft", rep.pk, "周末活动")
    assert body["allowed_actions"] == ["submit", "cancel"]
    assert body["budget"] is None  # a rep does not see budgets


def test_manager_sees_the_budget_a_request_would_draw_on(api_as, fw, rep, manager):
    request = draft(rep, fw["A"])
    body = api_as(manager).get(f"{REQUESTS}{request.pk}/").json()
    assert body["budget"] == {
        "id": fw["budget"].pk,
        "label": str(fw["budget"]),
        "remaining": "10000.00",
        "charged": False,
    }


def test_rep_cannot_request_for_another_reps_dealer(api_as, fw, rep):
    response = post(api_as(rep), REQUESTS, new_request_body(fw["O"]))
    assert response.status_code == 400 and set(response.json()) == {"dealer"}


def test_finance_cannot_draft_a_request(api_as, fw, finance):
    assert post(api_as(finance), REQUESTS, new_request_body(fw["A"])).status_code == 403


def test_request_bad_dates_are_a_400(api_as, fw, rep):
    body = new_request_body(fw["A"], start_date=in_year(6, 30).isoformat(), end_date=in_year(6, 1).isoformat())
    response = post(api_as(rep), REQUESTS, body)
    assert response.status_code == 400 and "end_date" in response.json()


def test_a_draft_can_be_changed_and_a_submitted_one_not(api_as, fw, rep):
    request = draft(rep, fw["A"])
    client = api_as(rep)
    response = client.patch(f"{REQUESTS}{request.pk}/", {"title": "改名", "dealer": fw["P"].pk}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["dealer"]) == ("改名", fw["A"].pk)  # the dealer stays
    request_services.request_submit(actor=rep, request=request)
    refused = client.patch(f"{REQUESTS}{request.pk}/", {"title": "再改"}, format="json")
    assert refused.status_code == 409 and refused.json()["current_state"] == "submitted"


def test_rep_sees_only_his_own_dealers_requests(api_as, fw, rep, rep_peer, other_rep):
    mine = draft(rep, fw["A"])
    draft(rep_peer, fw["P"])
    draft(other_rep, fw["O"])
    assert [row["id"] for row in api_as(rep).get(REQUESTS).json()["results"]] == [mine.pk]


def test_other_managers_territory_is_a_404(api_as, fw, rep, other_manager, other_rep):
    request = submitted(rep, fw["A"])
    assert api_as(other_manager).get(f"{REQUESTS}{request.pk}/").status_code == 404
    assert post(api_as(other_manager), f"{REQUESTS}{request.pk}/approve/").status_code == 404
    assert post(api_as(other_rep), f"{REQUESTS}{request.pk}/submit/").status_code == 404


def test_request_list_filters(api_as, fw, rep, manager, covered):
    first = submitted(rep, fw["A"], start=(3, 1), end=(3, 31))
    second = submitted(rep, fw["A"], start=(3, 15), end=(4, 15))  # overlaps: both flagged as possible splits
    later = draft(rep, fw["A"], start=(8, 1), end=(8, 2), category="training")
    client = api_as(manager)

    def ids(**params):
        return {row["id"] for row in client.get(REQUESTS, params).json()["results"]}

    assert ids(possible_split="true") == {first.pk, second.pk}
    assert ids(status="draft") == {later.pk}
    assert ids(category="training") == {later.pk}
    assert ids(quarter=3) == {later.pk}
    assert ids(year=this_year(), quarter=1) == {first.pk, second.pk}
    assert ids(territory=covered["SOUTH"].pk) == set()
    assert ids(dealer=fw["A"].pk) == {first.pk, second.pk, later.pk}


def test_request_list_and_detail_query_counts(api_as, fw, rep, manager, finance, django_assert_num_queries):
    for month in range(1, 7):
        claimed(rep, fw["A"], manager, finance, amount="100.00", actual="100.00", start=(month, 1), end=(month, 2))
    request = FundRequest.objects.select_related("claim").order_by("pk").first()
    client = api_as(manager)
    # session, user, roles, territory paths, count, page (dealer, territory, requester, budget joined)
    with django_assert_num_queries(6):
        assert client.get(REQUESTS).json()["count"] == 6
    # session, user, roles, territory paths, the request (dealer, people, budget, claim joined),
    # may he see the budget, the budget's figures
    with django_assert_num_queries(7):
        assert client.get(f"{REQUESTS}{request.pk}/").json()["claim"] == request.claim.pk
    # a rep: session, user, roles, the request (no budget for him: no more queries)
    client = api_as(rep)
    with django_assert_num_queries(4):
        assert client.get(f"{REQUESTS}{request.pk}/").json()["budget"] is None


# --- requests: the workflow -------------------------------------------------------------------------------


def test_submit_then_two_approvals_commit_the_amount(api_as, fw, rep, manager, finance):
    request = draft(rep, fw["A"], amount="1200.00")
    assert post(api_as(rep), f"{REQUESTS}{request.pk}/submit/").json()["status"] == "submitted"
    managed = post(api_as(manager), f"{REQUESTS}{request.pk}/approve/")
    assert managed.status_code == 200 and managed.json()["status"] == "manager_approved"
    assert managed.json()["manager_approved_by"] == manager.pk
    final = post(api_as(finance), f"{REQUESTS}{request.pk}/approve/", {"comment": "同意"})
    assert final.status_code == 200
    body = final.json()
    assert (body["status"], body["approved_amount"], body["approved_by"]) == ("approved", "1200.00", finance.pk)
    assert body["budget"] == {
        "id": fw["budget"].pk,
        "label": str(fw["budget"]),
        "remaining": "8800.00",
        "charged": True,
    }
    assert body["allowed_actions"] == ["cancel"]  # finance may cancel an approved request


def test_submit_over_the_cost_ratio_is_a_400(api_as, fw, rep):
    request = draft(rep, fw["A"], amount="2000.01", sales="20000.00")  # at most 2,000.00 at 10 %
    response = post(api_as(rep), f"{REQUESTS}{request.pk}/submit/")
    assert response.status_code == 400 and set(response.json()) == {"requested_amount"}
    assert "2,000.00" in response.json()["requested_amount"][0]


def test_a_rep_may_not_approve(api_as, fw, rep_peer, rep):
    request = submitted(rep, fw["A"])
    assert post(api_as(rep), f"{REQUESTS}{request.pk}/approve/").status_code == 403


def test_nobody_approves_a_request_he_submitted(api_as, fw, manager):
    request = submitted(manager, fw["A"])
    response = post(api_as(manager), f"{REQUESTS}{request.pk}/approve/")
    assert response.status_code == 403 and "yourself" in response.json()["detail"]


def test_the_manager_who_approved_is_not_the_second_approver(api_as, fw, rep, admin_user):
    request = submitted(rep, fw["A"])
    client = api_as(admin_user)
    assert post(client, f"{REQUESTS}{request.pk}/approve/").json()["status"] == "manager_approved"
    response = post(client, f"{REQUESTS}{request.pk}/approve/")
    assert response.status_code == 403 and "someone else" in response.json()["detail"]


def test_approving_a_draft_is_a_409_naming_its_state(api_as, fw, rep, manager):
    request = draft(rep, fw["A"])
    response = post(api_as(manager), f"{REQUESTS}{request.pk}/approve/")
    assert response.status_code == 409 and response.json()["current_state"] == "draft"


def test_approval_over_the_budget_is_a_409_naming_the_remaining(api_as, fw, rep, manager, finance):
    approved(rep, fw["A"], manager, finance, amount="9000.00", sales="100000.00")
    request = manager_approved(rep, fw["A"], manager, amount="1500.00", sales="20000.00", start=(9, 1), end=(9, 2))
    response = post(api_as(finance), f"{REQUESTS}{request.pk}/approve/")
    assert response.status_code == 409
    body = response.json()
    assert (body["remaining"], body["budget"]) == ("1000.00", fw["budget"].pk)
    assert "1,000.00 remaining" in body["detail"]
    request.refresh_from_db()
    assert request.status == "manager_approved"


def test_reject_needs_a_reason(api_as, fw, rep, manager):
    request = submitted(rep, fw["A"])
    client = api_as(manager)
    missing = post(client, f"{REQUESTS}{request.pk}/reject/")
    assert missing.status_code == 400 and set(missing.json()) == {"reason"}
    done = post(client, f"{REQUESTS}{request.pk}/reject/", {"reason": "预算不足"})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["reject_reason"]) == ("rejected", "预算不足")


def test_a_rep_may_not_reject(api_as, fw, rep):
    request = submitted(rep, fw["A"])
    assert post(api_as(rep), f"{REQUESTS}{request.pk}/reject/", {"reason": "x"}).status_code == 403


def test_cancel_before_the_claim_and_not_after(api_as, fw, rep, manager, finance):
    request = draft(rep, fw["A"])
    assert post(api_as(rep), f"{REQUESTS}{request.pk}/cancel/").json()["status"] == "cancelled"
    claim = claimed(rep, fw["A"], manager, finance, start=(5, 1), end=(5, 2))
    response = post(api_as(rep), f"{REQUESTS}{claim.request_id}/cancel/")
    assert response.status_code == 409 and response.json()["current_state"] == "claimed"


def test_claim_an_approved_request(api_as, fw, rep, manager, finance):
    request = approved(rep, fw["A"], manager, finance, amount="1000.00")
    body = {"actual_amount": "900.00", "actual_sales": "18000.00", "note": "已完成", "visits": []}
    response = post(api_as(rep), f"{REQUESTS}{request.pk}/claim/", body)
    assert response.status_code == 201, response.json()
    claim = response.json()
    assert (claim["request"], claim["status"], claim["actual_amount"], claim["approved_amount"]) == (
        request.pk,
        "open",
        "900.00",
        "1000.00",
    )
    assert claim["allowed_actions"] == ["attachments"]
    request.refresh_from_db()
    assert request.status == "claimed"


def test_claim_above_the_approved_amount_is_a_400(api_as, fw, rep, manager, finance):
    request = approved(rep, fw["A"], manager, finance, amount="1000.00")
    response = post(api_as(rep), f"{REQUESTS}{request.pk}/claim/", {"actual_amount": "1000.01", "actual_sales": "1"})
    assert response.status_code == 400 and set(response.json()) == {"actual_amount"}


def test_claim_of_a_request_not_approved_is_a_409(api_as, fw, rep):
    request = submitted(rep, fw["A"])
    response = post(api_as(rep), f"{REQUESTS}{request.pk}/claim/", {"actual_amount": "1.00", "actual_sales": "1"})
    assert response.status_code == 409


def test_claim_by_finance_is_a_403(api_as, fw, rep, manager, finance):
    request = approved(rep, fw["A"], manager, finance)
    response = post(api_as(finance), f"{REQUESTS}{request.pk}/claim/", {"actual_amount": "1.00", "actual_sales": "1"})
    assert response.status_code == 403


# --- claims ------------------------------------------------------------------------------------------------


def add_evidence(actor, claim):
    attachments_add(actor=actor, obj=claim, files=[photo("活动.jpg")], kind="photo")
    attachments_add(actor=actor, obj=claim, files=[upload(pdf_bytes(), "发票.pdf", "application/pdf")], kind="invoice")


def test_rep_adds_a_photo_and_an_invoice_to_the_claim(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    client = api_as(rep)
    response = client.post(
        f"{CLAIMS}{claim.pk}/attachments/", {"file": [photo("a.jpg")], "kind": "photo"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    pdf = upload(pdf_bytes(), "发票.pdf", "application/pdf")
    invoice = client.post(f"{CLAIMS}{claim.pk}/attachments/", {"file": [pdf], "kind": "invoice"}, format="multipart")
    assert invoice.status_code == 201, invoice.json()
    kinds = sorted(a["kind"] for a in client.get(f"{CLAIMS}{claim.pk}/").json()["attachments"])
    assert kinds == ["invoice", "photo"]


def test_a_claim_takes_no_other_kind_of_file(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    pdf = upload(pdf_bytes(), "合同.pdf", "application/pdf")
    response = api_as(rep).post(
        f"{CLAIMS}{claim.pk}/attachments/", {"file": [pdf], "kind": "document"}, format="multipart"
    )
    assert response.status_code == 400 and set(response.json()) == {"kind"}


def test_evidence_by_finance_is_a_403_and_after_the_check_a_409(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    url = f"{CLAIMS}{claim.pk}/attachments/"
    assert api_as(finance).post(url, {"file": [photo("f.jpg")], "kind": "photo"}, format="multipart").status_code == 403
    post(api_as(manager), f"{CLAIMS}{claim.pk}/check/", {"met": False, "reason": "x"})
    late = api_as(rep).post(url, {"file": [photo("g.jpg")], "kind": "photo"}, format="multipart")
    assert late.status_code == 409


def test_check_met_needs_a_photo_and_an_invoice(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    client = api_as(manager)
    refused = post(client, f"{CLAIMS}{claim.pk}/check/", {"met": True})
    assert refused.status_code == 400 and set(refused.json()) == {"met"}
    add_evidence(rep, claim)
    done = post(client, f"{CLAIMS}{claim.pk}/check/", {"met": True})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["checked_by"]) == ("met", manager.pk)


def test_check_not_met_needs_a_reason(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    client = api_as(manager)
    assert set(post(client, f"{CLAIMS}{claim.pk}/check/", {"met": False}).json()) == {"reason"}
    done = post(client, f"{CLAIMS}{claim.pk}/check/", {"met": False, "reason": "照片不清"})
    assert (done.json()["status"], done.json()["check_reason"]) == ("not_met", "照片不清")


def test_check_body_must_say_met(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    response = post(api_as(manager), f"{CLAIMS}{claim.pk}/check/", {"reason": "x"})
    assert response.status_code == 400 and set(response.json()) == {"met"}


@pytest.mark.parametrize("who", ["rep", "finance"])
def test_only_the_dealers_manager_checks(api_as, fw, rep, manager, finance, everyone, who):
    claim = claimed(rep, fw["A"], manager, finance)
    assert post(api_as(everyone[who]), f"{CLAIMS}{claim.pk}/check/", {"met": False, "reason": "x"}).status_code == 403


def test_nobody_checks_his_own_claim(api_as, fw, manager, finance, admin_user):
    claim = claimed(manager, fw["A"], admin_user, finance)
    response = post(api_as(manager), f"{CLAIMS}{claim.pk}/check/", {"met": False, "reason": "x"})
    assert response.status_code == 403


def test_finance_settles_a_met_claim_into_an_expense(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance, amount="1000.00", actual="800.00")
    add_evidence(rep, claim)
    post(api_as(manager), f"{CLAIMS}{claim.pk}/check/", {"met": True})
    response = post(api_as(finance), f"{CLAIMS}{claim.pk}/settle/")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["settled_amount"], body["settled_by"]) == ("settled", "800.00", finance.pk)
    expense = Expense.objects.get(pk=body["expense"])
    assert (expense.amount, expense.rep, expense.reference) == (D("800.00"), rep, f"FUND-{claim.request.number}")
    budget = api_as(finance).get(f"{BUDGETS}{fw['budget'].pk}/").json()
    assert (budget["committed"], budget["spent"], budget["remaining"]) == ("0.00", "800.00", "9200.00")


def test_settling_an_unchecked_claim_is_a_409(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    response = post(api_as(finance), f"{CLAIMS}{claim.pk}/settle/")
    assert response.status_code == 409 and response.json()["current_state"] == "open"


def test_a_manager_may_not_settle(api_as, fw, rep, manager, finance):
    claim = claimed(rep, fw["A"], manager, finance)
    post(api_as(manager), f"{CLAIMS}{claim.pk}/check/", {"met": False, "reason": "无发票"})
    assert post(api_as(manager), f"{CLAIMS}{claim.pk}/settle/").status_code == 403
    assert post(api_as(finance), f"{CLAIMS}{claim.pk}/settle/").json()["settled_amount"] == "0.00"


def test_claims_out_of_scope_are_a_404(api_as, fw, rep, manager, finance, other_manager, rep_peer):
    claim = claimed(rep, fw["A"], manager, finance)
    assert api_as(other_manager).get(f"{CLAIMS}{claim.pk}/").status_code == 404
    assert api_as(rep_peer).get(CLAIMS).json()["count"] == 0
    assert post(api_as(other_manager), f"{CLAIMS}{claim.pk}/check/", {"met": True}).status_code == 404


def test_claim_list_filters(api_as, fw, rep, manager, finance):
    first = claimed(rep, fw["A"], manager, finance, start=(2, 1), end=(2, 2))
    second = claimed(rep, fw["A"], manager, finance, start=(7, 1), end=(7, 2))
    post(api_as(manager), f"{CLAIMS}{second.pk}/check/", {"met": False, "reason": "x"})
    client = api_as(finance)
    assert [r["id"] for r in client.get(CLAIMS, {"status": "not_met"}).json()["results"]] == [second.pk]
    assert [r["id"] for r in client.get(CLAIMS, {"quarter": 1}).json()["results"]] == [first.pk]


def test_claim_list_and_detail_query_counts(api_as, fw, rep, manager, finance, django_assert_num_queries):
    claims = [
        claimed(rep, fw["A"], manager, finance, amount="100.00", actual="100.00", start=(m, 1), end=(m, 2))
        for m in range(1, 6)
    ]
    add_evidence(rep, claims[0])
    client = api_as(manager)
    # session, user, roles, territory paths, count, page (request, dealer, territory, people, expense joined)
    with django_assert_num_queries(6):
        assert client.get(CLAIMS).json()["count"] == 5
    # session, user, roles, territory paths, the claim (request, dealer, people joined), its visits, its files
    with django_assert_num_queries(7):
        assert len(client.get(f"{CLAIMS}{claims[0].pk}/").json()["attachments"]) == 2


# --- deposits ----------------------------------------------------------------------------------------------


def test_deposit_accounts_per_dealer(api_as, fw, finance, manager, rep, other_manager):
    rows = {row["code"]: row for row in api_as(finance).get(DEPOSITS).json()["results"]}
    assert set(rows) == {"F-A", "F-O"}  # F-P has no entries
    assert (rows["F-A"]["received"], rows["F-A"]["balance"]) == ("5000.00", "5000.00")
    assert [row["code"] for row in api_as(manager).get(DEPOSITS).json()["results"]] == ["F-A"]
    assert [row["code"] for row in api_as(rep).get(DEPOSITS).json()["results"]] == ["F-A"]
    assert api_as(other_manager).get(f"{DEPOSITS}{fw['A'].pk}/").status_code == 404


def test_deposit_detail_of_a_dealer_without_entries(api_as, fw, manager):
    body = api_as(manager).get(f"{DEPOSITS}{fw['P'].pk}/").json()
    assert (body["balance"], body["entries"], body["refunds"]) == ("0.00", [], [])


def test_finance_deducts_a_penalty(api_as, fw, finance):
    url = f"{DEPOSITS}{fw['A'].pk}/deduct/"
    response = post(
        api_as(finance), url, {"amount": "1200.00", "reason": "窜货罚款", "date": in_year(2, 1).isoformat()}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["deducted"], body["balance"]) == ("1200.00", "3800.00")
    assert [(e["kind"], e["amount"], e["reason"]) for e in body["entries"]] == [
        ("received", "5000.00", ""),
        ("deducted", "1200.00", "窜货罚款"),
    ]


def test_deduct_refusals(api_as, fw, finance, manager):
    url = f"{DEPOSITS}{fw['A'].pk}/deduct/"
    assert post(api_as(manager), url, {"amount": "1.00", "reason": "x"}).status_code == 403
    missing = post(api_as(finance), url, {"amount": "1.00"})
    assert missing.status_code == 400 and set(missing.json()) == {"reason"}
    over = post(api_as(finance), url, {"amount": "5000.01", "reason": "x"})
    assert over.status_code == 409 and over.json()["balance"] == "5000.00"


def test_refund_of_a_terminated_dealer_proposed_then_approved(api_as, fw, manager, finance):
    dealer = fw["A"]
    url = f"{DEPOSITS}{dealer.pk}/refund/"
    active = post(api_as(manager), url, {"reason": "清退"})
    assert active.status_code == 409 and active.json()["current_state"] == "active"
    Dealer.objects.filter(pk=dealer.pk).update(status=Dealer.Status.TERMINATED)
    proposed = post(api_as(manager), url, {"reason": "清退"})
    assert proposed.status_code == 200, proposed.json()
    assert [(r["status"], r["amount"]) for r in proposed.json()["refunds"]] == [("proposed", "5000.00")]
    assert post(api_as(manager), url, {"reason": "再来"}).status_code == 409  # never twice
    assert post(api_as(manager), url, {"approve": True}).status_code == 403  # the manager does not decide
    decided = post(api_as(finance), url, {"approve": True})
    assert decided.status_code == 200
    assert (decided.json()["refunded"], decided.json()["balance"]) == ("5000.00", "0.00")
    assert decided.json()["refunds"][0]["status"] == "approved"
    assert DepositEntry.objects.filter(dealer=dealer, kind="refunded").count() == 1


def test_refund_refusals(api_as, fw, manager, finance):
    Dealer.objects.filter(pk=fw["A"].pk).update(status=Dealer.Status.TERMINATED)
    url = f"{DEPOSITS}{fw['A'].pk}/refund/"
    assert post(api_as(finance), url, {"reason": "x"}).status_code == 403  # finance does not propose
    assert post(api_as(finance), url, {"approve": True}).status_code == 409  # nothing proposed
    post(api_as(manager), url, {"reason": "清退"})
    rejected = post(api_as(finance), url, {"approve": False})
    assert rejected.status_code == 400 and set(rejected.json()) == {"reason"}
    assert post(api_as(finance), url, {"approve": False, "reason": "有欠款"}).json()["refunds"][0]["status"] == (
        "rejected"
    )


def test_deposit_list_and_detail_query_counts(api_as, fw, finance, django_assert_num_queries):
    for n in range(3):
        DepositEntry.objects.create(
            dealer=fw["A"], kind="deducted", amount=D("10.00"), date=in_year(3, n + 1), reason="x", created_by=finance
        )
    client = api_as(finance)
    # session, user, roles, count, page of dealers with their sums (territory joined)
    with django_assert_num_queries(5):
        assert client.get(DEPOSITS).json()["count"] == 2
    # session, user, roles, the dealer with its sums, its entries (+recorder), its refunds (+people)
    with django_assert_num_queries(6):
        assert len(client.get(f"{DEPOSITS}{fw['A'].pk}/").json()["entries"]) == 4


# --- materials ---------------------------------------------------------------------------------------------


@pytest.fixture
def poster(finance):
    return material_services.material_save(actor=finance, code="POSTER", name="海报", unit="张", unit_cost=D("2.00"))


def test_finance_and_managers_keep_the_catalogue(api_as, fw, finance, manager, rep, poster):
    body = {"code": "STAND", "name": "展架", "unit": "个", "unit_cost": "80.00"}
    assert post(api_as(rep), MATERIALS, body).status_code == 403
    created = post(api_as(manager), MATERIALS, body)
    assert created.status_code == 201 and created.json()["active"] is True
    taken = post(api_as(finance), MATERIALS, body)
    assert taken.status_code == 400 and set(taken.json()) == {"code"}
    changed = api_as(finance).patch(f"{MATERIALS}{poster.pk}/", {"active": False}, format="json")
    assert changed.status_code == 200 and Material.objects.get(pk=poster.pk).active is False
    assert api_as(rep).patch(f"{MATERIALS}{poster.pk}/", {"active": True}, format="json").status_code == 403
    assert {row["code"] for row in api_as(rep).get(MATERIALS).json()["results"]} == {"POSTER", "STAND"}


def test_manager_issues_materials_and_a_rep_counts_them(api_as, fw, manager, rep, poster):
    issue = post(
        api_as(manager),
        ISSUES,
        {"dealer": fw["A"].pk, "material": poster.pk, "quantity": "100", "date": in_year(1, 5).isoformat()},
    )
    assert issue.status_code == 201, issue.json()
    assert issue.json()["issued_by"] == manager.pk
    count = post(
        api_as(rep),
        COUNTS,
        {
            "dealer": fw["A"].pk,
            "material": poster.pk,
            "date": in_year(2, 1).isoformat(),
            "counted_quantity": "30",
            "used_quantity": "60",
        },
    )
    assert count.status_code == 201, count.json()
    assert (count.json()["variance"], count.json()["variance_flagged"]) == ("10.00", True)  # 10 of 100 > 5 %
    flagged = api_as(manager).get(COUNTS, {"flagged": "true"}).json()["results"]
    assert [row["id"] for row in flagged] == [count.json()["id"]]
    assert api_as(manager).get(COUNTS, {"flagged": "false"}).json()["count"] == 0


def test_material_refusals(api_as, fw, rep, manager, other_manager, poster):
    body = {"dealer": fw["A"].pk, "material": poster.pk, "quantity": "1", "date": in_year(1, 5).isoformat()}
    assert post(api_as(rep), ISSUES, body).status_code == 403  # reps do not issue
    out = post(api_as(other_manager), ISSUES, body)
    assert out.status_code == 400 and set(out.json()) == {"dealer"}  # not a dealer he sees
    count = {**body, "date": in_year(2, 1).isoformat(), "counted_quantity": "1", "used_quantity": "0"}
    count.pop("quantity")
    assert post(api_as(rep), COUNTS, count).status_code == 201
    again = post(api_as(rep), COUNTS, count)
    assert again.status_code == 400 and set(again.json()) == {"date"}  # once a day


def test_material_lists_query_counts(api_as, fw, manager, rep, poster, django_assert_num_queries):
    for day in range(1, 6):
        material_services.material_issue(
            actor=manager, dealer=fw["A"], material=poster, quantity=D("10"), day=in_year(1, day)
        )
        material_services.material_count_record(
            actor=rep,
            dealer=fw["A"],
            material=poster,
            day=in_year(1, day),
            counted_quantity=D("1"),
            used_quantity=D("1"),
        )
    client = api_as(manager)
    # session, user, roles, count, page of materials
    with django_assert_num_queries(5):
        assert client.get(MATERIALS).json()["count"] == 1
    # session, user, roles, territory paths, count, page of issues (dealer, material, issuer joined)
    with django_assert_num_queries(6):
        assert client.get(ISSUES).json()["count"] == 5
    # session, user, roles, territory paths, count, page of counts (dealer, material, counter joined)
    with django_assert_num_queries(6):
        assert client.get(COUNTS).json()["count"] == 5


@pytest.mark.parametrize("url", [BUDGETS, REQUESTS, CLAIMS])
def test_a_year_out_of_range_is_a_400_not_a_500(api_as, fw, finance, url):
    response = api_as(finance).get(url, {"year": "99999"})
    assert response.status_code == 400 and set(response.json()) == {"year"}
