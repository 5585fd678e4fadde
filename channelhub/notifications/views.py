"""The notification pages: the list, opening one (marks it read), marking read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from channelhub.scoping import get_scoped_or_404

from . import selectors, services
from .models import Notification

PAGE_SIZE = 50


def _safe(request, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@require_GET
def notification_list(request):
    page = Paginator(selectors.notification_list(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page})


@require_GET
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way (404 for anyone else's)."""
    notification = get_scoped_or_404(request.user, Notification, pk=pk)
    services.notification_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.url if _safe(request, notification.url) else "notifications:list")


@require_POST
def notification_mark_read(request):
    """Mark the posted ``id``s read, or all of them when none is posted."""
    posted = request.POST.getlist("id")
    ids = [int(value) for value in posted if value.isdigit()] if posted else None
    services.notification_mark_read(user=request.user, ids=ids)
    back = request.POST.get("next", "")
    return redirect(back if _safe(request, back) else "notifications:list")
