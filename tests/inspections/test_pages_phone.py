"""The acceptance walk's phone part, in Chromium at 390×844 (STYLE: phone-first for inspectors).

The inspector samples 3 terminals for a mystery inspection on the phone, opens T1's form, answers it item by item
(each saved as it is tapped), fails the critical display item with a photo from the camera, enters a kitchen price
below the minimum with a photo, and completes it. The rep of T1 saw nothing of it before; now they see the two
rectifications. Every page fits the screen, with tap targets of at least 40×40 px — in both languages.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from inspections.models import ChecklistItem, ChecklistTemplate, Inspection
from inspections.texts import PRICE_ITEM_TEXT
from tests.e2e.chromium import chromium, fits_the_screen, log_in, pages, shot, take_problems
from tests.e2e.test_phone_layout import problems_of
from tests.evidence.files import photo_bytes

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def new_page(browser, live_server):
    with pages(browser, live_server) as make:
        yield make


@pytest.fixture
def display_with_price(templates, lines):
    """The shipped display checklist with a kitchen price item (weights 15 + 30 + 20 + 10 + 10 + 15 = 100)."""
    template = templates.get("display") or shipped_display()
    template.items.filter(code__in=["tidy", "staff"]).update(weight=Decimal("10"))
    ChecklistItem.objects.create(
        template=template,
        code="price_kitchen",
        text=PRICE_ITEM_TEXT,
        kind=ChecklistItem.Kind.PRICE,
        product_line=lines["kitchen"],
        weight=Decimal("15"),
        position=100,
    )
    return template


def shipped_display() -> ChecklistTemplate:
    """The live server's tests flush the database after each test, the shipped rows of the migration with it."""
    from inspections.texts import SHIPPED, shipped_items

    template = ChecklistTemplate.objects.create(code="display", name=SHIPPED["display"][0])
    ChecklistItem.objects.bulk_create(ChecklistItem(template=template, **item) for item in shipped_items("display"))
    return template


def jpeg(colour):
    return {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(colour=colour)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_inspector_completes_a_mystery_inspection_on_the_phone(
    new_page, inspector, rep, covered, insp_dealers, display_with_price, language
):
    from playwright.sync_api import expect

    problems: list[str] = []
    phone = new_page(phone=True, language=language)
    log_in(phone, inspector)

    # the mystery sample: three terminals of Shanghai
    phone.goto("/inspections/sample/")
    phone.locator("select[name=territory]").select_option(str(covered["SH"].pk))
    phone.locator("input[name=count]").fill("3")
    phone.locator("select[name=template]").select_option(str(display_with_price.pk))
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)
    phone.locator("main form button[type=submit]").tap()
    expect(phone.locator(".alert-success")).to_be_visible()
    sampled = Inspection.objects.filter(kind="mystery")
    assert {i.dealer.code for i in sampled} == {"T1", "T2", "T3"}
    mystery = sampled.get(dealer=insp_dealers["T1"])

    rep_phone = new_page(phone=True, language=language)
    log_in(rep_phone, rep)
    assert rep_phone.goto(f"/inspections/{mystery.pk}/").status == 404  # the rep knows nothing of it
    rep_phone.goto("/inspections/rectifications/")
    expect(rep_phone.get_by_test_id("rectification-cards")).to_have_count(0)
    assert all("404" in problem for problem in take_problems(rep_phone))  # the 404 above, on purpose

    phone.goto(f"/inspections/{mystery.pk}/perform/")
    cards = phone.get_by_test_id("item-card")
    expect(cards).to_have_count(6)
    expect(phone.get_by_test_id("min-price")).to_have_attribute("data-minimum", "100.00")
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)
    shot(phone, f"inspection-form-{language}")

    def card(code):
        return phone.locator(f"[data-testid=item-card][data-code={code}]")

    for code in ("signage", "pop", "tidy", "staff"):
        card(code).get_by_test_id("result-pass").tap()
        expect(card(code)).to_have_attribute("data-answered", "1")
    # the critical display item fails, with a photo from the camera
    shelf = card("shelf")
    shelf.locator("input[name=photos]").set_input_files(jpeg((200, 30, 30)))
    shelf.get_by_test_id("result-fail").tap()
    expect(shelf).to_have_attribute("data-answered", "1")
    expect(shelf.locator("[data-photo-count]")).to_have_text("1")
    # a price below the minimum, with a photo: the item fails by itself
    price = card("price_kitchen")
    price.locator("input[name=photos]").set_input_files(jpeg((30, 200, 30)))
    price.locator("input[name=observed_price]").fill("99.00")
    price.locator("input[name=observed_price]").dispatch_event("change")
    expect(price).to_have_attribute("data-answered", "1")
    expect(price.locator("input[name=result][value=fail]")).to_be_checked()
    expect(phone.get_by_test_id("unanswered")).to_have_attribute("data-unanswered", "0")
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)
    shot(phone, f"inspection-form-answered-{language}")

    phone.get_by_test_id("complete").tap()
    expect(phone.locator(".alert-success")).to_be_visible()
    mystery.refresh_from_db()
    assert (mystery.status, mystery.critical_failed, mystery.price_violation) == ("done", True, True)
    # 15 + 20 + 10 + 10 = 55 passed of 100, and the failed critical item caps at 59.0 anyway
    assert mystery.score == Decimal("55.0")
    assert mystery.rectifications.count() == 2
    fits_the_screen(phone)
    problems += problems_of(phone, phone.url)

    # the rep now sees the two rectifications
    rep_phone.goto("/inspections/rectifications/")
    expect(rep_phone.get_by_test_id("rectification-cards").locator("li")).to_have_count(2)
    fits_the_screen(rep_phone)
    problems += problems_of(rep_phone, rep_phone.url)
    rep_phone.goto(f"/inspections/{mystery.pk}/")
    expect(rep_phone.get_by_test_id("results")).to_be_visible()
    fits_the_screen(rep_phone)
    problems += problems_of(rep_phone, rep_phone.url)
    assert not problems, "\n".join(problems)
