"""Dealer import and export pages, included by ``partners/urls.py`` under /partners/ (``partners:`` names)."""

from django.urls import path

from partners import import_views

urlpatterns = [
    path("dealers/import/", import_views.dealer_import_page, name="dealer-import"),
    path("dealers/import/template/", import_views.dealer_import_template_page, name="dealer-import-template"),
    path("dealers/export/", import_views.dealer_export_page, name="dealer-export"),
]
