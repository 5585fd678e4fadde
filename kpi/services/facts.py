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
  per batch.

The checks are set-based (``kpi.services.fact_input``): the dealers, reps, territories, product lines, existing references and
agreements a batch names are read in one query each (a few more only for batches beyond the
database's parameter limit), then the new rows are written with ``bulk_create``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channelhub.errors import Conflict
from channelhub.roles import Role, has_role
from kpi.models import Collection, Expense, Fact, Period, SalesRecord
from kpi.services.conflicts import is_channel_conflict, notify_channel_conflicts, signed_agreement_territories
from kpi.services.fact_input import (
    BadValue,
    Lookups,
    a_code,
    an_id,
    load_lookups,
    parse_amount,
    parse_date,
    slices,
    text_of,
)
from kpi.services.periods import check_open, ensure_periods, period_code
from partners.models import Dealer


class Kind(models.TextChoices):
    SALES = "sales", gettext_lazy("Sales")
    COLLECTIONS = "collections", gettext_lazy("Collections")
    EXPENSES = "expenses", gettext_lazy("Expenses")


MODELS: dict[str, type[Fact]] = {Kind.SALES: SalesRecord, Kind.COLLECTIONS: Collection, Kind.EXPENSES: Expense}

#: Most items one call of the API may carry; imports go up to ``kpi.imports.MAX_ROWS``.
MAX_BATCH = 5000
#: Rows per INSERT (SQLite's own parameter limit may make Django split further).
INSERT_BATCH = 1000
#: Names of the item keys, in the order errors are reported.
FIELDS = ("reference", "date", "dealer", "dealer_code", "rep", "rep_username", "amount", "category", "ship_to", "note")


def may_record(user) -> bool:
    """SPEC §2: finance (and admins) create and import facts; reps and managers only read them."""
    return has_role(user, Role.ADMIN, Role.FINANCE)


def require_recorder(user) -> None:
    if not may_record(user):
        raise PermissionDenied(_("Only finance records and imports sales, collections and expenses."))


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
    #: (index, fact) of the new facts, in input order; saved unless ``dry_run``.
    new: list[tuple[int, Fact]] = field(default_factory=list)
    #: (index, id of the fact already recorded) of the items skipped as unchanged.
    unchanged: list[tuple[int, int]] = field(default_factory=list)

    @property
    def created(self) -> list[Fact]:
        return [] if self.dry_run else [fact for _index, fact in self.new]

    @property
    def conflicts(self) -> int:
        return sum(1 for _index, fact in self.new if getattr(fact, "channel_conflict", False))


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
    for part in slices(references):
        rows.extend(model._default_manager.filter(reference__in=part).values("id", "reference", *_COMPARED[model]))
    return {row["reference"]: row for row in rows}


# --- the service -----------------------------------------------------------------------------------


def _describe_item(index: int) -> str:
    return _("item %(number)d") % {"number": index + 1}


def facts_record(
    *,
    actor,
    kind: str,
    items: Sequence[Mapping[str, Any]],
    dry_run: bool = False,
    max_items: int = MAX_BATCH,
    describe: Callable[[int], str] = _describe_item,
) -> FactBatch:
    """Record ``items`` as facts of ``kind`` — all of them or none (see the module's docstring).

    Each item is a mapping with ``reference``, ``date``, ``amount``, ``note`` and:

    * the dealer: ``dealer`` (an ID or a ``Dealer``) or ``dealer_code``;
    * the rep, optional: ``rep`` (an ID or a user) or ``rep_username``; by default the dealer's owner;
    * sales: ``category`` (a product line code), ``ship_to`` (a territory code; by default the dealer's
      territory); expenses: ``category`` (one of ``Expense.Category``, by default ``other``).

    ``describe(index)`` names an item in messages ("row 12" for an import). Raises ``FactsRejected``
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
    candidates: list[tuple[int, Fact, set[str]]] = []  # (index, unsaved fact, attributes defaulted)
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        fact, defaulted, item_errors = _build(model, item, index, lookups, actor)
        reference = fact.reference if fact is not None else text_of(item.get("reference"))
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
        errors.extend(item_errors)
        if fact is not None and not item_errors:
            candidates.append((index, fact, defaulted))

    batch = FactBatch(kind=kind, dry_run=dry_run, total=len(items))
    existing = _existing(model, first_index)
    new: list[tuple[int, Fact]] = []
    for index, fact, defaulted in candidates:
        stored = existing.get(fact.reference)
        if stored is None:
            new.append((index, fact))
            continue
        differing = [
            attribute
            for attribute in _COMPARED[model]
            if attribute not in defaulted and getattr(fact, attribute) != stored[attribute]
        ]
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
                    % {"reference": fact.reference, "fields": names},
                    fact.reference,
                )
            )
        else:
            batch.unchanged.append((index, stored["id"]))

    # A closed period refuses the whole batch, bad items or not; unchanged facts add nothing to it.
    unchanged = {index for index, _pk in batch.unchanged}
    days = [day for index, item in enumerate(items) if index not in unchanged and (day := _date_or_none(item))]
    check_open(days)
    if errors:
        errors.sort(key=lambda error: (error.index, FIELDS.index(error.field) if error.field in FIELDS else -1))
        raise FactsRejected(errors, batch_size=len(items))

    if model is SalesRecord and new:
        agreements = signed_agreement_territories({fact.dealer_id for _index, fact in new})
        for _index, fact in new:
            fact.channel_conflict = is_channel_conflict(
                fact.ship_to_territory.path, fact.date, agreements.get(fact.dealer_id, ())
            )
    batch.new = new
    if not dry_run and new:
        _save(model, [fact for _index, fact in new])
    return batch


def fact_record(*, actor, kind: str, **item: Any) -> tuple[Fact, bool]:
    """Record one fact; returns it and whether it is new (``False``: the same fact was already recorded)."""
    batch = facts_record(actor=actor, kind=kind, items=[item])
    if batch.new:
        return batch.new[0][1], True
    return model_of(kind)._default_manager.get(pk=batch.unchanged[0][1]), False


def _date_or_none(item: Mapping[str, Any]) -> date | None:
    try:
        return parse_date(item.get("date"))
    except BadValue:
        return None


def _build(model, item: Mapping[str, Any], index: int, lookups: Lookups, actor):
    """The unsaved fact of one item, the attributes that took a default, and the item's errors."""
    errors: list[FactError] = []
    defaulted: set[str] = set()

    def bad(name: str, message: str, value: Any = "") -> None:
        errors.append(FactError(index, name, message, text_of(value) if not isinstance(value, models.Model) else ""))

    values: dict[str, Any] = {}
    reference = text_of(item.get("reference"))
    if not reference:
        bad("reference", _("A reference is required."))
    elif len(reference) > 64:
        bad("reference", _("A reference has at most 64 characters."), reference)
    values["reference"] = reference

    for name, parse in (("date", parse_date), ("amount", parse_amount)):
        try:
            values[name] = parse(item.get(name))
        except BadValue as error:
            bad(name, str(error), item.get(name))
    amount = values.get("amount")
    if amount is not None:
        if model is SalesRecord and amount == 0:
            bad("amount", _("A sale's amount cannot be 0 (a negative amount is a credit note)."), item.get("amount"))
        elif model is not SalesRecord and amount <= 0:
            bad("amount", _("The amount must be greater than 0."), item.get("amount"))

    note = text_of(item.get("note"))
    if len(note) > 200:
        bad("note", _("A note has at most 200 characters."))
    values["note"] = note

    dealer = _dealer(item, lookups, bad)
    if dealer is not None:
        values["dealer"] = dealer
    rep = _rep(item, dealer, lookups, bad, defaulted)
    if rep is not None:
        values["rep"] = rep

    if model is SalesRecord:
        category_code = a_code(item.get("category"))
        values["category"] = None
        if category_code:
            values["category"] = lookups.product_lines.get(category_code)
            if values["category"] is None:
                bad("category", _("Unknown product line “%(code)s”.") % {"code": category_code}, category_code)
        ship_to_code = a_code(item.get("ship_to"))
        if ship_to_code:
            values["ship_to_territory"] = lookups.territories.get(ship_to_code)
            if values["ship_to_territory"] is None:
                bad("ship_to", _("Unknown territory “%(code)s”.") % {"code": ship_to_code}, ship_to_code)
        elif dealer is not None:
            values["ship_to_territory"] = dealer.territory
            defaulted.add("ship_to_territory_id")
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
        return None, defaulted, errors
    return model(created_by=actor, **values), defaulted, errors


def _dealer(item, lookups: Lookups, bad) -> Dealer | None:
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


def _rep(item, dealer: Dealer | None, lookups: Lookups, bad, defaulted: set[str]):
    raw_id, username = item.get("rep"), text_of(item.get("rep_username"))
    if raw_id not in (None, ""):
        user_id = an_id(raw_id)
        user = lookups.users_by_id.get(user_id) if user_id is not None else None
        name, shown = "rep", raw_id
    elif username:
        user = lookups.users_by_name.get(username)
        name, shown = "rep_username", username
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


def _save(model, facts: list[Fact]) -> None:
    days = {fact.date for fact in facts}
    codes = {period_code(day) for day in days}
    with transaction.atomic():
        ensure_periods(days)
        # Holds the months against a concurrent close (PostgreSQL), then looks again.
        list(Period.objects.select_for_update().filter(code__in=codes).values_list("pk", flat=True))
        check_open(days)
        try:
            with transaction.atomic():
                model._default_manager.bulk_create(facts, batch_size=INSERT_BATCH)
        except IntegrityError:
            raise Conflict(
                _("Some of these references were recorded by someone else a moment ago; send the batch again.")
            ) from None
        if model is SalesRecord:
            flagged = [fact for fact in facts if fact.channel_conflict]
            if flagged:
                notify_channel_conflicts(flagged)
