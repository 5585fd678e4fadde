"""No 500 on odd but valid-looking input (security hardening): every URL of the matrix, asked by the roles
that may use it, with IDs beyond 64 bits in the path, in every query parameter its filter form offers,
in every field of its form and in every ID of its API body; and years far outside 1900–2999.

A 400 (or 404 for an ID in the path, or a form shown again with its errors) is the answer; the database
never sees the number (SQLite cannot hold it; PostgreSQL's bigint cannot either).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.authz.matrix import MATRIX
from tests.authz.test_matrix import Cells, path_for, resolver_urls, the_object

pytestmark = pytest.mark.django_db

HUGE = 2**64 + 1
HUGE_TEXT = str(HUGE)
#: Query parameters the lists filter by: each gets the huge ID.
ID_PARAMETERS = (
    "rep",
    "dealer",
    "owner",
    "territory",
    "parent",
    "manager",
    "plan",
    "run",
    "statement",
    "line",
    "template",
    "category",
    "within",
    "page",
    "page_size",
)
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')
#: Not data fields of a form.
SKIPPED_FIELDS = {"csrfmiddlewaretoken", "next", "language"}


def huge_body(value):
    """The body with every whole number (an ID, a count) replaced by one beyond 64 bits."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return HUGE
    if isinstance(value, dict):
        return {key: huge_body(item) for key, item in value.items()}
    if isinstance(value, list):
        return [huge_body(item) for item in value]
    return value


def form_fields(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name not in SKIPPED_FIELDS})


ODD = {200, 201, 202, 204, 302, 400, 403, 404, 405, 409}


@pytest.mark.parametrize("who", ["admin", "manager", "finance", "rep"])
def test_ids_beyond_64_bits_never_reach_the_database(who, world, everyone):
    client = Client()
    client.force_login(everyone[who])
    patterns = resolver_urls()
    cells = Cells(who)
    for name, entry in MATRIX.items():
        if name in ("logout", "set_language") or name not in patterns:
            continue
        pattern = patterns[name]
        if entry.obj is not None:  # the object's ID, too big
            cells.request(client, "get", name, path_for(name, pattern, HUGE), {400, 403, 404, 405})
            path = path_for(name, pattern, the_object(world, entry.obj).pk)
        else:
            path = path_for(name, pattern, None)
        if entry.read is not None and who in entry.read:
            query = "&".join(f"{parameter}={HUGE_TEXT}" for parameter in ID_PARAMETERS)
            response = cells.request(client, "get", name, f"{path}?{query}", ODD)
            page = client.get(path)
            if page.status_code == 200 and "text/html" in page.get("Content-Type", ""):
                fields = form_fields(page.content.decode())
                if fields:
                    query = "&".join(f"{field}={HUGE_TEXT}" for field in fields)
                    cells.request(client, "get", name, f"{path}?{query}", ODD)
                    if entry.write is not None and who in entry.write and not path.startswith("/api/"):
                        cells.request(client, "post", name, path, ODD, data=dict.fromkeys(fields, HUGE_TEXT))
            del response
        if entry.write is not None and who in entry.write and path.startswith("/api/") and not entry.multipart:
            body = entry.body(world, everyone) if entry.body else {}
            generic = {parameter: HUGE for parameter in ID_PARAMETERS if parameter not in ("page", "page_size")}
            for data in (huge_body(body), {**huge_body(body), **generic}):
                cells.request(client, entry.method, name, path, ODD, data=data, content_type="application/json")
    assert not cells.failures, f"{len(cells.failures)} of {cells.count} requests fail for {who}:\n" + "\n".join(
        cells.failures
    )


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
DATE_FIELDS = (
    "visited_at",
    "week_start",
    "start_date",
    "end_date",
    "date",
    "date_from",
    "date_to",
    "paid_on",
    "received_on",
    "planned_date",
    "week",
)


def with_years(value, year: str):
    """The body with every date (and date-time) moved to ``year``."""
    if isinstance(value, str) and DATE.match(value):
        return year + value[4:]
    if isinstance(value, dict):
        return {key: with_years(item, year) for key, item in value.items()}
    if isinstance(value, list):
        return [with_years(item, year) for item in value]
    return value


@pytest.mark.parametrize("who", ["admin", "manager", "finance", "rep"])
@pytest.mark.parametrize("year", ["9999", "0001", "1899", "3000"])
def test_dates_outside_1900_to_2999_are_refused_never_a_500(who, year, world, everyone):
    client = Client()
    client.force_login(everyone[who])
    patterns = resolver_urls()
    cells = Cells(who)
    day = f"{year}-12-27"
    for name, entry in MATRIX.items():
        if name in ("logout", "set_language") or name not in patterns:
            continue
        pk = the_object(world, entry.obj).pk if entry.obj else None
        path = path_for(name, patterns[name], pk)
        if entry.read is not None and who in entry.read:
            cells.request(client, "get", name, f"{path}?" + "&".join(f"{f}={day}" for f in DATE_FIELDS), ODD)
            page = client.get(path)
            if page.status_code == 200 and "text/html" in page.get("Content-Type", ""):
                dated = [field for field in form_fields(page.content.decode()) if field in DATE_FIELDS]
                if dated and entry.write is not None and who in entry.write and not path.startswith("/api/"):
                    cells.request(client, "post", name, path, ODD, data=dict.fromkeys(dated, day))
        if entry.write is not None and who in entry.write and path.startswith("/api/") and not entry.multipart:
            body = entry.body(world, everyone) if entry.body else {}
            generic = dict.fromkeys(DATE_FIELDS, day) | {"visited_at": f"{day}T10:00:00+08:00"}
            for data in (with_years(body, year), {**body, **generic}):
                cells.request(client, entry.method, name, path, ODD, data=data, content_type="application/json")
    assert not cells.failures, f"{len(cells.failures)} of {cells.count} requests fail for {who}:\n" + "\n".join(
        cells.failures
    )
