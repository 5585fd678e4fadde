"""The fund request pages on a 390×844 phone, in Chromium (STYLE: phone-first for reps and managers).

* A manager opens a submitted request: the Approve button is in sight without scrolling, and tapping it
  approves; the approvals queue shows the next one with its buttons, and approves it from there.
* A rep claims an approved request and adds a camera photo and a PDF invoice from the request's page.
* Every page of the way fits the screen, with tap targets of at least 40×40 px (``problems_of``).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from evidence.models import Attachment
from funds.models import FundClaim, FundRequest
from funds.services import claims as claim_services
from tests.e2e.chromium import chromium, fits_the_screen, log_in, pages, shot
from tests.e2e.test_phone_layout import problems_of
from tests.evidence.files import pdf_bytes, photo_bytes
from tests.funds.test_request_pages import approved, budget, dealers, submitted  # noqa: F401 (fixtures too)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser, live_server):
    with pages(browser, live_server) as make:
        yield make


def test_a_manager_approves_on_the_phone_without_scrolling(new_page, rep, manager, dealers, budget):  # noqa: F811
    from playwright.sync_api import expect

    first = submitted(rep, dealers["mine"], title="端午堆头促销", days=(0, 5))
    second = submitted(rep, dealers["mine"], title="端午试吃活动", days=(3, 8))  # a possible split of the first
    phone = new_page(phone=True, language="en")
    log_in(phone, manager)

    phone.goto(f"/funds/requests/{first.pk}/")
    approve = phone.get_by_test_id("approve-request")
    expect(approve).to_be_visible()
    box = approve.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= phone.viewport_size["height"], box  # no scrolling
    expect(phone.get_by_test_id("split-warning")).to_contain_text(second.number)
    problems = problems_of(phone, phone.url)
    shot(phone, "fund-request-manager")
    approve.tap()
    expect(phone.locator(".alert-success")).to_contain_text("waits for finance")
    assert FundRequest.objects.get(pk=first.pk).status == "manager_approved"

    phone.goto("/funds/approvals/")
    row = phone.get_by_test_id("queue-request")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("possible-split")).to_be_visible()
    problems += problems_of(phone, phone.url)
    row.get_by_test_id("reject-request").locator("summary").tap()  # the reason asked for in place
    expect(row.locator("textarea[name=reason]")).to_be_visible()
    problems += problems_of(phone, phone.url)
    row.get_by_test_id("approve-request").tap()
    expect(phone).to_have_url(re.compile(r"/funds/approvals/$"))
    expect(phone.get_by_test_id("queue-request")).to_have_count(0)
    assert FundRequest.objects.get(pk=second.pk).status == "manager_approved"

    for url in ("/funds/", f"/funds/requests/{first.pk}/"):
        phone.goto(url)
        fits_the_screen(phone)
        problems += problems_of(phone, url)
    assert not problems, "\n".join(problems)


def test_a_rep_claims_and_sends_evidence_from_the_phone(new_page, rep, manager, finance, dealers, budget):  # noqa: F811
    from playwright.sync_api import expect

    fund_request = approved(rep, manager, finance, dealers["mine"], amount="1000.00")
    phone = new_page(phone=True, language="en")
    log_in(phone, rep)
    phone.goto(f"/funds/requests/{fund_request.pk}/")
    claim_button = phone.get_by_test_id("claim-request")
    box = claim_button.bounding_box()
    assert box["y"] + box["height"] <= phone.viewport_size["height"], box
    claim_button.tap()
    expect(phone).to_have_url(re.compile(r"/funds/requests/\d+/claim/$"))
    phone.wait_for_load_state("load")
    problems = problems_of(phone, phone.url)
    phone.locator("input[name=actual_amount]").fill("980.00")
    phone.locator("input[name=actual_sales]").fill("26000.00")
    phone.get_by_role("button", name="Claim").tap()
    expect(phone.get_by_test_id("missing-evidence")).to_be_visible()
    phone.wait_for_load_state("load")
    problems += problems_of(phone, phone.url)

    camera = phone.locator("[data-testid=add-photo] input[type=file]")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    taken = timezone.localtime().replace(tzinfo=None, microsecond=0)
    camera.set_input_files({"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(taken=taken)})
    phone.get_by_role("button", name="Add photos").tap()
    expect(phone.locator(".alert-success")).to_contain_text("1 file added.")
    phone.locator("[data-testid=add-invoice] input[type=file]").set_input_files(
        {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    phone.get_by_role("button", name="Add invoices").tap()
    expect(phone.locator(".alert-success")).to_contain_text("1 file added.")
    expect(phone.get_by_test_id("missing-evidence")).to_have_count(0)
    expect(phone.get_by_test_id("photo")).to_have_count(2)
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)
    shot(phone, "fund-claim-rep")

    claim = FundClaim.objects.get(request=fund_request)
    assert claim.actual_amount == Decimal("980.00")
    kinds = sorted(
        Attachment.objects.filter(object_id=claim.pk, object_type__model="fundclaim").values_list("kind", flat=True)
    )
    assert kinds == ["invoice", "photo"]
    assert claim_services.missing_evidence(claim) == []
    assert not problems, "\n".join(problems)
