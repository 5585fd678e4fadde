"""A planned mystery inspection of rep's dealer (``tests/authz/inspections_world.py``) does not exist for rep
(SPEC §17): every page and endpoint of an inspection answers 404 to rep's GET and POST for it, and none shows
its marker — while its inspector finds it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.authz.test_matrix import path_for, resolver_urls

pytestmark = pytest.mark.django_db

#: The URL names whose ``<pk>`` is an inspection (pages and API).
INSPECTION_URLS = (
    "inspections:inspection-detail",
    "inspections:inspection-perform",
    "inspections:inspection-complete",
    "inspections:inspection-review",
    "inspection-detail",
    "inspection-results",
    "inspection-complete",
    "inspection-review",
)


def _paths(world) -> dict[str, str]:
    patterns = resolver_urls()
    pk = world["mine"]["mystery"].pk
    return {name: path_for(name, patterns[name], pk) for name in INSPECTION_URLS if name in patterns}


def test_rep_gets_404_for_the_planned_mystery_inspection_everywhere(world, everyone):
    client = Client()
    client.force_login(everyone["rep"])
    failures = []
    missing = world["mine"]["mystery"].pk + 10_000  # an inspection that does not exist: the same answers
    for name, path in _paths(world).items():
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            # a method the endpoint does not take is 405 before any lookup — as for an ID that does not exist
            unknown = getattr(client, method)(path.replace(f"/{world['mine']['mystery'].pk}/", f"/{missing}/"))
            if response.status_code != 404 and not (response.status_code == unknown.status_code == 405):
                failures.append(f"{method.upper()} {path} ({name}): {response.status_code}")
    assert not failures, "\n".join(failures)
    # and no list of rep's shows it
    for path in ("/inspections/", "/inspections/plan/", "/api/v1/inspections/"):
        response = client.get(path)
        assert b"MINE-MYSTERY" not in response.content


def test_its_inspector_finds_it(world, everyone):
    client = Client()
    client.force_login(everyone["inspector"])
    paths = _paths(world)
    for name in ("inspections:inspection-detail", "inspection-detail"):
        if name in paths:
            assert client.get(paths[name]).status_code == 200, name
