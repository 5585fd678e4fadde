"""Deposit pages (信誉保证金, SPEC §14): the dealers' deposit accounts, one dealer's ledger with its refunds
and their state log, a deduction (finance), a refund's proposal (the dealer's manager, once the dealer is
terminated) and its decision (finance). ``<pk>`` is the dealer's; a dealer out of scope answers 404.

Who reads them: finance and admins every dealer's, a manager their territories', a rep their own dealers'
(SPEC §2: agreements — and so their deposits — are read by the dealer's rep).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from channelhub.audit import state_logs
from channelhub.forms import style_fields
from channelhub.pages import filtered, paginate, posted
from channelhub.roles import Role, require_role
from channelhub.scoping import SegregationOfDutiesError, get_scoped_or_404
from funds import policies, selectors
from funds.forms.deposits import DeductForm, DepositFilter, RefundDecideForm, RefundProposeForm
from funds.models import DepositEntry, DepositRefund
from funds.services import deposits as deposit_services
from funds.views.common import submit
from partners.models import Dealer

DEPOSIT_READERS = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)


def _dealer(request, pk: int) -> Dealer:
    require_role(request.user, *DEPOSIT_READERS)
    return get_scoped_or_404(request.user, Dealer.objects.select_related("territory", "owner"), pk=pk)


def deposit_list_page(request):
    """``?q=&status=``: the dealers with deposit entries that the user sees, each with received, deducted,
    refunded and balance (one query for the page, one for the count); for finance, the refunds waiting."""
    user = request.user
    require_role(user, *DEPOSIT_READERS)
    filterset = DepositFilter(request.GET or None, queryset=selectors.deposit_accounts(user))
    style_fields(filterset.form)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filtered(filterset)),
        "refunds_to_decide": (list(selectors.refunds_to_decide(user)[:50]) if policies.is_finance(user) else []),
    }
    return render(request, "funds/deposit_list.html", context)


def _ledger(entries: list[DepositEntry]) -> list[dict]:
    """The entries with the balance after each (received adds, deducted and refunded take away)."""
    rows, balance = [], None
    for entry in entries:
        signed = entry.amount if entry.kind == DepositEntry.Kind.RECEIVED else -entry.amount
        balance = signed if balance is None else balance + signed
        rows.append({"entry": entry, "signed": signed, "balance": balance})
    return rows


def deposit_detail_page(request, pk: int):
    """One dealer's ledger, balance, refunds (with their state log) and the buttons the user may use."""
    dealer = _dealer(request, pk)
    user = request.user
    refunds = list(selectors.deposit_refunds(dealer.pk))
    logs = state_logs(DepositRefund.workflow, refunds)
    for refund in refunds:
        refund.log = logs[refund.pk]
    proposed = next((r for r in refunds if r.status == DepositRefund.Status.PROPOSED), None)
    context = {
        "dealer": dealer,
        "ledger": _ledger(list(selectors.deposit_entries(dealer.pk))),
        "balance": selectors.deposit_balance(dealer.pk),
        "refunds": refunds,
        "can_deduct": policies.may_deduct_deposit(user),
        "can_propose": (
            dealer.status == Dealer.Status.TERMINATED
            and policies.may_propose_refund(user, dealer)
            and not any(r.status != DepositRefund.Status.REJECTED for r in refunds)
        ),
        "can_decide": proposed is not None and policies.may_decide_refund(user, proposed),
    }
    return render(request, "funds/deposit_detail.html", context)


def _action_page(request, dealer, form, template: str, status: int, **extra):
    context = {"dealer": dealer, "form": form, **extra}
    return render(request, template, context, status=status)


def deposit_deduct_page(request, pk: int):
    """Finance takes a penalty from the deposit, with a reason: never more than the balance (409)."""
    dealer = _dealer(request, pk)
    user = request.user
    policies.require(policies.may_deduct_deposit(user), gettext("Only finance deducts from a deposit."))
    form = DeductForm(posted(request))
    entry, status = submit(
        request, form, deposit_services.deposit_deduct, lambda: {"actor": user, "dealer": dealer, **form.cleaned_data}
    )
    if entry is not None:
        messages.success(request, gettext("Deducted from the deposit of %(dealer)s.") % {"dealer": dealer.name})
        return redirect("funds:deposit-detail", pk=dealer.pk)
    balance = selectors.deposit_balance(dealer.pk)
    return _action_page(request, dealer, form, "funds/deposit_deduct.html", status, balance=balance)


def deposit_refund_page(request, pk: int):
    """The dealer's manager proposes to refund a terminated dealer's deposit: the balance minus its open
    receivable. GET while the dealer is not terminated: back to the deposit with why."""
    dealer = _dealer(request, pk)
    user = request.user
    policies.require(
        policies.may_propose_refund(user, dealer),
        gettext("Only the dealer's channel manager proposes a deposit refund."),
    )
    if request.method != "POST" and dealer.status != Dealer.Status.TERMINATED:
        messages.error(request, gettext("A deposit is refunded once the dealer is terminated."))
        return redirect("funds:deposit-detail", pk=dealer.pk)
    form = RefundProposeForm(posted(request))
    refund, status = submit(
        request,
        form,
        deposit_services.deposit_refund_propose,
        lambda: {"actor": user, "dealer": dealer, "reason": form.cleaned_data["reason"]},
    )
    if refund is not None:
        messages.success(
            request, gettext("Refund of the deposit of %(dealer)s proposed to finance.") % {"dealer": dealer.name}
        )
        return redirect("funds:deposit-detail", pk=dealer.pk)
    balance, receivable, amount = deposit_services.refund_figures(dealer.pk)
    figures = {"balance": balance, "receivable": receivable, "amount": amount}
    return _action_page(request, dealer, form, "funds/deposit_refund.html", status, figures=figures)


def deposit_refund_decide_page(request, pk: int):
    """Finance approves the proposed refund (a ``refunded`` entry) or rejects it with a reason; not the one
    who proposed it. Nothing proposed: back to the deposit with why."""
    dealer = _dealer(request, pk)
    user = request.user
    if not policies.is_finance(user):
        raise PermissionDenied(gettext("Only finance approves a deposit refund."))
    refund = selectors.deposit_refunds(dealer.pk).filter(status=DepositRefund.Status.PROPOSED).first()
    if refund is None:
        messages.error(request, gettext("No refund of this deposit waits for a decision."))
        return redirect("funds:deposit-detail", pk=dealer.pk)
    if not policies.may_decide_refund(user, refund):
        raise SegregationOfDutiesError(gettext("You cannot approve a refund you proposed yourself."))
    form = RefundDecideForm(posted(request))
    decided, status = submit(
        request,
        form,
        deposit_services.deposit_refund_decide,
        lambda: {"actor": user, "refund": refund, "approve": form.approve, "reason": form.cleaned_data["reason"]},
    )
    if decided is not None:
        if decided.status == DepositRefund.Status.APPROVED:
            messages.success(request, gettext("Refund approved."))
        else:
            messages.success(request, gettext("Refund rejected."))
        return redirect("funds:deposit-detail", pk=dealer.pk)
    return _action_page(request, dealer, form, "funds/deposit_decide.html", status, refund=refund)
