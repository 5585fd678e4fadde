"""What the fund pages share: a form sent to a service, answered with the status the refusal deserves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channelhub.errors import DomainError
from channelhub.forms import PageForm


def submit(request, form: PageForm, service: Callable[..., Any], fields: Callable[[], dict]) -> tuple[Any, int]:
    """POST: validate ``form`` and call ``service(**fields())`` (``fields`` reads the cleaned form). ``(result, 200)`` when done; ``(None, 400)`` for bad input
    (the form's or the service's ValidationError, on the form); ``(None, 409)`` and the like for a refusal of
    the rules (a ``DomainError``: more than the balance, twice the same refund …), on top of the form — the
    form comes back with what was typed, rather than a redirect that loses it. GET: ``(None, 200)``."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        result = form.run(service, **fields())
    except DomainError as refusal:
        form.add_error(None, str(refusal))
        return None, refusal.status_code
    return result, 200 if result is not None else 400
