"""The answer to a locked-out login (django-axes ``AXES_LOCKOUT_CALLABLE``): JSON for the API, a page otherwise."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from channelhub.middleware import is_api_request

STATUS = 429


def lockout_response(request, original_response=None, credentials=None):
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    if is_api_request(request):
        detail = ngettext(
            "Too many failed logins. Try again in %(minutes)d minute.",
            "Too many failed logins. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        return JsonResponse({"detail": detail}, status=STATUS)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=STATUS)
