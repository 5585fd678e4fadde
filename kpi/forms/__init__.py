"""Forms of the KPI pages: facts and imports, targets, scorecards."""
