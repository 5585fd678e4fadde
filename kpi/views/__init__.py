"""KPI pages, one module per area (facts and imports, targets, scorecards); each has ``urlpatterns``."""
