"""Who may see and do what with channel funds (SPEC §2 row "fund requests and claims", §14).

The checks answer "may this user act on this row", always for a row the user can already see; services
call them before they act, pages and serializers call them for their buttons. The scope rules are at the end.

* A request is created, submitted and claimed by the dealer's rep (its owner), the dealer's manager (a
  channel manager whose territories hold the dealer) or an admin.
* The dealer's manager approves it first, finance second; nobody approves a request they submitted, and the
  two approvals are two different people. The dealer's manager checks a claim's evidence (not their own
  claim); finance settles it (not a claim they made or checked).
* Finance sets budgets, deducts from deposits and approves deposit refunds, which the dealer's manager
  proposes for a terminated dealer.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.roles import Role, has_role
from channelhub.scoping import may_approve, reference_data, scope_rule, territory_paths
from partners.models import Dealer
from partners.policies import covers, via_dealer

from .models import DepositRefund, FundClaim, FundRequest

#: A material count whose variance is beyond this share (%) of what was issued is flagged.
MATERIAL_VARIANCE_LIMIT = Decimal("5")


def require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("Your role does not allow this."))


def is_dealer_manager(user, dealer: Dealer) -> bool:
    """A channel manager whose territories hold the dealer's (the managers who see it, SPEC §2)."""
    return has_role(user, Role.CHANNEL_MANAGER) and covers(user, dealer.territory)


def is_finance(user) -> bool:
    return has_role(user, Role.FINANCE, Role.ADMIN)


def can_request_for(user, dealer: Dealer) -> bool:
    """The dealer's rep, its manager or an admin (who may also act on the request later)."""
    if has_role(user, Role.ADMIN):
        return True
    return (has_role(user, Role.FIELD_REP) and dealer.owner_id == user.pk) or is_dealer_manager(user, dealer)


def may_request(user) -> bool:
    """Whether ``user``'s role requests funds at all (for some dealer): reps, managers and admins."""
    return has_role(user, Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN)


def decides_for(user, dealer: Dealer) -> bool:
    """Whether ``user``'s role takes part in approving the dealer's requests at some step (the dealer's
    manager, finance, an admin) — whatever the request's state; ``approval_refusal`` says the rest."""
    return is_finance(user) or is_dealer_manager(user, dealer)


def checks_for(user, dealer: Dealer) -> bool:
    """Whether ``user``'s role checks the evidence of the dealer's claims (its manager, an admin)."""
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, dealer)


def may_edit(user, request: FundRequest) -> bool:
    return request.status == FundRequest.Status.DRAFT and can_request_for(user, request.dealer)


def may_submit(user, request: FundRequest) -> bool:
    return request.status == FundRequest.Status.DRAFT and can_request_for(user, request.dealer)


def _submitter(request: FundRequest):
    return request.submitted_by or request.requested_by


def approval_refusal(user, request: FundRequest) -> str | None:
    """Why ``user`` may not approve ``request`` at its current step (a sentence), or None."""
    if request.status == FundRequest.Status.SUBMITTED:
        if not (has_role(user, Role.ADMIN) or is_dealer_manager(user, request.dealer)):
            return _("Only the dealer's channel manager approves a submitted fund request.")
    elif request.status == FundRequest.Status.MANAGER_APPROVED:
        if not is_finance(user):
            return _("Only finance approves a fund request after its manager.")
        if request.manager_approved_by_id == user.pk:
            return _("The second approval must be someone else's: you approved this request as its manager.")
    else:
        return None  # the state machine refuses with the state's name
    if _submitter(request).pk == user.pk or request.requested_by_id == user.pk:
        return _("You cannot approve a fund request you made or submitted yourself.")
    return None


def is_approver_of(user, request: FundRequest) -> bool:
    """``user`` takes part in deciding ``request`` at all: its dealer's manager, an admin, or finance once the
    manager approved it. Whoever does not gets 403 whatever the state (never the state's 409)."""
    if has_role(user, Role.ADMIN) or is_dealer_manager(user, request.dealer):
        return True
    return is_finance(user) and request.status == FundRequest.Status.MANAGER_APPROVED


def takes_part_in_cancel(user, request: FundRequest) -> bool:
    """Who may ever cancel ``request``: whoever may request for its dealer; finance an approved one."""
    return can_request_for(user, request.dealer) or (is_finance(user) and request.status == FundRequest.Status.APPROVED)


def is_checker_of(user, claim: FundClaim) -> bool:
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, claim.request.dealer)


def may_approve_now(user, request: FundRequest) -> bool:
    """The approve button: a request waiting for a step ``user`` takes, with nothing in the way."""
    waiting = request.status in (FundRequest.Status.SUBMITTED, FundRequest.Status.MANAGER_APPROVED)
    return waiting and is_approver_of(user, request) and approval_refusal(user, request) is None


def may_reject(user, request: FundRequest) -> bool:
    """Whoever would approve it at this step (segregation aside: a refusal is never self-serving)."""
    if request.status == FundRequest.Status.SUBMITTED:
        return has_role(user, Role.ADMIN) or is_dealer_manager(user, request.dealer)
    if request.status == FundRequest.Status.MANAGER_APPROVED:
        return is_finance(user)
    return False


def may_cancel(user, request: FundRequest) -> bool:
    """Before a claim: whoever may request for the dealer, and finance once it is approved."""
    if request.status not in (
        FundRequest.Status.DRAFT,
        FundRequest.Status.SUBMITTED,
        FundRequest.Status.MANAGER_APPROVED,
        FundRequest.Status.APPROVED,
    ):
        return False
    return can_request_for(user, request.dealer) or (request.status == FundRequest.Status.APPROVED and is_finance(user))


def may_claim(user, request: FundRequest) -> bool:
    return request.status == FundRequest.Status.APPROVED and can_request_for(user, request.dealer)


def request_actions(user, request: FundRequest) -> list[str]:
    """The API actions ``user`` may take on ``request`` now, in the order pages show them."""
    actions = []
    if may_submit(user, request):
        actions.append("submit")
    if may_approve_now(user, request):
        actions.append("approve")
    if may_reject(user, request):
        actions.append("reject")
    if may_claim(user, request):
        actions.append("claim")
    if may_cancel(user, request):
        actions.append("cancel")
    return actions


# --- claims ------------------------------------------------------------------------------------------


def may_add_evidence(user, claim: FundClaim) -> bool:
    return claim.status == FundClaim.Status.OPEN and can_request_for(user, claim.request.dealer)


def check_add_evidence(user, claim: FundClaim, now=None) -> None:
    """``EvidenceTarget.check_attach`` of claims: 403 for whom may not claim for the dealer, 409 once checked."""
    require(
        can_request_for(user, claim.request.dealer),
        _("Only the dealer's rep, its channel manager or an admin may add evidence to a claim."),
    )
    if claim.status != FundClaim.Status.OPEN:
        raise Conflict(
            _("This claim is “%(state)s”: its evidence is closed.") % {"state": claim.get_status_display()},
            current_state=claim.status,
        )


def may_check(user, claim: FundClaim) -> bool:
    """The dealer's manager or an admin, who did not make the claim."""
    if claim.status != FundClaim.Status.OPEN:
        return False
    role_ok = has_role(user, Role.ADMIN) or is_dealer_manager(user, claim.request.dealer)
    return role_ok and claim.claimed_by_id != user.pk


def check_refusal(user, claim: FundClaim) -> str | None:
    if not (has_role(user, Role.ADMIN) or is_dealer_manager(user, claim.request.dealer)):
        return _("Only the dealer's channel manager checks a claim's evidence.")
    if claim.claimed_by_id == user.pk:
        return _("You cannot check a claim you made yourself.")
    return None


def settle_refusal(user, claim: FundClaim) -> str | None:
    if not is_finance(user):
        return _("Only finance settles a claim.")
    if user.pk in (claim.claimed_by_id, claim.checked_by_id, claim.request.requested_by_id):
        return _("You cannot settle a claim you requested, made or checked yourself.")
    return None


def may_settle(user, claim: FundClaim) -> bool:
    return claim.status in (FundClaim.Status.MET, FundClaim.Status.NOT_MET) and settle_refusal(user, claim) is None


def claim_actions(user, claim: FundClaim) -> list[str]:
    actions = []
    if may_add_evidence(user, claim):
        actions.append("attachments")
    if may_check(user, claim):
        actions.append("check")
    if may_settle(user, claim):
        actions.append("settle")
    return actions


# --- budgets, deposits, materials ------------------------------------------------------------------------


def may_set_budgets(user) -> bool:
    return is_finance(user)


def may_deduct_deposit(user) -> bool:
    return is_finance(user)


def may_propose_refund(user, dealer: Dealer) -> bool:
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, dealer)


def may_decide_refund(user, refund: DepositRefund) -> bool:
    return (
        refund.status == DepositRefund.Status.PROPOSED
        and is_finance(user)
        and may_approve(actor=user, proposed_by=refund.proposed_by)
    )


def may_manage_materials(user) -> bool:
    """The catalogue of materials: finance, managers and admins."""
    return has_role(user, Role.FINANCE, Role.CHANNEL_MANAGER, Role.ADMIN)


def may_issue_materials(user, dealer: Dealer) -> bool:
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, dealer)


def may_count_materials(user, dealer: Dealer) -> bool:
    return can_request_for(user, dealer)


# --- visibility -------------------------------------------------------------------------------------------


@scope_rule("funds.FundBudget")
def _budgets(user, queryset: QuerySet) -> QuerySet:
    """Finance and admins see every budget; a manager the budgets of their territories, of the territories
    below them and above them (the budget a dealer of theirs draws on may be set higher up); a rep none."""
    if is_finance(user):
        return queryset
    if not has_role(user, Role.CHANNEL_MANAGER):
        return queryset.none()
    visible = Q(pk__in=[])
    above: set[str] = set()
    for path in territory_paths(user):
        visible |= Q(territory__path__startswith=path)
        codes = path.strip("/").split("/")
        above.update("/" + "/".join(codes[: i + 1]) + "/" for i in range(len(codes)))
    return queryset.filter(visible | Q(territory__path__in=sorted(above)))


scope_rule("funds.FundRequest")(via_dealer("dealer__"))
scope_rule("funds.FundClaim")(via_dealer("request__dealer__"))
scope_rule("funds.DepositEntry")(via_dealer("dealer__"))
scope_rule("funds.DepositRefund")(via_dealer("dealer__"))
scope_rule("funds.MaterialIssue")(via_dealer("dealer__"))
scope_rule("funds.MaterialCount")(via_dealer("dealer__"))
scope_rule("funds.Material")(reference_data)
