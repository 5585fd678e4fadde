"""Writing many rows at once, the cheapest way the database offers.

* ``copy_rows`` — PostgreSQL's ``COPY … FROM STDIN`` of plain tuples into named columns, in the
  caller's transaction; database errors come out as Django's (``IntegrityError`` …).
* ``insert_rows`` — unsaved model objects whose IDs nobody needs back: ``COPY`` on PostgreSQL,
  ``bulk_create`` elsewhere.

Used where thousands of rows are written in one go (fact imports, a commission run's chunk).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from operator import attrgetter

from django.db import connection
from django.db.models import JSONField


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """``COPY`` ``rows`` (tuples in the order of ``columns``) into ``table`` — PostgreSQL only. psycopg
    writes Python values (str, int, Decimal, date, datetime, None) itself; JSON goes as its text."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
    )
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            write(row)


def insert_rows(model, objects: Sequence) -> list:
    """Insert the unsaved ``objects`` of ``model`` when no ID is wanted back: ``COPY`` on PostgreSQL (no
    literal per value), ``bulk_create`` elsewhere. ``auto_now(_add)`` fields get their value as on a save.
    Answers ``objects``."""
    if not objects:
        return []
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objects)
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    stamped = [field for field in fields if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    for obj in objects:
        for field in stamped:
            field.pre_save(obj, True)
    getters = [_json_getter(field) if isinstance(field, JSONField) else attrgetter(field.attname) for field in fields]
    copy_rows(meta.db_table, [field.column for field in fields], ([get(obj) for get in getters] for obj in objects))
    return list(objects)


def _json_getter(field):
    def get(obj):
        value = getattr(obj, field.attname)
        return None if value is None else json.dumps(value, cls=field.encoder)

    return get
