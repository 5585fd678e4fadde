"""Placeholder views, replaced by the pages package (``inspections/views/``) in this issue's work."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


inspection_list = plan = inspection_detail = rectification_list = rectification_detail = _missing
complaint_list = complaint_detail = _missing
