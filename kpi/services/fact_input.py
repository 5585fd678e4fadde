"""Reading the items of a fact batch: one value at a time (amounts, dates, IDs, codes), and the rows
the whole batch names (dealers, users, territories, product lines) in one query per kind — a few
more only beyond SQLite's limit of parameters per query (PostgreSQL takes the values as one array).

The lookups read plain values (named tuples), not model instances: a 100,000-row import names
thousands of dealers, and building a model instance for each costs more than the query."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import people_by_login_or_employee_no
from channelhub.db import rows_where
from channelhub.periods import YEARS
from channelhub.roles import Role
from channelhub.scoping import scope
from kpi.models import SalesRecord
from partners.models import Dealer, ProductLine, Territory

User = get_user_model()

#: ``amount`` is ``max_digits=14, decimal_places=2``.
AMOUNT_LIMIT = Decimal("1000000000000")
CENT = Decimal("0.01")

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d+)?|\.\d+)$")
#: The common case, read without the checks below: at most 12 digits and 2 decimals.
_SIMPLE_AMOUNT = re.compile(r"-?\d{1,12}(?:\.\d{1,2})?")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
#: A date, optionally at midnight (how a date cell reads once a tool has turned it into text).
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00)?)?$")


class BadValue(Exception):
    """One value that cannot be used; its text is the reason shown."""


def text_of(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_amount(value: Any) -> Decimal:
    """A money amount with at most two decimals, written plainly (``1250``, ``-80.5``, ``1,250.00``).

    More decimals are refused, never rounded (``12.345``); so is scientific notation (``1e3``), which in
    a file usually means a number a spreadsheet mangled. Trailing zeros are fine (``12.340``)."""
    if type(value) is str and _SIMPLE_AMOUNT.fullmatch(text := value.strip()):
        return Decimal(text).quantize(CENT)
    if isinstance(value, bool):
        raise BadValue(_("Write the amount as a number such as 1250.00."))
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text of the float, as the spreadsheet shows it
    else:
        text = text_of(value).replace(" ", "")
        if not text:
            raise BadValue(_("An amount is required."))
        if _GROUPED_NUMBER.match(text):
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.match(text):
            raise BadValue(_("Write the amount as a plain number such as 1250.00 (no letters, no exponent)."))
        number = Decimal(text)
    if not number.is_finite():
        raise BadValue(_("Write the amount as a number such as 1250.00."))
    try:
        cents = number.quantize(CENT)
    except InvalidOperation:
        raise BadValue(_("The amount is too large.")) from None
    if cents != number:
        raise BadValue(_("An amount has at most two decimals; it is never rounded."))
    if abs(cents) >= AMOUNT_LIMIT:
        raise BadValue(_("The amount is too large."))
    return cents


def parse_date(value: Any) -> date:
    """A date: a date (or a spreadsheet date cell), or text ``YYYY-MM-DD`` (``2026/7/3`` too)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        match = _DATE.match(text_of(value))
        if not match:
            raise BadValue(_("Enter a date as YYYY-MM-DD.") if text_of(value) else _("A date is required."))
        try:
            day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise BadValue(_("This date does not exist.")) from None
    if day.year not in YEARS:
        raise BadValue(
            _("Enter a date between %(first)d and %(last)d.") % {"first": YEARS.start, "last": YEARS.stop - 1}
        )
    return day


def an_id(value: Any) -> int | None:
    """An ID from an instance, a number or digits; ``None`` when ``value`` is none of these."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = text_of(value)
    return int(text) if text.isascii() and text.isdigit() else None


def a_code(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if isinstance(value, models.Model):
        return value.code
    return text_of(value)


# --- lookups: one query per kind of thing (a few for very large batches) ---------------------------


class DealerRow(NamedTuple):
    id: int
    code: str
    name: str
    owner_id: int | None
    territory_id: int
    territory_path: str


class UserRow(NamedTuple):
    id: int
    username: str
    is_field_rep: bool


class TerritoryRow(NamedTuple):
    id: int
    path: str


@dataclass
class Lookups:
    dealers_by_id: dict[int, DealerRow]
    dealers_by_code: dict[str, DealerRow]
    users_by_id: dict[int, UserRow]
    #: a login or an employee number → its user (``AMBIGUOUS``: one user's login, another's number)
    users_by_name: dict[str, UserRow]
    territories: dict[str, TerritoryRow]
    #: product line code → ID
    product_lines: dict[str, int]


#: The largest primary key a database holds (a signed 64-bit integer); a larger ID names no row, and the
#: database drivers refuse to bind it (SQLite raises ``OverflowError``), so lookups leave it out.
MAX_ID = 2**63 - 1


def _lookup_ids(items: Sequence[Mapping[str, Any]], field_name: str) -> set[int]:
    raw = (an_id(item.get(field_name)) for item in items if item.get(field_name) not in (None, ""))
    return {i for i in raw if i and -MAX_ID <= i <= MAX_ID}


def _codes(items: Sequence[Mapping[str, Any]], field_name: str) -> set[str]:
    return {a_code(value) for item in items if (value := item.get(field_name)) not in (None, "")} - {""}


def load_lookups(actor, model, items: Sequence[Mapping[str, Any]]) -> Lookups:
    dealer_ids = _lookup_ids(items, "dealer")
    dealer_codes = _codes(items, "dealer_code")
    dealers = scope(actor, Dealer).values_list("id", "code", "name", "owner_id", "territory_id", "territory__path")
    by_id = {row[0]: DealerRow(*row) for row in rows_where(dealers, "pk", dealer_ids)}
    by_code = {row[1]: DealerRow(*row) for row in rows_where(dealers, "code", dealer_codes)}

    user_ids = _lookup_ids(items, "rep")
    user_ids |= {dealer.owner_id for dealer in [*by_id.values(), *by_code.values()] if dealer.owner_id}
    usernames = {text_of(value) for item in items if (value := item.get("rep_username")) not in (None, "")} - {""}
    is_rep = Exists(
        User.groups.through.objects.filter(user_id=OuterRef("pk"), group__in=Group.objects.filter(name=Role.FIELD_REP))
    )
    users = User._default_manager.annotate(is_field_rep=is_rep).values_list("id", "username", "is_field_rep")
    users_by_id = {row[0]: UserRow(*row) for row in rows_where(users, "pk", user_ids)}
    numbered = users.values_list("id", "username", "is_field_rep", "profile__employee_no")
    users_by_name = people_by_login_or_employee_no(
        {row[1]: UserRow(*row) for row in rows_where(users, "username", usernames)},
        {row[3]: UserRow(*row[:3]) for row in rows_where(numbered, "profile__employee_no", usernames)},
    )

    territories, product_lines = {}, {}
    if model is SalesRecord:
        rows = rows_where(Territory.objects.values_list("code", "id", "path"), "code", _codes(items, "ship_to"))
        territories = {code: TerritoryRow(pk, path) for code, pk, path in rows}
        rows = rows_where(ProductLine.objects.values_list("code", "id"), "code", _codes(items, "category"))
        product_lines = dict(rows)
    return Lookups(by_id, by_code, users_by_id, users_by_name, territories, product_lines)
