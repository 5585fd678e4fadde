"""A value that must be unique and is taken is refused in words that name it, in both languages, on every
road in: the service, the page, the API and the admin (``channelhub.fields.unique_messages``, and
``Profile.clean`` for employee numbers) — never Django's generic "… with this … already exists"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from channelhub.accounts.models import Profile
from channelhub.accounts.services import user_create
from commissions.models import CommissionPlan
from commissions.services.plans import plan_create
from partners.models import Dealer, ProductLine, Territory
from partners.services.territories import territory_create
from tests.partners.world import make_dealer

DEALER_TAKEN = {
    "en": "A dealer with the code SH001 already exists.",
    "zh-hans": "编码为 SH001 的经销商已存在。",
}


@pytest.fixture
def sh001(covered, manager, rep):
    return make_dealer(manager, covered["SH-SH"], rep, "SH001")


def errors_of(raised: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return raised.value.message_dict


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_service_names_the_dealer_code_taken(sh001, manager, rep, covered, language):
    with translation.override(language):  # the message is lazy: read it in the language
        with pytest.raises(ValidationError) as raised:
            make_dealer(manager, covered["SH-SH"], rep, "SH001", name="另一家")
        assert errors_of(raised)["code"] == [DEALER_TAKEN[language]]
    assert Dealer.objects.filter(code="SH001").count() == 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_api_names_the_dealer_code_taken(api_as, sh001, manager, rep, covered, language):
    body = {"code": "SH001", "name": "另一家", "territory": covered["SH-SH"].pk, "owner": rep.pk}
    response = api_as(manager).post("/api/v1/dealers/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["code"] == [DEALER_TAKEN[language]]


def test_the_dealer_page_shows_the_code_taken_on_its_field(client_as, sh001, manager, rep, covered):
    client = client_as(manager)
    client.cookies["django_language"] = "en"
    data = {"code": "SH001", "name": "另一家", "kind": "dealer", "tier": "standard"}
    data |= {"territory": covered["SH-SH"].pk, "owner": rep.pk, "contacts-TOTAL_FORMS": "0"}
    data |= {"contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0", "contacts-MAX_NUM_FORMS": "1000"}
    response = client.post(reverse("partners:dealer-create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [DEALER_TAKEN["en"]]
    assert DEALER_TAKEN["en"] in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "A territory with the code SH already exists."), ("zh-hans", "编码为 SH 的区域已存在。")],
)
def test_a_territory_code_taken_is_named(tree, language, expected):
    with translation.override(language):  # the message is lazy: read it in the language
        with pytest.raises(ValidationError) as raised:
            territory_create(code="SH", name="又一个上海", parent=tree["EAST"])
        assert errors_of(raised)["code"] == [expected]


def test_the_territory_api_names_the_code_taken(api_as, tree, admin_user):
    body = {"code": "SH", "name": "又一个上海", "parent": tree["EAST"].pk}
    response = api_as(admin_user).post("/api/v1/territories/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == ["A territory with the code SH already exists."]
    assert Territory.objects.filter(code="SH").count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "A product line with the code water already exists."), ("zh-hans", "编码为 water 的产品线已存在。")],
)
def test_the_admin_names_the_product_line_code_taken(client_as, admin_user, lines, language, expected):
    client = client_as(admin_user)
    client.cookies["django_language"] = language
    response = client.post(reverse("admin:partners_productline_add"), {"code": "water", "name": "净水二部"})
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert ProductLine.objects.filter(code="water").count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "A commission plan named Standard already exists."), ("zh-hans", "名称为 Standard 的提成方案已存在。")],
)
def test_a_commission_plan_name_taken_is_named_by_service_and_api(api_as, admin_user, language, expected):
    plan_create(name="Standard", tiers=[{"from_amount": "0", "rate": "2"}])
    with translation.override(language):  # the message is lazy: read it in the language
        with pytest.raises(ValidationError) as raised:
            plan_create(name="Standard", tiers=[{"from_amount": "0", "rate": "3"}])
        assert errors_of(raised)["name"] == [expected]
    body = {"name": "Standard", "tiers": [{"from_amount": "0.00", "rate": "3.00"}]}
    response = api_as(admin_user).post("/api/v1/commission-plans/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and response.json()["name"] == [expected]
    assert CommissionPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "A person with the employee number E100 already exists."), ("zh-hans", "工号为 E100 的人员已存在。")],
)
def test_an_employee_number_taken_is_named(db, language, expected):
    user_create(username="first", password=None, employee_no="E100")
    with translation.override(language):  # the message is lazy: read it in the language
        with pytest.raises(ValidationError) as raised:
            user_create(username="second", password=None, employee_no="E100")
        assert errors_of(raised)["employee_no"] == [expected]
    assert Profile.objects.filter(employee_no="E100").count() == 1


def test_empty_employee_numbers_are_never_taken(db):
    user_create(username="first", password=None)
    user_create(username="second", password=None)
    assert Profile.objects.filter(employee_no="").count() == 2


def test_the_admin_profile_page_names_the_employee_number_taken(client_as, admin_user, rep, rep_peer):
    client = client_as(admin_user)
    client.cookies["django_language"] = "en"
    profile = rep_peer.profile
    data = {"user": rep_peer.pk, "employee_no": rep.profile.employee_no, "manager": "", "phone": "", "bank_name": ""}
    data |= {"bank_account": "", "territories": []}
    response = client.post(reverse("admin:accounts_profile_change", args=[profile.pk]), data)
    assert response.status_code == 200
    assert f"A person with the employee number {rep.profile.employee_no} already exists." in response.content.decode()
    profile.refresh_from_db()
    assert profile.employee_no != rep.profile.employee_no
