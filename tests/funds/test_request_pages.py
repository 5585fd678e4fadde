"""The fund request pages (SPEC §7, §14): the list, the form, a request with its claim, the approval queues
— each for the roles that may see it, 404 out of scope, the actions by POST with their refusals, the
evidence from the phone, and pinned query counts.

The world (``tests.partners.world``): manager covers EAST, other_manager SOUTH; ``rep``'s dealer lies in
SH-PD (EAST), ``other_rep``'s in GD-GZ (SOUTH). A promotion budget of 100,000.00 at EAST with a cost ratio
of 10 % covers this year.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from channelhub.roles import Role
from evidence.models import Attachment
from funds.models import Category, FundBudget, FundClaim, FundRequest
from funds.services import claims as claim_services
from funds.services import requests as request_services
from kpi.models import Expense
from partners.models import Dealer
from tests.evidence.files import pdf_bytes, photo, upload
from tests.partners.world import make_dealer
from tests.visits.world import log

pytestmark = pytest.mark.django_db

D = Decimal


# --- the world ---------------------------------------------------------------------------------------------


def _active(dealer: Dealer) -> Dealer:
    Dealer.objects.filter(pk=dealer.pk).update(status=Dealer.Status.ACTIVE)
    dealer.refresh_from_db()
    return dealer


@pytest.fixture
def dealers(covered, manager, other_manager, rep, rep_peer, other_rep):
    return {
        "mine": _active(make_dealer(manager, covered["SH-PD"], rep, "FD-MINE", name="浦东促销店")),
        "second": _active(make_dealer(manager, covered["SH-PD"], rep, "FD-TWO", name="浦东二号店")),
        "peer": _active(make_dealer(manager, covered["JS-NJ"], rep_peer, "FD-PEER", name="南京促销店")),
        "other": _active(make_dealer(other_manager, covered["GD-GZ"], other_rep, "FD-LEAK", name="广州促销店")),
        "prospect": make_dealer(manager, covered["SH-PD"], rep, "FD-PROS", name="浦东潜在店"),
    }


@pytest.fixture
def budget(covered, finance):
    return FundBudget.objects.create(
        category=Category.PROMOTION,
        territory=covered["EAST"],
        year=timezone.localdate().year,
        amount=D("100000.00"),
        max_cost_ratio=D("10.00"),
        created_by=finance,
    )


@pytest.fixture
def south_budget(covered, finance):
    return FundBudget.objects.create(
        category=Category.PROMOTION,
        territory=covered["SOUTH"],
        year=timezone.localdate().year,
        amount=D("900000.00"),
        max_cost_ratio=D("10.00"),
        created_by=finance,
    )


def start_of_year():
    """Where the requests' dates start: early this year (their offsets stay within the year's budget)."""
    return timezone.localdate().replace(month=1, day=10)


def draft(actor, dealer, *, amount="1000.00", sales="20000.00", days=(0, 5), title="端午促销", **fields):
    first = start_of_year()
    return request_services.request_create(
        actor=actor,
        dealer=dealer,
        category=fields.pop("category", Category.PROMOTION),
        title=title,
        description=fields.pop("description", "门店堆头与试吃"),
        start_date=first + timedelta(days=days[0]),
        end_date=first + timedelta(days=days[1]),
        requested_amount=D(amount),
        expected_sales=D(sales),
        **fields,
    )


def submitted(actor, dealer, **kwargs) -> FundRequest:
    return request_services.request_submit(actor=actor, request=draft(actor, dealer, **kwargs))


def approved(actor, manager, finance, dealer, **kwargs) -> FundRequest:
    fund_request = submitted(actor, dealer, **kwargs)
    request_services.request_approve(actor=manager, request=fund_request)
    return request_services.request_approve(actor=finance, request=fund_request)


def claimed(rep, manager, finance, dealer, **kwargs) -> FundClaim:
    fund_request = approved(rep, manager, finance, dealer, **kwargs)
    return claim_services.claim_create(
        actor=rep, request=fund_request, actual_amount=D("900.00"), actual_sales=D("25000.00"), note="已完成"
    )


def with_evidence(claim: FundClaim, rep, colour=(10, 120, 200)) -> FundClaim:
    from evidence.services import attachments_add

    attachments_add(actor=rep, obj=claim, files=[photo("activity.jpg", colour=colour)], kind=Attachment.Kind.PHOTO)
    attachments_add(
        actor=rep,
        obj=claim,
        files=[upload(pdf_bytes(), "invoice.pdf", "application/pdf")],
        kind=Attachment.Kind.INVOICE,
    )
    return claim


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def reloaded(fund_request: FundRequest) -> FundRequest:
    return FundRequest.objects.get(pk=fund_request.pk)


# --- the list ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "admin"])
def test_list_renders_for_each_role_that_sees_requests(who, everyone, page_as, dealers, budget, south_budget):
    rep, other_rep = everyone["rep"], everyone["other_rep"]
    submitted(rep, dealers["mine"], title="浦东端午促销")
    submitted(other_rep, dealers["other"], title="广州国庆促销")
    body = page_as(everyone[who]).get(reverse("funds:request-list")).content.decode()
    assert "浦东端午促销" in body
    # other_rep's request is for finance and admins only
    assert ("广州国庆促销" in body) == (who in ("finance", "admin"))
    assert 'data-testid="request-cards"' in body  # the phone's cards beside the desktop's table
    # the New request button for who may request
    assert (reverse("funds:request-create") in body) == (who != "finance")


def test_rep_does_not_see_peer_requests(page_as, rep, rep_peer, dealers, budget):
    submitted(rep_peer, dealers["peer"], title="南京店庆")
    body = page_as(rep).get(reverse("funds:request-list")).content.decode()
    assert "南京店庆" not in body


def test_list_filters_by_status_category_dealer_and_split(page_as, manager, rep, dealers, budget):
    first = submitted(rep, dealers["mine"], title="第一次促销")
    second = submitted(rep, dealers["mine"], title="第二次促销", days=(2, 8))  # overlaps: a possible split
    draft(rep, dealers["second"], title="二号店草稿")
    client = page_as(manager)
    url = reverse("funds:request-list")

    body = client.get(url, {"status": "draft"}).content.decode()
    assert "二号店草稿" in body and "第一次促销" not in body
    body = client.get(url, {"q": "FD-TWO"}).content.decode()
    assert "二号店草稿" in body and "第二次促销" not in body
    body = client.get(url, {"q": first.number}).content.decode()
    assert "第一次促销" in body and "第二次促销" not in body
    body = client.get(url, {"possible_split": "true"}).content.decode()
    assert "第一次促销" in body and "第二次促销" in body and "二号店草稿" not in body
    assert reloaded(second).possible_split
    body = client.get(url, {"category": "training"}).content.decode()
    assert "No fund requests." in body


def test_list_queries_do_not_grow_with_rows(page_as, manager, rep, dealers, budget, django_assert_num_queries):
    client = page_as(manager)
    draft(rep, dealers["mine"])
    # session, user, the manager's roles, the manager's territories (the scope), the page's count, the bell's
    # unread count, the page's rows (with dealer, territory, requester, budget)
    with django_assert_num_queries(7):
        assert client.get(reverse("funds:request-list")).status_code == 200
    for n in range(6):
        draft(rep, dealers["second" if n % 2 else "mine"], title=f"促销{n}")
    with django_assert_num_queries(7):
        body = client.get(reverse("funds:request-list")).content.decode()
    assert body.count('data-testid="request-row"') == 7


# --- the form ----------------------------------------------------------------------------------------------


def test_form_offers_only_the_active_dealers_the_user_may_request_for(page_as, rep, manager, dealers, budget):
    body = page_as(rep).get(reverse("funds:request-create")).content.decode()
    assert "FD-MINE" in body and "FD-TWO" in body
    assert "FD-PEER" not in body and "FD-LEAK" not in body and "FD-PROS" not in body
    body = page_as(manager).get(reverse("funds:request-create")).content.decode()
    assert "FD-MINE" in body and "FD-PEER" in body and "FD-LEAK" not in body


def test_finance_may_not_open_the_request_form(page_as, finance, dealers):
    assert page_as(finance).get(reverse("funds:request-create")).status_code == 403


def _form(dealer=None, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "category": "promotion",
        "title": "中秋促销",
        "description": "门店堆头",
        "start_date": f"{today:%Y-%m-%d}",
        "end_date": f"{today + timedelta(days=3):%Y-%m-%d}",
        "requested_amount": "1500.00",
        "expected_sales": "30000.00",
    }
    if dealer is not None:
        data["dealer"] = dealer.pk
    return data | changes


def test_rep_saves_a_draft_then_changes_it(page_as, rep, dealers, budget):
    client = page_as(rep)
    response = client.post(reverse("funds:request-create"), _form(dealers["mine"], save="1"))
    fund_request = FundRequest.objects.get(title="中秋促销")
    assert response.status_code == 302 and response["Location"] == reverse(
        "funds:request-detail", args=[fund_request.pk]
    )
    assert fund_request.status == "draft" and fund_request.requested_by == rep
    assert f"Fund request {fund_request.number} saved as a draft." in told(response)

    edit = reverse("funds:request-edit", args=[fund_request.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, _form(title="中秋促销（改）", requested_amount="1200.00", save="1"))
    fund_request.refresh_from_db()
    assert fund_request.title == "中秋促销（改）" and fund_request.requested_amount == D("1200.00")
    assert fund_request.dealer == dealers["mine"]  # a draft keeps its dealer


def test_save_and_submit_submits(page_as, rep, dealers, budget):
    response = page_as(rep).post(reverse("funds:request-create"), _form(dealers["mine"], submit="1"))
    fund_request = FundRequest.objects.get(title="中秋促销")
    assert fund_request.status == "submitted" and fund_request.submitted_by == rep
    assert "submitted to the dealer's channel manager" in told(response)[-1]


def test_a_submission_over_the_cost_ratio_keeps_the_form_and_saves_nothing(page_as, rep, dealers, budget):
    # 10 % of 30,000.00 is 3,000.00: 3,000.01 is too much
    response = page_as(rep).post(
        reverse("funds:request-create"), _form(dealers["mine"], requested_amount="3000.01", submit="1")
    )
    assert response.status_code == 200
    assert "cost ratio" in response.content.decode() and "is-invalid" in response.content.decode()
    assert not FundRequest.objects.exists()


def test_a_submission_without_a_budget_says_so(page_as, rep, dealers):
    response = page_as(rep).post(reverse("funds:request-create"), _form(dealers["mine"], submit="1"))
    assert response.status_code == 200 and "No promotion budget covers" in response.content.decode()
    assert not FundRequest.objects.exists()


def test_rep_cannot_post_for_a_dealer_not_theirs(page_as, rep, dealers, budget):
    response = page_as(rep).post(reverse("funds:request-create"), _form(dealers["peer"], save="1"))
    assert response.status_code == 200 and not FundRequest.objects.exists()  # not a choice of the field


def test_a_submitted_request_cannot_be_edited(page_as, rep, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    response = page_as(rep).get(reverse("funds:request-edit", args=[fund_request.pk]))
    assert response.status_code == 302 and "Only a draft can be changed." in told(response)


def test_finance_may_not_edit_a_draft(page_as, rep, finance, dealers):
    fund_request = draft(rep, dealers["mine"])
    assert page_as(finance).get(reverse("funds:request-edit", args=[fund_request.pk])).status_code == 403


# --- the detail page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "admin"])
def test_detail_renders_for_who_sees_the_dealer(who, everyone, page_as, dealers, budget):
    fund_request = submitted(everyone["rep"], dealers["mine"], title="浦东端午促销")
    body = page_as(everyone[who]).get(reverse("funds:request-detail", args=[fund_request.pk])).content.decode()
    assert "浦东端午促销" in body and fund_request.number in body
    assert 'data-testid="state-log"' in body and "Submitted" in body


@pytest.mark.parametrize("who", ["rep_peer", "other_rep", "other_manager"])
def test_detail_is_404_out_of_scope(who, everyone, page_as, dealers, budget):
    fund_request = submitted(everyone["rep"], dealers["mine"])
    client = page_as(everyone[who])
    assert client.get(reverse("funds:request-detail", args=[fund_request.pk])).status_code == 404
    for name in (
        "request-edit",
        "request-submit",
        "request-approve",
        "request-reject",
        "request-cancel",
        "claim-create",
    ):
        assert client.post(reverse(f"funds:{name}", args=[fund_request.pk])).status_code == 404, name


def test_detail_shows_the_budget_to_the_manager_not_to_the_rep(page_as, rep, manager, dealers, budget):
    fund_request = submitted(rep, dealers["mine"], amount="1000.00")
    body = page_as(manager).get(reverse("funds:request-detail", args=[fund_request.pk])).content.decode()
    assert 'data-testid="budget-remaining">¥100,000.00' in body  # nothing committed before finance approves
    assert 'data-testid="ratio-limit">¥2,000.00' in body  # 10 % of 20,000.00
    assert "10.00 %" in body
    body = page_as(rep).get(reverse("funds:request-detail", args=[fund_request.pk])).content.decode()
    assert 'data-testid="budget-remaining"' not in body and 'data-testid="no-budget"' in body


def test_detail_lists_the_overlapping_requests_of_a_possible_split(page_as, rep, manager, dealers, budget):
    first = submitted(rep, dealers["mine"], title="第一次")
    second = submitted(rep, dealers["mine"], title="第二次", days=(3, 9))
    submitted(rep, dealers["mine"], title="不重叠", days=(20, 25))
    body = page_as(manager).get(reverse("funds:request-detail", args=[second.pk])).content.decode()
    assert 'data-testid="split-warning"' in body
    assert body.count('data-testid="overlapping-request"') == 1 and first.number in body


def test_detail_queries_are_fixed(page_as, rep, manager, finance, dealers, budget, django_assert_num_queries):
    fund_request = submitted(rep, dealers["mine"], days=(0, 30))
    submitted(rep, dealers["mine"], title="重叠", days=(1, 2))  # a possible split: the overlaps are listed
    client = page_as(manager)
    url = reverse("funds:request-detail", args=[fund_request.pk])
    with django_assert_num_queries(QUERIES_DETAIL):
        assert client.get(url).status_code == 200
    for n in range(4):  # more overlapping requests, more state changes
        submitted(rep, dealers["mine"], title=f"重叠{n}", days=(n + 3, n + 5))
    with django_assert_num_queries(QUERIES_DETAIL):
        body = client.get(url).content.decode()
    assert body.count('data-testid="overlapping-request"') == 5


#: session, user, the manager's roles, the manager's territories, the request (with its dealer, people, budget
#: and claim), the budget it draws on (``budget_for``: not charged yet), whether the manager may see it, its
#: figures, the overlapping requests, the state log, the history, the bell's unread count
QUERIES_DETAIL = 12


def test_detail_with_a_claim_queries_are_fixed(
    page_as, rep, manager, finance, dealers, budget, django_assert_num_queries
):
    claim = claimed(rep, manager, finance, dealers["mine"])
    url = reverse("funds:request-detail", args=[claim.request_id])
    client = page_as(manager)
    with django_assert_num_queries(QUERIES_CLAIM_DETAIL):
        assert client.get(url).status_code == 200
    with_evidence(claim, rep)
    visits = [
        log(rep, dealers["mine"], timezone.now() - timedelta(hours=n + 1), purpose=f"核销走访{n}") for n in range(3)
    ]
    claim.visits.set(visits)
    with django_assert_num_queries(QUERIES_CLAIM_DETAIL):
        body = client.get(url).content.decode()
    assert body.count('data-testid="photo"') == 2 and "核销走访2" in body


#: as above, less the budget look-up and the overlaps (the request is charged to its budget, and no split),
#: plus the claim's attachments, the kinds of evidence it misses, its visits and its state log (its photos
#: are not reused: a reused one adds the query naming where it was first sent)
QUERIES_CLAIM_DETAIL = 14


# --- the actions -------------------------------------------------------------------------------------------


def test_the_whole_way_by_the_buttons(page_as, rep, manager, finance, dealers, budget):
    fund_request = draft(rep, dealers["mine"], amount="1000.00")
    detail = reverse("funds:request-detail", args=[fund_request.pk])

    response = page_as(rep).post(reverse("funds:request-submit", args=[fund_request.pk]))
    assert response["Location"] == detail and reloaded(fund_request).status == "submitted"

    body = page_as(manager).get(detail).content.decode()
    assert reverse("funds:request-approve", args=[fund_request.pk]) in body
    response = page_as(manager).post(reverse("funds:request-approve", args=[fund_request.pk]))
    assert reloaded(fund_request).status == "manager_approved"
    assert "waits for finance" in told(response)[-1]

    response = page_as(finance).post(reverse("funds:request-approve", args=[fund_request.pk]))
    fund_request = reloaded(fund_request)
    assert fund_request.status == "approved" and fund_request.budget == budget
    assert "committed against the budget" in told(response)[-1]
    body = page_as(finance).get(detail).content.decode()
    assert 'data-testid="budget-remaining">¥99,000.00' in body


def test_the_submitter_cannot_approve_their_own_request(page_as, manager, dealers, budget):
    fund_request = submitted(manager, dealers["mine"])  # the manager requested and submitted it himself
    client = page_as(manager)
    body = client.get(reverse("funds:request-detail", args=[fund_request.pk])).content.decode()
    assert reverse("funds:request-approve", args=[fund_request.pk]) not in body
    response = client.post(reverse("funds:request-approve", args=[fund_request.pk]))
    assert response.status_code == 302
    assert "You cannot approve a fund request you made or submitted yourself." in told(response)
    assert reloaded(fund_request).status == "submitted"


def test_the_manager_who_approved_cannot_approve_again_as_finance(page_as, rep, manager, dealers, budget):
    manager.groups.add(Group.objects.get(name=Role.FINANCE))
    fund_request = submitted(rep, dealers["mine"])
    client = page_as(manager)
    client.post(reverse("funds:request-approve", args=[fund_request.pk]))
    assert reloaded(fund_request).status == "manager_approved"
    response = client.post(reverse("funds:request-approve", args=[fund_request.pk]))
    assert "you approved this request as its manager" in told(response)[-1]
    assert reloaded(fund_request).status == "manager_approved"


def test_finance_cannot_approve_before_the_manager(page_as, rep, finance, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    response = page_as(finance).post(reverse("funds:request-approve", args=[fund_request.pk]))
    assert "Only the dealer's channel manager approves a submitted fund request." in told(response)
    assert reloaded(fund_request).status == "submitted"


def test_a_rep_may_not_approve_or_reject(page_as, rep, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    client = page_as(rep)
    assert client.post(reverse("funds:request-approve", args=[fund_request.pk])).status_code == 403
    assert client.post(reverse("funds:request-reject", args=[fund_request.pk]), {"reason": "x"}).status_code == 403
    assert reloaded(fund_request).status == "submitted"


def test_finance_may_not_check_and_a_manager_may_not_settle(page_as, rep, manager, finance, dealers, budget):
    claim = claimed(rep, manager, finance, dealers["mine"])
    assert page_as(finance).post(reverse("funds:claim-check", args=[claim.pk]), {"verdict": "met"}).status_code == 403
    assert page_as(manager).post(reverse("funds:claim-settle", args=[claim.pk])).status_code == 403


def test_reject_needs_a_reason_and_keeps_it(page_as, rep, manager, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    client = page_as(manager)
    response = client.post(reverse("funds:request-reject", args=[fund_request.pk]), {"reason": "  "})
    assert "Say why the request is rejected." in told(response)
    assert reloaded(fund_request).status == "submitted"
    client.post(reverse("funds:request-reject", args=[fund_request.pk]), {"reason": "预算外活动"})
    fund_request = reloaded(fund_request)
    assert fund_request.status == "rejected" and fund_request.reject_reason == "预算外活动"
    body = page_as(rep).get(reverse("funds:request-detail", args=[fund_request.pk])).content.decode()
    assert "预算外活动" in body


def test_the_rep_cancels_a_submitted_request(page_as, rep, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    response = page_as(rep).post(reverse("funds:request-cancel", args=[fund_request.pk]))
    assert reloaded(fund_request).status == "cancelled"
    assert f"Fund request {fund_request.number} cancelled." in told(response)


def test_a_refused_state_comes_back_as_a_message(page_as, rep, manager, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    request_services.request_cancel(actor=rep, request=fund_request)
    detail = reverse("funds:request-detail", args=[fund_request.pk])
    response = page_as(manager).post(
        reverse("funds:request-approve", args=[fund_request.pk]), HTTP_REFERER=f"http://testserver{detail}"
    )
    assert response.status_code == 302 and response["Location"].endswith(detail)
    assert told(response) and reloaded(fund_request).status == "cancelled"


def test_a_get_of_an_action_goes_back_to_the_request(page_as, rep, manager, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    response = page_as(manager).get(reverse("funds:request-approve", args=[fund_request.pk]))
    assert response.status_code == 302 and reloaded(fund_request).status == "submitted"


def test_an_action_from_the_queue_comes_back_to_the_queue(page_as, rep, manager, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    response = page_as(manager).post(reverse("funds:request-approve", args=[fund_request.pk]), {"next": "approvals"})
    assert response["Location"] == reverse("funds:approvals")


# --- the claim ---------------------------------------------------------------------------------------------


def test_the_claim_with_evidence_from_the_phone_checked_and_settled(page_as, rep, manager, finance, dealers, budget):
    fund_request = approved(rep, manager, finance, dealers["mine"], amount="1000.00")
    visit = log(rep, dealers["mine"], timezone.now() - timedelta(hours=2), purpose="活动现场走访")
    client = page_as(rep)
    detail = reverse("funds:request-detail", args=[fund_request.pk])
    assert reverse("funds:claim-create", args=[fund_request.pk]) in client.get(detail).content.decode()

    form = client.get(reverse("funds:claim-create", args=[fund_request.pk])).content.decode()
    assert "活动现场走访" in form
    response = client.post(
        reverse("funds:claim-create", args=[fund_request.pk]),
        {"actual_amount": "950.00", "actual_sales": "24000.00", "note": "已完成", "visits": [visit.pk]},
    )
    claim = FundClaim.objects.get(request=fund_request)
    assert response["Location"] == detail + "#claim"
    assert claim.actual_amount == D("950.00") and list(claim.visits.all()) == [visit]
    assert reloaded(fund_request).status == "claimed"

    # the phone's camera for photos, PDF or a picture for invoices
    body = client.get(detail).content.decode()
    assert 'accept="image/*" capture="environment"' in body and 'accept="application/pdf,image/*"' in body
    assert 'data-testid="missing-evidence"' in body

    evidence = reverse("funds:claim-evidence", args=[claim.pk])
    response = client.post(evidence, {"kind": "photo", "files": [photo("IMG_0001.jpg", colour=(200, 10, 10))]})
    assert "1 file added." in told(response)
    response = client.post(evidence, {"kind": "invoice", "files": [upload(pdf_bytes(), "发票.pdf", "application/pdf")]})
    assert "1 file added." in told(response)
    kinds = sorted(
        Attachment.objects.filter(object_id=claim.pk, object_type__model="fundclaim").values_list("kind", flat=True)
    )
    assert kinds == ["invoice", "photo"]
    body = client.get(detail).content.decode()
    assert body.count('data-testid="photo"') == 2 and 'data-testid="missing-evidence"' not in body

    response = page_as(manager).post(reverse("funds:claim-check", args=[claim.pk]), {"verdict": "met"})
    assert "Evidence met" in told(response)[-1]
    claim.refresh_from_db()
    assert claim.status == "met" and claim.checked_by == manager

    response = page_as(finance).post(reverse("funds:claim-settle", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == "settled" and claim.expense is not None
    assert Expense.objects.get(reference=f"FUND-{fund_request.number}").amount == D("950.00")
    body = page_as(rep).get(detail).content.decode()
    assert 'data-testid="claim-expense"' in body and f"reference=FUND-{fund_request.number}" in body


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_with_its_name(page_as, rep, manager, finance, dealers, budget):
    claim = claimed(rep, manager, finance, dealers["mine"])
    response = page_as(rep).post(
        reverse("funds:claim-evidence", args=[claim.pk]),
        {"kind": "invoice", "files": [upload(b"not a pdf at all", "发票.txt", "text/plain")]},
    )
    assert response.status_code == 302 and any("发票.txt" in message for message in told(response))
    assert not Attachment.objects.filter(object_id=claim.pk, object_type__model="fundclaim").exists()


def test_finance_may_not_add_evidence(page_as, rep, manager, finance, dealers, budget):
    claim = claimed(rep, manager, finance, dealers["mine"])
    response = page_as(finance).post(
        reverse("funds:claim-evidence", args=[claim.pk]), {"kind": "photo", "files": [photo("x.jpg")]}
    )
    assert response.status_code == 403


def test_met_needs_a_photo_and_an_invoice_and_not_met_a_reason(page_as, rep, manager, finance, dealers, budget):
    claim = claimed(rep, manager, finance, dealers["mine"])
    client = page_as(manager)
    response = client.post(reverse("funds:claim-check", args=[claim.pk]), {"verdict": "met"})
    assert "The evidence is incomplete" in told(response)[-1]
    response = client.post(reverse("funds:claim-check", args=[claim.pk]), {"verdict": "not_met", "reason": ""})
    assert "Say why the evidence does not meet the request." in told(response)
    claim.refresh_from_db()
    assert claim.status == "open"
    client.post(reverse("funds:claim-check", args=[claim.pk]), {"verdict": "not_met", "reason": "发票不符"})
    claim.refresh_from_db()
    assert claim.status == "not_met" and claim.check_reason == "发票不符"


def test_nobody_checks_their_own_claim(page_as, manager, finance, admin_user, dealers, budget):
    claim = claimed(manager, admin_user, finance, dealers["mine"])  # the manager requested and claimed it
    response = page_as(manager).post(
        reverse("funds:claim-check", args=[claim.pk]), {"verdict": "not_met", "reason": "x"}
    )
    assert "You cannot check a claim you made yourself." in told(response)
    claim.refresh_from_db()
    assert claim.status == "open"


def test_claim_pages_are_404_out_of_scope(page_as, rep, manager, finance, other_rep, other_manager, dealers, budget):
    claim = claimed(rep, manager, finance, dealers["mine"])
    for who in (other_rep, other_manager):
        client = page_as(who)
        for name in ("claim-evidence", "claim-check", "claim-settle"):
            assert client.post(reverse(f"funds:{name}", args=[claim.pk])).status_code == 404, name


def test_claim_form_for_a_request_not_approved_goes_back(page_as, rep, dealers, budget):
    fund_request = submitted(rep, dealers["mine"])
    response = page_as(rep).get(reverse("funds:claim-create", args=[fund_request.pk]))
    assert response.status_code == 302 and "only an approved request can be claimed" in told(response)[-1]


# --- the approval queues -----------------------------------------------------------------------------------


def test_approvals_show_each_queue_to_its_role(page_as, everyone, rep, manager, finance, dealers, budget):
    waiting = submitted(rep, dealers["mine"], title="等经理")
    for_finance = submitted(rep, dealers["second"], title="等财务")
    request_services.request_approve(actor=manager, request=for_finance)
    to_check = claimed(rep, manager, finance, dealers["mine"], title="待核查", days=(40, 45))
    to_settle = with_evidence(claimed(rep, manager, finance, dealers["second"], title="待结算", days=(40, 45)), rep)
    claim_services.claim_check(actor=manager, claim=to_settle, met=True)

    body = page_as(manager).get(reverse("funds:approvals")).content.decode()
    assert "等经理" in body and "待核查" in body and "等财务" not in body and "待结算" not in body
    assert reverse("funds:request-approve", args=[waiting.pk]) in body
    assert reverse("funds:claim-check", args=[to_check.pk]) in body
    assert 'name="next" value="approvals"' in body

    body = page_as(finance).get(reverse("funds:approvals")).content.decode()
    assert "等财务" in body and "待结算" in body and "等经理" not in body and "待核查" not in body
    assert reverse("funds:request-approve", args=[for_finance.pk]) in body
    assert reverse("funds:claim-settle", args=[to_settle.pk]) in body

    body = page_as(everyone["admin"]).get(reverse("funds:approvals")).content.decode()
    assert all(title in body for title in ("等经理", "等财务", "待核查", "待结算"))

    assert page_as(rep).get(reverse("funds:approvals")).status_code == 403


def test_approvals_flag_a_possible_split(page_as, rep, manager, dealers, budget):
    submitted(rep, dealers["mine"], title="第一次")
    submitted(rep, dealers["mine"], title="第二次", days=(1, 4))
    body = page_as(manager).get(reverse("funds:approvals")).content.decode()
    assert body.count('data-testid="possible-split"') == 2


def test_the_manager_does_not_see_own_submissions_nor_other_teams_in_the_queue(
    page_as, rep, manager, other_rep, dealers, budget, south_budget
):
    submitted(manager, dealers["mine"], title="经理自己提交")
    submitted(other_rep, dealers["other"], title="广州的")
    body = page_as(manager).get(reverse("funds:approvals")).content.decode()
    assert "经理自己提交" not in body and "广州的" not in body


def test_approvals_queries_do_not_grow_with_rows(
    page_as, rep, manager, finance, admin_user, dealers, budget, django_assert_num_queries
):
    submitted(rep, dealers["mine"], title="一", days=(0, 1))
    claimed(rep, manager, finance, dealers["second"], days=(50, 51))
    client = page_as(admin_user)
    # session, user, the admin's roles, the four queues (the manager's requests, the claims to check,
    # finance's requests, the claims to settle — each with its dealer and people, the claims with their file
    # count), the bell's unread count
    with django_assert_num_queries(QUERIES_APPROVALS):
        assert client.get(reverse("funds:approvals")).status_code == 200
    for n in range(3):
        submitted(rep, dealers["mine"], title=f"再{n}", days=(10 + 5 * n, 11 + 5 * n))
        fund_request = submitted(rep, dealers["second"], title=f"财务{n}", days=(10 + 5 * n, 11 + 5 * n))
        request_services.request_approve(actor=manager, request=fund_request)
        claimed(rep, manager, finance, dealers["mine"], days=(60 + 5 * n, 61 + 5 * n))
    with django_assert_num_queries(QUERIES_APPROVALS):
        body = client.get(reverse("funds:approvals")).content.decode()
    assert body.count('data-testid="queue-request"') == 7 and body.count('data-testid="queue-claim"') == 4


QUERIES_APPROVALS = 8


# --- navigation and the dashboards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_requests", "sees_approvals"),
    [("rep", True, False), ("manager", True, True), ("finance", True, True), ("admin", True, True)],
)
def test_the_menu_leads_to_the_pages(who, sees_requests, sees_approvals, everyone, page_as):
    body = page_as(everyone[who]).get(reverse("dashboard")).content.decode()
    assert (f'href="{reverse("funds:request-list")}"' in body) == sees_requests
    assert (f'href="{reverse("funds:approvals")}"' in body) == sees_approvals
    assert ">Funds<" in body  # the menu (pgettext "the menu of channel funds")


def test_the_dashboards_count_what_waits_and_link_to_the_approvals(page_as, rep, manager, finance, dealers, budget):
    submitted(rep, dealers["mine"])
    body = page_as(manager).get(reverse("dashboard")).content.decode()
    assert 'data-testid="fund-requests-to-approve" data-count="1"' in body
    assert f'href="{reverse("funds:approvals")}" data-testid="fund-requests-to-approve"' in body
    body = page_as(finance).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("funds:approvals")}" data-testid="fund-requests-finance" data-count="0"' in body


def test_finance_does_not_see_the_visits_linked_to_a_claim(page_as, rep, manager, finance, dealers, budget):
    claim = claimed(rep, manager, finance, dealers["mine"])
    claim.visits.set([log(rep, dealers["mine"], timezone.now() - timedelta(hours=2), purpose="核销现场走访")])
    url = reverse("funds:request-detail", args=[claim.request_id])
    assert "核销现场走访" in page_as(manager).get(url).content.decode()
    assert "核销现场走访" not in page_as(finance).get(url).content.decode()  # visits are not finance's (SPEC §2)
