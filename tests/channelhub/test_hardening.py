"""Production hardening: the Content-Security-Policy on every answer, templates without inline script, API
docs behind the login in production, and ``X-Forwarded-Proto`` believed only behind a named proxy.

The browser side of the policy (no violation on the main pages as each role) is ``tests/e2e/test_csp.py``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests.channelhub.test_settings import BASE_DIR, run_python
from tests.factories import PASSWORD

TEMPLATES = BASE_DIR / "templates"
#: The policy, directive by directive (tests/e2e/test_csp.py shows the pages keep to it).
POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'", "'unsafe-inline'"},
    "img-src": {"'self'", "data:", "blob:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def policy_of(response) -> dict[str, set[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return {name: set(sources) for name, *sources in directives}


# --- Content-Security-Policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz", "/api/v1/users/", "/api/v1/docs/"])
def test_anonymous_answers_carry_the_policy(client, db, path):
    assert policy_of(client.get(path)) == POLICY


def test_pages_api_and_swagger_ui_carry_the_policy_for_a_logged_in_user(client_as, rep):
    client = client_as(rep)
    for path in ("/", "/partners/dealers/", "/visits/new/", "/api/v1/users/me/", "/api/v1/docs/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert policy_of(response) == POLICY, path


def test_the_policy_has_no_nonce_and_no_unsafe_script_source(client, db):
    response = client.get("/accounts/login/")
    script = policy_of(response)["script-src"]
    assert "nonce-" not in response["Content-Security-Policy"]
    assert not {source for source in script if source.startswith("'unsafe")}


def _template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


#: ``<script>`` without ``src``, other than a JSON data block (``json_script``, ``type="application/json"``).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I)
#: an event-handler attribute (``onclick=``, ``onchange=`` …) or a ``javascript:`` URL
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=|javascript:", re.I)


def test_the_patterns_catch_what_they_should():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/js/a.js"></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert INLINE_HANDLER.search('<select name="x" onchange="this.form.submit()">')
    assert INLINE_HANDLER.search('<a href="javascript:void(0)">')
    assert not INLINE_HANDLER.search('<div class="online" data-on="x">')


def test_no_template_has_an_inline_script_or_event_handler():
    found = [
        f"{path.relative_to(BASE_DIR)}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for path in _template_files()
        for text in [path.read_text()]
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER)
        for match in pattern.finditer(text)
    ]
    assert _template_files(), "no templates found"
    assert not found, "move these into static/js (the CSP refuses them):\n" + "\n".join(found)


def test_the_language_switcher_submits_from_a_static_script(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert 'name="language"' in html
    assert "onchange" not in html
    assert "/static/js/language_switcher.js" in html
    script = (BASE_DIR / "static" / "js" / "language_switcher.js").read_text()
    assert "form.language-switcher select[name=language]" in script and ".submit()" in script


def test_swagger_ui_loads_its_start_up_script_from_a_url_not_inline(client_as, rep):
    client = client_as(rep)
    html = client.get("/api/v1/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert '<script src="/api/v1/docs/?script="></script>' in html
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert '"/api/v1/schema/"' in script.content.decode()


# --- API docs behind the login in production ----------------------------------------------------------

DOCS = ["/api/v1/schema/", "/api/v1/docs/", "/api/v1/docs/?script="]


def test_production_keeps_the_api_docs_private_unless_told():
    read = "import django; from django.conf import settings; django.setup(); print(settings.API_DOCS_PUBLIC)"
    secret = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "channelhub.example.com"}
    assert run_python(read, "channelhub.settings.production", **secret).stdout.strip() == "False"
    opened = run_python(read, "channelhub.settings.production", API_DOCS_PUBLIC="true", **secret)
    assert opened.stdout.strip() == "True", opened.stderr
    assert run_python(read, "channelhub.settings.production", API_DOCS_PUBLIC="maybe", **secret).returncode != 0


@override_settings(API_DOCS_PUBLIC=False)
def test_anonymous_gets_401_for_the_schema_in_production(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "paths" not in response.json()


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/docs/?script="])
def test_anonymous_is_sent_to_the_login_for_swagger_ui_in_production(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs/")


@override_settings(API_DOCS_PUBLIC=False)
@pytest.mark.parametrize("path", DOCS)
def test_a_logged_in_user_reads_the_api_docs_in_production(client_as, rep, path):
    response = client_as(rep).get(path)
    assert response.status_code == 200
    assert policy_of(response) == POLICY


@override_settings(API_DOCS_PUBLIC=False)
def test_an_api_client_with_a_token_reads_the_schema_in_production(api_client, rep):
    token = api_client.post("/api/v1/auth/token/", {"username": rep.username, "password": PASSWORD}).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/users/" in response.json()["paths"]


@override_settings(API_DOCS_PUBLIC=True)
@pytest.mark.parametrize("path", DOCS)
def test_public_api_docs_are_readable_anonymously_when_the_deployment_says_so(client, db, path):
    assert client.get(path).status_code == 200


# --- X-Forwarded-Proto only behind a named proxy ------------------------------------------------------

READ_PROXY = """
import json, django
from django.conf import settings
django.setup()
from django.test import RequestFactory
forged = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({"header": settings.SECURE_PROXY_SSL_HEADER, "secure": forged.is_secure()}))
"""


def _production(**variables: str) -> dict:
    result = run_python(
        READ_PROXY,
        "channelhub.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="channelhub.example.com",
        **variables,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("variables", [{}, {"TRUSTED_PROXY_COUNT": "0"}], ids=["unset", "zero"])
def test_without_a_proxy_a_forged_forwarded_proto_is_not_https(variables):
    assert _production(**variables) == {"header": None, "secure": False}


@pytest.mark.parametrize(
    "variables", [{"TRUSTED_PROXY_COUNT": "1"}, {"TRUSTED_PROXY_COUNT": "2"}, {"TRUSTED_PROXIES": "10.0.0.0/8"}]
)
def test_behind_a_named_proxy_its_forwarded_proto_is_believed(variables):
    assert _production(**variables) == {"header": ["HTTP_X_FORWARDED_PROTO", "https"], "secure": True}


@pytest.mark.parametrize("value", ["two", "-1"])
def test_a_bad_proxy_count_stops_the_start(value):
    result = run_python(
        READ_PROXY,
        "channelhub.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="channelhub.example.com",
        TRUSTED_PROXY_COUNT=value,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT" in result.stderr


def test_the_deployment_check_passes_behind_a_proxy_too():
    # tests/channelhub/test_settings.py runs it with .ci/run's environment (no proxy); here with one.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "channelhub.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "channelhub.example.com",
            "DATABASE_URL": "postgres://channelhub@db:5432/channelhub",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
            "TRUSTED_PROXY_COUNT": "1",
        },
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
