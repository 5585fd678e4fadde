"""A rep logs a visit on a 390×844 phone, its position from the phone, and finds it in "my visits"
(SPEC §4, §7 "new visit (a form that fills position from the phone), my visits")."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.e2e.chromium import fits_the_screen, log_in, shot, zh
from visits.models import Visit

pytestmark = pytest.mark.browser


def test_a_rep_logs_a_visit_from_the_phone(new_page, rep, d):
    from playwright.sync_api import expect

    dealer = d["A2"]  # 31.2324 N, 121.4737 E
    here = {"latitude": float(dealer.latitude) - 0.0018, "longitude": float(dealer.longitude), "accuracy": 12}
    phone = new_page(phone=True, geolocation=here)  # ~200 m south of the dealer, location allowed

    log_in(phone, rep)
    fits_the_screen(phone)
    shot(phone, "e2e-1-rep-dashboard")

    # 工作台 → 新建拜访
    phone.get_by_role("main").get_by_role("link", name=zh("New visit")).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(zh("New visit"))
    phone.wait_for_load_state("load")  # visit_form.js is listening

    dealers = phone.locator("select[name=dealer]")
    dealers.select_option(label=f"{dealer.name} (A2)")
    expect(dealers).to_have_value(str(dealer.pk))

    # "使用我的位置": the phone's position and its accuracy go into the form.
    status = phone.locator("[data-position-status]")
    expect(status).to_have_text(zh("No position yet."))
    phone.get_by_role("button", name=zh("Use my position")).tap()
    found = zh("Position found, accurate to {accuracy} m.").replace("{accuracy}", "12")
    expect(status).to_contain_text(found)
    expect(status).to_contain_text(f"({here['latitude']:.5f}, {here['longitude']:.5f})")
    expect(phone.locator("input[name=latitude]")).to_have_value(f"{here['latitude']:.6f}")
    expect(phone.locator("input[name=accuracy_m]")).to_have_value("12.0")

    phone.locator("select[name=kind]").select_option(Visit.Kind.MAINTENANCE)
    phone.locator("input[name=purpose]").fill("月度巡店")
    phone.locator("textarea[name=summary]").fill("库存充足，陈列整齐")
    fits_the_screen(phone)
    shot(phone, "e2e-2-visit-form")
    phone.get_by_role("button", name=zh("Log visit")).tap()

    # The visit's page says it is logged, and not flagged (200 m is within the 1 km limit).
    expect(phone).to_have_url(re.compile(r"/visits/\d+/$"))
    success = phone.locator(".alert-success")
    expect(success).to_have_text(zh("Visit to %(dealer)s logged.") % {"dealer": dealer.name})
    expect(phone.get_by_role("heading", level=1)).to_contain_text(dealer.name)
    fits_the_screen(phone)

    # The collapsed menu: 拜访管理 → 拜访 → 我的拜访, with the visit.
    phone.locator(".navbar-toggler").tap()
    menu = phone.locator("#main-nav")
    expect(menu).to_have_class(re.compile(r"\bshow\b"))
    menu.get_by_role("button", name=zh("Field visits")).tap()
    menu.get_by_role("link", name=zh("Visits"), exact=True).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(zh("My visits"))
    listed = phone.get_by_test_id("visit-list").locator("li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(dealer.name)
    expect(listed).to_contain_text(zh(Visit.Kind.MAINTENANCE.label))
    expect(listed).to_contain_text("月度巡店")
    expect(listed).to_contain_text(zh(Visit.Status.SUBMITTED.label))
    fits_the_screen(phone)
    shot(phone, "e2e-3-my-visits")

    visit = Visit.objects.get()
    assert (visit.rep, visit.dealer, visit.kind, visit.flags) == (rep, dealer, Visit.Kind.MAINTENANCE, [])
    assert abs(visit.latitude - Decimal(f"{here['latitude']:.6f}")) < Decimal("0.000001")
    assert 190 <= visit.distance_m <= 210
