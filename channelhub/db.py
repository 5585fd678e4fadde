"""What the project needs from the database layer beyond Django's defaults, in one place: every branch on
the database vendor lives here (a test checks that no other module asks ``connection.vendor``).

* **Which database**: ``is_postgresql()``, ``supports_copy()``.
* **Writing many rows at once**, the cheapest way the database offers: ``copy_rows`` (PostgreSQL's
  ``COPY … FROM STDIN`` of plain tuples into named columns, in the caller's transaction; database
  errors come out as Django's) and ``insert_rows`` (unsaved objects whose IDs nobody needs back:
  ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere). Used by fact imports and a commission run's chunk.
* **Many values in one lookup**: ``where_in``/``rows_where`` (one array parameter on PostgreSQL, slices
  of ``in_batch_size()`` elsewhere) and ``any_of`` (``= ANY(ARRAY(subquery))``, which keeps to an index
  inside an OR on PostgreSQL).
* **Counters kept beside the rows they count** (roll-ups): ``add_to_counters`` (an upsert that adds),
  ``month_start_sql``.
* **Whole numbers beyond what a column holds never reach the database** (below).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter

from django.db import connection, models
from django.db.models import BooleanField, F, ForeignObject, Func, IntegerField, JSONField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import EmptyResultSet, In


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def supports_copy() -> bool:
    """``COPY … FROM STDIN`` is available (PostgreSQL)."""
    return is_postgresql()


# --- writing many rows at once ---------------------------------------------------------------------


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
    if not supports_copy():
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


def copy_rows_with_ids(model, objects: Sequence) -> list:
    """PostgreSQL: give the unsaved ``objects`` of ``model`` IDs from its sequence (one query) and ``COPY`` them
    in with those IDs — the caller needs the IDs and holds what keeps another writer from inserting the same
    rows (unique constraints still refuse a duplicate). Answers ``objects``, their ``pk`` set."""
    if not objects:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
    fields = list(meta.concrete_fields)
    stamped = [field for field in fields if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    for obj in objects:
        for field in stamped:
            field.pre_save(obj, True)
    getters = [_json_getter(field) if isinstance(field, JSONField) else attrgetter(field.attname) for field in fields]
    copy_rows(meta.db_table, [field.column for field in fields], ([get(obj) for get in getters] for obj in objects))
    return list(objects)


def update_rows(model, objects: Sequence, field_names: Sequence[str]) -> int:
    """Write ``field_names`` of the saved ``objects`` of ``model``: ``bulk_update`` elsewhere; on PostgreSQL their
    values are ``COPY``ed into a temporary table and written by one ``UPDATE … FROM`` (no CASE per row and
    field). Answers the rows written."""
    if not objects:
        return 0
    if not supports_copy():
        return model.objects.bulk_update(objects, field_names)
    from psycopg import sql

    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    getters = [_json_getter(field) if isinstance(field, JSONField) else attrgetter(field.attname) for field in fields]
    scratch = f"_update_{meta.db_table}"
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE IF NOT EXISTS {scratch} ON COMMIT DROP AS SELECT {pk}, {columns} FROM {table} "
                "WITH NO DATA"
            ).format(
                scratch=sql.Identifier(scratch),
                pk=sql.Identifier(meta.pk.column),
                columns=sql.SQL(", ").join(sql.Identifier(field.column) for field in fields),
                table=sql.Identifier(meta.db_table),
            )
        )
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(scratch)))
    copy_rows(
        scratch,
        [meta.pk.column, *(field.column for field in fields)],
        ([obj.pk, *(get(obj) for get in getters)] for obj in objects),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("UPDATE {table} SET {sets} FROM {scratch} WHERE {table}.{pk} = {scratch}.{pk}").format(
                table=sql.Identifier(meta.db_table),
                scratch=sql.Identifier(scratch),
                pk=sql.Identifier(meta.pk.column),
                sets=sql.SQL(", ").join(
                    sql.SQL("{column} = {scratch}.{column}").format(
                        column=sql.Identifier(field.column), scratch=sql.Identifier(scratch)
                    )
                    for field in fields
                ),
            )
        )
        return cursor.rowcount


def _json_getter(field):
    def get(obj):
        value = getattr(obj, field.attname)
        return None if value is None else json.dumps(value, cls=field.encoder)

    return get


def delete_where_in(model, column: str, values: Sequence) -> int:
    """``DELETE`` the rows of ``model`` whose ``column`` is among ``values``, in SQL: no Django collector
    (no query per related model, no signals). For rows nothing points at, or whose database foreign
    keys decide: the caller has moved or let go what referred to them. Answers the count deleted."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(column).column)
    deleted = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [list(values)])
            return cursor.rowcount
        for part in slices(values):
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(part))})", part)
            deleted += cursor.rowcount
    return deleted


# --- counters kept beside the rows they count (roll-ups) --------------------------------------------


def add_to_counters(model, keys: Sequence[str], figures: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Add ``rows`` (tuples: the ``keys`` columns, then the ``figures`` columns) to the counter rows of
    ``model``: a missing row is inserted, an existing one gets the figures added — ``INSERT … ON CONFLICT
    (keys) DO UPDATE SET f = f + EXCLUDED.f``, one statement per few hundred rows (PostgreSQL and SQLite).
    Additions commute, so concurrent writers never lose one another's (the conflicting row is locked);
    the rows go in key order, so two writers lock shared rows in the same order (no deadlock). ``model``
    needs a unique constraint on ``keys``. A row of zeros is written like any other."""
    rows = sorted(rows, key=lambda row: tuple(str(value) for value in row[: len(keys)]))
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [quote(model._meta.get_field(name).column) for name in (*keys, *figures)]
    added = ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in columns[len(keys) :])
    conflict = ", ".join(columns[: len(keys)])
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(500, in_batch_size() // len(columns)))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET {added}",
                [value for row in part for value in row],
            )


def month_start_sql(column: str) -> str:
    """SQL of the first day of the month of the date ``column`` (already quoted)."""
    if is_postgresql():
        return f"date_trunc('month', {column})::date"
    return f"date({column}, 'start of month')"


# --- many values in one lookup -------------------------------------------------------------------


def in_batch_size() -> int:
    """How many values one ``IN (…)`` may carry on this database."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        try:
            return max(500, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 100)
        except AttributeError:  # Python before 3.11
            return 900
    return 20_000


def slices(values: Iterable) -> Iterator[list]:
    values = sorted(set(values), key=str)
    size = in_batch_size()
    for start in range(0, len(values), size):
        yield values[start : start + size]


def where_in(queryset: models.QuerySet, field_name: str, values: Iterable) -> Iterator[models.QuerySet]:
    """``queryset`` filtered on ``field_name`` among ``values``: on PostgreSQL one query with the values
    as one array parameter (``IN (SELECT unnest(%s))``: 100,000 references cost one parameter, not
    100,000 placeholders to build and parse); elsewhere one query per slice of ``in_batch_size()``."""
    if is_postgresql():
        values = list(set(values))
        if values:
            array = "bigint[]" if all(type(value) is int for value in values) else "text[]"
            yield queryset.filter(**{f"{field_name}__in": RawSQL(f"SELECT unnest(%s::{array})", (values,))})
        return
    for part in slices(values):
        yield queryset.filter(**{f"{field_name}__in": part})


def rows_where(queryset: models.QuerySet, field_name: str, values: Iterable) -> list:
    found = []
    for part in where_in(queryset, field_name, values):
        found.extend(part)
    return found


class _EqualsAny(Func):
    """``field = ANY(ARRAY(subquery))`` (PostgreSQL): the subquery runs once, and the index on ``field``
    serves the comparison even inside an OR (``field IN (subquery)`` there is a hashed subplan tested
    against every row of the table)."""

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra_context):
        field, array = self.get_source_expressions()
        field_sql, field_params = compiler.compile(field)
        array_sql, array_params = compiler.compile(array)
        return f"{field_sql} = ANY({array_sql})", (*field_params, *array_params)


def any_of(field: str, subquery: QuerySet) -> Q:
    """Rows whose ``field`` is among the single column of ``subquery``, in a form that keeps to an index
    when OR-ed with other conditions (PostgreSQL; other databases: a plain ``IN``)."""
    if is_postgresql():
        from django.contrib.postgres.expressions import ArraySubquery

        return Q(_EqualsAny(F(field), ArraySubquery(subquery)))
    return Q(**{f"{field}__in": subquery})


# --- whole numbers beyond what a column holds -----------------------------------------------------
#
# **Whole numbers beyond what a column holds never reach the database.** Django (5.x) answers an
# ``exact``/``gt``/``lt`` lookup on an integer column with a number outside the column's range with "no
# rows" instead of sending it — but not an ``in`` lookup, nor a lookup through a foreign key
# (``dealer=…``, ``profile__manager=…``): those send the number, and SQLite raises ``OverflowError``,
# PostgreSQL "bigint out of range", a 500 for any request carrying an ID past 64 bits (a filter, a
# multiple choice of a form, an API body). The lookups below drop such numbers the way Django's own do:
# an ``in`` keeps the numbers in range (none left: no rows), an ``exact`` through a foreign key matches
# no row. ``register_lookups`` is called once from ``ChannelhubConfig.ready``.


def integer_range(field, connection) -> tuple[int | None, int | None] | None:
    """The (low, high) a whole-number column of ``field`` holds (a foreign key: its target's), or None."""
    while getattr(field, "target_field", None) is not None and field.is_relation:
        field = field.target_field
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:  # not a whole-number column
        return None


def _outside(value, bounds) -> bool:
    if bounds is None or isinstance(value, bool) or not isinstance(value, int):
        return False
    low, high = bounds
    return (low is not None and value < low) or (high is not None and value > high)


class InRange:
    """For an ``in`` lookup: keep the values the column can hold; with none left, no rows."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            bounds = integer_range(self.lhs.output_field, connection)
            self.rhs = [value for value in self.rhs if not _outside(value, bounds)]
        return super().process_rhs(compiler, connection)


class IntegerFieldIn(InRange, In):
    pass


class RelatedInRange(InRange, RelatedIn):
    pass


class RelatedExactInRange(RelatedExact):
    """``dealer=<id>``: an ID the column cannot hold matches no row."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value() and _outside(self.rhs, integer_range(self.lhs.output_field, connection)):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register_lookups() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    ForeignObject.register_lookup(RelatedInRange)
    ForeignObject.register_lookup(RelatedExactInRange)
