"""Channel conflicts (窜货, SPEC §5): a sale shipped outside every territory (subtree) of its dealer's
signed agreements in force on its date, and the notification of the managers covering the dealer."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from channelhub.db import slices
from channelhub.roles import Role
from kpi.models import SalesRecord
from partners.models import Agreement

User = get_user_model()


def signed_agreement_territories(dealer_ids: Iterable[int]) -> dict[int, list[tuple[date, date, str]]]:
    """Per dealer, (start, end, territory path) of each signed agreement (one query)."""
    covering: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
    for part in slices(dealer_ids):
        rows = Agreement.objects.filter(dealer_id__in=part, status=Agreement.Status.SIGNED).values_list(
            "dealer_id", "start_date", "end_date", "territory__path"
        )
        for dealer_id, start, end, path in rows:
            covering[dealer_id].append((start, end, path))
    return covering


def is_channel_conflict(ship_to_path: str, day: date, agreements: Iterable[tuple[date, date, str]]) -> bool:
    """True when ``ship_to_path`` lies outside every territory (subtree) of the agreements in force on
    ``day``; a dealer without a signed agreement covering the day has no territory, so any sale is one."""
    return not any(start <= day <= end and ship_to_path.startswith(path) for start, end, path in agreements)


# --- notification ----------------------------------------------------------------------------------


def conflict_key(flagged: Sequence[SalesRecord]) -> str:
    """One key per batch: its flagged references (unique, so a batch cannot happen twice)."""
    digest = hashlib.sha256("\n".join(sorted(sale.reference for sale in flagged)).encode()).hexdigest()
    return f"channel-conflict:{digest[:24]}"


def _conflicts_url() -> str:
    try:
        return reverse("kpi:conflicts")
    except NoReverseMatch:
        return ""


def conflicts_notify(flagged: Sequence[SalesRecord]) -> int:
    """Tell each active channel manager covering the dealers of ``flagged`` about their sales, in one
    notification per batch; returns how many were sent."""
    from channelhub.accounts.models import Profile
    from channelhub.notifications.services import notify

    paths = {path for sale in flagged for path in sale.dealer.territory.ancestor_paths()}
    pairs = Profile.territories.through.objects.filter(
        territory__path__in=paths, profile__user__is_active=True, profile__user__groups__name=Role.CHANNEL_MANAGER
    ).values_list("territory__path", "profile__user_id")
    covering: dict[str, set[int]] = defaultdict(set)
    for path, user_id in pairs:
        covering[path].add(user_id)
    by_manager: dict[int, list[SalesRecord]] = defaultdict(list)
    for sale in flagged:
        for manager_id in {m for path in sale.dealer.territory.ancestor_paths() for m in covering.get(path, ())}:
            by_manager[manager_id].append(sale)
    if not by_manager:
        return 0
    key, url, sent = conflict_key(flagged), _conflicts_url(), 0
    for manager in User._default_manager.filter(pk__in=list(by_manager)).order_by("pk"):
        sales = by_manager[manager.pk]
        params = {
            "count": len(sales),
            "sales": [
                {
                    "date": sale.date.isoformat(),
                    "dealer": sale.dealer.name,
                    "code": sale.dealer.code,
                    "territory": sale.ship_to_territory.name,
                    "amount": f"{sale.amount:.2f}",
                    "reference": sale.reference,
                }
                for sale in sales[:50]
            ],
            "more": max(0, len(sales) - 50),
        }
        if notify(recipient=manager, key=key, kind="conflicts.flagged", params=params, url=url) is not None:
            sent += 1
    return sent
