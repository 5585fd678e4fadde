from importlib import import_module

from django.urls import path

from .docs import SchemaView, SwaggerView
from .router import router
from .views import AuthTokenView

#: Modules that register viewsets on the router; each app adds its ``api`` module here.
API_MODULES = [
    "channelhub.accounts.api",
    "partners.api",
    "visits.api",
    "kpi.api.facts",
    "kpi.api.targets",
    "kpi.api.scorecards",
    "kpi.api.runs",
    "kpi.api.statements",
    "kpi.api.plans",
]

#: Each module may also have ``urlpatterns`` for views that are not viewsets.
extra_urlpatterns = []
for module in API_MODULES:
    extra_urlpatterns += getattr(import_module(module), "urlpatterns", [])

urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    *extra_urlpatterns,
    *router.urls,
]
