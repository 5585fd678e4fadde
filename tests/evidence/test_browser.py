"""Issue 16's "done when", in a real browser: a rep on a 390×844 phone logs a visit with two camera
photos; the manager sees them; a second rep sends one of the same photos with another visit, which is
flagged ``photo_reused`` and waits in the review queue naming the first visit; a rep of another team gets
404 on the photo's URL.

Playwright drives Debian's Chromium (skipped where it is missing, by the root ``conftest.py``). Files
chosen with ``set_input_files`` reach the page as a camera's shots do: through the form's file input
(``capture="environment"``), one pick at a time — the form keeps the earlier picks (``visit_form.js``).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from evidence.models import Attachment
from tests.e2e.chromium import chromium, fits_the_screen, log_in, pages, shot
from tests.evidence.files import photo_bytes
from visits.models import Visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser, live_server):
    with pages(browser, live_server) as make:
        yield make


def camera_shot(name: str, colour: tuple[int, int, int]) -> dict:
    taken = timezone.localtime().replace(tzinfo=None, microsecond=0)
    return {"name": name, "mimeType": "image/jpeg", "buffer": photo_bytes(taken=taken, colour=colour)}


def log_visit_on_phone(page, dealer, purpose: str, shots: list[dict]) -> None:
    from playwright.sync_api import expect

    page.goto("/visits/new/")
    page.wait_for_load_state("load")
    page.locator("[data-dealer-search]").press_sequentially(dealer.code.lower())
    expect(page.locator("select[name=dealer]")).to_have_value(str(dealer.pk))
    page.locator("[data-locate]").tap()
    expect(page.locator("[data-position-status]")).to_contain_text("Position found")
    page.locator("input[name=purpose]").fill(purpose)
    photos = page.locator("input[name=photos]")
    assert photos.get_attribute("capture") == "environment"
    for one in shots:  # one camera shot at a time: each pick adds to the earlier ones
        photos.set_input_files(one)
    expect(page.locator("[data-photo-previews] img")).to_have_count(len(shots))
    fits_the_screen(page)
    page.get_by_role("button", name="Log visit").tap()
    expect(page).to_have_url(re.compile(r"/visits/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text(f"Visit to {dealer.name} logged.")


def test_two_camera_photos_then_a_reused_one_is_flagged_and_hidden_from_other_teams(
    new_page, live_server, rep, rep_peer, other_rep, manager, d
):
    from playwright.sync_api import expect

    first_shot, second_shot = camera_shot("IMG_0001.jpg", (200, 40, 40)), camera_shot("IMG_0002.jpg", (40, 200, 40))

    # The rep logs a visit with two camera photos, on a phone at the dealer's door.
    dealer = d["A3"]
    near = {"latitude": float(dealer.latitude), "longitude": float(dealer.longitude), "accuracy": 15}
    phone = new_page(phone=True, language="en", geolocation=near)
    log_in(phone, rep)
    log_visit_on_phone(phone, dealer, "陈列检查 display check", [first_shot, second_shot])
    first_visit = Visit.objects.get(rep=rep)
    assert Attachment.objects.filter(object_id=first_visit.pk).count() == 2
    tiles = phone.get_by_test_id("photo")
    expect(tiles).to_have_count(2)
    expect(tiles.locator("img").first).to_have_js_property("complete", True)
    assert tiles.locator("img").first.evaluate("img => img.naturalWidth") > 0  # the thumbnail loads
    fits_the_screen(phone)
    shot(phone, "evidence-1-visit-with-photos")

    # The manager sees both photos on the visit's page, each opening full size.
    desk = new_page(language="en")
    log_in(desk, manager)
    desk.goto(f"/visits/{first_visit.pk}/")
    expect(desk.get_by_test_id("photo")).to_have_count(2)
    full = desk.get_by_test_id("photo").first.locator("a").get_attribute("href")
    response = desk.request.get(full)
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert response.body() == first_shot["buffer"]  # the original, byte for byte

    # A second rep of the same team sends one of the same photos with a visit to another dealer.
    peer_dealer = d["P1"]
    peer_phone = new_page(
        phone=True,
        language="en",
        geolocation={
            "latitude": float(peer_dealer.latitude),
            "longitude": float(peer_dealer.longitude),
            "accuracy": 15,
        },
    )
    log_in(peer_phone, rep_peer)
    log_visit_on_phone(peer_phone, peer_dealer, "复查 follow-up", [{**second_shot, "name": "copy.jpg"}])
    second_visit = Visit.objects.get(rep=rep_peer)
    assert second_visit.flags == ["photo_reused"]
    expect(peer_phone.locator(".alert-success")).to_contain_text("photo reused")

    # The manager's review queue has the second visit, the photo beside the reason, naming the first visit.
    desk.goto("/visits/review/")
    item = desk.get_by_test_id("review-item").filter(has_text=peer_dealer.name)
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("photo")).to_have_count(1)
    reused = item.get_by_test_id("reused-of")
    expect(reused).to_contain_text(f"visit {first_visit.pk}")
    expect(reused.locator("a")).to_have_attribute("href", f"/visits/{first_visit.pk}/")
    shot(desk, "evidence-2-review-queue")

    # A rep of another team gets 404 on the photo's URL.
    stranger = new_page(phone=True, language="en")
    log_in(stranger, other_rep)
    assert stranger.request.get(full).status == 404
