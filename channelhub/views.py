"""Pages that belong to no single app: the dashboard and the error pages."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from channelhub.dashboard import dashboard_context
from channelhub.middleware import is_api_request
from channelhub.roles import primary_role


def dashboard(request):
    role = primary_role(request.user)
    template = f"dashboard/{role}.html" if role else "dashboard/no_role.html"
    return render(request, template, {"role": role, **dashboard_context(request.user, role)})


def page_not_found(request, exception):
    if is_api_request(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api_request(request):
        return JsonResponse({"detail": _("Server error. The problem has been logged.")}, status=500)
    return defaults.server_error(request)
