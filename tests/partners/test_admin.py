"""Django admin for partners: every page renders for an admin, in a bounded number of queries."""

import pytest
from django.urls import reverse

from partners.models import Agreement, Dealer, ProductLine, QualificationReview, Territory
from tests.partners.world import YEAR_2026, make_agreement, make_dealer


@pytest.fixture
def filled(covered, manager, rep, lines):
    dealer = make_dealer(manager, covered["SH-SH"], rep, "SH001")
    make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    return dealer


@pytest.mark.parametrize("model", [Territory, ProductLine, Dealer, Agreement, QualificationReview])
def test_changelists_render(client_as, admin_user, filled, model, django_assert_max_num_queries):
    client = client_as(admin_user)
    url = reverse(f"admin:partners_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200


def test_dealer_change_page_and_import_export_pages_render(client_as, admin_user, filled):
    client = client_as(admin_user)
    assert client.get(reverse("admin:partners_dealer_change", args=[filled.pk])).status_code == 200
    assert client.get(reverse("admin:partners_dealer_import")).status_code == 200
    assert client.get(reverse("admin:partners_dealer_export")).status_code == 200


def test_territory_autocomplete_serves_the_dealer_form(client_as, admin_user, filled):
    response = client_as(admin_user).get(
        reverse("admin:autocomplete"),
        {"app_label": "partners", "model_name": "dealer", "field_name": "territory", "term": "上海"},
    )
    assert response.status_code == 200
    assert response.json()["results"]
