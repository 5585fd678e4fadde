"""Dealer and agreement pages (SPEC §7): scope, buttons by role, the onboarding through forms, errors,
and query counts that do not grow with the rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kpi.services.facts import facts_record
from partners.models import Agreement, Dealer
from partners.services import agreements as agreement_services
from partners.services.dealers import dealer_update
from tests.partners.world import YEAR_2026, make_agreement, make_dealer, qualify, signed
from tests.visits.world import log

GOOD_REVIEW = {
    "weight_business_licence": 20,
    "score_business_licence": 100,
    "weight_financial_standing": 30,
    "score_financial_standing": 80,
    "weight_sales_network": 20,
    "score_sales_network": 70,
    "weight_warehouse": 15,
    "score_warehouse": 80,
    "weight_references": 15,
    "score_references": 60,
    "comment": "营业执照齐全",
}  # total = 20 + 24 + 14 + 12 + 9 = 79.00


@pytest.fixture
def page_as(client_as):
    """``page_as(user)`` → a client logged in as ``user`` that reads the pages in English."""

    def login(user):
        client = client_as(user)
        client.cookies["django_language"] = "en"
        return client

    return login


@pytest.fixture
def dealers(covered, manager, other_manager, rep, rep_peer, other_rep):
    return {
        "own": make_dealer(manager, covered["SH-SH"], rep, "E001", name="上海华丰贸易"),
        "peer": make_dealer(manager, covered["JS-NJ"], rep_peer, "E002", name="南京金陵商贸"),
        "south": make_dealer(other_manager, covered["GD-GZ"], other_rep, "S001", name="广州南方电器"),
    }


def html(response) -> str:
    return response.content.decode()


def detail(dealer) -> str:
    return reverse("partners:dealer-detail", args=[dealer.pk])


def agreement_url(name, agreement) -> str:
    return reverse(f"partners:agreement-{name}", args=[agreement.pk])


def contact_management(total=0, initial=0) -> dict:
    return {
        "contacts-TOTAL_FORMS": str(total),
        "contacts-INITIAL_FORMS": str(initial),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "50",
    }


def dealer_post(territory, owner, **overrides) -> dict:
    data = {
        "code": "N001",
        "name": "杭州新华贸易",
        "legal_name": "杭州新华贸易有限公司",
        "kind": "dealer",
        "tier": "standard",
        "territory": territory.pk,
        "owner": owner.pk,
        "parent": "",
        "address": "杭州市西湖区文三路 1 号",
        "latitude": "",
        "longitude": "",
        **contact_management(total=2),
        "contacts-0-name": "王经理",
        "contacts-0-title": "总经理",
        "contacts-0-phone": "13800000000",
        "contacts-0-email": "wang@example.com",
        "contacts-0-is_primary": "on",
    }
    data.update(overrides)
    return data


def agreement_post(territory, lines, **overrides) -> dict:
    data = {
        "kind": "annual_distribution",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "territory": territory.pk,
        "exclusive": "on",
        "product_lines": [line.pk for line in lines],
        "annual_sales_target": "1200000.00",
        "payment_terms_days": "60",
        "deposit_amount": "50000.00",
    }
    data.update(overrides)
    return data


# --- who sees which pages --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "admin"])
def test_list_and_detail_pages_render_for_every_role(page_as, everyone, dealers, lines, who):
    agreement = make_agreement(
        everyone["manager"], dealers["own"], dealers["own"].territory, [lines["kitchen"]], *YEAR_2026
    )
    client = page_as(everyone[who])
    for url in (
        reverse("partners:dealer-list"),
        detail(dealers["own"]),
        reverse("partners:agreement-list"),
        agreement_url("detail", agreement),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "上海华丰贸易" in html(response)


def test_navigation_offers_dealers_and_agreements_to_every_role(page_as, everyone):
    for user in everyone.values():
        links = {item["url"] for item in page_as(user).get("/").context["nav_items"]}
        assert {reverse("partners:dealer-list"), reverse("partners:agreement-list")} <= links


def test_rep_sees_only_own_dealers_in_the_list(page_as, rep, dealers):
    page = page_as(rep).get(reverse("partners:dealer-list"))
    assert [d.code for d in page.context["page_obj"]] == ["E001"]
    assert "南京金陵商贸" not in html(page) and "广州南方电器" not in html(page)


def test_manager_lists_own_territories_and_finance_lists_all(page_as, manager, finance, dealers):
    assert [d.code for d in page_as(manager).get(reverse("partners:dealer-list")).context["page_obj"]] == [
        "E001",
        "E002",
    ]
    assert len(page_as(finance).get(reverse("partners:dealer-list")).context["page_obj"]) == 3


@pytest.mark.parametrize(
    ("who", "hidden", "creator"),
    [
        ("rep", "peer", "manager"),  # a peer's dealer in the same team
        ("rep", "south", "other_manager"),
        ("rep_peer", "own", "manager"),
        ("other_manager", "own", "manager"),  # another manager's territory
        ("manager", "south", "other_manager"),
    ],
)
def test_out_of_scope_dealer_and_agreement_pages_answer_404(page_as, everyone, dealers, lines, who, hidden, creator):
    dealer = dealers[hidden]
    agreement = make_agreement(everyone[creator], dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026)
    client = page_as(everyone[who])
    for url in (
        detail(dealer),
        reverse("partners:dealer-edit", args=[dealer.pk]),
        reverse("partners:dealer-submit-review", args=[dealer.pk]),
        reverse("partners:agreement-create", args=[dealer.pk]),
        agreement_url("detail", agreement),
        agreement_url("edit", agreement),
        agreement_url("sign", agreement),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("partners:dealer-terminate", args=[dealer.pk])).status_code == 404
    assert client.post(agreement_url("terminate", agreement)).status_code == 404
    dealer.refresh_from_db()
    agreement.refresh_from_db()
    assert (dealer.status, agreement.status) == (Dealer.Status.PROSPECT, Agreement.Status.DRAFT)


def test_out_of_scope_agreements_are_not_listed(page_as, everyone, dealers, lines):
    own = make_agreement(everyone["manager"], dealers["own"], dealers["own"].territory, [lines["kitchen"]], *YEAR_2026)
    make_agreement(
        everyone["other_manager"], dealers["south"], dealers["south"].territory, [lines["kitchen"]], *YEAR_2026
    )
    client = page_as(everyone["manager"])
    assert [a.pk for a in client.get(reverse("partners:agreement-list")).context["page_obj"]] == [own.pk]
    # ?dealer= of an invisible dealer is refused with an error, and lists nothing rather than everything.
    page = client.get(reverse("partners:agreement-list"), {"dealer": dealers["south"].pk})
    assert page.context["page_obj"].paginator.count == 0
    assert page.context["filter"].form.errors["dealer"]
    page = client.get(reverse("partners:agreement-list"), {"dealer": dealers["own"].pk})
    assert [a.pk for a in page.context["page_obj"]] == [own.pk]


def test_rep_and_finance_cannot_open_the_create_page(page_as, rep, finance, manager, admin_user, covered):
    assert page_as(rep).get(reverse("partners:dealer-create")).status_code == 403
    assert page_as(finance).get(reverse("partners:dealer-create")).status_code == 403
    assert page_as(manager).get(reverse("partners:dealer-create")).status_code == 200
    assert page_as(admin_user).get(reverse("partners:dealer-create")).status_code == 200


def test_new_dealer_button_only_for_managers_and_admins(page_as, everyone, covered):
    for who in everyone:
        shown = 'data-testid="new-dealer"' in html(page_as(everyone[who]).get(reverse("partners:dealer-list")))
        assert shown == (who in ("manager", "other_manager", "admin")), who


# --- buttons follow the policies -----------------------------------------------------------------


def action_urls(response) -> set[str]:
    return {button["url"] for button in response.context["actions"]}


def test_prospect_buttons_by_role(page_as, everyone, dealers):
    dealer = dealers["own"]
    manager_page = page_as(everyone["manager"]).get(detail(dealer))
    assert action_urls(manager_page) == {
        reverse("partners:dealer-submit-review", args=[dealer.pk]),
        reverse("partners:dealer-terminate", args=[dealer.pk]),
    }
    assert reverse("partners:dealer-edit", args=[dealer.pk]) in html(manager_page)
    assert reverse("partners:agreement-create", args=[dealer.pk]) in html(manager_page)

    rep_page = page_as(everyone["rep"]).get(detail(dealer))
    assert action_urls(rep_page) == set()
    assert reverse("partners:dealer-edit", args=[dealer.pk]) in html(rep_page)  # contact data
    assert reverse("partners:agreement-create", args=[dealer.pk]) not in html(rep_page)

    finance_page = page_as(everyone["finance"]).get(detail(dealer))
    assert action_urls(finance_page) == set()
    assert reverse("partners:dealer-edit", args=[dealer.pk]) not in html(finance_page)


def test_only_finance_sees_the_decision_buttons_of_a_review(page_as, everyone, dealers):
    dealer = dealers["own"]
    page_as(everyone["manager"]).post(reverse("partners:dealer-submit-review", args=[dealer.pk]), GOOD_REVIEW)
    approve = reverse("partners:dealer-approve-qualification", args=[dealer.pk])
    reject = reverse("partners:dealer-reject-qualification", args=[dealer.pk])
    assert action_urls(page_as(everyone["finance"]).get(detail(dealer))) == {approve, reject}
    manager_actions = action_urls(page_as(everyone["manager"]).get(detail(dealer)))
    assert approve not in manager_actions and reject not in manager_actions
    assert page_as(everyone["manager"]).get(approve).status_code == 403
    assert page_as(everyone["rep"]).post(approve, {"credit_limit": "1"}).status_code == 403


def test_admin_does_not_get_an_approve_button_for_a_review_they_submitted(page_as, admin_user, dealers):
    dealer = dealers["own"]
    page_as(admin_user).post(reverse("partners:dealer-submit-review", args=[dealer.pk]), GOOD_REVIEW)
    approve = reverse("partners:dealer-approve-qualification", args=[dealer.pk])
    assert approve not in action_urls(page_as(admin_user).get(detail(dealer)))
    assert page_as(admin_user).post(approve, {"credit_limit": "1000"}).status_code == 403
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.UNDER_REVIEW


def test_agreement_buttons_by_role_and_state(page_as, everyone, dealers, lines):
    manager, finance = everyone["manager"], everyone["finance"]
    dealer = qualify(dealers["own"], manager, finance)
    agreement = make_agreement(manager, dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026)
    assert action_urls(page_as(manager).get(agreement_url("detail", agreement))) == {
        agreement_url("submit", agreement),
        agreement_url("terminate", agreement),
    }
    assert action_urls(page_as(everyone["rep"]).get(agreement_url("detail", agreement))) == set()
    assert action_urls(page_as(finance).get(agreement_url("detail", agreement))) == {
        agreement_url("confirm-deposit", agreement)
    }
    signed(manager, agreement)
    assert action_urls(page_as(manager).get(agreement_url("detail", agreement))) == {
        agreement_url("terminate", agreement),
        agreement_url("renew", agreement),
    }
    assert agreement_url("edit", agreement) not in html(page_as(manager).get(agreement_url("detail", agreement)))
    assert page_as(everyone["rep"]).post(agreement_url("terminate", agreement)).status_code == 403


def test_refused_state_on_an_action_page_goes_back_with_a_message(page_as, manager, dealers):
    response = page_as(manager).get(reverse("partners:dealer-suspend", args=[dealers["own"].pk]), follow=True)
    assert response.redirect_chain[-1][0] == detail(dealers["own"])
    assert "Cannot “Suspend”" in html(response)


# --- the onboarding through the pages ----------------------------------------------------------------


def test_full_onboarding_through_the_pages(page_as, manager, finance, rep, covered, lines):
    client = page_as(manager)
    response = client.post(reverse("partners:dealer-create"), dealer_post(covered["SH-SH"], rep))
    dealer = Dealer.objects.get(code="N001")
    assert response.status_code == 302 and response["Location"] == detail(dealer)
    assert dealer.status == Dealer.Status.PROSPECT and dealer.owner == rep
    assert [(c.name, c.is_primary) for c in dealer.contacts.all()] == [("王经理", True)]

    # The review page offers five criteria weighing 20 each.
    form = client.get(reverse("partners:dealer-submit-review", args=[dealer.pk])).context["form"]
    assert [w.initial for _label, w, _s in form.rows()] == [20, 20, 20, 20, 20]
    response = client.post(reverse("partners:dealer-submit-review", args=[dealer.pk]), GOOD_REVIEW, follow=True)
    assert "Submitted for qualification review." in html(response)
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.UNDER_REVIEW
    assert "79.00" in html(response)  # the total score on the detail page

    finance_client = page_as(finance)
    response = finance_client.post(
        reverse("partners:dealer-approve-qualification", args=[dealer.pk]), {"credit_limit": "500000", "comment": ""}
    )
    assert response["Location"] == detail(dealer)
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.QUALIFIED and str(dealer.credit_limit) == "500000.00"
    assert "500,000.00" in html(finance_client.get(detail(dealer)))

    client = page_as(manager)
    response = client.post(
        reverse("partners:agreement-create", args=[dealer.pk]), agreement_post(covered["SH-SH"], [lines["kitchen"]])
    )
    agreement = Agreement.objects.get(dealer=dealer)
    assert response["Location"] == agreement_url("detail", agreement)
    assert agreement.status == Agreement.Status.DRAFT and agreement.payment_terms_days == 60
    assert client.post(agreement_url("submit", agreement), {"comment": ""}).status_code == 302
    response = client.post(agreement_url("sign", agreement), {"comment": "双方盖章"}, follow=True)
    assert "Agreement signed." in html(response)
    agreement.refresh_from_db()
    dealer.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED
    assert dealer.status == Dealer.Status.ACTIVE

    log = [(c.from_label, c.to_label) for c in client.get(detail(dealer)).context["state_log"]]
    assert log == [
        ("", "prospect"),
        ("prospect", "under review"),
        ("under review", "qualified"),
        ("qualified", "active"),
    ]
    assert "双方盖章" in html(client.get(agreement_url("detail", agreement)))


def test_conflicting_exclusive_sign_shows_the_error(page_as, manager, finance, rep, rep_peer, covered, lines):
    first = qualify(make_dealer(manager, covered["SH-SH"], rep, "X001", name="上海一号"), manager, finance)
    second = qualify(make_dealer(manager, covered["SH-PD"], rep_peer, "X002", name="浦东二号"), manager, finance)
    signed(manager, make_agreement(manager, first, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    clash = make_agreement(manager, second, covered["SH-PD"], [lines["kitchen"]], *YEAR_2026)
    agreement_services.agreement_submit(actor=manager, agreement=clash)

    client = page_as(manager)
    sign_page = agreement_url("sign", clash)
    response = client.post(sign_page, {"comment": ""}, HTTP_REFERER=f"http://testserver{sign_page}", follow=True)
    assert "Exclusivity conflict" in html(response) and "上海一号" in html(response)
    clash.refresh_from_db()
    assert clash.status == Agreement.Status.PENDING_APPROVAL


# --- bad input ---------------------------------------------------------------------------------------


def test_review_weights_not_adding_up_to_100_are_shown_and_change_nothing(page_as, manager, dealers):
    dealer = dealers["own"]
    response = page_as(manager).post(
        reverse("partners:dealer-submit-review", args=[dealer.pk]), {**GOOD_REVIEW, "weight_references": 10}
    )
    assert response.status_code == 200
    assert "The weights add up to 95; they must add up to 100." in html(response)
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.PROSPECT and not dealer.reviews.exists()


def test_review_score_out_of_range_is_a_field_error(page_as, manager, dealers):
    response = page_as(manager).post(
        reverse("partners:dealer-submit-review", args=[dealers["own"].pk]), {**GOOD_REVIEW, "score_warehouse": 101}
    )
    assert response.context["form"].errors["score_warehouse"]
    assert "is-invalid" in html(response)


def test_missing_name_and_taken_code_land_on_their_fields(page_as, manager, rep, dealers, covered):
    client = page_as(manager)
    response = client.post(reverse("partners:dealer-create"), dealer_post(covered["SH-SH"], rep, name=""))
    assert response.status_code == 200 and "name" in response.context["form"].errors
    response = client.post(reverse("partners:dealer-create"), dealer_post(covered["SH-SH"], rep, code="E001"))
    assert response.status_code == 200
    assert "code" in response.context["form"].errors  # the service's uniqueness check, on its field
    assert Dealer.objects.count() == 3


def test_contact_without_name_is_an_error_and_nothing_is_saved(page_as, manager, rep, covered):
    data = dealer_post(covered["SH-SH"], rep, **{"contacts-1-phone": "13900000000"})
    response = page_as(manager).post(reverse("partners:dealer-create"), data)
    assert response.status_code == 200
    assert response.context["contacts"].forms[1].errors["name"]
    assert not Dealer.objects.filter(code="N001").exists()


def test_manager_cannot_choose_a_territory_outside_own(page_as, manager, rep, covered):
    response = page_as(manager).post(reverse("partners:dealer-create"), dealer_post(covered["GD-GZ"], rep))
    assert response.status_code == 200 and "territory" in response.context["form"].errors
    territories = set(response.context["form"].fields["territory"].queryset.values_list("code", flat=True))
    assert territories == {"EAST", "SH", "JS", "SH-SH", "SH-PD", "JS-NJ"}


def test_reject_needs_a_reason(page_as, manager, finance, dealers):
    dealer = dealers["own"]
    page_as(manager).post(reverse("partners:dealer-submit-review", args=[dealer.pk]), GOOD_REVIEW)
    response = page_as(finance).post(reverse("partners:dealer-reject-qualification", args=[dealer.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    response = page_as(finance).post(
        reverse("partners:dealer-reject-qualification", args=[dealer.pk]), {"reason": "仓库不达标"}
    )
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.PROSPECT
    assert "仓库不达标" in html(page_as(manager).get(detail(dealer)))


def test_agreement_end_before_start_and_submit_without_product_line(page_as, manager, dealers, covered):
    client = page_as(manager)
    dealer = dealers["own"]
    response = client.post(
        reverse("partners:agreement-create", args=[dealer.pk]),
        agreement_post(covered["SH-SH"], [], start_date="2026-12-31", end_date="2026-01-01"),
    )
    assert response.context["form"].errors["end_date"] == ["The end date is before the start date."]
    client.post(reverse("partners:agreement-create", args=[dealer.pk]), agreement_post(covered["SH-SH"], []))
    agreement = Agreement.objects.get(dealer=dealer)
    response = client.post(agreement_url("submit", agreement), {"comment": ""})
    assert response.status_code == 200
    assert "Name at least one product line before submitting." in html(response)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.DRAFT


# --- editing -----------------------------------------------------------------------------------------


def test_rep_edits_only_address_and_contacts_of_an_own_dealer(page_as, rep, dealers):
    dealer = dealers["own"]
    client = page_as(rep)
    form = client.get(reverse("partners:dealer-edit", args=[dealer.pk])).context["form"]
    assert list(form.fields) == ["address"]
    data = {
        "address": "上海市黄浦区南京东路 100 号",
        **contact_management(total=1),
        "contacts-0-name": "赵采购",
        "contacts-0-phone": "13700000000",
        # A forged field is not in the form: ignored, not applied.
        "name": "改名",
    }
    response = client.post(reverse("partners:dealer-edit", args=[dealer.pk]), data)
    assert response.status_code == 302
    dealer.refresh_from_db()
    assert dealer.address == "上海市黄浦区南京东路 100 号" and dealer.name == "上海华丰贸易"
    assert [c.name for c in dealer.contacts.all()] == ["赵采购"]
    assert "Address" in html(client.get(detail(dealer)))


def test_manager_edits_a_dealer_and_history_names_the_fields(page_as, manager, rep, rep_peer, dealers, lines):
    dealer = dealers["own"]
    client = page_as(manager)
    form = client.get(reverse("partners:dealer-edit", args=[dealer.pk])).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "name": "上海华丰商贸",
            "owner": rep_peer.pk,
            "tier": "key",
            "product_lines": [lines["water"].pk],
            "territory": dealer.territory_id,
            **contact_management(total=0),
        }
    )
    response = client.post(reverse("partners:dealer-edit", args=[dealer.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    dealer.refresh_from_db()
    assert (dealer.name, dealer.owner, dealer.tier) == ("上海华丰商贸", rep_peer, "key")
    history = page_as(manager).get(detail(dealer)).context["history"]
    # The service saves the fields, then sets the product lines: two records.
    assert {field for row in history[:2] for field in row["fields"]} == {"name", "owner", "tier", "product lines"}
    assert history[0]["by"] == "陈经理"  # the request's user, recorded by simple-history's middleware
    assert history[-1]["kind"] == "+"


def test_agreement_edit_only_while_not_signed(page_as, manager, finance, dealers, lines):
    dealer = qualify(dealers["own"], manager, finance)
    agreement = make_agreement(manager, dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026)
    client = page_as(manager)
    data = agreement_post(dealer.territory, [lines["kitchen"], lines["water"]], payment_terms_days="75")
    assert client.post(agreement_url("edit", agreement), data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.payment_terms_days == 75 and agreement.product_lines.count() == 2
    signed(manager, agreement)
    response = client.get(agreement_url("edit", agreement), follow=True)
    assert response.redirect_chain[-1][0] == agreement_url("detail", agreement)
    assert "cannot be changed" in html(response)


def test_renew_and_confirm_deposit_through_the_pages(page_as, manager, finance, dealers, lines):
    dealer = qualify(dealers["own"], manager, finance)
    agreement = signed(manager, make_agreement(manager, dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026))
    response = page_as(manager).post(agreement_url("renew", agreement))
    renewal = Agreement.objects.get(previous=agreement)
    assert response["Location"] == agreement_url("detail", renewal)
    assert (renewal.start_date, renewal.end_date, renewal.status) == (date(2027, 1, 1), date(2027, 12, 31), "draft")
    chain = html(page_as(manager).get(agreement_url("detail", agreement)))
    assert agreement_url("detail", renewal) in chain
    assert agreement_url("renew", agreement) not in chain

    yesterday = timezone.localdate() - timedelta(days=1)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = page_as(finance).post(agreement_url("confirm-deposit", agreement), {"received_on": tomorrow})
    assert response.context["form"].errors["received_on"]
    page_as(finance).post(agreement_url("confirm-deposit", agreement), {"received_on": yesterday.isoformat()})
    agreement.refresh_from_db()
    assert agreement.deposit_received_on == yesterday
    assert page_as(manager).get(agreement_url("confirm-deposit", agreement)).status_code == 403


def test_terminate_asks_for_confirmation_and_suspend_reactivate_work(page_as, manager, finance, dealers, lines):
    dealer = qualify(dealers["own"], manager, finance)
    signed(manager, make_agreement(manager, dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026))
    client = page_as(manager)
    page = client.get(reverse("partners:dealer-terminate", args=[dealer.pk]))
    assert "Terminating is final" in html(page) and "btn-danger" in html(page)
    client.post(reverse("partners:dealer-suspend", args=[dealer.pk]), {"comment": "回款逾期"})
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.SUSPENDED
    client.post(reverse("partners:dealer-reactivate", args=[dealer.pk]), {"comment": ""})
    dealer.refresh_from_db()
    assert dealer.status == Dealer.Status.ACTIVE


# --- filters and pages -------------------------------------------------------------------------------


def test_dealer_filters_and_pages_keep_the_filters(page_as, manager, rep, covered):
    for n in range(55):
        make_dealer(manager, covered["SH-SH"], rep, f"P{n:03d}", name=f"测试经销商{n}", tier="key")
    make_dealer(manager, covered["JS-NJ"], rep, "Q001", name="南京", tier="key")
    client = page_as(manager)
    page = client.get(reverse("partners:dealer-list"), {"tier": "key", "territory": covered["SH"].pk})
    assert page.context["page_obj"].paginator.count == 55
    assert len(page.context["page_obj"]) == 50
    assert "?tier=key&amp;territory={}&amp;page=2".format(covered["SH"].pk) in html(page)
    second = client.get(reverse("partners:dealer-list"), {"tier": "key", "territory": covered["SH"].pk, "page": 2})
    assert len(second.context["page_obj"]) == 5
    found = client.get(reverse("partners:dealer-list"), {"q": "nanjing"})
    assert [d.code for d in found.context["page_obj"]] == ["Q001"]


def test_agreement_list_filters_expired_and_ending_soon(page_as, manager, finance, dealers, lines):
    dealer = qualify(dealers["own"], manager, finance)
    today = timezone.localdate()
    old = signed(
        manager,
        make_agreement(manager, dealer, dealer.territory, [lines["kitchen"]], date(2020, 1, 1), date(2020, 12, 31)),
    )
    soon = signed(
        manager,
        make_agreement(
            manager, dealer, dealer.territory, [lines["water"]], today - timedelta(days=300), today + timedelta(days=10)
        ),
    )
    client = page_as(manager)
    expired = client.get(reverse("partners:agreement-list"), {"status": "expired"})
    assert [a.pk for a in expired.context["page_obj"]] == [old.pk]
    assert 'data-status="expired"' in html(expired)
    ending = client.get(reverse("partners:agreement-list"), {"ending_within": 30})
    assert [a.pk for a in ending.context["page_obj"]] == [soon.pk]
    assert 'data-status="expired"' in html(client.get(detail(dealer)))


def test_list_table_hides_secondary_columns_on_phones(page_as, manager, dealers):
    page = html(page_as(manager).get(reverse("partners:dealer-list")))
    assert page.count('class="d-none d-md-table-cell"') >= 3
    assert '<meta name="viewport"' in page


# --- query counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_dealer_list_query_count_does_not_grow(page_as, manager, rep, covered, django_assert_max_num_queries, count):
    for n in range(count):
        make_dealer(manager, covered["SH-SH"], rep, f"Q{n:03d}", name=f"测试经销商{n}")
    client = page_as(manager)
    # session, user, roles, territory paths, unread notifications, count, page of dealers (+territory,
    # owner), the territory and owner choices of the filter form
    with django_assert_max_num_queries(9):
        response = client.get(reverse("partners:dealer-list"))
    assert len(response.context["page_obj"]) == count


@pytest.mark.parametrize("count", [1, 20])
def test_dealer_detail_query_count_does_not_grow(
    page_as, manager, finance, rep, covered, lines, django_assert_max_num_queries, count
):
    dealer = make_dealer(manager, covered["SH-SH"], rep, "D1", contacts=[{"name": f"联系人{i}"} for i in range(count)])
    qualify(dealer, manager, finance)
    for n in range(count):
        make_agreement(
            manager, dealer, covered["SH-SH"], [lines["kitchen"]], date(2000 + n, 1, 1), date(2000 + n, 12, 31)
        )
        dealer_update(actor=manager, dealer=dealer, name=f"上海华丰贸易{n}")
    # facts over the overview's 12 months (each its own recording), and visits this month
    for n in range(count):
        day = timezone.localdate() - timedelta(days=n * 17 % 360)
        for kind in ("sales", "collections", "expenses"):
            item = {"reference": f"{kind}-{n}", "date": day, "amount": "100.00", "dealer": dealer.pk}
            facts_record(actor=finance, kind=kind, items=[item])
        log(rep, dealer, timezone.now() - timedelta(seconds=n + 1))
    client = page_as(manager)
    client.get(detail(dealer))  # content types cached, as in a running server
    # session, user, roles, territory paths, unread notifications, dealer (+territory, owner, parent),
    # product lines, contacts, agreements (+territory), their product lines, reviews (+submitter,
    # decider), review items, state log (+by), history (+user), history's product-line rows, visits
    # (the timeline); the overview: sales and collections by month and rep (one UNION), this month's
    # visits counted with the open flags, this month's visits, channel conflicts, the statements of
    # those reps and months, the latest recordings (one UNION); the documents of the reviews and
    # agreements (+uploader; one query for both models, evidence.selectors.attachments_for_objects); the
    # channel funds section (one query: funds.selectors.dealer_funds); the account section (rebates): this
    # month's statement, the aging: credits ⋈ open invoices and their terms, the rebate year's settlements and the
    # agreements with a program of the open quarter and of the year; the stock section (inventory): the dealer's
    # last twelve months of reports (one query, lines joined); the inspections section: the latest inspections,
    # the score trend, the open rectifications and the latest complaints (four)
    with django_assert_max_num_queries(35):
        response = client.get(detail(dealer))
    assert len(response.context["history"]) >= count
    assert response.context["overview"].visit_count == count


@pytest.mark.parametrize("count", [5, 50])
def test_agreement_list_query_count_does_not_grow(
    page_as, manager, rep, covered, lines, django_assert_max_num_queries, count
):
    for n in range(count):
        dealer = make_dealer(manager, covered["SH-SH"], rep, f"Q{n:03d}", name=f"测试经销商{n}")
        make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"], lines["water"]], *YEAR_2026)
    client = page_as(manager)
    # session, user, roles, territory paths, unread notifications, count, page of agreements (+dealer,
    # territory), their product lines, the territory choices of the filter form
    with django_assert_max_num_queries(9):
        response = client.get(reverse("partners:agreement-list"))
    assert len(response.context["page_obj"]) == count


def test_agreement_detail_query_count_is_bounded(
    page_as, manager, finance, dealers, lines, django_assert_max_num_queries
):
    dealer = qualify(dealers["own"], manager, finance)
    agreement = signed(manager, make_agreement(manager, dealer, dealer.territory, [lines["kitchen"]], *YEAR_2026))
    agreement_services.agreement_renew(actor=manager, agreement=agreement)
    client = page_as(manager)
    client.get(agreement_url("detail", agreement))
    # session, user, roles, territory paths, unread notifications, agreement (+dealer, territory, owner,
    # previous, renewal), product lines, state log, history, history's product-line rows, documents
    # (+uploader)
    with django_assert_max_num_queries(11):
        assert client.get(agreement_url("detail", agreement)).status_code == 200
