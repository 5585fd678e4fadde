"""The inspection pages' query counts, pinned: each page read once on a small world and once after more inspections,
rectifications and complaints — the same count both times, the queries named. The first read of each client warms
Django's caches (content types), as a running server would have them.

Every page starts with the session, the user and the user's roles (a manager's and an inspector's territories
next) and ends with the bell's unread count (base.html).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.services import complaints as complaint_svc
from partners import dealer_page
from tests.inspections.test_pages import answer_all, done_inspection, plan

pytestmark = pytest.mark.django_db
D = Decimal

#: session, user, roles, territories, the page's count, the rows (⋈ dealer, territory, template, inspector),
#: scores by territory (one aggregate), the bell, the filter's choices: territories, dealers, inspectors, templates
LIST_MANAGER = 12
#: with ``dealer=``: the chosen dealer (the filter) and its trend
LIST_MANAGER_DEALER = LIST_MANAGER + 2
#: session, user, roles, territories, the inspection (⋈ dealer, territory, template, inspector), its results (⋈ item,
#: line), their photos, its rectifications, its state log, the bell
DETAIL = 10
#: session, user, roles, the inspection (⋈ …), its results (⋈ item, line), their photos, the minimum prices (the
#: terminal's agreement, then its distributor's), the bell
PERFORM = 9
#: session, user, roles, territories, the page's count, the rows (⋈ dealer, inspection, inspector, item, line,
#: answerer), the bell, the dealer choices
RECTIFICATIONS = 8
#: session, user, roles, the page's count, the rows (⋈ dealer, assignee), the bell, the assignee and dealer choices
COMPLAINTS_REP = 8
#: session, user, roles, the plan's rows (⋈ dealer, territory, template, inspector; an inspector's own: no
#: territories read), the bell
PLAN = 5


@pytest.fixture
def small(inspector, manager, rep, insp_dealers, templates, price_template):
    done_inspection(inspector, insp_dealers["T1"], price_template, no_cross_goods="fail", price_kitchen__price=D("99"))
    plan(inspector, insp_dealers["T2"], price_template)
    complaint_svc.complaint_record(rep, dealer=insp_dealers["T1"], source="dealer", category="price", description="x")
    return insp_dealers


def grow(inspector, rep, dealers, templates, price_template) -> None:
    done_inspection(inspector, dealers["T2"], templates["display"], shelf="fail", pop="fail")
    done_inspection(inspector, dealers["T3"], price_template, price_kitchen__price=D("150"))
    plan(inspector, dealers["T3"], templates["stock"], kind="mystery")
    for code in ("T2", "T3", "D1"):
        complaint_svc.complaint_record(
            rep, dealer=dealers[code], source="consumer", category="quality", description="y"
        )


def pinned(client, url, expected, assert_queries, params=None):
    client.get(url, params)  # warm: content types, as in a running server
    with assert_queries(expected):
        response = client.get(url, params)
    assert response.status_code == 200
    return response


def test_the_lists_query_counts_are_pinned(
    page_as, inspector, manager, rep, small, templates, price_template, django_assert_num_queries
):
    lists = [
        (manager, reverse("inspections:inspection-list"), LIST_MANAGER, None),
        (manager, reverse("inspections:inspection-list"), LIST_MANAGER_DEALER, {"dealer": small["T1"].pk}),
        (manager, reverse("inspections:rectification-list"), RECTIFICATIONS, None),
        (rep, reverse("inspections:complaint-list"), COMPLAINTS_REP, None),
        (inspector, reverse("inspections:plan"), PLAN, None),
    ]
    for user, url, expected, params in lists:
        pinned(page_as(user), url, expected, django_assert_num_queries, params)
    grow(inspector, rep, small, templates, price_template)
    for user, url, expected, params in lists:
        pinned(page_as(user), url, expected, django_assert_num_queries, params)


def test_the_detail_and_perform_pages_query_counts_are_pinned(
    page_as, inspector, manager, small, price_template, django_assert_num_queries
):
    done = small["T1"].inspections.get(status="done")
    pinned(
        page_as(manager), reverse("inspections:inspection-detail", args=[done.pk]), DETAIL, django_assert_num_queries
    )
    planned = plan(inspector, small["T3"], price_template)
    url = reverse("inspections:inspection-perform", args=[planned.pk])
    pinned(page_as(inspector), url, PERFORM, django_assert_num_queries)
    answer_all(inspector, planned, no_cross_goods="fail")
    pinned(page_as(inspector), url, PERFORM, django_assert_num_queries)


def _without_section(client, url, monkeypatch) -> int:
    with monkeypatch.context() as patched:
        patched.delitem(dealer_page._SECTIONS, "inspections")
        with CaptureQueriesContext(connection) as without:
            client.get(url)
    return len(without.captured_queries)


def test_the_dealer_section_adds_four_queries_to_the_dealer_page(
    page_as, inspector, manager, rep, small, templates, price_template, monkeypatch, django_assert_num_queries
):
    # the latest inspections (⋈ dealer, territory, template, inspector), the trend, open rectifications (⋈ …),
    # the latest complaints (⋈ dealer, assignee)
    url = reverse("partners:dealer-detail", args=[small["T1"].pk])
    for user in (manager, rep):
        client = page_as(user)
        client.get(url)
        with django_assert_num_queries(_without_section(client, url, monkeypatch) + 4):
            client.get(url)
    grow(inspector, rep, small, templates, price_template)
    client = page_as(manager)
    with django_assert_num_queries(_without_section(client, url, monkeypatch) + 4):
        client.get(url)


def _dashboard_without(client, monkeypatch, role, panel) -> int:
    from channelhub import dashboard

    with monkeypatch.context() as patched:
        patched.setattr(dashboard, "_PANELS", [entry for entry in dashboard._PANELS if entry.panel is not panel])
        with CaptureQueriesContext(connection) as without:
            client.get("/")
    return len(without.captured_queries)


def test_the_dashboard_panels_query_counts_are_pinned(
    page_as, inspector, manager, rep, small, templates, price_template, monkeypatch, django_assert_num_queries
):
    from inspections import pages_registry

    # inspector: today's plan, rectifications to verify; manager: to review, overdue, late complaints; rep:
    # rectifications to answer, complaints to answer
    panels = [(inspector, pages_registry.inspector_panel, 2), (manager, pages_registry.manager_panel, 3)]
    panels.append((rep, pages_registry.rep_panel, 2))
    for _round in range(2):
        for user, panel, added in panels:
            client = page_as(user)
            client.get("/")
            with django_assert_num_queries(_dashboard_without(client, monkeypatch, None, panel) + added):
                client.get("/")
        grow(inspector, rep, small, templates, price_template)
