"""Fund requests (费用申请, SPEC §14): drafted and submitted for a dealer, approved by its manager and by
finance — the finance approval commits the amount against the budget — rejected or cancelled.

* The budget is the one of the dealer's territory (nearest ancestor that has one), category and start
  date (``funds.selectors.budget_for``). Without one a request cannot be submitted (400 on ``category``).
* The cost ratio (费销比): ``requested_amount`` may be at most ``expected_sales × max_cost_ratio / 100``,
  compared exactly (400 naming the ratio), at submission and again at finance's approval.
* Finance's approval locks the budget's row, so two approvals of the last of a budget at the same moment
  run one after the other: the second sees the first's commitment and gets the 409 naming the remaining.
* A request whose dealer and category match another live request with overlapping dates is flagged
  ``possible_split`` (拆单) when submitted, and so is the other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.formatting import money
from channelhub.locking import KeySpace, hold
from funds import policies
from funds.models import FundBudget, FundRequest
from funds.notifications import tell_finance, tell_managers, tell_people
from funds.selectors import budget_for, overlapping_requests, with_figures
from partners.models import Dealer

NUMBERS = KeySpace("fund-request-number")
REQUEST_FIELDS = (
    "category",
    "title",
    "description",
    "start_date",
    "end_date",
    "requested_amount",
    "expected_sales",
)


def _next_number(year: int) -> str:
    """``FR-<year>-<5 digits>``, one after the year's highest (under a lock: two creations never share one)."""
    hold(NUMBERS, year)
    prefix = f"FR-{year}-"
    last = (
        FundRequest.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
    ).first()
    sequence = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def _check_dealer(dealer: Dealer) -> None:
    if dealer.status != Dealer.Status.ACTIVE:
        raise ValidationError(
            {
                "dealer": _("%(dealer)s is “%(state)s”: only an active dealer gets channel funds.")
                % {"dealer": dealer, "state": dealer.get_status_display()}
            }
        )


@transaction.atomic
def request_create(*, actor, dealer: Dealer, **fields: Any) -> FundRequest:
    """A draft request for ``dealer`` by its rep, its manager or an admin."""
    policies.require(
        policies.can_request_for(actor, dealer),
        _("Only the dealer's rep, its channel manager or an admin may request funds for it."),
    )
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise ValueError(f"Not request fields: {sorted(unknown)}")
    _check_dealer(dealer)
    request = FundRequest(dealer=dealer, requested_by=actor, **fields)
    request.number = "-"  # set below, once the date is known to be valid
    _check_dates(request)  # before full_clean, whose constraint check would say it without naming the field
    request.full_clean(exclude=["number"])
    request.number = _next_number(timezone.localdate().year)
    request._history_user = actor
    request.save()
    FundRequest.workflow.record_creation(request, by=actor)
    return request


def _check_dates(request: FundRequest) -> None:
    if request.start_date and request.end_date and request.end_date < request.start_date:
        raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


@transaction.atomic
def request_update(*, actor, request: FundRequest, **fields: Any) -> FundRequest:
    """Change a draft (its dealer stays)."""
    request = FundRequest.objects.select_for_update().select_related("dealer__territory").get(pk=request.pk)
    # the role before the state: a role that may never change it gets 403, not the state's 409
    policies.require(policies.can_request_for(actor, request.dealer))
    if request.status != FundRequest.Status.DRAFT:
        raise Conflict(
            _("Fund request %(number)s is “%(state)s”: only a draft can be changed.")
            % {"number": request.number, "state": request.get_status_display()},
            current_state=request.status,
        )
    policies.require(policies.may_edit(actor, request))
    for name, value in fields.items():
        if name not in REQUEST_FIELDS:
            raise ValueError(f"Not a request field: {name}")
        setattr(request, name, value)
    _check_dates(request)
    request.full_clean()
    request._history_user = actor
    request.save()
    return request


def _budget_of(request: FundRequest) -> FundBudget:
    budget = budget_for(request.dealer, request.category, request.start_date)
    if budget is None:
        raise ValidationError(
            {
                "category": _(
                    "No %(category)s budget covers %(territory)s on %(date)s: finance must set one before the "
                    "request can go ahead."
                )
                % {
                    "category": request.get_category_display(),
                    "territory": request.dealer.territory.name,
                    "date": request.start_date.isoformat(),
                }
            }
        )
    return budget


def ratio_limit(expected_sales: Decimal, max_cost_ratio: Decimal) -> Decimal:
    """The most a request may cost: expected sales × the ratio, to the cent (exact: no rounding up)."""
    return expected_sales * max_cost_ratio / Decimal(100)


def check_cost_ratio(request: FundRequest, budget: FundBudget) -> None:
    """Refuse (400 on ``requested_amount``) a request that costs more than the budget's 费销比 allows."""
    # exact: amount × 100 > sales × ratio, no rounding of either side
    if request.requested_amount * 100 > request.expected_sales * budget.max_cost_ratio:
        ratio = request.requested_amount * 100 / request.expected_sales if request.expected_sales else None
        raise ValidationError(
            {
                "requested_amount": _(
                    "The cost ratio (费销比) would be %(ratio)s, above the %(limit)s%% allowed by %(budget)s: "
                    "at most %(most)s on expected sales of %(sales)s."
                )
                % {
                    "ratio": f"{ratio:.2f}%" if ratio is not None else "∞",
                    "limit": f"{budget.max_cost_ratio:.2f}",
                    "budget": budget,
                    "most": money(ratio_limit(request.expected_sales, budget.max_cost_ratio)),
                    "sales": money(request.expected_sales),
                }
            }
        )


def _mark_splits(request: FundRequest) -> bool:
    """Flag ``request`` and the live requests it overlaps (same dealer and category) as possible splits."""
    others = list(overlapping_requests(request).values_list("pk", flat=True))
    if not others:
        return False
    FundRequest.objects.filter(pk__in=others, possible_split=False).update(possible_split=True)
    return True


@transaction.atomic
def request_submit(*, actor, request: FundRequest, comment: str = "") -> FundRequest:
    request = _locked(request)
    policies.require(
        policies.can_request_for(actor, request.dealer),
        _("Only the dealer's rep, its channel manager or an admin may submit a request for it."),
    )
    if request.status == FundRequest.Status.DRAFT:
        _check_dealer(request.dealer)
        check_cost_ratio(request, _budget_of(request))
    split = _mark_splits(request) if request.status == FundRequest.Status.DRAFT else request.possible_split
    FundRequest.workflow.apply(
        request,
        "submit",
        by=actor,
        comment=comment,
        changes={"submitted_by": actor, "submitted_at": timezone.now(), "possible_split": split},
    )
    tell_managers(request, kind="fund_request.submitted", key=f"fund-request-submitted:{request.pk}", exclude=[actor])
    return request


def _locked(request: FundRequest) -> FundRequest:
    return (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("dealer__territory", "dealer__owner", "requested_by", "submitted_by")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_approve(*, actor, request: FundRequest, comment: str = "") -> FundRequest:
    """The next approval of ``request``: its manager's when submitted, finance's once the manager approved."""
    request = _locked(request)
    if not policies.is_approver_of(actor, request):
        raise PermissionDenied(
            policies.approval_refusal(actor, request) or _("Only the next approver may approve this request.")
        )
    if request.status not in (FundRequest.Status.SUBMITTED, FundRequest.Status.MANAGER_APPROVED):
        raise FundRequest.workflow.refusal(request, FundRequest.workflow.get("approve"), request.status)
    refusal = policies.approval_refusal(actor, request)
    if refusal is not None:
        raise PermissionDenied(refusal)
    if request.status == FundRequest.Status.SUBMITTED:
        FundRequest.workflow.apply(
            request, "manager_approve", by=actor, comment=comment, changes={"manager_approved_by": actor}
        )
        tell_finance(
            request,
            kind="fund_request.manager_approved",
            key=f"fund-request-manager-approved:{request.pk}",
            exclude=[actor],
        )
        return request
    return _finance_approve(actor, request, comment)


def _finance_approve(actor, request: FundRequest, comment: str) -> FundRequest:
    budget = _budget_of(request)
    check_cost_ratio(request, budget)
    # the budget's row lock puts simultaneous approvals against it in a line: each sees the others' commits
    FundBudget.objects.select_for_update().filter(pk=budget.pk).first()
    budget = with_figures(FundBudget.objects.select_related("territory").filter(pk=budget.pk)).get()
    if request.requested_amount > budget.remaining:
        raise Conflict(
            _("%(budget)s has %(remaining)s remaining: %(amount)s cannot be committed.")
            % {"budget": budget, "remaining": money(budget.remaining), "amount": money(request.requested_amount)},
            budget=budget.pk,
            remaining=f"{budget.remaining:.2f}",
        )
    FundRequest.workflow.apply(
        request,
        "approve",
        by=actor,
        comment=comment,
        changes={
            "budget": budget,
            "approved_amount": request.requested_amount,
            "approved_by": actor,
            "approved_at": timezone.now(),
        },
    )
    tell_people(
        request,
        [request.requested_by, request.dealer.owner],
        kind="fund_request.approved",
        key=f"fund-request-approved:{request.pk}",
        exclude=[actor],
    )
    return request


@transaction.atomic
def request_reject(*, actor, request: FundRequest, reason: str) -> FundRequest:
    request = _locked(request)
    policies.require(policies.is_approver_of(actor, request), _("Only the next approver may reject this request."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    if request.status in (FundRequest.Status.SUBMITTED, FundRequest.Status.MANAGER_APPROVED):
        policies.require(policies.may_reject(actor, request), _("Only the next approver may reject this request."))
    change = FundRequest.workflow.apply(request, "reject", by=actor, comment=reason, changes={"reject_reason": reason})
    tell_people(
        request,
        [request.requested_by, request.submitted_by],
        kind="fund_request.rejected",
        key=f"fund-request-rejected:{change.pk}",
        exclude=[actor],
        reason=reason,
    )
    return request


@transaction.atomic
def request_cancel(*, actor, request: FundRequest, comment: str = "") -> FundRequest:
    """Withdraw a request before its claim; an approved one releases its commitment (it is no longer charged)."""
    request = _locked(request)
    policies.require(policies.takes_part_in_cancel(actor, request))
    if FundRequest.workflow.can(request, "cancel"):
        policies.require(policies.may_cancel(actor, request))
    FundRequest.workflow.apply(request, "cancel", by=actor, comment=comment)
    return request
