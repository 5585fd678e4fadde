"""Documents on qualification reviews and agreements (SPEC §13, issue 16 item 7): a business licence, a
credit report, a signed contract scan — attached through the evidence service from the API and from the
pages; who may attach (the dealer's manager and admins; finance too on a review; reps read), when (a
pending review, an agreement not terminated), and the dealer page that lists them all."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from evidence.models import Attachment
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from tests.evidence.files import executable_bytes, pdf_bytes, photo, upload
from tests.partners.world import FULL_REVIEW, YEAR_2026, make_agreement, make_dealer


@pytest.fixture
def dealer(covered, manager, rep):
    """rep's dealer in manager's territory, under review (submitted by manager)."""
    dealer = make_dealer(manager, covered["SH-SH"], rep, "E001", name="上海华丰贸易")
    dealer_services.dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
    return dealer


@pytest.fixture
def review(dealer):
    return dealer.reviews.get()


@pytest.fixture
def agreement(dealer, manager, covered, lines):
    return make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)


def licence_pdf(name="营业执照.pdf"):
    return upload(pdf_bytes(), name, "application/pdf")


def licence_png(name="licence.png"):
    return photo(name, fmt="PNG", colour=(10, 200, 90))


def api_url(obj, suffix="attachments/") -> str:
    resource = "agreements" if obj._meta.model_name == "agreement" else "qualification-reviews"
    return f"/api/v1/{resource}/{obj.pk}/{suffix}"


def page_url(obj) -> str:
    name = "agreement-documents" if obj._meta.model_name == "agreement" else "review-documents"
    return reverse(f"partners:{name}", args=[obj.pk])


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored(obj) -> list[Attachment]:
    return list(Attachment.objects.filter(object_id=obj.pk, object_type__model=obj._meta.model_name))


# --- API -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["agreement", "review"])
def test_manager_attaches_a_pdf_and_a_png_through_the_api(api_as, manager, rep, target, request):
    obj = request.getfixturevalue(target)
    response = api_as(manager).post(api_url(obj), {"file": [licence_pdf(), licence_png()]}, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(row["name"], row["kind"], row["content_type"]) for row in body] == [
        ("营业执照.pdf", "document", "application/pdf"),
        ("licence.png", "document", "image/png"),
    ]
    assert body[0]["thumbnail_url"] is None and body[1]["thumbnail_url"].endswith("/thumbnail/")
    # rep may not attach, but reads them in the detail
    detail = api_as(rep).get(api_url(obj, ""))
    assert detail.status_code == 200
    assert [row["name"] for row in detail.json()["attachments"]] == ["营业执照.pdf", "licence.png"]
    assert [row["flags"] for row in detail.json()["attachments"]] == [[], []]


def test_lists_leave_the_documents_out(api_as, manager, agreement, review):
    client = api_as(manager)
    client.post(api_url(agreement), {"file": [licence_pdf()]}, format="multipart")
    client.post(api_url(review), {"file": [licence_pdf()]}, format="multipart")
    assert "attachments" not in client.get("/api/v1/agreements/").json()["results"][0]
    reviews = client.get("/api/v1/qualification-reviews/").json()["results"]
    assert [(row["id"], row["dealer"]) for row in reviews] == [(review.pk, review.dealer_id)]
    assert "attachments" not in reviews[0]


def test_finance_attaches_a_credit_report_to_a_review_but_not_to_an_agreement(api_as, finance, review, agreement):
    client = api_as(finance)
    assert client.post(api_url(review), {"file": [licence_pdf("征信报告.pdf")]}, format="multipart").status_code == 201
    assert client.post(api_url(agreement), {"file": [licence_pdf()]}, format="multipart").status_code == 403
    assert stored(agreement) == []


@pytest.mark.parametrize("target", ["agreement", "review"])
def test_rep_gets_403_and_the_other_manager_404(api_as, rep, other_manager, target, request):
    obj = request.getfixturevalue(target)
    assert api_as(rep).post(api_url(obj), {"file": [licence_pdf()]}, format="multipart").status_code == 403
    assert api_as(other_manager).post(api_url(obj), {"file": [licence_pdf()]}, format="multipart").status_code == 404
    assert api_as(other_manager).get(api_url(obj, "")).status_code == 404
    assert stored(obj) == []


@pytest.mark.parametrize("target", ["agreement", "review"])
def test_a_renamed_executable_is_refused_by_name_and_nothing_is_stored(api_as, manager, target, request):
    obj = request.getfixturevalue(target)
    files = [licence_pdf(), upload(executable_bytes(), "合同扫描.pdf", "application/pdf")]
    response = api_as(manager).post(api_url(obj), {"file": files}, format="multipart")
    assert response.status_code == 400
    assert len(response.json()["file"]) == 1 and "合同扫描.pdf" in response.json()["file"][0]
    assert stored(obj) == []


def test_a_decided_review_takes_no_more_documents(api_as, manager, finance, dealer, review):
    dealer_services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit="500000.00")
    response = api_as(manager).post(api_url(review), {"file": [licence_pdf()]}, format="multipart")
    assert response.status_code == 409
    assert response.json()["current_state"] == "approved"
    assert api_as(finance).post(api_url(review), {"file": [licence_pdf()]}, format="multipart").status_code == 409
    assert stored(review) == []


def test_a_signed_agreement_takes_its_scan_and_a_terminated_one_none(api_as, manager, agreement):
    agreement_services.agreement_submit(actor=manager, agreement=agreement)
    client = api_as(manager)
    assert client.post(api_url(agreement), {"file": [licence_pdf("草稿.pdf")]}, format="multipart").status_code == 201
    agreement_services.agreement_terminate(actor=manager, agreement=agreement)
    response = client.post(api_url(agreement), {"file": [licence_pdf("签字版.pdf")]}, format="multipart")
    assert response.status_code == 409
    assert response.json()["current_state"] == "terminated"
    assert [a.name for a in stored(agreement)] == ["草稿.pdf"]


def test_the_kind_is_always_document(api_as, manager, agreement):
    response = api_as(manager).post(api_url(agreement), {"file": [licence_png()], "kind": "photo"}, format="multipart")
    assert response.status_code == 201
    assert stored(agreement)[0].kind == Attachment.Kind.DOCUMENT


def test_a_scanned_photo_gets_its_thumbnail(api_as, manager, agreement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(manager).post(api_url(agreement), {"file": [licence_png()]}, format="multipart")
    assert response.status_code == 201
    attachment = stored(agreement)[0]
    assert attachment.thumbnail and attachment.copy
    thumbnail = api_as(manager).get(reverse("attachment-thumbnail", args=[attachment.pk]))
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"


# --- pages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["agreement", "review"])
def test_manager_uploads_through_the_page_form(page_as, manager, target, request):
    obj = request.getfixturevalue(target)
    client = page_as(manager)
    response = client.post(page_url(obj), {"file": [licence_pdf(), licence_png()]})
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    assert texts(response) == ["2 documents added."]
    assert [(a.name, a.kind) for a in stored(obj)] == [("营业执照.pdf", "document"), ("licence.png", "document")]
    page = client.get(response["Location"]).content.decode()
    for attachment in stored(obj):
        assert reverse("attachment-download", args=[attachment.pk]) in page
    assert "营业执照.pdf" in page and "licence.png" in page


def test_the_upload_forms_are_shown_only_to_who_may_attach(page_as, everyone, dealer, review, agreement):
    review_form = f'action="{page_url(review)}"'
    agreement_form = f'action="{page_url(agreement)}"'
    for who, on_review, on_agreement in [
        ("rep", False, False),
        ("manager", True, True),
        ("finance", True, False),
        ("admin", True, True),
    ]:
        client = page_as(everyone[who])
        dealer_page = client.get(reverse("partners:dealer-detail", args=[dealer.pk])).content.decode()
        agreement_page = client.get(reverse("partners:agreement-detail", args=[agreement.pk])).content.decode()
        assert (review_form in dealer_page, agreement_form in agreement_page) == (on_review, on_agreement), who
    assert 'name="file" multiple required accept="image/jpeg,image/png,image/webp,application/pdf"' in agreement_page


def test_rep_posting_the_form_gets_403_and_the_other_manager_404(page_as, rep, other_manager, review, agreement):
    for obj in (review, agreement):
        assert page_as(rep).post(page_url(obj), {"file": [licence_pdf()]}).status_code == 403
        assert page_as(other_manager).post(page_url(obj), {"file": [licence_pdf()]}).status_code == 404
        assert stored(obj) == []


def test_page_refusals_are_messages(page_as, manager, finance, dealer, review, agreement):
    client = page_as(manager)
    exe = upload(executable_bytes(), "setup.pdf", "application/pdf")
    response = client.post(page_url(agreement), {"file": [licence_pdf(), exe]})
    assert response.status_code == 302
    [message] = texts(response)
    assert "setup.pdf" in message
    assert stored(agreement) == []
    empty = client.post(page_url(agreement), {})
    assert empty.status_code == 302 and texts(empty)[-1] == "Choose a file."
    dealer_services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit="500000.00")
    decided = client.post(page_url(review), {"file": [licence_pdf()]})
    assert decided.status_code == 302
    assert "approved" in texts(decided)[-1]
    assert stored(review) == []
    # the dealer page no longer offers the form
    assert f'action="{page_url(review)}"' not in client.get(decided["Location"]).content.decode()


def test_dealer_page_lists_the_documents_of_its_reviews_and_agreements(
    page_as, manager, rep, dealer, review, agreement
):
    client = page_as(manager)
    client.post(page_url(review), {"file": [licence_pdf("营业执照.pdf")]})
    client.post(page_url(agreement), {"file": [licence_pdf("合同扫描.pdf"), licence_png()]})
    response = page_as(rep).get(reverse("partners:dealer-detail", args=[dealer.pk]))
    documents = response.context["documents"]
    assert [(d.attachment.name, d.on_review) for d in documents] == [
        ("licence.png", False),
        ("合同扫描.pdf", False),
        ("营业执照.pdf", True),
    ]
    page = response.content.decode()
    assert page.count('data-testid="document"') == 3
    for document in documents:
        assert reverse("attachment-download", args=[document.attachment.pk]) in page
    assert reverse("partners:agreement-detail", args=[agreement.pk]) in page


@pytest.mark.parametrize("count", [1, 4])
def test_dealer_page_query_count_with_documents(
    page_as, manager, finance, dealer, review, covered, lines, django_assert_num_queries, count
):
    for n in range(count):
        agreement = make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
        page_as(manager).post(page_url(agreement), {"file": [licence_pdf(f"合同{n}.pdf"), licence_png(f"扫描{n}.png")]})
    page_as(finance).post(page_url(review), {"file": [licence_pdf("征信报告.pdf")]})
    client = page_as(manager)
    client.get(reverse("partners:dealer-detail", args=[dealer.pk]))  # content types cached, as in a running server
    # session, user, roles, territory paths, unread notifications, dealer (+territory, owner, parent),
    # product lines, contacts, agreements (+territory), their product lines, reviews (+submitter, decider),
    # review items, state log (+by), history (+user), history's product-line rows, visits (the timeline);
    # the overview: sales and collections (one UNION), this month's visits counted, this month's visits,
    # channel conflicts, the latest recordings (one UNION) — no statements without facts; and the
    # documents of the reviews and agreements (+uploader): one query for both models, whatever their number;
    # the channel funds section (one query: funds.selectors.dealer_funds); the account section (rebates): this
    # month's statement, the aging (credits ⋈ open invoices, and the terms: read even with none open), the rebate year's settlements and the
    # agreements with a program of the open quarter and of the year; the stock section (inventory): the dealer's
    # reports of the last twelve months, one query; the inspections section: the latest inspections, the score
    # trend, the open rectifications and the latest complaints (four)
    with django_assert_num_queries(34):
        response = client.get(reverse("partners:dealer-detail", args=[dealer.pk]))
    assert len(response.context["documents"]) == 2 * count + 1
