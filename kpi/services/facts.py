"""Facts (SPEC §5): sales, collections and expenses, recorded one at a time or by the thousand.

``facts_record`` takes a list of items (from the form, the API or an import file) and records all of
them or none:

* every item is checked — dealer, rep, date, amount, reference, category, ship-to — and every bad
  item is reported with its index, field and reason (``FactsRejected``, a ``ValidationError``);
* a reference already recorded with the same values is skipped as *unchanged* (a re-import adds
  nothing); with different values it is an error, since facts are never changed;
* a new fact dated in a closed period refuses the whole batch (``PeriodClosed``, 409, naming it);
* sales shipped outside every territory of the dealer's signed agreements that cover the sale date
  are flagged as channel conflicts (窜货), and the managers covering those dealers are notified once
  per batch;
* the checks other apps registered (``register_sale_check``) flag the new sales too: the dealer accounts
  set ``over_credit`` (超信用额度) on a sale that takes its dealer's receivable above the credit limit.

The checks are set-based (``kpi.services.fact_input``): the dealers, reps, territories, product lines, existing references and
agreements a batch names are read in one query each (a few more only for batches beyond the
database's parameter limit). Items are checked into plain rows (dicts of column values), not model
instances; instances are made only for what a caller reads (``FactBatch.new``: the API's answer, an
import's preview, the notified conflicts). The new rows are written with ``bulk_create`` — or, for an
import on PostgreSQL (``returning=False``), with ``COPY`` in the same transaction, which does not read
back the new IDs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channelhub.accounts.selectors import AMBIGUOUS
from channelhub.db import copy_rows, supports_copy, where_in
from channelhub.errors import Conflict
from kpi.models import Collection, Expense, Fact, Period, SalesRecord
from kpi.policies import require_recorder
from kpi.services.conflicts import conflicts_notify, is_channel_conflict, signed_agreement_territories
from kpi.services.fact_input import (
    BadValue,
    DealerRow,
    Lookups,
    a_code,
    an_id,
    load_lookups,
    parse_amount,
    parse_date,
    text_of,
)
from kpi.services.periods import check_open, period_code, periods_ensure
from kpi.services.rollups import facts_rolled_up
from partners.models import Dealer, ProductLine, Territory


class Kind(models.TextChoices):
    SALES = "sales", gettext_lazy("Sales")
    COLLECTIONS = "collections", gettext_lazy("Collections")
    EXPENSES = "expenses", gettext_lazy("Expenses")


MODELS: dict[str, type[Fact]] = {Kind.SALES: SalesRecord, Kind.COLLECTIONS: Collection, Kind.EXPENSES: Expense}

#: Most items one call of the API may carry; imports go up to ``kpi.imports.MAX_ROWS``.
MAX_BATCH = 5000
#: Rows per INSERT (SQLite's own parameter limit may make Django split further).
INSERT_BATCH = 1000
#: The columns a fact row holds besides ``created_by_id``/``created_at``, per kind (``COPY`` writes them in
#: this order).
COLUMNS = {
    SalesRecord: (
        "reference", "date", "amount", "note", "dealer_id", "rep_id", "category_id", "ship_to_territory_id",
        "channel_conflict", "over_credit",
    ),
    Collection: ("reference", "date", "amount", "note", "dealer_id", "rep_id"),
    Expense: ("reference", "date", "amount", "note", "dealer_id", "rep_id", "category"),
}  # fmt: skip
#: Names of the item keys, in the order errors are reported.
FIELDS = ("reference", "date", "dealer", "dealer_code", "rep", "rep_username", "amount", "category", "ship_to", "note")


#: Checks of new sales other apps register (``register_sale_check``), run in the order registered.
_SALE_CHECKS: list[Callable[[list[dict[str, Any]]], None]] = []


def register_sale_check(check: Callable[[list[dict[str, Any]]], None]) -> None:
    """Run ``check(rows)`` on the new sales of every batch (dry runs included), after the channel-conflict
    check and before they are written: ``rows`` are their column values (dicts with ``dealer_id``, ``date``,
    ``amount`` …) in the batch's order, and the check sets the flags it owns (``over_credit``). A check reads
    in a fixed number of queries for the whole batch. kpi knows no app that registers one."""
    if check not in _SALE_CHECKS:
        _SALE_CHECKS.append(check)


def model_of(kind: str) -> type[Fact]:
    try:
        return MODELS[kind]
    except KeyError:
        raise ValueError(f"Unknown kind of fact {kind!r}") from None


# --- results and errors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FactError:
    index: int  #: the item's position in the batch, from 0
    field: str  #: one of ``FIELDS``; "" when the reason concerns the whole item
    message: str
    value: str = ""


class FactsRejected(ValidationError):
    """A batch with bad items: nothing was recorded. ``errors`` lists each bad item's index, field and
    reason; as a plain ``ValidationError`` the messages are keyed by field (a form shows them)."""

    def __init__(self, errors: list[FactError], *, batch_size: int) -> None:
        self.errors = errors
        self.batch_size = batch_size
        by_field: dict[str, list[str]] = defaultdict(list)
        for error in errors:
            message = error.message
            if batch_size > 1:
                message = _("Item %(number)d: %(message)s") % {"number": error.index + 1, "message": message}
            by_field[error.field or NON_FIELD_ERRORS].append(message)
        super().__init__(dict(by_field))

    @property
    def bad_items(self) -> int:
        return len({error.index for error in self.errors})


@dataclass
class FactBatch:
    """What a batch did (or, on a dry run, would do)."""

    kind: str
    dry_run: bool
    total: int
    #: (index, column values) of the new facts, in input order; saved unless ``dry_run``.
    new_rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    #: (index, id of the fact already recorded) of the items skipped as unchanged.
    unchanged: list[tuple[int, int]] = field(default_factory=list)
    actor: Any = None
    _facts: list[Fact] | None = field(default=None, repr=False)

    @property
    def new(self) -> list[tuple[int, Fact]]:
        """(index, fact) of the new facts, as model instances (made on first use). They carry their IDs
        once saved by ``bulk_create``; not after a ``COPY`` (``returning=False``)."""
        if self._facts is None:
            self._facts = facts_of(self.kind, [values for _index, values in self.new_rows], self.actor)
        return [(index, fact) for (index, _values), fact in zip(self.new_rows, self._facts, strict=True)]

    def new_facts(self, limit: int) -> list[tuple[int, Fact]]:
        """The first ``limit`` of ``new`` without making the others (an import's preview)."""
        if self._facts is not None:
            return self.new[:limit]
        head = self.new_rows[:limit]
        facts = facts_of(self.kind, [values for _index, values in head], self.actor)
        return [(index, fact) for (index, _values), fact in zip(head, facts, strict=True)]

    @property
    def created(self) -> list[Fact]:
        return [] if self.dry_run else [fact for _index, fact in self.new]

    @property
    def conflicts(self) -> int:
        return sum(1 for _index, values in self.new_rows if values.get("channel_conflict"))


#: Fields compared with a stored fact of the same reference, per kind (``rep_id`` and
#: ``ship_to_territory_id`` only when the item gave them, not when they were defaulted).
_COMPARED = {
    SalesRecord: ("dealer_id", "rep_id", "date", "amount", "note", "category_id", "ship_to_territory_id"),
    Collection: ("dealer_id", "rep_id", "date", "amount", "note"),
    Expense: ("dealer_id", "rep_id", "date", "amount", "note", "category"),
}
_FIELD_OF_ATTRIBUTE = {
    "dealer_id": "dealer",
    "rep_id": "rep",
    "date": "date",
    "amount": "amount",
    "note": "note",
    "category_id": "category",
    "category": "category",
    "ship_to_territory_id": "ship_to_territory",
}


def _existing(model, references: Iterable[str]) -> dict[str, dict[str, Any]]:
    rows = []
    fields = ("id", "reference", *_COMPARED[model])
    for part in where_in(model._default_manager.values_list(*fields), "reference", references):
        rows.extend(part)
    return {row[1]: dict(zip(fields, row, strict=True)) for row in rows}


def facts_of(kind: str, rows: Sequence[Mapping[str, Any]], actor) -> list[Fact]:
    """Unsaved model instances of ``rows`` (column values), with their dealer (and its territory), rep,
    category and ship-to read in one query each."""
    model = model_of(kind)
    if not rows:
        return []
    dealers = Dealer.objects.select_related("territory").in_bulk({row["dealer_id"] for row in rows})
    reps = get_user_model()._default_manager.in_bulk({row["rep_id"] for row in rows})
    facts = []
    if model is SalesRecord:
        lines = ProductLine.objects.in_bulk({row["category_id"] for row in rows} - {None})
        territories = Territory.objects.in_bulk({row["ship_to_territory_id"] for row in rows} - {None})
    for row in rows:
        fact = model(created_by=actor, **row)
        fact.dealer, fact.rep = dealers[row["dealer_id"]], reps[row["rep_id"]]
        if model is SalesRecord:
            fact.category = lines.get(row["category_id"])
            fact.ship_to_territory = territories.get(row["ship_to_territory_id"])
        facts.append(fact)
    return facts


# --- the service -----------------------------------------------------------------------------------


def _describe_item(index: int) -> str:
    return _("item %(number)d") % {"number": index + 1}


def _memo(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse`` remembering its answer (or its ``BadValue``) for each text: a file has few distinct dates."""
    seen: dict[str, Any] = {}

    def parsed(value: Any) -> Any:
        if type(value) is not str:
            return parse(value)
        try:
            answer = seen[value]
        except KeyError:
            try:
                answer = parse(value)
            except BadValue as error:
                answer = error
            seen[value] = answer
        if isinstance(answer, BadValue):
            raise BadValue(str(answer))
        return answer

    return parsed


def facts_record(
    *,
    actor,
    kind: str,
    items: Sequence[Mapping[str, Any]],
    dry_run: bool = False,
    max_items: int = MAX_BATCH,
    describe: Callable[[int], str] = _describe_item,
    returning: bool = True,
) -> FactBatch:
    """Record ``items`` as facts of ``kind`` — all of them or none (see the module's docstring).

    Each item is a mapping with ``reference``, ``date``, ``amount``, ``note`` and:

    * the dealer: ``dealer`` (an ID or a ``Dealer``) or ``dealer_code``;
    * the rep, optional: ``rep`` (an ID or a user) or ``rep_username`` (a login or an employee number);
      by default the dealer's owner;
    * sales: ``category`` (a product line code), ``ship_to`` (a territory code; by default the dealer's
      territory); expenses: ``category`` (one of ``Expense.Category``, by default ``other``).

    ``describe(index)`` names an item in messages ("row 12" for an import). ``returning=False`` lets
    PostgreSQL write with ``COPY``: the new facts' IDs are then not read back. Raises ``FactsRejected``
    (400) for bad items, ``PeriodClosed`` (409) when a new fact falls in a closed period.
    """
    require_recorder(actor)
    model = model_of(kind)
    if not items:
        raise ValidationError(_("There is nothing to record."))
    if len(items) > max_items:
        raise ValidationError(
            _("At most %(max)d facts can be recorded at once; this batch has %(count)d. Split it.")
            % {"max": max_items, "count": len(items)}
        )
    lookups = load_lookups(actor, model, items)
    errors: list[FactError] = []
    candidates: list[tuple[int, dict[str, Any], set[str]]] = []  # (index, column values, attributes defaulted)
    first_index: dict[str, int] = {}
    days: list[date | None] = []  # each item's date, when it has a valid one
    check = _Checker(model, lookups, _memo(parse_date), actor_id=actor.pk)
    for index, item in enumerate(items):
        values, defaulted, item_errors, day = check(item, index)
        days.append(day)
        reference = values["reference"] if values is not None else text_of(item.get("reference"))
        if reference:
            if reference in first_index:
                item_errors.append(
                    FactError(
                        index,
                        "reference",
                        _("The reference %(reference)s is already used by %(other)s of this batch.")
                        % {"reference": reference, "other": describe(first_index[reference])},
                        reference,
                    )
                )
            else:
                first_index[reference] = index
        if item_errors:
            errors.extend(item_errors)
        elif values is not None:
            candidates.append((index, values, defaulted))

    batch = FactBatch(kind=kind, dry_run=dry_run, total=len(items), actor=actor)
    existing = _existing(model, first_index)
    new: list[tuple[int, dict[str, Any]]] = []
    compared = _COMPARED[model]
    for index, values, defaulted in candidates:
        stored = existing.get(values["reference"])
        if stored is None:
            new.append((index, values))
            continue
        differing = [a for a in compared if a not in defaulted and values[a] != stored[a]]
        if differing:
            names = ", ".join(str(model._meta.get_field(_FIELD_OF_ATTRIBUTE[a]).verbose_name) for a in differing)
            errors.append(
                FactError(
                    index,
                    "reference",
                    _(
                        "The reference %(reference)s is already recorded with other values (%(fields)s). Facts "
                        "cannot be changed: record a correction under a new reference."
                    )
                    % {"reference": values["reference"], "fields": names},
                    values["reference"],
                )
            )
        else:
            batch.unchanged.append((index, stored["id"]))

    # A closed period refuses the whole batch, bad items or not; unchanged facts add nothing to it.
    unchanged = {index for index, _pk in batch.unchanged}
    check_open({day for index, day in enumerate(days) if day is not None and index not in unchanged})
    if errors:
        errors.sort(key=lambda error: (error.index, FIELDS.index(error.field) if error.field in FIELDS else -1))
        raise FactsRejected(errors, batch_size=len(items))

    if model is SalesRecord and new:
        agreements = signed_agreement_territories({values["dealer_id"] for _index, values in new})
        paths = check.ship_to_paths
        for index, values in new:
            values["channel_conflict"] = is_channel_conflict(
                paths[index], values["date"], agreements.get(values["dealer_id"], ())
            )
        for sale_check in _SALE_CHECKS:
            sale_check([values for _index, values in new])
    batch.new_rows = new
    if not dry_run and new:
        _save(model, batch, copy=not returning and supports_copy())
    return batch


def fact_record(*, actor, kind: str, **item: Any) -> tuple[Fact, bool]:
    """Record one fact; returns it and whether it is new (``False``: the same fact was already recorded)."""
    batch = facts_record(actor=actor, kind=kind, items=[item])
    if batch.new:
        return batch.new[0][1], True
    return model_of(kind)._default_manager.get(pk=batch.unchanged[0][1]), False


class _Checker:
    """Checks one item at a time into the column values of its fact (see ``__call__``)."""

    def __init__(self, model, lookups: Lookups, date_of: Callable[[Any], date], *, actor_id: int | None = None) -> None:
        self.model, self.lookups, self.date_of = model, lookups, date_of
        #: who records: nobody records a fact attributed to themselves (segregation of duties, §2)
        self.actor_id = actor_id
        #: item index → path of the ship-to territory (sales), for the channel conflicts
        self.ship_to_paths: dict[int, str] = {}

    def __call__(self, item: Mapping[str, Any], index: int):
        """The column values of one item's fact (``None`` when it is bad), the attributes that took a
        default, the item's errors and its date (``None`` when it has no valid one)."""
        model, lookups = self.model, self.lookups
        errors: list[FactError] = []
        defaulted: set[str] = set()

        def bad(name: str, message: str, value: Any = "") -> None:
            errors.append(
                FactError(index, name, message, text_of(value) if not isinstance(value, models.Model) else "")
            )

        values: dict[str, Any] = {}
        reference = text_of(item.get("reference"))
        if not reference:
            bad("reference", _("A reference is required."))
        elif len(reference) > 64:
            bad("reference", _("A reference has at most 64 characters."), reference)
        values["reference"] = reference

        day = amount = None
        try:
            day = values["date"] = self.date_of(item.get("date"))
        except BadValue as error:
            bad("date", str(error), item.get("date"))
        try:
            amount = values["amount"] = parse_amount(item.get("amount"))
        except BadValue as error:
            bad("amount", str(error), item.get("amount"))
        if amount is not None:
            if model is SalesRecord and amount == 0:
                bad(
                    "amount", _("A sale's amount cannot be 0 (a negative amount is a credit note)."), item.get("amount")
                )
            elif model is not SalesRecord and amount <= 0:
                bad("amount", _("The amount must be greater than 0."), item.get("amount"))

        note = text_of(item.get("note"))
        if len(note) > 200:
            bad("note", _("A note has at most 200 characters."))
        values["note"] = note

        dealer = _dealer(item, lookups, bad)
        if dealer is not None:
            values["dealer_id"] = dealer.id
        rep = _rep(item, dealer, lookups, bad, defaulted)
        if rep is not None and rep.id == self.actor_id:
            bad(
                "rep_username" if item.get("rep") in (None, "") and item.get("rep_username") else "rep",
                _(
                    "Segregation of duties: you cannot record a fact attributed to yourself (%(username)s); "
                    "another member of finance records it."
                )
                % {"username": rep.username},
                rep.username,
            )
        elif rep is not None:
            values["rep_id"] = rep.id

        if model is SalesRecord:
            category_code = a_code(item.get("category"))
            values["category_id"] = None
            if category_code:
                values["category_id"] = lookups.product_lines.get(category_code)
                if values["category_id"] is None:
                    bad("category", _("Unknown product line “%(code)s”.") % {"code": category_code}, category_code)
            ship_to_code = a_code(item.get("ship_to"))
            if ship_to_code:
                territory = lookups.territories.get(ship_to_code)
                if territory is None:
                    bad("ship_to", _("Unknown territory “%(code)s”.") % {"code": ship_to_code}, ship_to_code)
                else:
                    values["ship_to_territory_id"] = territory.id
                    self.ship_to_paths[index] = territory.path
            elif dealer is not None:
                values["ship_to_territory_id"] = dealer.territory_id
                self.ship_to_paths[index] = dealer.territory_path
                defaulted.add("ship_to_territory_id")
            values["channel_conflict"] = False
            values["over_credit"] = False
        elif model is Expense:
            category = text_of(item.get("category")).lower() or Expense.Category.OTHER
            if category not in Expense.Category.values:
                bad(
                    "category",
                    _("Unknown expense category “%(value)s”; use one of: %(choices)s.")
                    % {"value": category, "choices": ", ".join(Expense.Category.values)},
                    category,
                )
            values["category"] = category

        if errors:
            return None, defaulted, errors, day
        return values, defaulted, errors, day


def _dealer(item, lookups: Lookups, bad) -> DealerRow | None:
    raw_id, code = item.get("dealer"), a_code(item.get("dealer_code"))
    if raw_id not in (None, ""):
        dealer_id = an_id(raw_id)
        if dealer_id is None:
            bad("dealer", _("Give the dealer's ID."), raw_id)
            return None
        dealer = lookups.dealers_by_id.get(dealer_id)
        if dealer is None:
            bad("dealer", _("Unknown dealer."), raw_id)
        elif code and code != dealer.code:
            bad("dealer_code", _("This is not the code of the dealer given by ID."), code)
        return dealer
    if not code:
        bad("dealer_code", _("A dealer code is required."))
        return None
    dealer = lookups.dealers_by_code.get(code)
    if dealer is None:
        bad("dealer_code", _("Unknown dealer “%(code)s”.") % {"code": code}, code)
    return dealer


def _rep(item, dealer: DealerRow | None, lookups: Lookups, bad, defaulted: set[str]):
    raw_id, username = item.get("rep"), text_of(item.get("rep_username"))
    if raw_id not in (None, ""):
        user_id = an_id(raw_id)
        user = lookups.users_by_id.get(user_id) if user_id is not None else None
        name, shown = "rep", raw_id
    elif username:
        user = lookups.users_by_name.get(username)
        name, shown = "rep_username", username
        if user is AMBIGUOUS:
            bad(
                name,
                _(
                    "“%(value)s” is one user's login and another user's employee number; name the rep by "
                    "their other identifier instead."
                )
                % {"value": username},
                shown,
            )
            return None
    else:
        # The attribution at the time of the fact: the dealer's owner now.
        if dealer is None:
            return None
        defaulted.add("rep_id")
        if dealer.owner_id is None:
            bad("rep", _("The dealer %(code)s has no owner: name the rep.") % {"code": dealer.code})
            return None
        owner = lookups.users_by_id.get(dealer.owner_id)
        if owner is None or not owner.is_field_rep:
            bad("rep", _("The dealer %(code)s's owner is not a field rep: name the rep.") % {"code": dealer.code})
            return None
        return owner
    if user is None:
        bad(name, _("Unknown user."), shown)
        return None
    if not user.is_field_rep:
        bad(name, _("%(username)s is not a field rep.") % {"username": user.username}, shown)
        return None
    return user


def _save(model, batch: FactBatch, *, copy: bool) -> None:
    rows = [values for _index, values in batch.new_rows]
    days = {values["date"] for values in rows}
    codes = {period_code(day) for day in days}
    with transaction.atomic():
        periods_ensure(days)
        # Holds the months against a concurrent close (PostgreSQL), then looks again.
        list(Period.objects.select_for_update().filter(code__in=codes).values_list("pk", flat=True))
        check_open(days)
        try:
            with transaction.atomic():
                if copy:
                    _copy(model, rows, batch.actor)
                else:
                    model._default_manager.bulk_create([fact for _index, fact in batch.new], batch_size=INSERT_BATCH)
        except IntegrityError:
            raise Conflict(
                _("Some of these references were recorded by someone else a moment ago; send the batch again.")
            ) from None
        facts_rolled_up(model, rows)
        if model is SalesRecord:
            flagged = [(index, values) for index, values in batch.new_rows if values["channel_conflict"]]
            if flagged:
                conflicts_notify(facts_of(batch.kind, [values for _index, values in flagged], batch.actor))


def _copy(model, rows: Sequence[Mapping[str, Any]], actor) -> None:
    """Write ``rows`` with PostgreSQL's ``COPY`` (in the caller's transaction), stamped with who and when."""
    columns = COLUMNS[model]
    tail = (actor.pk, timezone.now())
    copy_rows(
        model._meta.db_table,
        (*columns, "created_by_id", "created_at"),
        ((*[values[name] for name in columns], *tail) for values in rows),
    )
