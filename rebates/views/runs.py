"""Placeholder until the pages land (issue 18)."""

from django.http import Http404


def run_list_page(request, pk=None):
    raise Http404


def run_detail_page(request, pk=None):
    raise Http404


def run_progress(request, pk=None):
    raise Http404
