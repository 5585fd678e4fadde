"""The Django admin as our people meet it (``channelhub.admin``, ``channelhub.accounts.admin``): our domain's
sections first, a new person (name, roles, profile) on one page, people shown by name in every list, in
their filters and in the search-as-you-type boxes, and our admin texts in Chinese."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from channelhub.accounts.models import Profile
from channelhub.admin import DOMAIN_APPS
from channelhub.roles import Role, has_role
from commissions.models import Statement
from tests.commissions.statement_world import make_statement
from tests.partners.world import make_dealer

User = get_user_model()
S = Statement.Status
THIRD_PARTY = {"authtoken", "axes"}


def admin_client(client_as, admin_user, language="en"):
    client = client_as(admin_user)
    client.cookies["django_language"] = language
    return client


def test_the_index_lists_our_sections_first_and_third_party_ones_after(client_as, admin_user):
    labels = [
        app["app_label"] for app in admin_client(client_as, admin_user).get(reverse("admin:index")).context["app_list"]
    ]
    ours = [label for label in labels if label in DOMAIN_APPS]
    assert (
        labels[: len(ours)]
        == ours
        == ["partners", "visits", "kpi", "commissions", "accounts", "auth", "notifications", "workflow"]
    )
    assert set(labels[len(ours) :]) >= THIRD_PARTY


def test_the_add_page_asks_for_name_roles_and_profile(client_as, admin_user):
    body = admin_client(client_as, admin_user).get(reverse("admin:auth_user_add")).content.decode()
    for field in (
        "first_name",
        "email",
        "roles",
        "profile-0-employee_no",
        "profile-0-manager",
        "profile-0-bank_account",
    ):
        assert f'name="{field}"' in body, field
    assert 'name="profile-0-territories"' in body and 'name="profile-0-phone"' in body
    assert f'value="{Role.FIELD_REP.value}"' in body


def user_post(**fields) -> dict:
    data = {
        "username": "rep_new",
        "usable_password": "true",
        "password1": "Hai-Tang-Spring-2031",
        "password2": "Hai-Tang-Spring-2031",
        "first_name": "王芳",
        "last_name": "",
        "email": "wangfang@example.com",
        "roles": [Role.FIELD_REP.value],
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "0",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-employee_no": "",
        "profile-0-manager": "",
        "profile-0-phone": "",
        "profile-0-bank_name": "",
        "profile-0-bank_account": "",
        "_save": "Save",
    }
    data.update(fields)
    return data


def test_adding_a_user_creates_the_person_with_profile_and_role_in_one_post(client_as, admin_user, manager, covered):
    data = user_post(
        **{
            "profile-0-employee_no": "E777",
            "profile-0-manager": str(manager.pk),
            "profile-0-phone": "13800000077",
            "profile-0-bank_name": "招商银行上海分行",
            "profile-0-bank_account": "6225880212345678",
            "profile-0-territories": [str(covered["SH"].pk)],
        }
    )
    response = admin_client(client_as, admin_user).post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    user = User.objects.get(username="rep_new")
    assert user.first_name == "王芳" and user.email == "wangfang@example.com" and user.check_password(data["password1"])
    assert has_role(user, Role.FIELD_REP) and not user.is_staff
    profile = Profile.objects.get(user=user)
    assert (profile.employee_no, profile.manager, profile.phone) == ("E777", manager, "13800000077")
    assert profile.bank_account == "6225880212345678" and list(profile.territories.all()) == [covered["SH"]]


def test_an_administrator_added_without_a_profile_still_gets_one(client_as, admin_user):
    data = user_post(username="admin_new", roles=[Role.ADMIN.value])
    assert admin_client(client_as, admin_user).post(reverse("admin:auth_user_add"), data).status_code == 302
    user = User.objects.get(username="admin_new")
    assert user.is_superuser and user.is_staff and Profile.objects.filter(user=user, employee_no="").exists()


def test_a_taken_employee_number_on_the_add_page_creates_nobody(client_as, admin_user, rep):
    data = user_post(**{"profile-0-employee_no": rep.profile.employee_no})
    response = admin_client(client_as, admin_user).post(reverse("admin:auth_user_add"), data)
    assert response.status_code == 200
    assert f"A person with the employee number {rep.profile.employee_no} already exists." in response.content.decode()
    assert not User.objects.filter(username="rep_new").exists()


def cells(body: str) -> str:
    """The changelist's rows only (not the filters nor the header)."""
    return re.search(r"<tbody>(.*?)</tbody>", body, re.S).group(1)


@pytest.mark.parametrize(
    ("url_name", "names", "logins"),
    [
        ("admin:commissions_statement_changelist", ("张伟", "陈经理", "孙财务"), ("rep_a1", "manager_a", "finance")),
        ("admin:partners_dealer_changelist", ("张伟",), ("rep_a1",)),
        ("admin:accounts_profile_changelist", ("张伟", "陈经理"), ("rep_a1", "manager_a")),
        ("admin:auth_user_changelist", ("张伟", "陈经理"), ()),
        ("admin:workflow_statechange_changelist", ("陈经理",), ("manager_a",)),
    ],
)
def test_lists_name_people_instead_of_showing_logins(
    client_as, admin_user, rep, manager, finance, covered, url_name, names, logins
):
    make_statement(rep, "2031-07", status=S.APPROVED, submitted_by=manager, approved_by=finance)
    make_dealer(manager, covered["SH-SH"], rep, "SH001")
    rows = cells(admin_client(client_as, admin_user).get(reverse(url_name)).content.decode())
    assert all(name in rows for name in names), (url_name, names)
    for login in logins:
        assert f">{login}<" not in rows, (url_name, login)


def test_the_user_list_names_the_manager(client_as, admin_user, rep):
    rows = cells(admin_client(client_as, admin_user).get(reverse("admin:auth_user_changelist")).content.decode())
    assert "陈经理" in rows and ">manager_a<" not in rows.split('field-manager">', 1)[1].split("</td>", 1)[0]


def test_the_rep_filter_and_the_search_boxes_name_people(client_as, admin_user, rep, manager, covered):
    make_statement(rep, "2031-07")
    client = admin_client(client_as, admin_user)
    make_dealer(manager, covered["SH-SH"], rep, "SH001")
    body = client.get(reverse("admin:kpi_target_changelist")).content.decode()
    assert "rep_a1" not in body
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "partners", "model_name": "dealer", "field_name": "owner", "term": "rep_a1"},
    ).json()
    assert [result["text"] for result in found["results"]] == ["张伟"]


def test_our_admin_speaks_chinese(client_as, admin_user):
    client = admin_client(client_as, admin_user, "zh-hans")
    body = client.get(reverse("admin:auth_user_add")).content.decode()
    assert "角色" in body and "工号" in body and "开户行" in body
    index = client.get(reverse("admin:index")).content.decode()
    assert "经销商" in index and "提成单" in index
