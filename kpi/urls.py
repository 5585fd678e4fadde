"""KPI pages (SPEC §7), under /kpi/: facts and imports, targets, scorecards and measures."""

from kpi.views import facts, scorecards, targets

app_name = "kpi"

urlpatterns = [
    *facts.urlpatterns,
    *targets.urlpatterns,
    *scorecards.urlpatterns,
]
