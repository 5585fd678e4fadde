"""Dealer stock pages (SPEC §16), under /stock/. The names are the contract the to-dos, notifications and the
dealer page link to."""

from django.http import Http404
from django.urls import path

from inventory.views import imports

app_name = "inventory"


def _todo(request, *args, **kwargs):  # replaced by the pages
    raise Http404


urlpatterns = [
    path("", _todo, name="health"),
    path("dealers/<int:pk>/<str:period>/", _todo, name="month"),
    path("dealers/<int:pk>/<str:period>/edit/", _todo, name="report-form"),
    path("dealers/<int:pk>/<str:period>/confirm/", _todo, name="month-confirm"),
    path("dealers/<int:pk>/<str:period>/return/", _todo, name="month-return"),
    path("pareto/", _todo, name="pareto"),
    path("coverage/", _todo, name="coverage"),
    path("import/", imports.import_page, name="import"),
]
