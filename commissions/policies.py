"""Who may do what with commission statements and disputes, and who sees which rows (SPEC §2 row
"commission statements"). Services enforce these; pages and the API ask them to offer only the actions
a user may take. The scope rules are registered when the app's ``AppConfig.ready()`` imports this module."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from channelhub.roles import Role, has_role
from channelhub.scoping import (
    may_approve,
    reference_data,
    rep_rows_rule,
    scope_rule,
    segregation_refusal,
)
from commissions.models import Dispute, Statement, StatementLine

for _label in ("commissions.Statement", "commissions.PlanAssignment"):
    scope_rule(_label)(rep_rows_rule("rep"))
scope_rule("commissions.StatementLine")(rep_rows_rule("statement__rep"))
scope_rule("commissions.Dispute")(rep_rows_rule("line__statement__rep"))


@scope_rule("commissions.CommissionRun")
def _runs(user, queryset: QuerySet) -> QuerySet:
    """Runs hold counts, not money: managers, finance and admins see them all; reps none."""
    return queryset if has_role(user, Role.ADMIN, Role.FINANCE, Role.CHANNEL_MANAGER) else queryset.none()


# commission plans are reference data: every role reads them
for _label in ("commissions.CommissionPlan", "commissions.CommissionTier"):
    scope_rule(_label)(reference_data)


#: The page and API action names, in the order buttons are shown.
ACTIONS = ("submit", "approve", "reject", "reopen", "mark-paid")


#: Segregation of duties (不相容岗位): what someone whose role could take the action is told.
APPROVE_REFUSAL = gettext_lazy("You cannot approve a commission statement you submitted or are paid by.")


OWN_REFUSALS = {
    "submit": gettext_lazy("You cannot submit your own commission statement."),
    "reject": gettext_lazy("You cannot reject your own commission statement."),
    "mark-paid": gettext_lazy("You cannot record the payment of your own commission."),
}


def _manages(actor, rep) -> bool:
    """``actor`` is ``rep``'s manager (no query when ``rep__profile`` is loaded)."""
    try:
        return rep.profile.manager_id == actor.pk
    except ObjectDoesNotExist:
        return False


def is_submitter(actor, statement: Statement) -> bool:
    """The rep's manager or an admin (role only: the state and segregation aside)."""
    if statement.rep_id == actor.pk:
        return False
    return has_role(actor, Role.ADMIN) or (has_role(actor, Role.CHANNEL_MANAGER) and _manages(actor, statement.rep))


def is_finance(actor) -> bool:
    """Finance (or an admin) approves, rejects, pays and exports payouts."""
    return has_role(actor, Role.FINANCE, Role.ADMIN)


def can_submit(actor, statement: Statement) -> bool:
    return is_submitter(actor, statement)


def can_reopen(actor, statement: Statement) -> bool:
    return is_submitter(actor, statement)


def can_approve(actor, statement: Statement) -> bool:
    """Finance or an admin who neither submitted it nor is paid by it."""
    return is_finance(actor) and may_approve(
        actor=actor, submitted_by=statement.submitted_by, beneficiary=statement.rep
    )


def can_reject(actor, statement: Statement) -> bool:
    """Finance or an admin, but not the beneficiary (nobody decides on their own commission)."""
    return is_finance(actor) and statement.rep_id != actor.pk


def can_mark_paid(actor, statement: Statement) -> bool:
    """Finance or an admin, but not the beneficiary (nobody records their own payout), for a statement
    that pays something."""
    return is_finance(actor) and statement.rep_id != actor.pk and statement.payable_amount > 0


def segregation_refusal_of(actor, statement: Statement, action: str) -> str | None:
    """Why segregation of duties keeps ``actor``, whose role could take ``action`` on ``statement``, from
    taking it (None: it does not): the refusal a page shows instead of "your role does not allow this"."""
    if action == "approve":
        if not is_finance(actor):
            return None
        return segregation_refusal(
            actor=actor, submitted_by=statement.submitted_by, beneficiary=statement.rep, refusal=APPROVE_REFUSAL
        )
    if action not in OWN_REFUSALS or statement.rep_id != actor.pk:
        return None
    role_may = has_role(actor, Role.ADMIN, Role.CHANNEL_MANAGER) if action == "submit" else is_finance(actor)
    return str(OWN_REFUSALS[action]) if role_may else None


#: action → (transition name, may the role take it)
RULES = {
    "submit": ("submit", can_submit),
    "approve": ("approve", can_approve),
    "reject": ("reject", can_reject),
    "reopen": ("reopen", can_reopen),
    "mark-paid": ("mark_paid", can_mark_paid),
}


def allowed_actions(actor, statement: Statement) -> list[str]:
    """The actions ``actor`` may take on ``statement`` now (state, role and segregation of duties)."""
    allowed = []
    for action in ACTIONS:
        transition, may = RULES[action]
        if Statement.workflow.can(statement, transition) and may(actor, statement):
            allowed.append(action)
    return allowed


def disputable_line_ids(lines) -> set[int]:
    """Of one statement's ``lines``, those whose amount passes straight into the net: the last commission
    step (tiers, a gate or the scorecard factor), the deductions, adjustments and a released retention."""
    lines = list(lines)
    gross = [line for line in lines if line.step in GROSS_STEPS]
    ids = {line.pk for line in lines if line.step in DEDUCTION_STEPS or line.step in ADDED_STEPS}
    if gross:
        ids.add(max(gross, key=lambda line: line.position).pk)
    return ids


def can_open(actor, line: StatementLine, siblings=None) -> bool:
    """The rep whose submitted or approved statement it is, on a disputable line (``siblings``: the
    statement's lines when already loaded, else read)."""
    statement = line.statement
    if statement.rep_id != actor.pk or statement.status not in DISPUTABLE_STATES:
        return False
    return line.pk in disputable_line_ids(siblings if siblings is not None else statement.lines.all())


def is_answerer(actor, dispute: Dispute) -> bool:
    """The rep's manager or an admin, never the rep who opened it."""
    if dispute.rep_id == actor.pk:
        return False
    return has_role(actor, Role.ADMIN) or (has_role(actor, Role.CHANNEL_MANAGER) and _manages(actor, dispute.rep))


def can_answer(actor, dispute: Dispute) -> bool:
    return dispute.status == Dispute.Status.OPEN and is_answerer(actor, dispute)


def may_close(user) -> bool:
    return has_role(user, Role.FINANCE, Role.ADMIN)


Step = StatementLine.Step

#: Steps that carry the commission before deductions; only the last of them passes into the net.
GROSS_STEPS = (Step.GROSS, Step.GATE, Step.DISTRIBUTION_GATE, Step.SCORECARD)


#: Deductions, stored as positive amounts taken from the gross.
DEDUCTION_STEPS = (Step.EXPENSES, Step.SHORTFALL, Step.FALSE_REPORTS, Step.FABRICATED)


#: Lines added to the net as they are (positive in the rep's favour).
ADDED_STEPS = (Step.ADJUSTMENT, Step.RELEASE)


#: Statements whose lines may be disputed (SPEC §6).
DISPUTABLE_STATES = (Statement.Status.SUBMITTED, Statement.Status.APPROVED)


def may_export(user) -> bool:
    return is_finance(user)


def may_start_runs(user) -> bool:
    return has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)
