"""Pages that belong to no single app: the dashboard and the error pages."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from channelhub.dashboard import dashboard_context
from channelhub.middleware import is_api_request
from channelhub.roles import primary_role
from channelhub.todos import todos_for


def dashboard(request):
    role = primary_role(request.user)
    template = f"dashboard/{role}.html" if role else "dashboard/no_role.html"
    context = {"role": role, "todos": todos_for(request.user, role), **dashboard_context(request.user, role)}
    return render(request, template, context)


def back_url(request) -> str:
    """The page the user came from (a link "Back" on an error page), if it is ours and not this one."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if safe and not referer.endswith(request.get_full_path()) else ""


def permission_denied(request, exception):
    """403: the refusal's own words (segregation of duties says so), a way back and to the dashboard."""
    message = str(exception) if exception is not None else ""
    if is_api_request(request):
        return JsonResponse({"detail": message or _("You do not have permission to perform this action.")}, status=403)
    return render(request, "403.html", {"exception": message, "back_url": back_url(request)}, status=403)


def page_not_found(request, exception):
    if is_api_request(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", {"back_url": back_url(request)}, status=404)


def server_error(request):
    """500: ``500.html`` rendered without a request context (nothing that could fail again), in the
    language the request was being answered in."""
    if is_api_request(request):
        return JsonResponse({"detail": _("Server error. The problem has been logged.")}, status=500)
    return defaults.server_error(request)
