"""The inspection pages (SPEC §17) under ``/inspections/``. The names are the contract the to-dos, notifications,
the dealer page and the authorization matrix link to."""

from django.urls import path

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
    path("rectifications/<int:pk>/verify/", rectifications.rectification_verify_page, name="rectification-verify"),
    path("rectifications/<int:pk>/reopen/", rectifications.rectification_reopen_page, name="rectification-reopen"),
    # complaints (inspections/views/complaints.py)
    path("complaints/", complaints.complaint_list_page, name="complaint-list"),
    path("complaints/new/", complaints.complaint_create_page, name="complaint-create"),
    path("complaints/<int:pk>/", complaints.complaint_detail_page, name="complaint-detail"),
    path("complaints/<int:pk>/respond/", complaints.complaint_respond_page, name="complaint-respond"),
    path("complaints/<int:pk>/resolve/", complaints.complaint_resolve_page, name="complaint-resolve"),
]
