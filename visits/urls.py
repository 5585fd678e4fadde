"""Visit pages (SPEC §7), under /visits/."""

from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.visit_list_page, name="visit-list"),
    path("new/", views.visit_create_page, name="visit-create"),
    path("review/", views.review_page, name="review"),
    path("compliance/", views.compliance_page, name="compliance"),
    path("<int:pk>/", views.visit_detail_page, name="visit-detail"),
    path("<int:pk>/edit/", views.visit_edit_page, name="visit-edit"),
    *(
        path(f"<int:pk>/{action}/", views.visit_action_page, {"action": action}, name=f"visit-{action}")
        for action in views.VISIT_ACTIONS
    ),
    path("plans/", views.plan_list_page, name="plan-list"),
    path("plans/week/", views.my_plan_page, name="my-plan"),
    path("plans/<int:pk>/", views.plan_detail_page, name="plan-detail"),
    *(
        path(f"plans/<int:pk>/{action}/", views.plan_action_page, {"action": action}, name=f"plan-{action}")
        for action in views.PLAN_ACTIONS
    ),
]
