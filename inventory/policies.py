"""Who may see and do what with dealer stock (SPEC §2 row "stock reports", §16).

* The dealer's rep (its owner) and admins enter a dealer's stock reports, and correct them until confirmed.
* The dealer's channel manager (a manager whose territories hold the dealer) or an admin confirms or returns
  a submitted report — never one they submitted themselves.
* Finance reads every report. Key-account pins and the on-demand Pareto pass belong to managers and admins.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from channelhub.roles import Role, has_role
from channelhub.scoping import scope_rule
from funds.policies import is_dealer_manager, is_finance, require
from partners.models import Dealer
from partners.policies import via_dealer

from .models import StockReport

__all__ = ["is_dealer_manager", "is_finance", "require"]


def may_report_for(user, dealer: Dealer) -> bool:
    """The dealer's rep or an admin."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.FIELD_REP) and dealer.owner_id == user.pk


def may_report(user) -> bool:
    """Whether ``user``'s role enters stock reports at all (for some dealer)."""
    return has_role(user, Role.FIELD_REP, Role.ADMIN)


def may_edit(user, report: StockReport) -> bool:
    return report.status != StockReport.Status.CONFIRMED and may_report_for(user, report.dealer)


def confirms_for(user, dealer: Dealer) -> bool:
    """The dealer's channel manager or an admin."""
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, dealer)


def confirm_refusal(user, report: StockReport) -> str | None:
    if not confirms_for(user, report.dealer):
        return _("Only the dealer's channel manager confirms or returns its stock report.")
    if report.submitted_by_id == user.pk:
        return _("You cannot confirm or return a stock report you submitted yourself.")
    return None


def may_confirm(user, report: StockReport) -> bool:
    return report.status == StockReport.Status.SUBMITTED and confirm_refusal(user, report) is None


def report_actions(user, report: StockReport) -> list[str]:
    """The API actions ``user`` may take on ``report`` now, in the order pages show them."""
    actions = ["confirm", "return"] if may_confirm(user, report) else []
    if may_edit(user, report):
        actions.append("edit")
    return actions


def may_run_pareto(user) -> bool:
    return has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN)


def sees_all(user) -> bool:
    """Finance and admins read every dealer's stock."""
    return is_finance(user)


# --- visibility -------------------------------------------------------------------------------------------

scope_rule("inventory.StockReport")(via_dealer("dealer__"))
