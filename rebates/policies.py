"""Who may see and do what with rebates and dealer accounts (SPEC §2 row "rebates, dealer accounts", §15).

* Reps read their own dealers' settlements and accounts; channel managers those of their territories, and
  submit the drafts; finance (and admins) read all, run settlements, approve, reject and mark them paid.
* Segregation: nobody approves (or rejects) a settlement they submitted. A role that never decides gets 403
  whatever the state; a decider at the wrong state 409.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from channelhub.roles import Role, has_role
from channelhub.scoping import reference_data, scope_rule
from funds.policies import is_dealer_manager, is_finance, require  # noqa: F401 (the same rules for rebates)
from partners.models import Dealer
from partners.policies import via_dealer

from .models import RebateSettlement


def may_start_runs(user) -> bool:
    return is_finance(user)


def may_manage_programs(user) -> bool:
    return is_finance(user)


def submits_for(user, dealer: Dealer) -> bool:
    """The dealer's channel manager or an admin."""
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, dealer)


def may_submit(user, settlement: RebateSettlement) -> bool:
    return settlement.status == RebateSettlement.Status.DRAFT and submits_for(user, settlement.dealer)


def decision_refusal(user, settlement: RebateSettlement) -> str | None:
    """Why ``user`` may not approve or reject ``settlement`` (a sentence), or None."""
    if not is_finance(user):
        return _("Only finance approves or rejects a rebate settlement.")
    if settlement.submitted_by_id == user.pk:
        return _("You cannot decide a rebate settlement you submitted yourself.")
    return None


def may_decide(user, settlement: RebateSettlement) -> bool:
    return settlement.status == RebateSettlement.Status.SUBMITTED and decision_refusal(user, settlement) is None


def may_mark_paid(user, settlement: RebateSettlement) -> bool:
    return settlement.status == RebateSettlement.Status.APPROVED and is_finance(user)


def settlement_actions(user, settlement: RebateSettlement) -> list[str]:
    """The API actions ``user`` may take on ``settlement`` now, in the order pages show them."""
    actions = []
    if may_submit(user, settlement):
        actions.append("submit")
    if may_decide(user, settlement):
        actions += ["approve", "reject"]
    if may_mark_paid(user, settlement):
        actions.append("mark-paid")
    return actions


# --- visibility -------------------------------------------------------------------------------------------


@scope_rule("rebates.RebateRun")
def _runs(user, queryset: QuerySet) -> QuerySet:
    """Runs cover every dealer: finance and admins see them."""
    return queryset if is_finance(user) else queryset.none()


scope_rule("rebates.RebateSettlement")(via_dealer("dealer__"))
scope_rule("rebates.RebateLine")(via_dealer("settlement__dealer__"))
scope_rule("rebates.RebateAccrual")(via_dealer("dealer__"))
scope_rule("rebates.RebateProgram")(reference_data)
scope_rule("rebates.RebateTier")(reference_data)
