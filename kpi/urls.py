"""KPI pages (SPEC §7), under /kpi/."""

from kpi.views import facts, runs, scorecards, statements, targets

app_name = "kpi"

urlpatterns = [
    *facts.urlpatterns,
    *targets.urlpatterns,
    *scorecards.urlpatterns,
    *runs.urlpatterns,
    *statements.urlpatterns,
]
