"""Fixtures shared by the whole suite: one user of every role, and the people around them.

    manager ── rep, rep_peer          (team A)
    other_manager ── other_rep         (team B)
    finance, admin_user

``rep_peer`` is "another rep" of the same team, ``other_rep`` a rep of another manager.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import make_person

# Shared worlds of the domain tests (territory tree, product lines, covered managers).
pytest_plugins = [
    "tests.partners.world",
    "tests.visits.world",
    "tests.funds.base",
    "tests.rebates.world",
    "tests.inventory.world",
    "tests.inspections.world",
]

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

requires_postgres = pytest.mark.skipif(
    not IS_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://… (runs in CI)"
)
requires_redis = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL, reason="needs a broker: set CELERY_BROKER_URL=redis://… (runs in CI)"
)

CHROMIUM = "/usr/bin/chromium"


def _browser_missing() -> bool:
    """True when the browser tests cannot run: no Debian Chromium or no ``playwright`` package."""
    return not os.access(CHROMIUM, os.X_OK) or importlib.util.find_spec("playwright") is None


requires_browser = pytest.mark.skipif(
    _browser_missing(),
    reason=f"needs Debian's chromium at {CHROMIUM} and the playwright package (CI installs both)",
)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the deployment's language: a request in English (a cookie, the API's
    Accept-Language) activates it in the thread, and the next test on the same worker must not inherit it."""
    translation.deactivate()
    yield
    translation.deactivate()


#: Suites that take seconds a test: ``make test`` runs them, ``make test-fast`` leaves them out.
SLOW_SUITES = ("tests/api_fuzz/", "tests/e2e/", "tests/faults/")


def _is_slow(item) -> bool:
    path = item.path.relative_to(item.config.rootpath).as_posix()
    return (
        path.startswith(SLOW_SUITES)
        or item.path.name.startswith("test_seed_demo")
        or bool(item.get_closest_marker("browser"))
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("redis") or item.path.parent.name == "faults":
            # one broker for the whole suite: its tests run on one xdist worker (``--dist loadgroup``)
            item.add_marker(pytest.mark.xdist_group("broker"))
        if item.get_closest_marker("postgres"):
            item.add_marker(requires_postgres)
        if item.get_closest_marker("redis"):
            item.add_marker(requires_redis)
        if item.get_closest_marker("browser"):
            item.add_marker(requires_browser)


@pytest.fixture
def manager(db):
    return make_person("manager")


@pytest.fixture
def other_manager(db):
    return make_person("other_manager")


@pytest.fixture
def rep(manager):
    return make_person("rep", manager)


@pytest.fixture
def rep_peer(manager):
    return make_person("rep_peer", manager)


@pytest.fixture
def other_rep(other_manager):
    return make_person("other_rep", other_manager)


@pytest.fixture
def finance(db):
    return make_person("finance")


@pytest.fixture
def admin_user(db):
    return make_person("admin")


@pytest.fixture
def everyone(rep, rep_peer, other_rep, manager, other_manager, finance, admin_user):
    return {
        "rep": rep,
        "rep_peer": rep_peer,
        "other_rep": other_rep,
        "manager": manager,
        "other_manager": other_manager,
        "finance": finance,
        "admin": admin_user,
    }


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """``api_as(user)`` → an API client logged in as ``user`` (session auth, like the browser)."""

    def login(user):
        api_client.force_authenticate(user=None)
        api_client.force_login(user)
        return api_client

    return login


@pytest.fixture
def client_as(client):
    """``client_as(user)`` → the Django test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def page_as(client_as):
    """``page_as(user)`` → a test client logged in as ``user`` that reads the pages in English."""

    def login(user):
        client = client_as(user)
        client.cookies["django_language"] = "en"
        return client

    return login
