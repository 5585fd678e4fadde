"""The deposit ledger (信誉保证金, SPEC §14): received when finance confirms an agreement's deposit,
deducted for penalties (with a reason), refunded (清退) once when the dealer is terminated.

The refund is proposed by the dealer's manager and approved by finance (not the proposer); it is the
balance minus the dealer's open receivable (``funds.selectors.open_receivable``, which the dealer accounts
answer, SPEC §15), never below 0, and never twice: one refund in play per dealer (a constraint) and one
``refunded`` entry per dealer (another). Both are computed again at approval, under the dealer's row lock
that every ledger write takes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.formatting import money
from channelhub.notifications.services import notify, notify_role
from channelhub.roles import Role
from funds import policies
from funds.models import DepositEntry, DepositRefund
from funds.selectors import deposit_balance, open_receivable
from partners.models import Agreement, Dealer


def _lock_dealer(dealer: Dealer) -> Dealer:
    return Dealer.objects.select_for_update().select_related("territory").get(pk=dealer.pk)


def deposit_record_received(agreement: Agreement, *, by=None) -> DepositEntry | None:
    """The ``received`` entry of an agreement whose deposit finance confirmed (once per agreement; nothing
    for a deposit of 0.00). Called when ``partners`` says a deposit was confirmed."""
    if agreement.deposit_received_on is None or agreement.deposit_amount <= 0:
        return None
    with transaction.atomic():
        _lock_dealer(agreement.dealer)
        entry, _created = DepositEntry.objects.get_or_create(
            agreement=agreement,
            kind=DepositEntry.Kind.RECEIVED,
            defaults={
                "dealer_id": agreement.dealer_id,
                "amount": agreement.deposit_amount,
                "date": agreement.deposit_received_on,
                "created_by": by,
            },
        )
    return entry


@transaction.atomic
def deposit_deduct(*, actor, dealer: Dealer, amount: Decimal, reason: str, day: date | None = None) -> DepositEntry:
    """A penalty taken from the deposit: finance, with a reason; never more than the balance (409)."""
    policies.require(policies.may_deduct_deposit(actor), _("Only finance deducts from a deposit."))
    reason = (reason or "").strip()
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("Enter an amount above 0.00.")
    if not reason:
        errors["reason"] = _("Say why the deposit is deducted.")
    day = day or timezone.localdate()
    if day > timezone.localdate():
        errors["date"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    dealer = _lock_dealer(dealer)
    balance = deposit_balance(dealer.pk)
    if amount > balance:
        raise Conflict(
            _("The deposit of %(dealer)s holds %(balance)s: %(amount)s cannot be deducted.")
            % {"dealer": dealer, "balance": money(balance), "amount": money(amount)},
            balance=f"{balance:.2f}",
        )
    return DepositEntry.objects.create(
        dealer=dealer, kind=DepositEntry.Kind.DEDUCTED, amount=amount, date=day, reason=reason, created_by=actor
    )


def refund_figures(dealer_id: int) -> tuple[Decimal, Decimal, Decimal]:
    """(balance, open receivable, refund) — the refund is balance − receivable, never below 0."""
    balance = deposit_balance(dealer_id)
    receivable = open_receivable(dealer_id)
    return balance, receivable, max(Decimal("0.00"), balance - receivable)


def _refund_in_play(dealer: Dealer) -> DepositRefund | None:
    return DepositRefund.objects.filter(dealer=dealer).exclude(status=DepositRefund.Status.REJECTED).first()


@transaction.atomic
def deposit_refund_propose(*, actor, dealer: Dealer, reason: str = "") -> DepositRefund:
    """The dealer's manager proposes the refund of a terminated dealer's deposit."""
    dealer = _lock_dealer(dealer)
    policies.require(
        policies.may_propose_refund(actor, dealer), _("Only the dealer's channel manager proposes a deposit refund.")
    )
    if dealer.status != Dealer.Status.TERMINATED:
        raise Conflict(
            _("%(dealer)s is “%(state)s”: a deposit is refunded when the dealer is terminated.")
            % {"dealer": dealer, "state": dealer.get_status_display()},
            current_state=dealer.status,
        )
    existing = _refund_in_play(dealer)
    if existing is not None:
        raise Conflict(
            _("The deposit refund of %(dealer)s is “%(state)s” already: it is never made twice.")
            % {"dealer": dealer, "state": existing.get_status_display()},
            current_state=existing.status,
        )
    balance, receivable, amount = refund_figures(dealer.pk)
    if balance <= 0:
        raise Conflict(_("The deposit of %(dealer)s holds nothing to refund.") % {"dealer": dealer})
    try:
        with transaction.atomic():
            refund = DepositRefund.objects.create(
                dealer=dealer,
                balance=balance,
                open_receivable=receivable,
                amount=amount,
                proposed_by=actor,
                reason=(reason or "").strip(),
            )
    except IntegrityError:
        raise Conflict(_("The deposit refund of %(dealer)s is proposed already.") % {"dealer": dealer}) from None
    DepositRefund.workflow.record_creation(refund, by=actor)
    notify_role(
        Role.FINANCE,
        key=f"deposit-refund-proposed:{refund.pk}",
        kind="deposit_refund.proposed",
        params={"dealer": dealer.name, "amount": f"{amount:.2f}"},
        url=_deposit_url(dealer),
        exclude=[actor],
    )
    return refund


def _deposit_url(dealer: Dealer) -> str:
    from django.urls import reverse

    return reverse("funds:deposit-detail", args=[dealer.pk])


@transaction.atomic
def deposit_refund_decide(*, actor, refund: DepositRefund, approve: bool, reason: str = "") -> DepositRefund:
    """Finance approves the proposed refund (a ``refunded`` entry of the amount computed now) or rejects it
    (with a reason; the manager may propose again)."""
    dealer = _lock_dealer(refund.dealer)
    refund = DepositRefund.objects.select_for_update().select_related("proposed_by").get(pk=refund.pk)
    if refund.status == DepositRefund.Status.PROPOSED:
        if not policies.is_finance(actor):
            raise PermissionDenied(_("Only finance approves a deposit refund."))
        if refund.proposed_by_id == actor.pk:
            raise PermissionDenied(_("You cannot approve a refund you proposed yourself."))
    reason = (reason or "").strip()
    if not approve:
        if not reason and refund.status == DepositRefund.Status.PROPOSED:
            raise ValidationError({"reason": _("Say why the refund is rejected.")})
        DepositRefund.workflow.apply(
            refund,
            "reject",
            by=actor,
            comment=reason,
            changes={"decided_by": actor, "decided_at": timezone.now(), "reason": reason or refund.reason},
        )
    else:
        if refund.status != DepositRefund.Status.PROPOSED:
            raise DepositRefund.workflow.refusal(refund, DepositRefund.workflow.get("approve"), refund.status)
        balance, receivable, amount = refund_figures(dealer.pk)
        entry = None
        if amount > 0:
            entry = DepositEntry.objects.create(
                dealer=dealer,
                kind=DepositEntry.Kind.REFUNDED,
                amount=amount,
                date=timezone.localdate(),
                created_by=actor,
            )
        DepositRefund.workflow.apply(
            refund,
            "approve",
            by=actor,
            changes={
                "balance": balance,
                "open_receivable": receivable,
                "amount": amount,
                "entry": entry,
                "decided_by": actor,
                "decided_at": timezone.now(),
            },
        )
    notify(
        recipient=refund.proposed_by,
        key=f"deposit-refund-decided:{refund.pk}",
        kind="deposit_refund.decided",
        params={"dealer": dealer.name, "amount": f"{refund.amount:.2f}", "approved": approve, "reason": reason},
        url=_deposit_url(dealer),
    )
    return refund
