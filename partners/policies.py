"""Who may do what with dealers and agreements (SPEC §2). Services enforce these; pages and the API
use them to offer only the actions a user may take.

Visibility (which rows) is ``channelhub.scoping``; these answer "may this user act on this row",
always for a row the user can already see.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from channelhub.roles import Role, has_role
from channelhub.scoping import territory_paths

from .models import Agreement, Dealer, Territory

MANAGE_TRANSITIONS = {"submit_review", "suspend", "reactivate", "terminate"}
FINANCE_TRANSITIONS = {"approve_qualification", "reject_qualification"}


def covers(user, territory: Territory) -> bool:
    """True if ``territory`` is one of ``user``'s territories or lies below one (no query after the first)."""
    return any(territory.path.startswith(path) for path in territory_paths(user))


def can_manage_dealer(user, dealer: Dealer) -> bool:
    """Full rights on a dealer: an admin, or a channel manager whose territories hold the dealer's."""
    return has_role(user, Role.ADMIN) or (has_role(user, Role.CHANNEL_MANAGER) and covers(user, dealer.territory))


def can_create_in(user, territory: Territory) -> bool:
    return has_role(user, Role.ADMIN) or (has_role(user, Role.CHANNEL_MANAGER) and covers(user, territory))


def can_edit_contact_data(user, dealer: Dealer) -> bool:
    """Reps may keep their own dealers' address and contacts up to date."""
    return can_manage_dealer(user, dealer) or (has_role(user, Role.FIELD_REP) and dealer.owner_id == user.pk)


def can_decide_qualification(user) -> bool:
    return has_role(user, Role.ADMIN, Role.FINANCE)


def may_run_dealer_transition(user, dealer: Dealer, name: str) -> bool:
    if name in FINANCE_TRANSITIONS:
        return can_decide_qualification(user)
    if name in MANAGE_TRANSITIONS:
        return can_manage_dealer(user, dealer)
    return False  # "activate" happens only when an agreement is signed


def dealer_actions(user, dealer: Dealer) -> list:
    """Transitions ``user`` may take on ``dealer`` now (state and role both allow)."""
    return [t for t in Dealer.workflow.available(dealer) if may_run_dealer_transition(user, dealer, t.name)]


def can_manage_agreement(user, agreement: Agreement) -> bool:
    return can_manage_dealer(user, agreement.dealer)


def can_confirm_deposit(user) -> bool:
    return has_role(user, Role.ADMIN, Role.FINANCE)


def agreement_actions(user, agreement: Agreement) -> list:
    if not can_manage_agreement(user, agreement):
        return []
    return Agreement.workflow.available(agreement)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role does not allow this."))
