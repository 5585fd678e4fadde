"""Django admin for the KPI models, one module per area (facts, targets, scorecards, plans, statements, runs)."""

from kpi.admin import facts, plans, runs, scorecards, statements, targets  # noqa: F401
