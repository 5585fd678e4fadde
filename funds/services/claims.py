"""Fund claims (核销, SPEC §14): what an approved request really cost, with its evidence; checked by the
dealer's manager, settled by finance.

* A claim is made once per approved request (the request becomes ``claimed``), for at most the approved
  amount. Its evidence — at least one photo and one invoice (SPEC §13) — is attached through
  ``evidence.services.attachments_add`` while it waits for the check.
* ``met`` needs that evidence; ``not_met`` needs a reason.
* Settlement is finance's: a ``met`` claim writes one ``Expense`` (reference ``FUND-<number>``, the category
  mapped from the fund's, dated on the settlement day, for the dealer's rep), so it counts in the expense
  rate, scorecards and commissions, and the request is spent at the actual amount — the rest of the
  commitment is released; a ``not_met`` claim settles at 0.00 and releases all of it.
* Settling twice writes one expense: a settled claim answers as it is. A settlement dated in a closed
  period, or in a month whose commission statement for the rep is already approved, is refused (409).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.formatting import money
from channelhub.scoping import scope
from evidence.models import Attachment
from evidence.selectors import attachments_of
from funds import policies
from funds.models import Category, FundClaim, FundRequest
from funds.notifications import tell_finance, tell_managers, tell_people
from kpi.models import Expense

#: The expense category a settled fund becomes (``kpi.Expense.Category``).
EXPENSE_CATEGORY = {
    Category.PROMOTION: Expense.Category.PROMOTION,
    Category.ADVERTISING: Expense.Category.ADVERTISING,
    Category.DECORATION: Expense.Category.SUBSIDY,
    Category.RENT_SUBSIDY: Expense.Category.SUBSIDY,
    Category.MATERIALS: Expense.Category.PROMOTION,
    Category.TRAINING: Expense.Category.OTHER,
}


def expense_reference(request: FundRequest) -> str:
    return f"FUND-{request.number}"


def _locked_claim(claim: FundClaim) -> FundClaim:
    return (
        FundClaim.objects.select_for_update(of=("self",))
        .select_related(
            "request",
            "request__dealer",
            "request__dealer__territory",
            "request__dealer__owner",
            "request__requested_by",
            "claimed_by",
        )
        .get(pk=claim.pk)
    )


@transaction.atomic
def claim_create(
    *,
    actor,
    request: FundRequest,
    actual_amount: Decimal,
    actual_sales: Decimal,
    note: str = "",
    visits: Iterable = (),
) -> FundClaim:
    """The claim of an approved request; the request becomes ``claimed``. Visits must be of its dealer."""
    from visits.models import Visit

    request = (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("dealer", "dealer__territory", "dealer__owner", "requested_by")
        .get(pk=request.pk)
    )
    # the role before the state: a role that may never claim gets 403, not the state's 409
    policies.require(
        policies.can_request_for(actor, request.dealer),
        _("Only the dealer's rep, its channel manager or an admin may claim this request."),
    )
    errors = {}
    if actual_amount is None or actual_amount < 0:
        errors["actual_amount"] = _("Enter the amount really spent (0.00 or more).")
    elif request.approved_amount is not None and actual_amount > request.approved_amount:
        errors["actual_amount"] = _("At most the approved %(amount)s can be claimed.") % {
            "amount": money(request.approved_amount)
        }
    if actual_sales is None or actual_sales < 0:
        errors["actual_sales"] = _("Enter the sales the activity brought (0.00 or more).")
    visit_ids = sorted({getattr(visit, "pk", visit) for visit in visits})
    found = list(scope(actor, Visit).filter(pk__in=visit_ids, dealer_id=request.dealer_id))
    if len(found) != len(visit_ids):
        errors["visits"] = _("Link only visits to %(dealer)s that you can see.") % {"dealer": request.dealer}
    if errors:
        raise ValidationError(errors)
    FundRequest.workflow.apply(request, "claim", by=actor)
    claim = FundClaim(
        request=request, actual_amount=actual_amount, actual_sales=actual_sales, note=note or "", claimed_by=actor
    )
    claim._history_user = actor
    claim.full_clean(exclude=["request"])
    claim.save()
    claim.visits.set(found)
    FundClaim.workflow.record_creation(claim, by=actor)
    tell_managers(
        request,
        kind="fund_claim.claimed",
        key=f"fund-claim-claimed:{claim.pk}",
        exclude=[actor],
        amount=actual_amount,
    )
    return claim


def missing_evidence(claim: FundClaim) -> list[str]:
    """The kinds of evidence a ``met`` check still needs (``photo``, ``invoice``)."""
    kinds = {attachment.kind for attachment in attachments_of(claim)}
    return [kind for kind in (Attachment.Kind.PHOTO, Attachment.Kind.INVOICE) if kind not in kinds]


@transaction.atomic
def claim_check(*, actor, claim: FundClaim, met: bool, reason: str = "") -> FundClaim:
    """Mark the claim's evidence ``met`` (at least a photo and an invoice) or ``not_met`` (with a reason)."""
    claim = _locked_claim(claim)
    policies.require(
        policies.is_checker_of(actor, claim), _("Only the dealer's channel manager checks a claim's evidence.")
    )
    if claim.status == FundClaim.Status.OPEN and (refusal := policies.check_refusal(actor, claim)):
        raise PermissionDenied(refusal)
    reason = (reason or "").strip()
    if claim.status == FundClaim.Status.OPEN:
        if met and (missing := missing_evidence(claim)):
            labels = ", ".join(str(Attachment.Kind(kind).label) for kind in missing)
            raise ValidationError(
                {"met": _("The evidence is incomplete: this claim has no %(missing)s yet.") % {"missing": labels}}
            )
        if not met and not reason:
            raise ValidationError({"reason": _("Say why the evidence does not meet the request.")})
    FundClaim.workflow.apply(
        claim,
        "check_met" if met else "check_not_met",
        by=actor,
        comment=reason,
        changes={"checked_by": actor, "checked_at": timezone.now(), "check_reason": reason},
    )
    tell_finance(
        claim.request,
        kind="fund_claim.checked",
        key=f"fund-claim-checked:{claim.pk}",
        exclude=[actor],
        amount=claim.actual_amount if met else Decimal("0.00"),
        met=met,
    )
    return claim


@transaction.atomic
def claim_settle(*, actor, claim: FundClaim) -> FundClaim:
    """Settle a checked claim (see the module's docstring). A settled claim answers as it is."""
    from kpi.services.facts import fact_record
    from kpi.services.periods import check_open, month_locked_for_rep

    claim = _locked_claim(claim)
    # the role before the state: a role that may never settle gets 403, not the state's 409
    policies.require(policies.is_finance(actor), _("Only finance settles a claim."))
    if claim.status == FundClaim.Status.SETTLED:
        return claim
    if claim.status not in (FundClaim.Status.MET, FundClaim.Status.NOT_MET):
        raise Conflict(
            _("The claim of %(number)s is “%(state)s”: its evidence must be checked before it is settled.")
            % {"number": claim.request.number, "state": claim.get_status_display()},
            current_state=claim.status,
        )
    if (refusal := policies.settle_refusal(actor, claim)) is not None:
        raise PermissionDenied(refusal)
    request = claim.request
    dealer = request.dealer
    today = timezone.localdate()
    check_open([today])
    amount = claim.actual_amount if claim.status == FundClaim.Status.MET else Decimal("0.00")
    expense = None
    if amount > 0:
        if dealer.owner_id is None:
            raise Conflict(
                _(
                    "%(dealer)s has no field rep: the expense of %(number)s would count for nobody. Give the dealer a rep first."
                )
                % {"dealer": dealer, "number": request.number}
            )
        if problem := month_locked_for_rep(dealer.owner_id, today):
            raise Conflict(problem)
        expense, _created = fact_record(
            actor=actor,
            kind="expenses",
            dealer=dealer.pk,
            rep=dealer.owner_id,
            date=today,
            amount=amount,
            reference=expense_reference(request),
            category=EXPENSE_CATEGORY[request.category],
            note=request.title[:200],
        )
    FundClaim.workflow.apply(
        claim,
        "settle",
        by=actor,
        changes={"settled_amount": amount, "settled_on": today, "settled_by": actor, "expense": expense},
    )
    FundRequest.workflow.apply(request, "settle", by=actor, changes={"settled_amount": amount})
    tell_people(
        request,
        [claim.claimed_by, request.requested_by],
        kind="fund_claim.settled",
        key=f"fund-claim-settled:{claim.pk}",
        exclude=[actor],
        amount=amount,
    )
    return claim


def claim_apply_photo_flags(claim: FundClaim, flags: set[str]) -> None:
    """``EvidenceTarget.flags_changed``: the claim keeps its photos' flags for the checker."""
    values = {
        "photo_time_mismatch": Attachment.Flag.TIME_MISMATCH in flags,
        "photo_far": Attachment.Flag.FAR in flags,
        "photo_reused": Attachment.Flag.REUSED in flags,
    }
    FundClaim.objects.filter(pk=claim.pk).update(**values)
    for name, value in values.items():
        setattr(claim, name, value)
