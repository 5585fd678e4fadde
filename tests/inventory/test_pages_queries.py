"""The stock pages' query counts, pinned (SPEC §7: every list and detail page has a fixed upper bound): each page is
read once on a small world and once after more dealers, lines and months were reported — the same count both times,
the queries named in a comment. The first read of each client warms Django's caches (content types), as a running
server would have them.

Every page starts with the same four: the session, the user, the user's roles and (a manager's) the territories
they cover; and ends with the bell's unread count (base.html).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners import dealer_page
from tests.inventory.world import figures, history, write

pytestmark = pytest.mark.django_db

#: session, user, roles, territories, the latest month, the flag counts (one aggregate), the page's count, the bell,
#: the territory and product line choices of the filter form, the rows (⋈ dealer, territory, owner, line, submitter,
#: confirmer)
HEALTH_MANAGER = 11
#: the same without the territories (a rep's scope is their own dealers) and with the chooser's dealers
HEALTH_REP = 11
#: session, user, roles, territories, the dealer (⋈ territory, owner), the month's lines (⋈ dealer, line, submitter,
#: confirmer), their state changes (⋈ by, one query for every line), the bell
MONTH = 8
#: session, user, roles, the dealer, the month's stored lines, the dealer's product lines, every product line (the
#: dealer names none), each line's report before (one query), the bell
FORM = 9
#: session, user, roles, territories, the chosen distributor, its terminals, their sell-out in the quarter (one
#: aggregate), the bell, the distributor and territory choices of the form
PARETO = 10
#: session, user, roles, the chosen territory (the form), its children (the rows), the product lines, territories
#: (the scope), the active terminals per row (one aggregate), the covered terminals per line and territory path (one
#: aggregate), the bell, the territory choices
COVERAGE = 11


@pytest.fixture
def small(rep, stock_dealers, lines):
    write(rep, stock_dealers["D1"], "2026-10", lines["kitchen"], figures("10", "5", "3"))
    write(rep, stock_dealers["T1"], "2026-08", lines["kitchen"], figures("0", "20", "5"))
    return stock_dealers


def grow(rep, dealers, lines) -> None:
    """More of everything: every line of T2 and T3 for August to October, the other lines of D1 and T1 in October."""
    for code in ("T2", "T3"):
        for line in lines.values():
            history(rep, dealers[code], line, [("30", "10", "0"), ("5", "10", "0"), ("20", "5", "0")], start="2026-08")
    for code in ("D1", "T1"):
        for line in ("water", "hvac"):
            write(rep, dealers[code], "2026-10", lines[line], figures("0", "30", "10"))


def pinned(client, url, expected, assert_queries, params=None):
    client.get(url, params)  # warm: content types, as in a running server
    with assert_queries(expected):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_the_health_list_query_count_is_pinned(page_as, rep, manager, small, lines, django_assert_num_queries):
    url = reverse("inventory:health")
    pinned(page_as(manager), url, HEALTH_MANAGER, django_assert_num_queries)
    pinned(page_as(rep), url, HEALTH_REP, django_assert_num_queries)
    grow(rep, small, lines)
    response = pinned(page_as(manager), url, HEALTH_MANAGER, django_assert_num_queries)
    assert response.context["page_obj"].paginator.count == 11  # October: D1, T2, T3 × 3 lines and T1 × 2
    # a status and no month (the to-do's link): every month, so no query for the latest one
    pinned(page_as(rep), url, HEALTH_REP - 1, django_assert_num_queries, {"status": "submitted"})


def test_the_month_page_query_count_is_pinned(page_as, rep, manager, small, lines, django_assert_num_queries):
    url = reverse("inventory:month", args=[small["D1"].pk, "2026-10"])
    pinned(page_as(manager), url, MONTH, django_assert_num_queries)
    grow(rep, small, lines)
    response = pinned(page_as(manager), url, MONTH, django_assert_num_queries)
    assert len(response.context["reports"]) == 3


def test_the_report_form_query_count_is_pinned(page_as, rep, small, lines, django_assert_num_queries):
    url = reverse("inventory:report-form", args=[small["T2"].pk, "2026-11"])
    pinned(page_as(rep), url, FORM, django_assert_num_queries)
    grow(rep, small, lines)
    response = pinned(page_as(rep), url, FORM, django_assert_num_queries)
    assert [form.previous.closing_qty for form in response.context["forms"]] == [
        30,
        30,
        30,
    ]  # 30 − 10 + 5 − 10 + 20 − 5 = 30


def test_the_pareto_page_query_count_is_pinned(page_as, rep, manager, small, lines, django_assert_num_queries):
    url = reverse("inventory:pareto")
    params = {"distributor": small["D1"].pk, "quarter": "2026-Q3"}
    pinned(page_as(manager), url, PARETO, django_assert_num_queries, params)
    grow(rep, small, lines)
    response = pinned(page_as(manager), url, PARETO, django_assert_num_queries, params)
    assert len(response.context["rows"]) == 3
    # without a choice: the first distributor instead of the chosen one, the same count
    pinned(page_as(manager), url, PARETO, django_assert_num_queries, {"quarter": "2026-Q3"})


def test_the_coverage_page_query_count_is_pinned(
    page_as, rep, manager, covered, small, lines, django_assert_num_queries
):
    url = reverse("inventory:coverage")
    params = {"territory": covered["EAST"].pk, "period": "2026-10"}
    pinned(page_as(manager), url, COVERAGE, django_assert_num_queries, params)
    grow(rep, small, lines)
    response = pinned(page_as(manager), url, COVERAGE, django_assert_num_queries, params)
    assert [row["territory"].code for row in response.context["rows"]] == ["JS", "SH"]


def _without_stock_section(client, url, monkeypatch) -> int:
    with monkeypatch.context() as patched:
        patched.delitem(dealer_page._SECTIONS, "stock")
        with CaptureQueriesContext(connection) as without:
            client.get(url)
    return len(without.captured_queries)


def test_the_stock_tab_adds_one_query_to_the_dealer_page(
    page_as, rep, manager, small, lines, monkeypatch, django_assert_num_queries
):
    client = page_as(manager)
    url = reverse("partners:dealer-detail", args=[small["D1"].pk])
    client.get(url)
    # the dealer's reports of the last twelve months (⋈ line): the tab, its chart and its months from one query
    with django_assert_num_queries(_without_stock_section(client, url, monkeypatch) + 1):
        client.get(url)
    grow(rep, small, lines)
    with django_assert_num_queries(_without_stock_section(client, url, monkeypatch) + 1):
        response = client.get(url)
    assert 'data-testid="dealer-stock"' in response.content.decode()


def test_the_dashboard_panels_do_not_grow_with_the_dealers(
    page_as, rep, manager, small, lines, django_assert_max_num_queries
):
    for user in (manager, rep):
        client = page_as(user)
        client.get("/")
        with CaptureQueriesContext(connection) as before:
            client.get("/")
        if user is manager:
            grow(rep, small, lines)
        # the manager's panel: the latest month, its flagged dealers, the flag counts; the rep's: the reports due
        with django_assert_max_num_queries(len(before.captured_queries)):
            client.get("/")
