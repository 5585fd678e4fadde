"""Schemathesis against ``/api/v1/schema/`` (SPEC §8): every operation, as each role, answers what the
schema says — never a 5xx, a documented status code and content type, a body and headers that
conform to the documented response.

How it runs (in-process, no server):

* the schema is fetched from the WSGI application, and each generated request goes to it the same
  way (werkzeug's test client), authenticated with ``Authorization: Token …`` of the role's user;
* the world (``conftest.fuzz_world``) holds an object of every kind; besides the generated IDs
  (mostly unknown: 404), detail and action operations are also drawn with IDs the role sees;
* each example runs in a savepoint that is rolled back (and the cache is cleared), so no example
  sees what another one did: the results do not depend on order, and the login rate limit
  (django-axes, which counts failures in the database) never trips on ``auth/token``;
* Hypothesis is derandomized and keeps no example database: CI runs the same examples every time.

Checks not run, on purpose:

* ``positive_data_acceptance`` — "a request the schema allows must be accepted (2xx)". The server
  validates more than an OpenAPI schema can say: business rules (a dealer code already taken, a date
  in a closed period, a transition not allowed now, segregation of duties), cross-field rules
  (an end date after the start date, weights summing to 100) and the role's scope (an ID of a row
  that exists but is hidden answers 400 "unknown dealer"). These answers are documented (400, 403,
  409) and are correct; the check would flag them all.
  Tightening the schema would not remove these (they depend on the data, not on the shape of the
  request); the status codes they answer are checked by ``status_code_conformance``.
* ``negative_data_rejection`` — the reverse ("a request the schema forbids must be a 4xx"): DRF
  coerces leniently (``"12"`` for an integer, a number for a string), which is intended.

Operations are not excluded: ``auth/token`` included (POST answers 400 for generated credentials,
its failures roll back with the example; DELETE revokes a token only inside the example).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

SCHEMA_URL = "/api/v1/schema/"
ROLES = ["rep", "manager", "finance", "admin"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
#: Examples per operation, role and generation mode (positive, negative); the real-ID examples are
#: drawn among these. Bounded so that the four roles together stay well under 5 minutes in CI.
EXAMPLES = 5
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: it can cost hundreds of calls per failure; derandomized runs are reproducible and
    # each failure is reported with the request that caused it (a curl command).
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


@pytest.fixture(scope="module")
def app():
    return WSGIHandler()


@contextmanager
def connection_kept():
    """Requests go through Django's WSGI handler, which closes the database connection when a request
    ends — and with it the test's transaction. Django's test client prevents this the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api_schema(app, django_db_blocker):
    with django_db_blocker.unblock(), connection_kept():
        return schemathesis.openapi.from_wsgi(SCHEMA_URL, app)


@pytest.fixture
def keep_connection():
    with connection_kept():
        yield


def visible_ids(app, token: str, operation) -> list[int]:
    """A few IDs of rows the role sees, from the list of the operation's resource. (Through the WSGI
    application like the examples: Django's test client would connect ``close_old_connections`` again.)"""
    if "{id}" not in operation.path:
        return []
    client = Client(app)
    response = client.get(
        operation.path.split("{id}")[0], query_string={"page_size": 3}, headers={"Authorization": f"Token {token}"}
    )
    if response.status_code != 200:
        return []
    body = response.get_json()
    rows = body["results"] if isinstance(body, dict) else body
    return [row["id"] for row in rows if isinstance(row, dict) and "id" in row]


def strategy(operation, mode: GenerationMode, ids: list[int]):
    generated = operation.as_strategy(generation_mode=mode)
    known = [operation.as_strategy(generation_mode=mode, path_parameters={"id": pk}) for pk in ids]
    return st.one_of(generated, *known)


def has_input(operation) -> bool:
    """Parameters or a body to make invalid (the credentials, which the test sets, do not count)."""
    own = [p for p in operation.iter_parameters() if "x-original-security-type" not in p.definition]
    return bool(own or operation.body)


def run_operation(operation, token: str, ids: list[int], statuses: set[int]) -> list[str]:
    """Run the examples of one operation (the status codes answered go into ``statuses``); the
    failures found, one text each."""
    headers = {"Authorization": f"Token {token}"}
    failures = []
    modes = [GenerationMode.POSITIVE]
    if has_input(operation):
        modes.append(GenerationMode.NEGATIVE)
    for mode in modes:

        @HYPOTHESIS
        @given(case=strategy(operation, mode, ids))
        def examples(case):
            cache.clear()
            with transaction.atomic():
                try:
                    response = case.call(headers=headers)
                    statuses.add(response.status_code)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                finally:
                    transaction.set_rollback(True)

        try:
            examples()
        except (Exception, BaseExceptionGroup) as error:  # a FailureGroup of schemathesis, or what the call raised
            failures.append(f"{operation.label} [{mode.value}]\n{error}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_the_schema_says(role, app, api_schema, fuzz_world, keep_connection):
    token = Token.objects.create(user=fuzz_world[role]).key
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 90  # the whole API, not a filtered part of it
    failures, answered, seen = [], {}, {}
    for operation in operations:
        ids = seen[operation.label] = visible_ids(app, token, operation)
        answered[operation.label] = set()
        failures += run_operation(operation, token, ids, answered[operation.label])
    assert not failures, f"{len(failures)} failing operation(s) as {role}:\n\n" + "\n\n".join(failures)
    # The world's objects were reached: a detail of a row the role sees answered 200.
    unread = [label for label, ids in seen.items() if ids and label.startswith("GET ") and 200 not in answered[label]]
    assert not unread, f"as {role}, no example read a visible row: {unread}"
    assert sum(bool(ids) for ids in seen.values()) >= 10, seen
