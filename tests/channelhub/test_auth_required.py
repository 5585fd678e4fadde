"""Every page and endpoint demands authentication, except the few that must not.

The test walks the URL resolver, so a page added later is checked without anyone remembering to:
an anonymous GET and POST must end at the login page (pages, admin) or answer 401/403 (API).
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

#: Reachable without logging in, by design. Anything else public is a bug.
PUBLIC = {
    "login",  # the login page itself
    # a forgotten password, by e-mail: asked for and set without a login (never telling whether an address exists)
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",  # load balancers
    "schema",  # OpenAPI schema: describes the API, holds no data
    "swagger-ui",  # its viewer
    "auth-token",  # exchanges credentials for a token (rate-limited by django-axes)
    "set_language",  # the language switcher on the login page
    "logout",  # logging out when already logged out does nothing
    "admin:login",  # the admin's own login form
    "admin:logout",
}

#: Example values for path converters and for named regex groups.
EXAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x"}


def walk(patterns, prefix="", namespace=""):
    """Yield (route, full name, pattern) for every URL pattern under ``patterns``."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + example_path(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + example_path(entry.pattern), f"{namespace}{entry.name or ''}", entry


def example_path(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: EXAMPLES[m.group(1) or "str"], str(pattern))
    regex = pattern.regex.pattern
    # (?P<app_label>auth|accounts) → auth ; (?P<object_id>.+) → 1 ; ([^/]+) → 1
    regex = re.sub(r"\(\?P<\w+>(\w+)(?:\|[\w|]+)?\)", r"\1", regex)
    regex = re.sub(r"\(\?P<\w+>[^)]*\)", "1", regex)
    regex = re.sub(r"\((?!\?)[^)]*\)", "1", regex)  # unnamed groups
    return regex.lstrip("^").rstrip("$").replace("\\", "").replace("/?", "/")


def all_urls():
    urls = []
    for route, name, pattern in walk(get_resolver().url_patterns):
        if route.startswith(settings.STATIC_URL.lstrip("/")):
            continue
        urls.append(pytest.param("/" + route, name, pattern, id=name or route))
    return urls


def login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and ("/accounts/login/" in location or "/admin/login/" in location)


@pytest.mark.parametrize(("path", "name", "pattern"), all_urls())
def test_every_url_demands_authentication(client, db, path, name, pattern):
    assert resolve(path).func == pattern.callback, f"cannot build an example path for {name}: got {path}"
    if name in PUBLIC:
        return
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert login_redirect(response) or response.status_code in (401, 403), (
            f"{method.upper()} {path} ({name}) answered {response.status_code} to an anonymous user"
        )


def test_public_list_names_real_urls():
    names = {name for _route, name, _pattern in walk(get_resolver().url_patterns)}
    assert names >= PUBLIC, f"stale entries: {PUBLIC - names}"


def test_the_walk_covers_pages_admin_and_api():
    names = {name for _route, name, _pattern in walk(get_resolver().url_patterns)}
    assert {"dashboard", "admin:index", "user-list", "user-detail", "api-root", "password_change"} <= names
