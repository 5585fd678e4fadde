"""The partners API: scope per role, actions, errors, filters and query counts."""

from datetime import date

import pytest

from partners.models import Agreement, Dealer
from tests.partners.world import (
    FULL_REVIEW,
    YEAR_2026,
    make_agreement,
    make_dealer,
    qualify,
    signed,
)


@pytest.fixture
def world(covered, manager, other_manager, rep, rep_peer, other_rep, finance, admin_user, lines):
    dealers = {
        "d_rep": make_dealer(manager, covered["SH-SH"], rep, "SH001", name="上海华丰贸易"),
        "d_peer": make_dealer(manager, covered["JS-NJ"], rep_peer, "NJ001", name="南京东升电器"),
        "d_south": make_dealer(other_manager, covered["GD-GZ"], other_rep, "GZ001", name="广州南方商贸"),
    }
    agreements = {
        name: make_agreement(
            manager if name != "d_south" else other_manager, dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026
        )
        for name, dealer in dealers.items()
    }
    return dealers, agreements


VISIBLE = {
    "rep": {"d_rep"},
    "rep_peer": {"d_peer"},
    "other_rep": {"d_south"},
    "manager": {"d_rep", "d_peer"},
    "other_manager": {"d_south"},
    "finance": {"d_rep", "d_peer", "d_south"},
    "admin": {"d_rep", "d_peer", "d_south"},
}


@pytest.mark.parametrize("who", VISIBLE)
def test_scope_table_on_dealer_and_agreement_lists_and_details(api_as, everyone, world, who):
    dealers, agreements = world
    client = api_as(everyone[who])
    body = client.get("/api/v1/dealers/").json()
    assert {d["code"] for d in body["results"]} == {dealers[n].code for n in VISIBLE[who]}
    assert body["count"] == len(VISIBLE[who])  # totals never count hidden rows
    agreement_ids = {a["id"] for a in client.get("/api/v1/agreements/").json()["results"]}
    assert agreement_ids == {agreements[n].pk for n in VISIBLE[who]}
    for name, dealer in dealers.items():
        expected = 200 if name in VISIBLE[who] else 404
        assert client.get(f"/api/v1/dealers/{dealer.pk}/").status_code == expected
        assert client.get(f"/api/v1/agreements/{agreements[name].pk}/").status_code == expected


@pytest.mark.parametrize(
    ("who", "dealer", "expected"),
    [
        ("rep", "d_rep", 403),  # visible, but not a rep's action
        ("finance", "d_rep", 403),
        ("other_manager", "d_rep", 404),  # hidden
        ("rep_peer", "d_rep", 404),
        ("manager", "d_rep", 200),
        ("admin", "d_rep", 200),
    ],
)
def test_submit_review_by_role(api_as, everyone, world, who, dealer, expected):
    dealers, _ = world
    response = api_as(everyone[who]).post(
        f"/api/v1/dealers/{dealers[dealer].pk}/submit-review/", {"items": FULL_REVIEW, "comment": "ok"}, format="json"
    )
    assert response.status_code == expected
    assert Dealer.objects.get(pk=dealers[dealer].pk).status == ("under_review" if expected == 200 else "prospect")


def test_full_onboarding_through_the_api(api_as, everyone, world, lines):
    dealers, _ = world
    dealer = dealers["d_rep"]
    manager, finance = api_as(everyone["manager"]), None
    assert (
        manager.post(f"/api/v1/dealers/{dealer.pk}/submit-review/", {"items": FULL_REVIEW}, format="json").status_code
        == 200
    )
    finance = api_as(everyone["finance"])
    response = finance.post(f"/api/v1/dealers/{dealer.pk}/approve-qualification/", {"credit_limit": "500000.00"})
    assert response.status_code == 200
    assert response.json()["status"] == "qualified"
    assert response.json()["credit_limit"] == "500000.00"

    manager = api_as(everyone["manager"])
    created = manager.post(
        "/api/v1/agreements/",
        {
            "dealer": dealer.pk,
            "kind": "annual_distribution",
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "territory": dealer.territory_id,
            "exclusive": True,
            "product_lines": ["kitchen", "water"],
            "annual_sales_target": "1200000.00",
            "payment_terms_days": 45,
            "deposit_amount": "50000.00",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    agreement_id = created.json()["id"]
    assert created.json()["product_lines"] == ["kitchen", "water"]
    assert manager.post(f"/api/v1/agreements/{agreement_id}/submit/").status_code == 200
    signed_response = manager.post(f"/api/v1/agreements/{agreement_id}/sign/")
    assert signed_response.json()["status"] == "signed"
    assert manager.get(f"/api/v1/dealers/{dealer.pk}/").json()["status"] == "active"
    renewed = manager.post(f"/api/v1/agreements/{agreement_id}/renew/")
    assert renewed.status_code == 201
    assert (renewed.json()["start_date"], renewed.json()["previous"]) == ("2028-01-01", agreement_id)


def test_conflicting_exclusive_sign_is_409_naming_the_other(api_as, everyone, world, lines, covered, manager, finance):
    dealers, agreements = world
    for name in ("d_rep", "d_peer"):
        qualify(dealers[name], manager, finance)
    signed(manager, agreements["d_rep"])
    clash = make_agreement(manager, dealers["d_peer"], covered["EAST"], [lines["kitchen"]], *YEAR_2026)
    client = api_as(everyone["manager"])
    client.post(f"/api/v1/agreements/{clash.pk}/submit/")
    response = client.post(f"/api/v1/agreements/{clash.pk}/sign/")
    assert response.status_code == 409
    assert "上海华丰贸易" in response.json()["detail"]
    assert response.json()["conflicting_agreement"] == agreements["d_rep"].pk


def test_transition_not_allowed_is_409_with_current_state(api_as, everyone, world):
    dealers, _ = world
    response = api_as(everyone["manager"]).post(f"/api/v1/dealers/{dealers['d_rep'].pk}/suspend/")
    assert response.status_code == 409
    assert response.json()["current_state"] == "prospect"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"items": [{"criterion": "warehouse", "weight": 50, "score": 80}]}, "items"),
        ({"items": [{"criterion": "warehouse", "weight": 100, "score": 180}]}, "items"),
        ({"items": "nope"}, "items"),
        ({}, "items"),
    ],
)
def test_bad_review_is_400_with_field_errors(api_as, everyone, world, body, field):
    dealers, _ = world
    response = api_as(everyone["manager"]).post(
        f"/api/v1/dealers/{dealers['d_rep'].pk}/submit-review/", body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Dealer.objects.get(pk=dealers["d_rep"].pk).status == "prospect"


def test_reject_needs_a_reason(api_as, everyone, world, manager):
    dealers, _ = world
    api_as(manager).post(f"/api/v1/dealers/{dealers['d_rep'].pk}/submit-review/", {"items": FULL_REVIEW}, format="json")
    client = api_as(everyone["finance"])
    assert client.post(f"/api/v1/dealers/{dealers['d_rep'].pk}/reject-qualification/", {}).status_code == 400
    response = client.post(f"/api/v1/dealers/{dealers['d_rep'].pk}/reject-qualification/", {"reason": "资质不全"})
    assert response.json()["status"] == "prospect"


def test_manager_creates_a_dealer_with_contacts(api_as, everyone, world, covered, rep):
    response = api_as(everyone["manager"]).post(
        "/api/v1/dealers/",
        {
            "code": "SH100",
            "name": "上海新星电器",
            "kind": "retail_terminal",
            "tier": "key",
            "territory": covered["SH-PD"].pk,
            "owner": rep.pk,
            "product_lines": ["kitchen"],
            "contacts": [{"name": "王经理", "phone": "13800000000", "is_primary": True}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "prospect"
    assert Dealer.objects.get(code="SH100").contacts.get().name == "王经理"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "SH001", "name": "dup"}, "code"),  # code taken
        ({"code": "GZ100", "name": "x", "territory_code": "GD-GZ"}, "territory"),  # not covered
        ({"code": "SH101", "name": "x", "latitude": "91"}, "latitude"),
        ({"code": "SH102", "name": "x", "kind": "spaceship"}, "kind"),
        ({"code": "SH103", "name": ""}, "name"),
    ],
)
def test_bad_dealer_input_is_400_and_creates_nothing(api_as, everyone, world, covered, rep, body, field):
    territory = covered[body.pop("territory_code", "SH-SH")]
    before = Dealer.objects.count()
    response = api_as(everyone["manager"]).post(
        "/api/v1/dealers/", {"territory": territory.pk, "owner": rep.pk, **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Dealer.objects.count() == before


def test_rep_may_patch_contact_data_but_not_the_name(api_as, everyone, world):
    dealers, _ = world
    client = api_as(everyone["rep"])
    url = f"/api/v1/dealers/{dealers['d_rep'].pk}/"
    assert client.patch(url, {"address": "新地址", "contacts": [{"name": "赵"}]}, format="json").status_code == 200
    refused = client.patch(url, {"name": "改名"}, format="json")
    assert refused.status_code == 400 and "name" in refused.json()
    assert client.post("/api/v1/dealers/", {"code": "X", "name": "x"}, format="json").status_code in (400, 403)


def test_finance_cannot_create_dealers(api_as, everyone, world, covered, rep):
    response = api_as(everyone["finance"]).post(
        "/api/v1/dealers/", {"code": "F1", "name": "x", "territory": covered["SH-SH"].pk}, format="json"
    )
    assert response.status_code == 403


def test_filters_match_the_pages(api_as, everyone, world, covered):
    client = api_as(everyone["admin"])

    def codes(**params):
        return {d["code"] for d in client.get("/api/v1/dealers/", params).json()["results"]}

    assert codes(territory=covered["EAST"].pk) == {"SH001", "NJ001"}
    assert codes(territory=covered["SH"].pk) == {"SH001"}
    assert codes(q="shhf") == {"SH001"}
    assert codes(q="南方") == {"GZ001"}
    assert codes(status="prospect", kind="dealer") == {"SH001", "NJ001", "GZ001"}
    assert codes(owner=everyone["rep"].pk) == {"SH001"}
    assert client.get("/api/v1/dealers/", {"status": "bogus"}).status_code == 400


def test_agreement_filters(api_as, everyone, world, manager, finance):
    dealers, agreements = world
    qualify(dealers["d_rep"], manager, finance)
    signed(manager, agreements["d_rep"])
    client = api_as(everyone["admin"])

    def ids(**params):
        return {a["id"] for a in client.get("/api/v1/agreements/", params).json()["results"]}

    today = date.today()
    if YEAR_2026[0] <= today <= YEAR_2026[1]:
        assert ids(status="signed") == {agreements["d_rep"].pk}
    assert ids(status="draft") == {agreements["d_peer"].pk, agreements["d_south"].pk}
    assert ids(dealer=dealers["d_south"].pk) == {agreements["d_south"].pk}
    assert client.get("/api/v1/agreements/", {"ending_within": "99999"}).status_code == 400


def test_territories_are_readable_by_all_and_writable_by_admin(api_as, everyone, world, covered):
    rep = api_as(everyone["rep"])
    assert rep.get("/api/v1/territories/", {"within": covered["EAST"].pk}).json()["count"] == 6
    assert rep.post("/api/v1/territories/", {"code": "X", "name": "x", "parent": covered["SH"].pk}).status_code == 403
    admin = api_as(everyone["admin"])
    created = admin.post("/api/v1/territories/", {"code": "SH-JD", "name": "嘉定", "parent": covered["SH"].pk})
    assert created.status_code == 201, created.json()
    assert created.json()["path"] == "/CN/EAST/SH/SH-JD/"
    assert created.json()["level"] == 3


@pytest.mark.parametrize("count", [5, 50])
def test_list_query_counts_do_not_grow(
    api_as, everyone, covered, manager, rep, lines, django_assert_max_num_queries, count
):
    for n in range(count):
        dealer = make_dealer(manager, covered["SH-SH"], rep, f"Q{n:03d}", name=f"测试经销商{n}")
        make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    client = api_as(manager)
    # session, user, roles, territory paths, count, page of dealers (+territory, owner joined)
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/dealers/").json()["count"] == count
    # …, count, page of agreements (+dealer, territory joined), their product lines
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/agreements/").json()["count"] == count
    # the same for finance (no territory query)
    finance = api_as(everyone["finance"])
    with django_assert_max_num_queries(6):
        assert finance.get("/api/v1/dealers/").json()["count"] == count


@pytest.mark.parametrize("contacts", [1, 20])
def test_dealer_detail_query_count_does_not_grow(
    api_as, covered, manager, rep, lines, django_assert_max_num_queries, contacts
):
    dealer = make_dealer(
        manager, covered["SH-SH"], rep, "D1", contacts=[{"name": f"联系人{i}"} for i in range(contacts)]
    )
    for year in range(2020, 2026):
        make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], date(year, 1, 1), date(year, 12, 31))
    client = api_as(manager)
    # session, user, roles, territory paths, dealer (+territory, owner, parent), product lines, contacts,
    # agreements (+territory), their product lines, reviews, review items
    with django_assert_max_num_queries(12):
        assert client.get(f"/api/v1/dealers/{dealer.pk}/").status_code == 200


def test_schema_lists_the_partner_endpoints(client, db):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in (
        "/api/v1/dealers/{id}/submit-review/",
        "/api/v1/dealers/{id}/approve-qualification/",
        "/api/v1/dealers/{id}/reject-qualification/",
        "/api/v1/dealers/{id}/suspend/",
        "/api/v1/dealers/{id}/reactivate/",
        "/api/v1/dealers/{id}/terminate/",
        "/api/v1/agreements/{id}/submit/",
        "/api/v1/agreements/{id}/sign/",
        "/api/v1/agreements/{id}/terminate/",
        "/api/v1/agreements/{id}/renew/",
        "/api/v1/territories/",
    ):
        assert path in paths, path


def test_agreement_for_hidden_dealer_is_400(api_as, everyone, world):
    dealers, _ = world
    response = api_as(everyone["manager"]).post(
        "/api/v1/agreements/",
        {
            "dealer": dealers["d_south"].pk,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "territory": dealers["d_south"].territory_id,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "dealer" in response.json()
    assert Agreement.objects.count() == 3
