"""The dealer page's channel funds section (``partners.dealer_page``): open requests, this year's
settlements, the deposit's balance and flagged material counts, read in one query."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from funds.models import DepositEntry
from funds.selectors import dealer_funds
from funds.services.claims import claim_check, claim_settle
from funds.services.materials import material_count_record, material_issue, material_save
from funds.services.requests import request_submit
from tests.funds.base import approved, budget, claimed, draft

D = Decimal


def test_the_section_adds_up_the_dealers_funds_in_one_query(
    covered, dealers, rep, manager, admin_user, finance, finance_b, monkeypatch, django_assert_num_queries
):
    f1 = dealers["F1"]
    today = timezone.localdate()
    budget(finance, covered["SH"], "600000.00", quarter=(today.month - 1) // 3 + 1, year=today.year)
    request_submit(actor=rep, request=draft(rep, f1, "5000.00", start=today))  # open: 5,000.00
    draft(rep, f1, "1200.00", start=today)  # a draft is open too: 1,200.00
    settled = approved(rep, manager, finance, f1, "30000.00", start=today)
    claim = claimed(settled, rep, "27500.00")
    monkeypatch.setattr("funds.services.claims.missing_evidence", lambda claim: [])
    claim_check(actor=manager, claim=claim, met=True)
    claim_settle(actor=finance_b, claim=claim)  # settled this year: 27,500.00
    DepositEntry.objects.create(dealer=f1, kind="received", amount=D("20000.00"), date=date(2026, 3, 1))
    DepositEntry.objects.create(dealer=f1, kind="deducted", amount=D("1500.00"), date=date(2026, 4, 1))
    poster = material_save(actor=finance, code="P", name="海报", unit="张", unit_cost=D("1.00"))
    material_issue(actor=manager, dealer=f1, material=poster, quantity=D("100"), day=date(2026, 9, 1))
    # 100 − 80 − 10 = 10 = 10 % of 100: flagged
    material_count_record(
        actor=rep, dealer=f1, material=poster, day=date(2026, 9, 30), counted_quantity=D(10), used_quantity=D(80)
    )
    with django_assert_num_queries(1):
        figures = dealer_funds(f1.pk)
    assert figures == {
        "open_requests": 2,
        "open_amount": D("6200.00"),  # 5,000.00 + 1,200.00
        "settled_this_year": D("27500.00"),
        "deposit": D("18500.00"),  # 20,000.00 − 1,500.00
        "has_deposit": True,
        "flagged_materials": 1,
        "year": today.year,
    }
    assert dealer_funds(dealers["F2"].pk) == {
        "open_requests": 0,
        "open_amount": D("0.00"),
        "settled_this_year": D("0.00"),
        "deposit": D("0.00"),
        "has_deposit": False,
        "flagged_materials": 0,
        "year": today.year,
    }


def test_the_dealer_page_shows_the_section_with_its_links(covered, dealers, rep, page_as):
    f1 = dealers["F1"]
    DepositEntry.objects.create(dealer=f1, kind="received", amount=D("20000.00"), date=date(2026, 3, 1))
    response = page_as(rep).get(reverse("partners:dealer-detail", args=[f1.pk]))
    html = response.content.decode()
    assert 'data-testid="dealer-funds"' in html
    assert reverse("funds:deposit-detail", args=[f1.pk]) in html
    assert f"{reverse('funds:request-create')}?dealer={f1.pk}" in html  # the rep may ask for funds for it


def test_the_request_list_narrows_to_a_dealer_and_to_a_budget(covered, dealers, rep, manager, finance, page_as):
    today = timezone.localdate()
    q = budget(finance, covered["SH"], "600000.00", quarter=(today.month - 1) // 3 + 1, year=today.year)
    charged = approved(rep, manager, finance, dealers["F1"], "3000.00", start=today)
    other = draft(rep, dealers["F2"], "1000.00", start=today)
    listed = page_as(manager).get(reverse("funds:request-list"), {"dealer": dealers["F2"].pk}).content.decode()
    assert other.number in listed and charged.number not in listed
    listed = page_as(finance).get(reverse("funds:request-list"), {"budget": q.pk}).content.decode()
    assert charged.number in listed and other.number not in listed
