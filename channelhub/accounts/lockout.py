"""Login limits (django-axes): who the client is, how many failures lock what, and the locked-out answer.

* **The client's address** (``client_address``) comes from ``REMOTE_ADDR`` — or, behind proxies the
  deployment names (``TRUSTED_PROXY_COUNT`` of them, or the networks in ``TRUSTED_PROXIES``), from the
  right-most entry of ``X-Forwarded-For`` that no trusted proxy wrote. Whatever a client writes further
  left is never read, so a client cannot choose its address; the address is never empty.
* **Three limits** within ``AXES_COOLOFF_TIME`` (``LoginLimitHandler``): ``AXES_FAILURE_LIMIT`` failures
  of one username from one address; ``AXES_USERNAME_FAILURE_LIMIT`` of one username from anywhere (a
  guesser spread over many addresses); ``AXES_ADDRESS_FAILURE_LIMIT`` from one address over all
  usernames (a guesser trying many accounts). Reaching any of them locks until the cool-off ends.
* Failures are counted on the login page, the API's token endpoint and the password-change page (a
  wrong old password), all through django-axes.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from channelhub.middleware import is_api_request

STATUS = 429
#: The address used when the request carries none at all (never an empty key).
UNKNOWN_ADDRESS = "0.0.0.0"


def _valid(text: str) -> str | None:
    try:
        return str(ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address of the client as this deployment can know it (see the module's docstring)."""
    remote = _valid(request.META.get("REMOTE_ADDR") or "") or UNKNOWN_ADDRESS
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    networks = [ip_network(network, strict=False) for network in getattr(settings, "TRUSTED_PROXIES", [])]
    if count <= 0 and not networks:
        return remote
    forwarded = [part for part in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
    chain = [*forwarded, remote]  # REMOTE_ADDR is the last hop: the proxy nearest to us
    if networks:
        # walk from the right past our own proxies; the first address they did not write is the client
        for entry in reversed(chain):
            address = _valid(entry)
            if address is None:
                return remote
            if not any(ip_address(address) in network for network in networks):
                return address
        return remote
    # ``count`` proxies: the last ``count`` hops are theirs; the entry before them is the client's
    if len(chain) <= count:
        return remote
    return _valid(chain[-(count + 1)]) or remote


class LoginLimitHandler(AxesDatabaseHandler):
    """django-axes' database handler with the per-username and per-address limits added to its
    (username, address) one."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures >= limit:
            return failures
        recent = AccessAttempt.objects.all()
        if settings.AXES_COOLOFF_TIME is not None:
            recent = recent.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        if username and _sum(recent.filter(username=username)) >= settings.AXES_USERNAME_FAILURE_LIMIT:
            return limit
        address = getattr(request, "axes_ip_address", None)
        if address and _sum(recent.filter(ip_address=address)) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return limit
        return failures


def _sum(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked-out login (``AXES_LOCKOUT_CALLABLE``): JSON for the API, a page otherwise."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    if is_api_request(request):
        detail = ngettext(
            "Too many failed logins. Try again in %(minutes)d minute.",
            "Too many failed logins. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        return JsonResponse({"detail": detail}, status=STATUS)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=STATUS)
