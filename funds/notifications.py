"""The notifications of channel funds, each to the next actor (STYLE: "the next actor is told"), rendered in
the reader's language from their figures. Registered when the app loads (``FundsConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from channelhub.formatting import money
from channelhub.notifications.services import notify, notify_role
from channelhub.notifications.types import register, written
from channelhub.roles import Role


def _amount(params) -> str:
    return _("%(dealer)s: %(amount)s.") % {"dealer": params.get("dealer", ""), "amount": money(params.get("amount"))}


def register_kinds() -> None:
    register(
        "fund_request.submitted",
        title=lambda p: _("Fund request %(number)s waits for your approval") % p,
        body=_amount,
    )
    register(
        "fund_request.manager_approved",
        title=lambda p: _("Fund request %(number)s waits for finance's approval") % p,
        body=_amount,
    )
    register(
        "fund_request.approved",
        title=lambda p: _("Fund request %(number)s was approved") % p,
        body=lambda p: (
            _("%(amount)s approved for %(dealer)s. Claim it with evidence after the activity.")
            % {"amount": money(p.get("amount")), "dealer": p.get("dealer", "")}
        ),
    )
    register(
        "fund_request.rejected",
        title=lambda p: _("Fund request %(number)s was rejected") % p,
        body=written("reason"),
    )
    register(
        "fund_claim.claimed",
        title=lambda p: _("The claim of %(number)s waits for your check") % p,
        body=_amount,
    )
    register(
        "fund_claim.checked",
        title=lambda p: _("The claim of %(number)s waits for settlement") % p,
        body=lambda p: (
            (_("Evidence met.") if p.get("met") else _("Evidence not met: it settles at 0.00.")) + " " + _amount(p)
        ),
    )
    register(
        "fund_claim.settled",
        title=lambda p: _("The claim of %(number)s was settled") % p,
        body=_amount,
    )
    register(
        "deposit_refund.proposed",
        title=lambda p: _("A deposit refund for %(dealer)s waits for your approval") % p,
        body=lambda p: _("Refund: %(amount)s.") % {"amount": money(p.get("amount"))},
    )
    register(
        "deposit_refund.decided",
        title=lambda p: (
            (
                _("The deposit refund for %(dealer)s was approved")
                if p.get("approved")
                else _("The deposit refund for %(dealer)s was rejected")
            )
            % p
        ),
        body=lambda p: (
            _("Refund: %(amount)s.") % {"amount": money(p.get("amount"))} if p.get("approved") else p.get("reason", "")
        ),
    )


def request_url(request) -> str:
    return reverse("funds:request-detail", args=[request.pk])


def _params(request, amount=None) -> dict:
    value = amount if amount is not None else request.requested_amount
    return {"number": request.number, "dealer": request.dealer.name, "amount": f"{value:.2f}"}


def tell_managers(request, *, kind: str, key: str, exclude=(), amount=None) -> int:
    """The dealer's channel managers (``funds.selectors.dealer_managers``), but whoever caused it."""
    from .selectors import dealer_managers

    excluded = {getattr(user, "pk", user) for user in exclude}
    sent = 0
    for manager in dealer_managers(request.dealer):
        if manager.pk not in excluded:
            sent += (
                notify(recipient=manager, key=key, kind=kind, params=_params(request, amount), url=request_url(request))
                is not None
            )
    return sent


def tell_finance(request, *, kind: str, key: str, exclude=(), amount=None, **extra) -> int:
    return notify_role(
        Role.FINANCE,
        key=key,
        kind=kind,
        params={**_params(request, amount), **extra},
        url=request_url(request),
        exclude=exclude,
    )


def tell_people(request, people, *, kind: str, key: str, amount=None, exclude=(), **extra) -> None:
    """Each of ``people`` (users, ``None`` skipped) once, but those in ``exclude``."""
    excluded = {getattr(user, "pk", user) for user in exclude}
    seen = set()
    for person in people:
        if person is None or person.pk in seen or person.pk in excluded:
            continue
        seen.add(person.pk)
        notify(
            recipient=person,
            key=key,
            kind=kind,
            params={**_params(request, amount), **extra},
            url=request_url(request),
        )
