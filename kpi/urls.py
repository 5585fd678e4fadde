"""KPI pages (SPEC §7), under /kpi/: facts and imports, targets, scorecards and measures."""

from django.urls import path, re_path

from channelhub.pages import action_paths
from kpi.views.facts import (
    conflict_list_page,
    fact_create_page,
    fact_export_page,
    fact_import_page,
    fact_import_template_page,
    fact_list_page,
)
from kpi.views.scorecards import (
    measures_export_page,
    measures_page,
    scorecard_compute_page,
    scorecard_confirm_page,
    scorecard_detail_page,
    scorecard_list_page,
    scorecard_recompute_page,
    scorecard_self_evaluate_page,
)
from kpi.views.targets import (
    TARGET_ACTIONS,
    target_action_page,
    target_annual_page,
    target_create_page,
    target_detail_page,
    target_edit_page,
    target_list_page,
)

app_name = "kpi"

urlpatterns = [
    # facts
    path("sales/", fact_list_page, {"kind": "sales"}, name="sales-list"),
    path("collections/", fact_list_page, {"kind": "collections"}, name="collection-list"),
    path("expenses/", fact_list_page, {"kind": "expenses"}, name="expense-list"),
    re_path(r"^(?P<kind>sales|collections|expenses)/new/$", fact_create_page, name="fact-create"),
    re_path(r"^(?P<kind>sales|collections|expenses)/export/$", fact_export_page, name="fact-export"),
    path("imports/", fact_import_page, name="import"),
    path("imports/template/", fact_import_template_page, name="import-template"),
    path("conflicts/", conflict_list_page, name="conflicts"),
    # targets
    path("targets/", target_list_page, name="target-list"),
    path("targets/new/", target_create_page, name="target-create"),
    path("targets/annual/", target_annual_page, name="target-annual"),
    path("targets/<int:pk>/", target_detail_page, name="target-detail"),
    path("targets/<int:pk>/edit/", target_edit_page, name="target-edit"),
    *action_paths("targets/<int:pk>/", target_action_page, TARGET_ACTIONS, "target"),
    # scorecards
    path("scorecards/", scorecard_list_page, name="scorecard-list"),
    path("scorecards/compute/", scorecard_compute_page, name="scorecard-compute"),
    path("scorecards/<int:pk>/", scorecard_detail_page, name="scorecard-detail"),
    path("scorecards/<int:pk>/recompute/", scorecard_recompute_page, name="scorecard-recompute"),
    path("scorecards/<int:pk>/self-evaluate/", scorecard_self_evaluate_page, name="scorecard-self-evaluate"),
    path("scorecards/<int:pk>/confirm/", scorecard_confirm_page, name="scorecard-confirm"),
    path("measures/", measures_page, name="measures"),
    path("measures/export/", measures_export_page, name="measures-export"),
]
