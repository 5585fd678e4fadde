"""Who may see which KPI rows (SPEC §2 rows "sales / collections / expenses", "targets", "scorecards"):
the scope rules of this app, registered when its ``AppConfig.ready()`` imports this module."""

from __future__ import annotations

from channelhub.scoping import reference_data, rep_rows_rule, scope_rule

for _label in ("kpi.SalesRecord", "kpi.Collection", "kpi.Expense", "kpi.Target", "kpi.Scorecard"):
    scope_rule(_label)(rep_rows_rule("rep"))
scope_rule("kpi.TargetCategoryShare")(rep_rows_rule("target__rep"))
scope_rule("kpi.ScorecardLine")(rep_rows_rule("scorecard__rep"))

# periods and scorecard templates are reference data: every role reads them
for _label in ("kpi.Period", "kpi.ScorecardTemplate", "kpi.ScorecardTemplateItem"):
    scope_rule(_label)(reference_data)
