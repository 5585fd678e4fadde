"""Actuals, targets, scorecards and commissions (SPEC §5–6)."""
