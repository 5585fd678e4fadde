"""The daily agreement-expiry reminder (SPEC §3, §9): one digest per person per day.

Who hears about an agreement ending within ``EXPIRY_NOTICE_DAYS``: the dealer's owner (a rep), the
owner's manager, and every channel manager whose territories hold the dealer's territory. Each of them
gets one notification listing all of their agreements, keyed by the day, so running the job again the
same day sends nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from channelhub.accounts.models import Profile
from channelhub.accounts.selectors import display_name
from channelhub.formatting import money
from channelhub.notifications.models import Notification
from channelhub.notifications.services import notify
from channelhub.notifications.types import register
from channelhub.roles import Role
from partners.models import Agreement
from partners.selectors import agreements_ending

EXPIRY_NOTICE_DAYS = 30
#: The agreements page the digest links to, filtered like the digest (empty while no such page exists).
AGREEMENTS_URL_NAME = "partners:agreement-list"


def expiry_key(today: date) -> str:
    return f"agreement-expiry:{today.isoformat()}"


def _covering_managers() -> dict[str, set[int]]:
    """Territory path → the active channel managers who cover it (one query)."""
    through = Profile.territories.through
    pairs = through.objects.filter(
        profile__user__is_active=True, profile__user__groups__name=Role.CHANNEL_MANAGER
    ).values_list("territory__path", "profile__user_id")
    covering: dict[str, set[int]] = defaultdict(set)
    for path, user_id in pairs:
        covering[path].add(user_id)
    return covering


def _recipients_of(agreement: Agreement, covering: dict[str, set[int]]) -> set[int]:
    dealer = agreement.dealer
    recipients: set[int] = set()
    for path in dealer.territory.ancestor_paths():
        recipients |= covering.get(path, set())
    if dealer.owner_id is not None:
        recipients.add(dealer.owner_id)
        profile = getattr(dealer.owner, "profile", None)
        if profile is not None and profile.manager_id is not None:
            recipients.add(profile.manager_id)
    return recipients


def _item(agreement: Agreement, today: date) -> dict:
    dealer = agreement.dealer
    return {
        "dealer": dealer.name,
        "code": dealer.code,
        "agreement": str(agreement),
        "kind": agreement.kind,
        "end": agreement.end_date.isoformat(),
        "days": (agreement.end_date - today).days,
        "owner": display_name(dealer.owner) if dealer.owner_id else "",
    }


def _line(item: dict) -> str:
    days = item["days"]
    if days == 0:
        left = pgettext("an agreement ends", "today")
    else:
        left = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    kinds = dict(Agreement.Kind.choices)
    return _("%(dealer)s (%(code)s) · %(agreement)s, %(kind)s · ends %(end)s (%(left)s) · owner: %(owner)s") % {
        **item,
        "kind": kinds.get(item["kind"], item["kind"]),
        "left": left,
        "owner": item["owner"] or _("no owner"),
    }


def _decided_body(params) -> str:
    if params.get("verdict") == "approved":
        return _("Qualified, with a credit limit of %(limit)s.") % {"limit": money(params.get("credit_limit"))}
    return _("Rejected: %(reason)s") % {"reason": params.get("reason", "")}


def register_kinds() -> None:
    register(
        "dealer.review_submitted",
        title=lambda p: _("%(dealer)s (%(code)s) waits for its qualification review") % p,
        body=lambda p: _("Submitted by %(by)s.") % p,
    )
    register(
        "dealer.review_decided",
        title=lambda p: (
            (
                _("The qualification of %(dealer)s (%(code)s) was approved")
                if p.get("verdict") == "approved"
                else _("The qualification of %(dealer)s (%(code)s) was rejected")
            )
            % p
        ),
        body=_decided_body,
    )
    register(
        "agreements.expiring",
        title=lambda p: (
            ngettext(
                "%(count)d agreement ends within %(days)d days",
                "%(count)d agreements end within %(days)d days",
                p["count"],
            )
            % {"count": p["count"], "days": p["within"]}
        ),
        body=lambda p: "\n".join(_line(item) for item in p.get("agreements", [])),
    )


def _agreements_url() -> str:
    try:
        return f"{reverse(AGREEMENTS_URL_NAME)}?ending_within={EXPIRY_NOTICE_DAYS}"
    except NoReverseMatch:
        return ""


@transaction.atomic
def agreements_remind_expiring(*, today: date) -> int:
    """Send today's expiry digests; returns how many were sent now (0 when they all went out already)."""
    agreements = list(agreements_ending(today, EXPIRY_NOTICE_DAYS))
    if not agreements:
        return 0
    covering = _covering_managers()
    by_recipient: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in agreements:
        for user_id in _recipients_of(agreement, covering):
            by_recipient[user_id].append(agreement)

    key = expiry_key(today)
    already = set(
        Notification.objects.filter(key=key, recipient_id__in=list(by_recipient)).values_list("recipient_id", flat=True)
    )
    users = get_user_model()._default_manager.filter(pk__in=set(by_recipient) - already, is_active=True)
    url = _agreements_url()
    sent = 0
    for user in users.order_by("pk"):
        mine = by_recipient[user.pk]  # already in end-date order, each agreement once
        params = {
            "count": len(mine),
            "within": EXPIRY_NOTICE_DAYS,
            "agreements": [_item(agreement, today) for agreement in mine],
        }
        if notify(recipient=user, key=key, kind="agreements.expiring", params=params, url=url) is not None:
            sent += 1
    return sent
