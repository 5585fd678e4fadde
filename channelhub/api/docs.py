"""The OpenAPI schema and its Swagger UI: who may read them, and a viewer that needs no inline script.

``settings.API_DOCS_PUBLIC`` decides whether an anonymous visitor may read them (production: no, unless
the deployment says so); a logged-in user always may. The setting is read on each request.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission


class DocsReadable(BasePermission):
    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    """The schema; an anonymous client is answered 401 when the docs are not public."""

    permission_classes = [DocsReadable]


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose start-up script is a second request to this URL (``?script``) rather than an
    inline ``<script>``, so the Content-Security-Policy needs no nonce or ``'unsafe-inline'`` for it.
    An anonymous browser is sent to the login page when the docs are not public."""

    permission_classes = [DocsReadable]

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
