"""Pages of dealers and agreements (SPEC §7), under /partners/."""

from django.urls import path

from channelhub.pages import action_paths
from partners import views
from partners.views import documents as document_views
from partners.views import imports as import_views

app_name = "partners"

urlpatterns = [
    path("dealers/", views.dealer_list_page, name="dealer-list"),
    path("dealers/new/", views.dealer_create_page, name="dealer-create"),
    path("dealers/<int:pk>/", views.dealer_detail_page, name="dealer-detail"),
    path("dealers/<int:pk>/edit/", views.dealer_edit_page, name="dealer-edit"),
    path("dealers/<int:dealer_pk>/agreements/new/", views.agreement_create_page, name="agreement-create"),
    *action_paths("dealers/<int:pk>/", views.dealer_action_page, views.DEALER_ACTIONS, "dealer"),
    path("agreements/", views.agreement_list_page, name="agreement-list"),
    path("agreements/<int:pk>/", views.agreement_detail_page, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit_page, name="agreement-edit"),
    *action_paths("agreements/<int:pk>/", views.agreement_action_page, views.AGREEMENT_ACTIONS, "agreement"),
    # documents (SPEC §13): the upload forms of the dealer page (its pending review) and the agreement page
    path("reviews/<int:pk>/documents/", document_views.review_documents_page, name="review-documents"),
    path("agreements/<int:pk>/documents/", document_views.agreement_documents_page, name="agreement-documents"),
    # the dealers' import and export
    path("dealers/import/", import_views.dealer_import_page, name="dealer-import"),
    path("dealers/import/template/", import_views.dealer_import_template_page, name="dealer-import-template"),
    path("dealers/export/", import_views.dealer_export_page, name="dealer-export"),
]
