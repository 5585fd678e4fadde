"""The quarterly 80/20 pass (SPEC §16): for each distributor, the smallest set of the terminals that buy from it
whose sell-out makes 80 % of theirs in the quarter is marked key (``is_key_account``); the others are not —
except terminals whose flag a manager pinned by hand (``key_account_pinned``), which the pass leaves alone.
Run by Celery beat after each quarter and on demand (``POST /api/v1/terminals/pareto/run/``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.roles import Role, has_role
from channelhub.scoping import in_territories_of
from inventory import policies
from inventory.selectors import pareto_set, terminal_sell_out, terminals
from partners.models import Dealer
from rebates.periods import RebatePeriod


@dataclass(frozen=True)
class PassResult:
    quarter: str
    distributors: int
    terminals: int
    marked: int
    unmarked: int
    pinned: int


def last_quarter(today=None) -> RebatePeriod:
    today = today or timezone.localdate()
    return RebatePeriod.containing(today, annual=False).previous()


@transaction.atomic
def key_account_pass(quarter: RebatePeriod | str, *, actor=None) -> PassResult:
    """Mark each distributor's key terminals for ``quarter`` — four queries whatever the number of terminals
    (the terminals, their sell-out, two updates). ``actor`` (on demand) must be a manager or an admin; a
    manager's pass covers the distributors in their territories."""
    quarter = quarter if isinstance(quarter, RebatePeriod) else RebatePeriod.parse(quarter)
    candidates = terminals().filter(parent__isnull=False)
    if actor is not None:
        policies.require(policies.may_run_pareto(actor), _("Only channel managers and admins run the 80/20 pass."))
        if not has_role(actor, Role.ADMIN):
            candidates = candidates.filter(in_territories_of(actor, "parent__territory"))
    rows = list(candidates.values_list("id", "parent_id", "key_account_pinned"))
    amounts = terminal_sell_out([dealer_id for dealer_id, _p, _pin in rows], quarter)
    by_distributor: dict[int, list[tuple[int, object]]] = {}
    for dealer_id, parent_id, _pinned in rows:
        by_distributor.setdefault(parent_id, []).append((dealer_id, amounts.get(dealer_id, 0)))
    # pinned terminals count in their distributor's total (the set is the same with or without pins); only
    # their own flag is left as a manager set it
    pinned = {dealer_id for dealer_id, _parent, is_pinned in rows if is_pinned}
    key: set[int] = set()
    for members in by_distributor.values():
        key |= pareto_set(members)
    key -= pinned
    others = [dealer_id for dealer_id, _parent, _pin in rows if dealer_id not in key and dealer_id not in pinned]
    marked = Dealer.objects.filter(pk__in=key, is_key_account=False).update(is_key_account=True)
    unmarked = Dealer.objects.filter(pk__in=others, is_key_account=True).update(is_key_account=False)
    return PassResult(str(quarter), len(by_distributor), len(rows), marked, unmarked, len(pinned))
