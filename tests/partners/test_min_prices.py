"""An agreement's minimum shelf prices per product line (``Agreement.min_prices``, SPEC §17): written through the
agreement services from the API, the admin and the agreement form, and shown on the agreement's page."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from partners.admin import AgreementAdminForm
from partners.models import Agreement
from tests.partners.test_pages import agreement_post
from tests.partners.world import YEAR_2026, make_agreement, make_dealer

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def agreement(covered, manager, rep, lines):
    dealer = make_dealer(manager, covered["SH-SH"], rep, "SH001")
    return make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)


def api_url(agreement) -> str:
    return f"/api/v1/agreements/{agreement.pk}/"


# --- API ---------------------------------------------------------------------------------------------------


def test_the_api_writes_and_reads_the_minimum_prices(api_as, manager, agreement):
    response = api_as(manager).patch(api_url(agreement), {"min_prices": {"kitchen": "100", "water": "12.5"}})
    assert response.status_code == 200, response.json()
    assert response.json()["min_prices"] == {"kitchen": "100.00", "water": "12.50"}
    agreement.refresh_from_db()
    assert agreement.min_prices == {"kitchen": "100.00", "water": "12.50"}  # stored with two decimals
    assert api_as(manager).get("/api/v1/agreements/").json()["results"][0]["min_prices"] == agreement.min_prices
    # an empty dict: no minimum anywhere
    assert api_as(manager).patch(api_url(agreement), {"min_prices": {}}).json()["min_prices"] == {}


def test_a_bad_minimum_price_is_a_400_naming_the_line(api_as, manager, agreement):
    client = api_as(manager)
    unknown = client.patch(api_url(agreement), {"min_prices": {"nope": "1.00"}}, **EN)
    assert unknown.status_code == 400
    assert unknown.json() == {"min_prices": {"nope": ["There is no product line “nope”."]}}
    negative = client.patch(api_url(agreement), {"min_prices": {"kitchen": "-0.01"}}, **EN)
    assert negative.status_code == 400 and list(negative.json()["min_prices"]) == ["kitchen"]
    three_decimals = client.patch(api_url(agreement), {"min_prices": {"water": "1.005"}}, **EN)
    assert three_decimals.status_code == 400 and list(three_decimals.json()["min_prices"]) == ["water"]
    agreement.refresh_from_db()
    assert agreement.min_prices == {}


def test_a_renewal_carries_the_minimum_prices(api_as, manager, agreement):
    Agreement.objects.filter(pk=agreement.pk).update(min_prices={"kitchen": "100.00"}, status="signed")
    renewal = api_as(manager).post(f"{api_url(agreement)}renew/")
    assert renewal.status_code == 201 and renewal.json()["min_prices"] == {"kitchen": "100.00"}


# --- admin -------------------------------------------------------------------------------------------------


def test_the_admin_form_checks_the_lines_and_amounts(agreement):
    unknown = AgreementAdminForm(data={"min_prices": json.dumps({"nope": "1.00"})}, instance=agreement)
    assert not unknown.is_valid() and list(unknown.errors) == ["min_prices"]
    negative = AgreementAdminForm(data={"min_prices": json.dumps({"kitchen": "-1"})}, instance=agreement)
    assert not negative.is_valid()
    good = AgreementAdminForm(data={"min_prices": json.dumps({"kitchen": "99.9"})}, instance=agreement)
    assert good.is_valid(), good.errors
    assert good.cleaned_data["min_prices"] == {"kitchen": "99.90"}
    assert site._registry[Agreement].form is AgreementAdminForm


def test_the_admin_change_page_shows_the_minimum_prices(client, admin_user, agreement):
    Agreement.objects.filter(pk=agreement.pk).update(min_prices={"kitchen": "100.00"})
    client.force_login(admin_user)
    page = client.get(reverse("admin:partners_agreement_change", args=[agreement.pk]))
    assert page.status_code == 200
    assert "min_prices" in page.context["adminform"].form.fields
    assert "100.00" in page.content.decode()


# --- the agreement form and page ----------------------------------------------------------------------------


def test_the_agreement_form_has_a_minimum_price_per_line_and_stores_them(page_as, manager, agreement, covered, lines):
    client = page_as(manager)
    edit = reverse("partners:agreement-edit", args=[agreement.pk])
    form = client.get(edit).context["form"]
    assert [field.label for field in form.min_price_fields()] == [
        "Minimum price: hvac",
        "Minimum price: kitchen",
        "Minimum price: water",
    ]
    # kitchen 100, water empty (no minimum), hvac 0 (a minimum of nothing, kept)
    data = agreement_post(
        covered["SH-SH"],
        [lines["kitchen"]],
        min_price__kitchen="100",
        min_price__water="",
        min_price__hvac="0",
    )
    response = client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    agreement.refresh_from_db()
    assert agreement.min_prices == {"hvac": "0.00", "kitchen": "100.00"}
    # the form shows them again; the page lists them by line
    again = client.get(edit).context["form"]
    assert again["min_price__kitchen"].value() == "100.00"
    page = client.get(reverse("partners:agreement-detail", args=[agreement.pk]))
    assert [(line.code, str(price)) for line, price in page.context["min_prices"]] == [
        ("hvac", "0.00"),
        ("kitchen", "100.00"),
    ]
    assert "kitchen: ¥100.00" in page.content.decode() or "kitchen: 100.00" in page.content.decode()


def test_a_negative_or_three_decimal_minimum_is_refused_on_its_line(page_as, manager, agreement, covered, lines):
    client = page_as(manager)
    edit = reverse("partners:agreement-edit", args=[agreement.pk])
    data = agreement_post(covered["SH-SH"], [lines["kitchen"]], min_price__kitchen="-1", min_price__water="1.005")
    response = client.post(edit, data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"min_price__kitchen", "min_price__water"}
    agreement.refresh_from_db()
    assert agreement.min_prices == {}


def test_a_new_agreement_takes_minimum_prices(page_as, manager, rep, covered, lines):
    dealer = make_dealer(manager, covered["SH-SH"], rep, "SH002")
    client = page_as(manager)
    data = agreement_post(covered["SH-SH"], [lines["kitchen"]], min_price__kitchen="88.80")
    assert client.post(reverse("partners:agreement-create", args=[dealer.pk]), data).status_code == 302
    assert Agreement.objects.get(dealer=dealer).min_prices == {"kitchen": "88.80"}
