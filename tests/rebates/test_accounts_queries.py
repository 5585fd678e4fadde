"""Pinned query counts of the dealer-account pages and API (each named), the same however many rows or dealers."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.rebates import accounts_world
from tests.rebates.world import record

pytestmark = pytest.mark.django_db

# the fixtures of the accounts' world
f1_terms_30 = accounts_world.f1_terms_30
may_world = accounts_world.may_world

#: session, user, roles, the manager's territories; the dealer (+territory, owner); its aging: credits ⋈ open invoices, the agreements'
#: terms; the statement (one query: every figure a column); the deposit ledger; the month's sales, collections,
#: paid rebates (+program), settled fund claims; the rebate year: its settlements (+program), the agreements with
#: a program of its open quarter and year (none here: nothing more to read); the unread notifications
ACCOUNT_PAGE = 17
#: session, user, roles, the manager's territories; the dealers' credits ⋈ open invoices, the agreements' terms; the dealers (+territory);
#: the groups' territories; the unread notifications; the territory choices of the filter
AGING_PAGE = 10
#: session, user, roles, the manager's territories; the dealer; the statement; the deposit ledger; the month's
#: sales, collections, paid rebates, settled fund claims; the aging: credits ⋈ open invoices, the terms
ACCOUNT_API = 13
#: session, user, roles, the manager's territories; credits ⋈ open invoices, the terms; the dealers; the groups'
#: territories
AGING_API = 8


def more_rows(finance, dealers, count: int) -> None:
    for n in range(count):
        for dealer in dealers.values():
            record(finance, "sales", dealer, date(2026, 5, 2 + n), "10.00")
            record(finance, "collections", dealer, date(2026, 5, 3 + n), "5.00")


@pytest.mark.parametrize("extra", [0, 3])
def test_the_account_page_and_api_read_a_fixed_number_of_queries(
    page_as, api_as, manager, finance, dealers, may_world, extra, django_assert_num_queries
):
    more_rows(finance, dealers, extra)
    client = page_as(manager)
    url = reverse("rebates:account", args=[may_world.pk]) + "?period=2026-05"
    client.get(url)  # content types and the like cached, as in a running server
    with django_assert_num_queries(ACCOUNT_PAGE):
        assert client.get(url).status_code == 200
    api = api_as(manager)
    with django_assert_num_queries(ACCOUNT_API):
        assert api.get(f"/api/v1/dealer-accounts/{may_world.pk}/?period=2026-05").status_code == 200


@pytest.mark.parametrize("extra", [0, 3])
def test_the_aging_page_and_api_read_a_fixed_number_of_queries(
    page_as, api_as, manager, finance, dealers, may_world, extra, django_assert_num_queries
):
    more_rows(finance, dealers, extra)
    client = page_as(manager)
    client.get(reverse("rebates:aging"))
    with django_assert_num_queries(AGING_PAGE):
        response = client.get(reverse("rebates:aging"))
    assert len(response.context["report"]["rows"]) == (1 if not extra else 3)  # F1; and F2, P1 once they owe
    api = api_as(manager)
    with django_assert_num_queries(AGING_API):
        assert api.get("/api/v1/aging/").status_code == 200


def test_the_dealer_pages_account_tab_reads_a_fixed_number_of_queries(rep, may_world, django_assert_num_queries):
    from rebates.accounts_registry import dealer_account_section

    # the statement of this month; the aging: credits ⋈ open invoices, the terms; the rebate year: its
    # settlements, the agreements with a program of the open quarter and of the year
    with django_assert_num_queries(6):
        section = dealer_account_section(rep, may_world)
    assert section["aging"].receivable == section["statement"].closing
