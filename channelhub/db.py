"""What the project needs from the database layer beyond Django's defaults, in one place.

**Whole numbers beyond what a column holds never reach the database.** Django (5.x) answers an
``exact``/``gt``/``lt`` lookup on an integer column with a number outside the column's range with "no
rows" instead of sending it — but not an ``in`` lookup, nor a lookup through a foreign key
(``dealer=…``, ``profile__manager=…``): those send the number, and SQLite raises ``OverflowError``,
PostgreSQL "bigint out of range", a 500 for any request carrying an ID past 64 bits (a filter, a
multiple choice of a form, an API body). The lookups below drop such numbers the way Django's own do:
an ``in`` keeps the numbers in range (none left: no rows), an ``exact`` through a foreign key matches
no row. ``register_lookups`` is called once from ``ChannelhubConfig.ready``.
"""

from __future__ import annotations

from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import EmptyResultSet, In


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
