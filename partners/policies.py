"""Who may do what with dealers and agreements (SPEC §2). Services enforce these; pages and the API
use them to offer only the actions a user may take.

The checks answer "may this user act on this row", always for a row the user can already see; the
scope rules (which rows, ``channelhub.scoping``) are at the end.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.roles import Role, has_role
from channelhub.scoping import in_territories_of, reference_data, scope_rule, territory_paths

from .models import Agreement, Dealer, QualificationReview, Territory

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


# --- documents (SPEC §13: a business licence, a credit report, a signed contract scan) --------------


def may_add_documents(user, obj: QualificationReview | Agreement) -> bool:
    """The role may attach documents to ``obj`` (a review or an agreement it can see), whatever the state:
    whoever manages the dealer (its territories' manager, an admin); for a review also finance, who does
    the credit review (a credit report, a bank statement)."""
    if isinstance(obj, QualificationReview) and can_decide_qualification(user):
        return True
    return can_manage_dealer(user, obj.dealer)


def document_refusal(obj: QualificationReview | Agreement) -> Conflict | None:
    """Why ``obj``'s state takes no documents now (a Conflict to raise or show), or None."""
    if obj.dealer.status == Dealer.Status.TERMINATED:
        return Conflict(_("A terminated dealer cannot be changed; it is kept for its history."))
    if isinstance(obj, QualificationReview):
        if obj.decision != QualificationReview.Decision.PENDING:
            return Conflict(
                _("This review is “%(state)s”: a decided review is a record and takes no more documents.")
                % {"state": obj.get_decision_display()},
                current_state=obj.decision,
            )
        return None
    if obj.status == Agreement.Status.TERMINATED:
        return Conflict(
            _("This agreement is “%(state)s”: it takes no more documents.") % {"state": obj.get_status_display()},
            current_state=obj.status,
        )
    return None


def check_add_documents(user, obj: QualificationReview | Agreement, now=None) -> None:
    """``EvidenceTarget.check_attach`` of reviews and agreements: 403 for a role that may not attach
    documents (reps read them), 409 naming the state that takes none (a decided review, a terminated
    agreement or dealer). ``now`` is not used: a document's time does not matter, the record's state does."""
    if not may_add_documents(user, obj):
        if isinstance(obj, QualificationReview):
            raise PermissionDenied(
                _("Only the dealer's channel manager, finance or an admin may add documents to a review.")
            )
        raise PermissionDenied(_("Only the dealer's channel manager or an admin may add documents to an agreement."))
    if (refusal := document_refusal(obj)) is not None:
        raise refusal


def can_add_documents(user, obj: QualificationReview | Agreement) -> bool:
    """Pages show the upload form only to whom ``check_add_documents`` lets through now."""
    return may_add_documents(user, obj) and document_refusal(obj) is None


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role does not allow this."))


# --- visibility (SPEC §2 rows "dealers", "agreements"): the scope rules of this app ----------------


def dealer_condition(user, prefix: str = "") -> Q | None:
    """``None`` means everything; else the condition on dealers (under ``prefix``) that ``user`` may see:
    admin and finance all, a manager those in their territories, a rep those they own."""
    if has_role(user, Role.ADMIN, Role.FINANCE):
        return None
    visible = Q(pk__in=[])
    if has_role(user, Role.CHANNEL_MANAGER):
        visible |= in_territories_of(user, f"{prefix}territory")
    if has_role(user, Role.FIELD_REP):
        visible |= Q(**{f"{prefix}owner": user})
    return visible


def directory_condition(user) -> Q | None:
    """The dealers ``user`` may look up as a directory (name, address, contacts, status): those of the scope
    rule, and for an inspector (SPEC §17) the dealers of the territories on their profile, read only.

    Only the dealer list and page and the inspections app read dealers this way. The scope rule of dealers —
    which every other app's lists, totals and lookups start from — leaves inspectors out, so nothing that
    belongs to a dealer (agreements, facts, funds, stock, accounts) reaches them through a dealer."""
    condition = dealer_condition(user)
    if condition is not None and has_role(user, Role.INSPECTOR):
        condition |= in_territories_of(user, "territory")
    return condition


def reads_dealer_business(user, dealer: Dealer) -> bool:
    """Whether ``user`` sees ``dealer`` by the scope rule (its business: figures, documents, sections), not
    only as a directory entry (an inspector). No query after the user's territories."""
    if has_role(user, Role.ADMIN, Role.FINANCE):
        return True
    if has_role(user, Role.CHANNEL_MANAGER) and covers(user, dealer.territory):
        return True
    return has_role(user, Role.FIELD_REP) and dealer.owner_id == user.pk


def via_dealer(prefix: str):
    """The scope rule of rows that belong to a dealer (``prefix`` leads from the row to it)."""

    def rule(user, queryset: QuerySet) -> QuerySet:
        condition = dealer_condition(user, prefix)
        return queryset if condition is None else queryset.filter(condition)

    return rule


scope_rule("partners.Dealer")(via_dealer(""))
scope_rule("partners.Agreement")(via_dealer("dealer__"))
scope_rule("partners.DealerContact")(via_dealer("dealer__"))
scope_rule("partners.QualificationReview")(via_dealer("dealer__"))
# territories and product lines are reference data: every role reads all of them
scope_rule("partners.Territory")(reference_data)
scope_rule("partners.ProductLine")(reference_data)
