"""KPI pages, one module per area (facts and imports, targets, scorecards); ``kpi/urls.py`` gathers them."""
