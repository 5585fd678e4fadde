"""The inspection pages (SPEC §17) under ``/inspections/``. The names are the contract the to-dos, notifications,
the dealer page and the authorization matrix link to."""

from django.urls import path

from channelhub.pages import action_paths
from inspections.views import complaints, inspections, rectifications

app_name = "inspections"

urlpatterns = [
    # inspections (inspections/views/inspections.py)
    path("", inspections.inspection_list_page, name="inspection-list"),
    path("plan/", inspections.plan_page, name="plan"),
    path("new/", inspections.inspection_create_page, name="inspection-create"),
    path("sample/", inspections.sample_page, name="sample"),
    path("<int:pk>/", inspections.inspection_detail_page, name="inspection-detail"),
    path("<int:pk>/perform/", inspections.inspection_perform_page, name="inspection-perform"),
    path("<int:pk>/complete/", inspections.inspection_complete_page, name="inspection-complete"),
    path("<int:pk>/review/", inspections.inspection_review_page, name="inspection-review"),
    # rectifications (inspections/views/rectifications.py)
    path("rectifications/", rectifications.rectification_list_page, name="rectification-list"),
    path("rectifications/<int:pk>/", rectifications.rectification_detail_page, name="rectification-detail"),
    path("rectifications/<int:pk>/submit/", rectifications.rectification_submit_page, name="rectification-submit"),
    *action_paths(
        "rectifications/<int:pk>/",
        rectifications.rectification_action_page,
        rectifications.RECTIFICATION_ACTIONS,
        "rectification",
    ),
    # complaints (inspections/views/complaints.py)
    path("complaints/", complaints.complaint_list_page, name="complaint-list"),
    path("complaints/new/", complaints.complaint_create_page, name="complaint-create"),
    path("complaints/<int:pk>/", complaints.complaint_detail_page, name="complaint-detail"),
    *action_paths("complaints/<int:pk>/", complaints.complaint_action_page, complaints.COMPLAINT_ACTIONS, "complaint"),
]
