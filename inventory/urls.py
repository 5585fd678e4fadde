"""Dealer stock pages (SPEC §16), under /stock/. The names are the contract the to-dos, notifications and the
dealer page link to."""

from django.urls import path

from inventory.views import health, imports, reports, terminals

app_name = "inventory"

urlpatterns = [
    # the stock health list (inventory/views/health.py)
    path("", health.health_page, name="health"),
    # a dealer's month (inventory/views/reports.py); <pk> is the dealer's, <period> YYYY-MM
    path("dealers/<int:pk>/<str:period>/", reports.month_page, name="month"),
    path("dealers/<int:pk>/<str:period>/edit/", reports.report_form_page, name="report-form"),
    path("dealers/<int:pk>/<str:period>/confirm/", reports.month_confirm_page, name="month-confirm"),
    path("dealers/<int:pk>/<str:period>/return/", reports.month_return_page, name="month-return"),
    # the rep's chooser: ?dealer=&period= → the form of that month
    path("report/", reports.report_choose_page, name="report-choose"),
    # terminals (inventory/views/terminals.py)
    path("pareto/", terminals.pareto_page, name="pareto"),
    path("coverage/", terminals.coverage_page, name="coverage"),
    # the import (inventory/views/imports.py)
    path("import/", imports.import_page, name="import"),
]
