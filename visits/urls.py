"""Visit pages (SPEC §7), under /visits/."""

from django.urls import path

from channelhub.pages import action_paths
from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list_page, name="visit-list"),
    path("export/", views.visit_export_page, name="visit-export"),
    path("new/", views.visit_create_page, name="visit-create"),
    path("review/", views.review_page, name="review"),
    path("review/confirm/", views.review_confirm_page, name="review-confirm"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("compliance/export/", views.compliance_export_page, name="compliance-export"),
    path("<int:pk>/", views.visit_detail_page, name="visit-detail"),
    path("<int:pk>/edit/", views.visit_edit_page, name="visit-edit"),
    path("<int:pk>/photos/", views.visit_photos_page, name="visit-photos"),
    *action_paths("<int:pk>/", views.visit_action_page, views.VISIT_ACTIONS, "visit"),
    path("plans/", views.plan_list_page, name="plan-list"),
    path("plans/week/", views.my_plan_page, name="my-plan"),
    path("plans/approve/", views.plan_approve_many_page, name="plan-approve-many"),
    path("plans/<int:pk>/", views.plan_detail_page, name="plan-detail"),
    *action_paths("plans/<int:pk>/", views.plan_action_page, views.PLAN_ACTIONS, "plan"),
]
