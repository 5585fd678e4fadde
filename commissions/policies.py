"""Who may see which commission rows (SPEC §2 row "commission statements"): the scope rules of this
app, registered when its ``AppConfig.ready()`` imports this module."""

from __future__ import annotations

from django.db.models import QuerySet

from channelhub.roles import Role, has_role
from channelhub.scoping import reference_data, rep_rows_rule, scope_rule

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
