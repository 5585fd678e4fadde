import pytest
from django.test import override_settings
from rest_framework.authtoken.models import Token

from channelhub.roles import Role
from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"


class TestTokenAuth:
    def test_valid_credentials_give_a_token_that_authenticates(self, api_client, rep):
        response = api_client.post(TOKEN_URL, {"username": rep.username, "password": PASSWORD})
        assert response.status_code == 200
        token = response.json()["token"]
        assert Token.objects.get(user=rep).key == token

        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        me = api_client.get("/api/v1/users/me/")
        assert me.status_code == 200
        assert me.json()["username"] == rep.username
        assert me.json()["roles"] == [Role.FIELD_REP]

    def test_wrong_password_is_400_and_gives_no_token(self, api_client, rep):
        response = api_client.post(TOKEN_URL, {"username": rep.username, "password": "wrong"})
        assert response.status_code == 400
        assert "non_field_errors" in response.json()
        assert not Token.objects.exists()

    def test_missing_fields_are_400_with_field_errors(self, api_client, db):
        response = api_client.post(TOKEN_URL, {"username": ""})
        assert response.status_code == 400
        assert set(response.json()) == {"username", "password"}

    def test_delete_revokes_the_token(self, api_client, rep):
        token = Token.objects.create(user=rep)
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        assert api_client.delete(TOKEN_URL).status_code == 204
        assert api_client.get("/api/v1/users/me/").status_code == 401

    def test_unknown_token_is_401(self, api_client, db):
        api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        assert api_client.get("/api/v1/users/").status_code == 401

    def test_no_credentials_is_401_with_challenge(self, api_client, db):
        response = api_client.get("/api/v1/users/")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_repeated_failures_lock_the_token_endpoint_too(self, api_client, rep):
        for _ in range(3):
            api_client.post(TOKEN_URL, {"username": rep.username, "password": "wrong"})
        locked = api_client.post(TOKEN_URL, {"username": rep.username, "password": PASSWORD})
        assert locked.status_code == 429
        assert "detail" in locked.json()
        assert not Token.objects.exists()


def test_me_works_for_a_user_without_a_role(api_as, db):
    response = api_as(UserFactory(roles=[])).get("/api/v1/users/me/")
    assert response.status_code == 200
    assert response.json()["roles"] == []


class TestPaginationAndFiltering:
    @pytest.fixture
    def many_reps(self, manager):
        return [UserFactory(roles=[Role.FIELD_REP], manager=manager) for _ in range(7)]

    def test_every_list_is_paginated(self, api_as, admin_user, many_reps):
        body = api_as(admin_user).get("/api/v1/users/", {"page_size": 3}).json()
        assert body["count"] == 9  # admin, manager and 7 reps
        assert len(body["results"]) == 3
        assert "page=2" in body["next"]

    def test_page_size_is_capped_at_500(self, api_as, admin_user):
        from channelhub.api.pagination import PageNumberPagination

        assert PageNumberPagination.max_page_size == 500
        assert api_as(admin_user).get("/api/v1/users/", {"page_size": 100000}).status_code == 200

    def test_page_out_of_range_is_json_404(self, api_as, admin_user):
        response = api_as(admin_user).get("/api/v1/users/", {"page": 99})
        assert response.status_code == 404
        assert "detail" in response.json()

    def test_filters_narrow_within_scope(self, api_as, manager, other_rep, many_reps):
        client = api_as(manager)
        reps = client.get("/api/v1/users/", {"role": Role.FIELD_REP}).json()
        assert reps["count"] == 7  # the other manager's rep stays invisible
        found = client.get("/api/v1/users/", {"q": many_reps[0].username}).json()
        assert [u["username"] for u in found["results"]] == [many_reps[0].username]

    def test_invalid_filter_value_is_400_not_500(self, api_as, admin_user):
        response = api_as(admin_user).get("/api/v1/users/", {"role": "astronaut", "manager": "x"})
        assert response.status_code == 400
        assert set(response.json()) == {"role", "manager"}

    def test_list_query_count_does_not_grow_with_rows(self, api_as, admin_user, manager, django_assert_max_num_queries):
        client = api_as(admin_user)
        # session, user, roles (groups), count, page of users, their groups
        with django_assert_max_num_queries(7):
            client.get("/api/v1/users/")
        for _ in range(20):
            UserFactory(roles=[Role.FIELD_REP], manager=manager)
        with django_assert_max_num_queries(7):
            assert client.get("/api/v1/users/").json()["count"] == 22


class TestScopeInTheApi:
    def test_rep_lists_only_self(self, api_as, everyone):
        body = api_as(everyone["rep"]).get("/api/v1/users/").json()
        assert [u["username"] for u in body["results"]] == ["rep_a1"]

    def test_out_of_scope_detail_is_404(self, api_as, everyone):
        response = api_as(everyone["manager"]).get(f"/api/v1/users/{everyone['other_rep'].pk}/")
        assert response.status_code == 404

    def test_in_scope_detail_is_200(self, api_as, everyone):
        response = api_as(everyone["manager"]).get(f"/api/v1/users/{everyone['rep'].pk}/")
        assert response.status_code == 200
        assert response.json()["manager"] == everyone["manager"].pk


class TestErrorsAreJson:
    def test_unknown_api_url_is_json_404(self, api_as, rep):
        response = api_as(rep).get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")

    def test_malformed_json_is_400(self, api_client, db):
        response = api_client.post(TOKEN_URL, data="{not json", content_type="application/json")
        assert response.status_code == 400
        assert "detail" in response.json()

    def test_unsupported_media_type_is_415(self, api_client, db):
        response = api_client.post(TOKEN_URL, data="<x/>", content_type="application/xml")
        assert response.status_code == 415

    def test_method_not_allowed_is_405(self, api_as, rep):
        assert api_as(rep).delete("/api/v1/users/me/").status_code == 405

    @pytest.mark.urls("tests.testapp.urls")
    def test_django_validation_error_becomes_400_field_errors(self, api_as, rep):
        from tests.testapp.models import Ticket

        ticket = Ticket.objects.create(title="x", owner=rep)
        response = api_as(rep).post(f"/api/v1/tickets/{ticket.pk}/django-invalid/")
        assert response.status_code == 400
        assert response.json() == {"note": ["Django says no."]}

    @pytest.mark.urls("tests.testapp.urls")
    def test_domain_error_keeps_its_status_and_extra_keys(self, api_as, rep):
        from tests.testapp.models import Ticket

        ticket = Ticket.objects.create(title="x", owner=rep)
        response = api_as(rep).post(f"/api/v1/tickets/{ticket.pk}/domain-error/")
        assert response.status_code == 400
        assert response.json() == {"detail": "The rules say no.", "reason": "test"}

    @pytest.mark.urls("tests.testapp.urls")
    def test_a_bug_is_a_json_500_without_details(self, api_as, rep):
        from tests.testapp.models import Ticket

        ticket = Ticket.objects.create(title="x", owner=rep)
        client = api_as(rep)
        client.raise_request_exception = False
        response = client.post(f"/api/v1/tickets/{ticket.pk}/boom/")
        assert response.status_code == 500
        assert response["Content-Type"].startswith("application/json")
        assert "RuntimeError" not in response.content.decode()

    @pytest.mark.urls("tests.testapp.urls")
    def test_bad_input_on_create_is_400_and_creates_nothing(self, api_as, rep):
        from tests.testapp.models import Ticket

        response = api_as(rep).post("/api/v1/tickets/", {"title": "x" * 500})
        assert response.status_code == 400
        assert "title" in response.json()
        assert not Ticket.objects.exists()


class TestSchemaAndDocs:
    def test_schema_is_public_openapi(self, client, db):
        response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/auth/token/" in schema["paths"]
        assert "/api/v1/users/" in schema["paths"]

    def test_every_operation_documents_the_error_answers_it_can_give(self, client, db):
        # Schemathesis checks that every status code answered is documented (channelhub.api.schema).
        paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
        documented = {
            (method, path): set(operation["responses"])
            for path, operations in paths.items()
            for method, operation in operations.items()
        }
        assert {"200", "400", "401", "403", "404"} <= documented["get", "/api/v1/users/"]
        assert {"200", "400", "401", "403", "404"} <= documented["get", "/api/v1/dealers/{id}/"]
        assert {"201", "400", "401", "403", "409", "415"} <= documented["post", "/api/v1/dealers/"]
        assert documented["get", "/api/v1/users/me/"] == {"200", "401", "403"}
        assert documented["post", "/api/v1/auth/token/"] == {"200", "400", "415", "429"}
        # what a view documents itself is kept
        sales = paths["/api/v1/sales/"]["post"]["responses"]["409"]["description"]
        assert sales.startswith("A fact dated in a closed period")

    def test_swagger_ui_is_served_locally_without_cdn(self, client, db):
        response = client.get("/api/v1/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "swagger-ui" in html
        assert "https://" not in html and "http://cdn" not in html
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


class TestNulCharacters:
    """Schemathesis found it on PostgreSQL: a NUL in a looked-up code reached the database (a 500)."""

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "a\x00b"},
            {"category_shares": [{"category": "\x00yu", "share": "10.00"}]},
            {"k\x00": "value"},
            [{"nested": ["ok", "x\x00"]}],
        ],
    )
    def test_json_with_nul_answers_400_before_any_view_code(self, api_as, admin_user, body):
        response = api_as(admin_user).post("/api/v1/territories/", body, format="json")
        assert response.status_code == 400
        assert "NUL" in response.json()["detail"] or "\\x00" in response.json()["detail"]

    def test_a_form_with_nul_answers_400(self, api_as, admin_user):
        response = api_as(admin_user).post("/api/v1/territories/", {"name": "a\x00b"}, format="multipart")
        assert response.status_code == 400

    def test_json_without_nul_goes_through(self, api_as, admin_user):
        response = api_as(admin_user).post("/api/v1/territories/", {"name": ""}, format="json")
        assert response.status_code == 400
        assert "name" in response.json()  # field errors: the view ran


class TestOddBodies:
    """Deeply nested or oversized JSON is a 400 in JSON before anything else — also before login."""

    @pytest.mark.parametrize("depth", [40, 5_000, 200_000])
    def test_deeply_nested_json_before_login_is_a_json_400(self, api_client, db, depth):
        body = "[" * depth + "]" * depth
        response = api_client.post(TOKEN_URL, body, content_type="application/json")
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert "32" in response.json()["detail"]

    def test_nesting_inside_strings_does_not_count(self, api_client, rep):
        response = api_client.post(
            TOKEN_URL, {"username": rep.username + "[[[[" * 40, "password": "{" * 100}, format="json"
        )
        assert response.status_code == 400 and "non_field_errors" in response.json()  # wrong credentials, parsed

    def test_an_oversized_body_is_a_json_400(self, api_as, finance, settings):
        settings.API_MAX_JSON_BYTES = 1024
        response = api_as(finance).post(
            "/api/v1/sales/", '[{"reference": "' + "x" * 4000 + '"}]', content_type="application/json"
        )
        assert response.status_code == 400 and response["Content-Type"] == "application/json"
        assert "MB" in response.json()["detail"]
