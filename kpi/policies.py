"""Who may see and do what in the KPI app (SPEC §2 rows "sales / collections / expenses", "targets",
"scorecards"): the scope rules, registered when the app's ``AppConfig.ready()`` imports this module, and
the policies that services call before they act and pages and serializers call for their buttons."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.utils.translation import gettext as _

from channelhub.roles import Role, has_role
from channelhub.scoping import is_manager_of, may_approve, reference_data, rep_rows_rule, scope_rule
from kpi.models import Scorecard, Target

for _label in (
    "kpi.SalesRecord",
    "kpi.Collection",
    "kpi.Expense",
    "kpi.Target",
    "kpi.Scorecard",
    "kpi.RepMonthTotal",
    "kpi.DealerMonthTotal",
):
    scope_rule(_label)(rep_rows_rule("rep"))
scope_rule("kpi.TargetCategoryShare")(rep_rows_rule("target__rep"))
scope_rule("kpi.ScorecardLine")(rep_rows_rule("scorecard__rep"))

# periods and scorecard templates are reference data: every role reads them
for _label in ("kpi.Period", "kpi.ScorecardTemplate", "kpi.ScorecardTemplateItem"):
    scope_rule(_label)(reference_data)


# --- targets (for a target the user can already see) ----------------------------------------------


def _manages(actor, rep) -> bool:
    """``actor`` is ``rep``'s manager (no query when ``rep__profile`` is loaded)."""
    try:
        return rep.profile.manager_id == actor.pk
    except ObjectDoesNotExist:
        return False


def can_propose(user) -> bool:
    """Reps propose their own targets, managers set their team's, admins anyone's; finance only reads."""
    return has_role(user, Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN)


def can_set_for(actor, rep) -> bool:
    """May ``actor`` propose (or spread an annual target) for ``rep``."""
    if has_role(actor, Role.ADMIN):
        return True
    if has_role(actor, Role.CHANNEL_MANAGER) and _manages(actor, rep):
        return True
    return has_role(actor, Role.FIELD_REP) and rep.pk == actor.pk


def is_setting_for_others(user) -> bool:
    """Managers and admins choose the rep; a rep sets only their own targets."""
    return has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN)


def may_change(actor, target: Target) -> bool:
    """Its proposer, the rep's manager or an admin (whatever the state)."""
    if has_role(actor, Role.ADMIN) or target.proposed_by_id == actor.pk:
        return True
    return has_role(actor, Role.CHANNEL_MANAGER) and _manages(actor, target.rep)


def can_update(actor, target: Target) -> bool:
    """While proposed: its proposer, the rep's manager or an admin."""
    return target.status == Target.Status.PROPOSED and may_change(actor, target)


def is_approver(actor, target: Target) -> bool:
    """The rep's manager or an admin (segregation of duties aside)."""
    return has_role(actor, Role.ADMIN) or (has_role(actor, Role.CHANNEL_MANAGER) and _manages(actor, target.rep))


def can_approve(actor, target: Target) -> bool:
    """The rep's manager or an admin, who is neither the proposer nor the rep."""
    return is_approver(actor, target) and may_approve(
        actor=actor, proposed_by=target.proposed_by, beneficiary=target.rep
    )


def can_acknowledge(actor, target: Target) -> bool:
    """Only the rep whose target it is signs it off."""
    return target.rep_id == actor.pk


# --- scorecards -----------------------------------------------------------------------------------


def can_compute(user, rep) -> bool:
    """Managers compute their team's scorecards, admins anyone's; nobody their own."""
    if rep.pk == user.pk:
        return False
    return has_role(user, Role.ADMIN) or (has_role(user, Role.CHANNEL_MANAGER) and is_manager_of(user, rep))


def can_self_evaluate(user, scorecard: Scorecard) -> bool:
    return scorecard.rep_id == user.pk and has_role(user, Role.FIELD_REP)


def can_confirm(user, scorecard: Scorecard) -> bool:
    """The rep's manager (or an admin) confirms — never the rep whose scorecard it is."""
    if scorecard.rep_id == user.pk:
        return False
    return has_role(user, Role.ADMIN) or (has_role(user, Role.CHANNEL_MANAGER) and is_manager_of(user, scorecard.rep))


# --- facts ----------------------------------------------------------------------------------------


def may_record(user) -> bool:
    """SPEC §2: finance (and admins) create and import facts; reps and managers only read them."""
    return has_role(user, Role.ADMIN, Role.FINANCE)


def require_recorder(user) -> None:
    if not may_record(user):
        raise PermissionDenied(_("Only finance records and imports sales, collections and expenses."))
