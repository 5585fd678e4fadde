"""Placeholder: the stock report import page (``inventory:import``) is written on another branch; this stub
only lets the URLconf load here, and the merge takes the real page."""

from __future__ import annotations

from django.http import Http404


def import_page(request):
    raise Http404
