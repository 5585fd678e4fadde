"""Django admin for the KPI models, one module per area (facts, targets, scorecards)."""

from kpi.admin import facts, scorecards, targets  # noqa: F401
