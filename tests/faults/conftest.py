"""Fault tests: a private ``redis-server`` and real workers that the tests start, stop and kill
themselves (``tests.workers``), so that the machine's own Redis and workers stay up."""

from __future__ import annotations

import pytest

from tests.workers import RedisServer, start_worker


@pytest.fixture
def private_redis():
    """``redis-server`` on a free port of its own, started; stopped at the end of the test."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(transactional_db, private_redis):
    """``workers(broker_url, **options)`` → a started worker (``tests.workers.start_worker``); every worker
    started is stopped at the end of the test, before the database is flushed and Redis stopped."""
    started = []

    def start(broker_url: str, **options):
        worker = start_worker(broker_url, **options)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
