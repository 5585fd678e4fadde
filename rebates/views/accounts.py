"""Placeholder until the pages land (issue 18)."""

from django.http import Http404


def account_page(request, pk=None):
    raise Http404


def aging_page(request, pk=None):
    raise Http404
