"""The inspection pages (SPEC §17) under ``/inspections/``."""

from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection-list"),
    path("plan/", views.plan, name="plan"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("rectifications/", views.rectification_list, name="rectification-list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification-detail"),
    path("complaints/", views.complaint_list, name="complaint-list"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint-detail"),
]
