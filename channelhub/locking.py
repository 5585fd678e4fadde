"""Advisory locks, in one place: named key spaces, a time-out, and a clear answer when a lock can't be had.

A writer that must not pass another one side by side (two signings of clashing agreements, a run and a
period close, a run and an accepted dispute of the same rep) takes a transaction-scoped advisory lock on
PostgreSQL. Each use names its **key space** (``KeySpace("period")``) and the key inside it (a month, a
rep, a territory and product line); the 64-bit number PostgreSQL locks on is derived from both, so no
module picks integers by hand and two spaces never share a key.

Every acquisition first sets ``SET LOCAL lock_timeout`` (``settings.LOCK_TIMEOUT_MS``, for the rest of
the transaction), so a writer waits a bounded time. When the time runs out the caller gets ``Busy``: a
503 with ``Retry-After`` on the API, a message on the pages, and nothing written (the transaction rolls
back). SQLite runs one writer at a time anyway (``BEGIN IMMEDIATE`` with a busy time-out), so the locks
are no-ops there.

Several keys are taken in one query, in ascending order of their key values, so two writers of
overlapping sets wait for each other instead of deadlocking.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.db import OperationalError, connection
from django.utils.translation import gettext_lazy as _

from channelhub.db import is_postgresql
from channelhub.errors import DomainError

#: SQLSTATE of "lock_not_available" (a ``lock_timeout`` that ran out).
LOCK_NOT_AVAILABLE = "55P03"
DEFAULT_TIMEOUT_MS = 10_000


class Busy(DomainError):
    """A lock that could not be had within the time-out (503; nothing was written)."""

    status_code = 503
    default_message = _("Someone else is changing the same data right now. Nothing was saved; try again in a moment.")


class KeySpace:
    """A named family of advisory-lock keys. Names are unique across the project."""

    _names: set[str] = set()

    def __init__(self, name: str) -> None:
        if name in KeySpace._names:
            raise ValueError(f"Lock key space {name!r} is defined twice")
        KeySpace._names.add(name)
        self.name = name

    def key(self, *parts: object) -> int:
        """The signed 64-bit number PostgreSQL locks on for ``parts`` in this space."""
        text = "\x1f".join([self.name, *(str(part) for part in parts)])
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)

    def __repr__(self) -> str:
        return f"KeySpace({self.name!r})"


def _timeout_ms(timeout_ms: int | None) -> int:
    return int(timeout_ms if timeout_ms is not None else getattr(settings, "LOCK_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))


def hold(space: KeySpace, *parts: object, shared: bool = False, timeout_ms: int | None = None) -> None:
    """Take the lock of ``parts`` in ``space`` until the end of the current transaction."""
    hold_many(space, [parts], shared=shared, timeout_ms=timeout_ms)


def hold_many(space: KeySpace, keys: Iterable[object], *, shared: bool = False, timeout_ms: int | None = None) -> None:
    """Take the locks of several keys (each a value or a tuple of parts) in one query, in ascending
    order, until the end of the current transaction. ``Busy`` (503) when one can't be had in time."""
    if not is_postgresql():
        return  # keys may be a generator that reads rows: not even evaluated here
    numbers = sorted({space.key(*(key if isinstance(key, tuple) else (key,))) for key in keys})
    if not numbers:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Advisory locks are held until the end of a transaction: take them inside one")
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    sql = (
        f"SET LOCAL lock_timeout = {_timeout_ms(timeout_ms):d}; "
        f"SELECT {function}(key) FROM unnest(%s::bigint[]) WITH ORDINALITY AS k(key, n) ORDER BY n"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [numbers])
    except OperationalError as error:
        if is_lock_timeout(error):
            raise Busy() from error
        raise


def is_lock_timeout(error: BaseException) -> bool:
    """True for PostgreSQL's "lock_not_available" (a ``lock_timeout`` that ran out): Django's error wraps
    psycopg's, which carries the SQLSTATE."""
    return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE
