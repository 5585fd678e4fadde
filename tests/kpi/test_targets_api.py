"""The targets API (SPEC §8): ``/api/v1/targets/`` (propose, change, approve, acknowledge), the annual
``spread``, scope per role, filters, error codes and the list's pinned query count.

    manager ── rep, rep_peer        other_manager ── other_rep        finance, admin_user
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from channelhub.workflow.models import StateChange
from kpi.models import Target
from kpi.services.targets import target_acknowledge, target_approve, target_propose

TARGETS = "/api/v1/targets/"
SPREAD = "/api/v1/targets/spread/"
PERIOD = "2031-07"


def url(target, action: str | None = None) -> str:
    return f"{TARGETS}{target.pk}/" + (f"{action}/" if action else "")


def make(actor, rep, period=PERIOD, sales="100000.00", **figures) -> Target:
    return target_propose(actor=actor, rep=rep, period=period, sales_target=sales, **figures)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def world(rep, rep_peer, other_rep, manager, other_manager):
    """One proposed target each: rep's (by rep), rep_peer's (set by manager), other_rep's (by other_rep)."""
    return {
        "rep": make(rep, rep),
        "rep_peer": make(manager, rep_peer),
        "other_rep": make(other_rep, other_rep),
    }


# --- create ----------------------------------------------------------------------------------------


def test_rep_proposes_with_money_and_rates_as_strings(api_as, rep, lines):
    response = api_as(rep).post(
        TARGETS,
        {
            "period": PERIOD,
            "sales_target": "1250.00",
            "expense_rate_target": "12.5",
            "collection_rate_target": 90,
            "new_dealers_target": 3,
            "category_shares": [{"category": "kitchen", "share": "40"}, {"category": "water", "share": "35.5"}],
            "status": "acknowledged",  # not taken from the body
            "comment": "自报目标",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rep"] == rep.pk and body["rep_name"] == "张伟" and body["proposed_by"] == rep.pk
    assert (body["sales_target"], body["expense_rate_target"], body["collection_rate_target"]) == (
        "1250.00",
        "12.50",
        "90.00",
    )
    assert (body["status"], body["new_dealers_target"], body["approved_by"]) == ("proposed", 3, None)
    assert body["category_shares"] == [
        {"category": "kitchen", "category_name": "kitchen", "share": "40.00"},
        {"category": "water", "category_name": "water", "share": "35.50"},
    ]
    assert body["allowed_actions"] == ["update"]
    target = Target.objects.get()
    assert StateChange.objects.for_object(target).get().comment == "自报目标"


def test_manager_sets_a_target_for_a_team_rep(api_as, manager, rep_peer):
    response = api_as(manager).post(TARGETS, {"rep": rep_peer.pk, "period": PERIOD, "sales_target": "50000"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rep"], body["proposed_by"], body["status"]) == (rep_peer.pk, manager.pk, "proposed")
    # the manager set it: they may change it, but not approve it themselves
    assert body["allowed_actions"] == ["update"]


@pytest.mark.parametrize(("who", "for_whom"), [("manager", "other_rep"), ("rep", "rep_peer")])
def test_a_rep_out_of_scope_is_an_unknown_rep(api_as, everyone, who, for_whom):
    response = api_as(everyone[who]).post(
        TARGETS, {"rep": everyone[for_whom].pk, "period": PERIOD, "sales_target": "1"}
    )
    assert response.status_code == 400 and "rep" in response.json()
    assert not Target.objects.exists()


def test_finance_cannot_set_targets(api_as, finance, rep):
    response = api_as(finance).post(TARGETS, {"rep": rep.pk, "period": PERIOD, "sales_target": "1"})
    assert response.status_code == 403


def test_a_manager_must_name_a_field_rep(api_as, manager):
    response = api_as(manager).post(TARGETS, {"period": PERIOD, "sales_target": "1"})  # rep: themself
    assert response.status_code == 400 and "rep" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2031-7", "sales_target": "1"}, "period"),
        ({"period": PERIOD}, "sales_target"),
        ({"period": PERIOD, "sales_target": "-1"}, "sales_target"),
        ({"period": PERIOD, "sales_target": "1", "expense_rate_target": "12.345"}, "expense_rate_target"),
        ({"period": PERIOD, "sales_target": "1", "collection_rate_target": "1000.01"}, "collection_rate_target"),
        ({"period": PERIOD, "sales_target": "1", "new_dealers_target": -1}, "new_dealers_target"),
        (
            {"period": PERIOD, "sales_target": "1", "category_shares": [{"category": "nope", "share": 1}]},
            "category_shares",
        ),
        (
            {
                "period": PERIOD,
                "sales_target": "1",
                "category_shares": [{"category": "kitchen", "share": 60}, {"category": "water", "share": 41}],
            },
            "category_shares",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, rep, lines, body, field):
    response = api_as(rep).post(TARGETS, body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Target.objects.exists()


def test_a_second_target_for_the_same_month_is_a_400_on_period(api_as, rep, manager):
    make(rep, rep)
    response = api_as(manager).post(TARGETS, {"rep": rep.pk, "period": PERIOD, "sales_target": "1"})
    assert response.status_code == 400 and "period" in response.json()


# --- change ----------------------------------------------------------------------------------------


def test_proposer_patches_a_proposed_target(api_as, rep, lines):
    target = make(rep, rep, category_shares=[{"category": lines["kitchen"], "share": "50"}])
    response = api_as(rep).patch(url(target), {"sales_target": "88000.50", "period": "2031-01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["sales_target"], body["period"]) == ("88000.50", PERIOD)  # the period does not move
    assert [s["category"] for s in body["category_shares"]] == ["kitchen"]


def test_patch_after_approval_is_409_naming_the_state(api_as, rep, manager):
    target = target_approve(actor=manager, target=make(rep, rep))
    response = api_as(rep).patch(url(target), {"sales_target": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "approved" in response.json()["detail"] and response.json()["current_state"] == "approved"


def test_patch_by_a_rep_on_the_managers_target_is_403_and_put_is_not_offered(api_as, rep, manager):
    target = make(manager, rep)
    assert api_as(rep).patch(url(target), {"sales_target": "1"}).status_code == 403
    assert api_as(manager).put(url(target), {"sales_target": "1"}).status_code == 405


# --- approve and acknowledge -----------------------------------------------------------------------


def test_the_life_cycle_through_the_api(api_as, rep, manager):
    created = api_as(rep).post(TARGETS, {"period": PERIOD, "sales_target": "100000", "expense_rate_target": "8"})
    target_id = created.json()["id"]
    manager_view = api_as(manager).get(f"{TARGETS}{target_id}/").json()
    assert manager_view["allowed_actions"] == ["update", "approve"]
    approved = api_as(manager).post(
        f"{TARGETS}{target_id}/approve/", {"sales_target": "120000.00", "comment": "上调 20%"}
    )
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["status"], body["sales_target"], body["expense_rate_target"], body["approved_by"]) == (
        "approved",
        "120000.00",
        "8.00",
        manager.pk,
    )
    assert body["approved_by_name"] == "陈经理" and body["approved_at"]
    rep_client = api_as(rep)
    assert rep_client.get(f"{TARGETS}{target_id}/").json()["allowed_actions"] == ["acknowledge"]
    acknowledged = rep_client.post(f"{TARGETS}{target_id}/acknowledge/", {"comment": "确认"})
    assert acknowledged.status_code == 200
    assert acknowledged.json()["status"] == "acknowledged" and acknowledged.json()["acknowledged_at"]
    log = [
        (c.transition, c.from_state, c.to_state, c.by.username, c.comment)
        for c in StateChange.objects.for_object(Target.objects.get())
    ]
    assert log == [
        ("create", "", "proposed", "rep_a1", ""),
        ("approve", "proposed", "approved", "manager_a", "上调 20%"),
        ("acknowledge", "approved", "acknowledged", "rep_a1", "确认"),
    ]


def test_rep_approving_their_own_target_is_403(api_as, world, rep):
    assert api_as(rep).post(url(world["rep"], "approve"), {}).status_code == 403
    assert Target.objects.get(pk=world["rep"].pk).status == "proposed"


def test_manager_approving_a_target_they_proposed_is_403_an_admin_approves_it(api_as, world, manager, admin_user):
    response = api_as(manager).post(url(world["rep_peer"], "approve"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403 and "proposed yourself" in response.json()["detail"]
    assert Target.objects.get(pk=world["rep_peer"].pk).status == "proposed"
    assert api_as(admin_user).post(url(world["rep_peer"], "approve"), {}).status_code == 200


def test_another_manager_gets_404_and_finance_403(api_as, world, other_manager, finance):
    assert api_as(other_manager).post(url(world["rep"], "approve"), {}).status_code == 404
    assert api_as(other_manager).get(url(world["rep"])).status_code == 404
    assert api_as(finance).post(url(world["rep"], "approve"), {}).status_code == 403


def test_approving_twice_is_409_naming_the_state(api_as, world, manager):
    client = api_as(manager)
    assert client.post(url(world["rep"], "approve"), {}).status_code == 200
    again = client.post(url(world["rep"], "approve"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "approved" in again.json()["detail"] and again.json()["current_state"] == "approved"


def test_bad_figures_in_an_approval_are_400(api_as, world, manager):
    response = api_as(manager).post(url(world["rep"], "approve"), {"sales_target": "abc"})
    assert response.status_code == 400 and "sales_target" in response.json()
    assert Target.objects.get(pk=world["rep"].pk).status == "proposed"


def test_acknowledge_by_the_manager_is_403(api_as, world, manager):
    target_approve(actor=manager, target=world["rep"])
    assert api_as(manager).post(url(world["rep"], "acknowledge"), {}).status_code == 403


def test_acknowledge_before_approval_is_409(api_as, world, rep):
    response = api_as(rep).post(url(world["rep"], "acknowledge"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "proposed" in response.json()["detail"] and response.json()["current_state"] == "proposed"


# --- scope and filters -----------------------------------------------------------------------------


def test_lists_hold_what_each_role_may_see(api_as, world, everyone):
    expected = {
        "rep": {"rep"},
        "rep_peer": {"rep_peer"},
        "other_rep": {"other_rep"},
        "manager": {"rep", "rep_peer"},
        "other_manager": {"other_rep"},
        "finance": {"rep", "rep_peer", "other_rep"},
        "admin": {"rep", "rep_peer", "other_rep"},
    }
    for who, names in expected.items():
        assert ids(api_as(everyone[who]).get(TARGETS)) == {world[name].pk for name in names}, who


@pytest.mark.parametrize(
    ("who", "target", "code"),
    [
        ("rep", "rep_peer", 404),
        ("rep", "other_rep", 404),
        ("manager", "other_rep", 404),
        ("other_manager", "rep", 404),
        ("manager", "rep_peer", 200),
        ("finance", "other_rep", 200),
        ("admin", "rep", 200),
    ],
)
def test_details_out_of_scope_are_404(api_as, world, everyone, who, target, code):
    assert api_as(everyone[who]).get(url(world[target])).status_code == code


def test_finance_reads_but_has_no_actions(api_as, world, finance):
    assert api_as(finance).get(url(world["rep"])).json()["allowed_actions"] == []
    assert api_as(finance).patch(url(world["rep"]), {"sales_target": "1"}).status_code == 403


def test_filters_rep_period_status_and_period_range(api_as, world, rep, rep_peer, manager):
    march = make(rep, rep, period="2031-03")
    december = make(rep, rep, period="2030-12")
    target_approve(actor=manager, target=march)
    client = api_as(manager)
    assert ids(client.get(TARGETS, {"rep": rep.pk})) == {world["rep"].pk, march.pk, december.pk}
    assert ids(client.get(TARGETS, {"period": PERIOD})) == {world["rep"].pk, world["rep_peer"].pk}
    assert ids(client.get(TARGETS, {"status": "approved"})) == {march.pk}
    assert ids(client.get(TARGETS, {"period_from": "2031-01", "period_to": "2031-06"})) == {march.pk}
    assert ids(client.get(TARGETS, {"period_to": "2030-12"})) == {december.pk}
    assert ids(client.get(TARGETS, {"rep": rep_peer.pk, "status": "proposed"})) == {world["rep_peer"].pk}
    bad = client.get(TARGETS, {"period": "July"})
    assert bad.status_code == 400 and "period" in bad.json()


def test_a_list_is_newest_month_first(api_as, rep):
    for period in ("2031-02", "2031-05", "2030-11"):
        make(rep, rep, period=period)
    assert [row["period"] for row in api_as(rep).get(TARGETS).json()["results"]] == ["2031-05", "2031-02", "2030-11"]


# The API list as a manager, logged in by session:
#   1 session, 2 user, 3 the user's role groups, 4 COUNT, 5 the page of targets ⋈ rep ⋈ profile ⋈
#   proposer ⋈ approver, 6 their category shares ⋈ product line.
LIST_QUERIES = 6


def test_list_query_count_is_pinned_and_does_not_grow(api_as, manager, rep, rep_peer, lines, django_assert_num_queries):
    def fill(months):
        for month in months:
            for who in (rep, rep_peer):
                target = make(who, who, period=f"2031-{month:02d}")
                if month % 2:
                    target_approve(actor=manager, target=target)
                if month % 3 == 0:
                    target.category_shares.create(category=lines["kitchen"], share=Decimal("10"))

    client = api_as(manager)
    fill([1])
    make(rep, rep, period="2030-12")  # 3 rows
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(TARGETS).json()["count"] == 3
    fill(range(2, 13))  # 22 more
    for month in range(1, 6):  # and 5 more
        make(rep, rep, period=f"2030-{month:02d}")
    with django_assert_num_queries(LIST_QUERIES):
        body = client.get(TARGETS).json()
    assert body["count"] == len(body["results"]) == 30
    assert all(row["allowed_actions"] in (["update", "approve"], []) for row in body["results"])


# --- annual spread ---------------------------------------------------------------------------------


def test_spread_even_through_the_api(api_as, rep):
    response = api_as(rep).post(
        SPREAD,
        {
            "year": 2031,
            "sales_target": "1000000.00",
            "expense_rate_target": "8.5",
            "collection_rate_target": "92",
            "new_dealers_target": 30,
            "distribution": "even",
        },
    )
    assert response.status_code == 201, response.content
    rows = response.json()
    # 1,000,000.00 = 8 × 83,333.33 + 4 × 83,333.34 (the 4 leftover cents to September–December)
    assert [row["sales_target"] for row in rows] == ["83333.33"] * 8 + ["83333.34"] * 4
    assert [row["period"] for row in rows] == [f"2031-{m:02d}" for m in range(1, 13)]
    assert sum(Decimal(row["sales_target"]) for row in rows) == Decimal("1000000.00")
    assert [row["new_dealers_target"] for row in rows] == [2] * 6 + [3] * 6
    assert {(row["expense_rate_target"], row["collection_rate_target"], row["status"]) for row in rows} == {
        ("8.50", "92.00", "proposed")
    }


def test_spread_answers_a_plain_list_as_the_schema_says(api_as, rep):
    # Schemathesis found it: the schema documented a paginated page (and the list's query parameters).
    client = api_as(rep)
    body = {"year": 2031, "sales_target": "12.00", "distribution": "even"}
    response = client.post(f"{SPREAD}?page_size=1", body)
    assert response.status_code == 201, response.content
    assert isinstance(response.json(), list) and len(response.json()) == 12
    operation = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"][SPREAD]["post"]
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Target"},
    }
    assert not {p["name"] for p in operation.get("parameters", [])} & {"page", "page_size", "ordering", "rep"}


def test_spread_by_percentages_through_the_api(api_as, manager, rep_peer):
    percentages = ["6", "6", "7", "8", "8", "8", "8", "8", "9", "9", "10", "13"]
    response = api_as(manager).post(
        SPREAD,
        {
            "rep": rep_peer.pk,
            "year": 2031,
            "sales_target": "123456.78",
            "distribution": "percentages",
            "percentages": percentages,
        },
    )
    assert response.status_code == 201, response.content
    amounts = [row["sales_target"] for row in response.json()]
    # floors 7,407.40 … 16,049.38 add up to 123,456.74; the 4 cents left go to September–December
    assert amounts == [
        "7407.40",
        "7407.40",
        "8641.97",
        "9876.54",
        "9876.54",
        "9876.54",
        "9876.54",
        "9876.54",
        "11111.12",
        "11111.12",
        "12345.68",
        "16049.39",
    ]
    assert sum(Decimal(a) for a in amounts) == Decimal("123456.78")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"distribution": "percentages", "percentages": ["8.33"] * 12}, "percentages"),  # 99.96
        ({"distribution": "percentages", "percentages": ["10"] * 10}, "percentages"),
        ({"distribution": "percentages"}, "percentages"),
        ({"distribution": "quarterly"}, "distribution"),
        ({"distribution": "even", "year": 31}, "year"),
    ],
)
def test_spread_refuses_bad_distributions_with_400(api_as, rep, extra, field):
    body = {"year": 2031, "sales_target": "1200000", **extra}
    response = api_as(rep).post(SPREAD, body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Target.objects.exists()


def test_spread_over_a_year_with_targets_is_400_naming_them(api_as, rep):
    make(rep, rep, period="2031-04")
    response = api_as(rep).post(
        SPREAD, {"year": 2031, "sales_target": "1", "distribution": "even"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400 and "2031-04" in response.json()["year"][0]
    assert Target.objects.count() == 1


def test_spread_for_another_team_is_400_and_for_finance_403(api_as, manager, other_rep, finance, rep):
    body = {"year": 2031, "sales_target": "1", "distribution": "even"}
    assert api_as(manager).post(SPREAD, {**body, "rep": other_rep.pk}).status_code == 400
    assert api_as(finance).post(SPREAD, {**body, "rep": rep.pk}).status_code == 403


def test_acknowledged_targets_are_listed_for_the_rep(api_as, rep, manager):
    target = target_acknowledge(actor=rep, target=target_approve(actor=manager, target=make(rep, rep)))
    row = api_as(rep).get(TARGETS, {"status": "acknowledged"}).json()["results"][0]
    assert row["id"] == target.pk and row["allowed_actions"] == []


def test_the_schema_documents_the_target_endpoints(api_as, rep):
    response = api_as(rep).get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/targets/",
        "/api/v1/targets/{id}/",
        "/api/v1/targets/{id}/approve/",
        "/api/v1/targets/{id}/acknowledge/",
        "/api/v1/targets/spread/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/targets/{id}/"]) == {"get", "patch"}
    parameters = {p["name"] for p in paths["/api/v1/targets/"]["get"]["parameters"]}
    assert {"rep", "period", "status", "period_from", "period_to", "page", "page_size"} <= parameters
