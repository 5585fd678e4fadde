from importlib import import_module

from django.urls import path

from channelhub.registry import API_MODULES

from .docs import SchemaView, SwaggerView
from .router import router
from .views import AuthTokenView

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
