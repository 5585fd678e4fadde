"""What the inspection pages share: their URLs and whether the phone form's script asked."""

from __future__ import annotations

from django.urls import reverse


def url(name: str, *args) -> str:
    return reverse(f"inspections:{name}", args=args)


def is_fetch(request) -> bool:
    """The perform page's script asks for JSON (``Accept: application/json``)."""
    return "application/json" in request.headers.get("Accept", "")
