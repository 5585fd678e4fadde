"""Who may see what of the KPI and commission rows (SPEC §2 rows "sales / collections / expenses",
"targets", "scorecards", "commissions"): the scope rules of this app, registered when its
``AppConfig.ready()`` imports this module."""

from __future__ import annotations

from django.db.models import QuerySet

from channelhub.roles import Role, has_role
from channelhub.scoping import reference_data, rep_rows_rule, scope_rule

for _label in ("kpi.SalesRecord", "kpi.Collection", "kpi.Expense", "kpi.Target", "kpi.Scorecard", "kpi.Statement"):
    scope_rule(_label)(rep_rows_rule("rep"))
scope_rule("kpi.TargetCategoryShare")(rep_rows_rule("target__rep"))
scope_rule("kpi.ScorecardLine")(rep_rows_rule("scorecard__rep"))
scope_rule("kpi.StatementLine")(rep_rows_rule("statement__rep"))
scope_rule("kpi.Dispute")(rep_rows_rule("line__statement__rep"))
scope_rule("kpi.PlanAssignment")(rep_rows_rule("rep"))


@scope_rule("kpi.CommissionRun")
def _runs(user, queryset: QuerySet) -> QuerySet:
    """Runs hold counts, not money: managers, finance and admins see them all; reps none."""
    return queryset if has_role(user, Role.ADMIN, Role.FINANCE, Role.CHANNEL_MANAGER) else queryset.none()


# periods, commission plans and scorecard templates are reference data: every role reads them
for _label in (
    "kpi.Period",
    "kpi.CommissionPlan",
    "kpi.CommissionTier",
    "kpi.ScorecardTemplate",
    "kpi.ScorecardTemplateItem",
):
    scope_rule(_label)(reference_data)
