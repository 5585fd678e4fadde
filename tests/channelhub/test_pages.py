import pytest
from django.test import override_settings
from django.urls import reverse

from channelhub.roles import Role
from tests.factories import PASSWORD, UserFactory


def test_login_page_renders_for_anonymous(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_anonymous_dashboard_redirects_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_with_right_password_lands_on_dashboard(client, rep):
    response = client.post(reverse("login"), {"username": rep.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.templates[0].name == "dashboard/field_rep.html"


def test_login_with_wrong_password_shows_an_error_and_stays(client, rep):
    response = client.post(reverse("login"), {"username": rep.username, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_login_is_rate_limited(client, rep):
    for _ in range(3):
        client.post(reverse("login"), {"username": rep.username, "password": "nope"})
    response = client.post(reverse("login"), {"username": rep.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "registration/locked_out.html" in [t.name for t in response.templates]


def test_logout_is_a_post_and_ends_the_session(client_as, rep):
    client = client_as(rep)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    ("who", "template", "marker"),
    [
        ("rep", "dashboard/field_rep.html", b'data-testid="visit-quota"'),
        ("manager", "dashboard/channel_manager.html", b'data-testid="team"'),
        ("finance", "dashboard/finance.html", b'data-testid="organisation"'),
        ("admin", "dashboard/admin.html", b'data-testid="role-counts"'),
    ],
)
def test_each_role_has_its_dashboard(client_as, everyone, who, template, marker, django_assert_max_num_queries):
    client = client_as(everyone[who])
    # session, user, roles, the role's panels, the bell; the manager's panels are the largest: profile,
    # team with its reps' quotas (one query), team compliance (3 aggregates, team distinct dealers),
    # sales against target (facts, targets), and the role's to-do counts (channelhub.todos: one query for
    # the manager's five — flagged visits, week plans, draft statements, disputes, proposed targets); the
    # rep's reaches 15 with the stock reports due for last month (inventory's panel: one query); the inspections
    # panels add two (the rep's rectifications and complaints to answer) and three (the manager's inspections to
    # review, overdue rectifications, complaints handled late: inspections.pages_registry)
    with django_assert_max_num_queries(17 if who == "rep" else 16):
        response = client.get("/")
    assert response.status_code == 200
    assert response.templates[0].name == template
    assert marker in response.content


def test_manager_dashboard_lists_own_team_only(client_as, everyone):
    team = client_as(everyone["manager"]).get("/").context["team"]
    assert [member.username for member in team] == ["rep_a1", "rep_a2"]


def test_finance_dashboard_counts_team_sizes(client_as, everyone):
    managers = client_as(everyone["finance"]).get("/").context["managers"]
    assert {m.username: m.team_size for m in managers} == {"manager_a": 2, "manager_b": 1}


def test_manager_dashboard_query_count_does_not_grow_with_team(client_as, manager, django_assert_max_num_queries):
    client = client_as(manager)
    client.get("/")
    for _ in range(15):
        UserFactory(roles=[Role.FIELD_REP], manager=manager)
    with django_assert_max_num_queries(16):  # 14, and the inspections panel (test_each_role_has_its_dashboard)
        assert len(client.get("/").context["team"]) == 15


def test_a_manager_who_also_visits_dealers_counts_in_the_team_compliance(client_as, manager, rep):
    from channelhub.accounts.services import user_set_roles

    user_set_roles(user=manager, roles=[Role.CHANNEL_MANAGER, Role.FIELD_REP])
    rows = client_as(manager).get("/").context["team_compliance"].reps
    by_name = sorted([manager, rep], key=lambda user: user.username)
    assert [row.rep_id for row in rows] == [user.pk for user in by_name]


def test_user_without_role_is_told_to_ask_for_one(client_as, db):
    response = client_as(UserFactory(roles=[])).get("/")
    assert response.templates[0].name == "dashboard/no_role.html"


def test_navigation_follows_the_role(client_as, everyone):
    def links(user) -> tuple[set, set]:
        context = client_as(user).get("/").context
        return {i["url"] for i in context["nav_items"]}, {i["url"] for i in context["user_menu_items"]}

    admin_bar, admin_menu = links(everyone["admin"])
    rep_bar, rep_menu = links(everyone["rep"])
    # the administration's entries stand in the admin's user menu (the bar keeps one line at 1280 px)
    assert reverse("admin:index") in admin_menu and reverse("admin:index") not in admin_bar
    assert reverse("admin:index") not in rep_bar | rep_menu
    rep_links = rep_bar
    assert "/" in rep_links


def test_base_page_is_phone_ready_and_uses_local_assets(client_as, rep):
    html = client_as(rep).get("/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "navbar-toggler" in html  # the menu collapses on a phone
    assert "https://" not in html


def test_unknown_page_is_404_page(client_as, rep):
    response = client_as(rep).get("/no/such/page/")
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"


def test_password_change_page_works(client_as, rep):
    client = client_as(rep)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "A-much-better-pass-42", "new_password2": "A-much-better-pass-42"},
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("A-much-better-pass-42")


def test_static_assets_are_installed():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/css/bootstrap.min.css"), "run `npm ci` (make does it)"
    assert finders.find("vendor/bootstrap/js/bootstrap.bundle.min.js")
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
