"""Placeholder until the pages land (issue 18)."""

from django.http import Http404


def settlement_list_page(request, pk=None):
    raise Http404


def settlement_detail_page(request, pk=None):
    raise Http404


def settlement_submit_page(request, pk=None):
    raise Http404


def settlement_approve_page(request, pk=None):
    raise Http404


def settlement_reject_page(request, pk=None):
    raise Http404


def settlement_mark_paid_page(request, pk=None):
    raise Http404
