"""What the inspection pages share: action pages answered 400 when their form comes back with errors, and
form pages that send a form to a service."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpResponse
from django.urls import reverse

from channelhub.pages import PageAction, action_page


def act(
    request,
    obj: Model,
    action: PageAction,
    *,
    cancel_url: str,
    done_url: str | None = None,
    template: str | None = None,
) -> HttpResponse:
    """``channelhub.pages.action_page`` (403 for a role that never takes the action, a message and back while the
    state does not allow it, a refused transition through ``DomainErrorMiddleware``); a POST whose form comes
    back (its own or the service's ValidationError on the fields) is a 400."""
    kwargs = {"template": template} if template else {}
    response = action_page(
        request, obj, action, cancel_url=cancel_url, done_url=lambda _obj: done_url or cancel_url, **kwargs
    )
    if request.method == "POST" and response.status_code == 200:
        response.status_code = 400
    return response


def status_of(request, form) -> int:
    """200 for a form shown, 400 for a form sent back with errors."""
    return 400 if request.method == "POST" and form.errors else 200


def url(name: str, *args) -> str:
    return reverse(f"inspections:{name}", args=args)


def is_fetch(request) -> bool:
    """The perform page's script asks for JSON (``Accept: application/json``)."""
    return "application/json" in request.headers.get("Accept", "")
