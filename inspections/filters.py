"""Filters of the inspection pages (SPEC §17): the API's (``inspections.api.filters``) with a single status to
pick, ``overdue=1`` and ``late=1`` as the pages' yes/no choices, and a search by the dealer's code or name.

* Inspections: ``status``, ``kind``, ``territory`` (the dealer's, subtree), ``dealer``, ``inspector``,
  ``template``, ``q`` (the dealer's code or name) and ``period`` (``YYYY-MM`` of ``planned_on``).
* Rectifications: ``status``, ``overdue=1``, ``dealer``, ``inspection``.
* Complaints: ``status``, ``late=1``, ``assignee``, ``period`` (``YYYY-MM`` of ``received_at``), ``dealer``, ``q``.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from inspections.api import filters as api_filters
from inspections.models import Complaint, Inspection, Rectification

YES = [("1", _("yes"))]


def _dealer_search(queryset, value: str, prefix: str = "dealer__"):
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(
        Q(**{f"{prefix}code__icontains": value})
        | Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}search_text__icontains": value.lower()})
    )


class InspectionFilter(api_filters.InspectionFilter):
    status = django_filters.ChoiceFilter(choices=Inspection.Status.choices, label=_("Status"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))

    class Meta(api_filters.InspectionFilter.Meta):
        fields = ["status", "kind", "territory", "dealer", "inspector", "template", "period", "q"]

    def filter_search(self, queryset, name, value):
        return _dealer_search(queryset, value)


class RectificationFilter(api_filters.RectificationFilter):
    status = django_filters.ChoiceFilter(choices=Rectification.Status.choices, label=_("Status"))
    overdue = django_filters.ChoiceFilter(choices=YES, method="filter_overdue", label=_("Overdue"))
    inspection = django_filters.NumberFilter(field_name="inspection_id", label=_("Inspection"))

    class Meta(api_filters.RectificationFilter.Meta):
        fields = ["status", "overdue", "dealer", "inspection"]


class ComplaintFilter(api_filters.ComplaintFilter):
    status = django_filters.ChoiceFilter(choices=Complaint.Status.choices, label=_("Status"))
    late = django_filters.ChoiceFilter(choices=YES, method="filter_late", label=pgettext_lazy("a complaint", "Late"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))

    class Meta(api_filters.ComplaintFilter.Meta):
        fields = ["status", "late", "assignee", "period", "dealer", "q"]

    def filter_search(self, queryset, name, value):
        return _dealer_search(queryset, value)
