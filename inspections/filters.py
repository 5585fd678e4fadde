"""Filters of the inspection pages (SPEC §17).

* Inspections: ``status``, ``kind``, ``territory`` (the dealer's, subtree), ``dealer``, ``inspector``,
  ``template``, ``q`` (the dealer's code or name) and ``period`` (``YYYY-MM`` of ``planned_on``).
* Rectifications: ``status``, ``overdue=1``, ``dealer``, ``inspection``.
* Complaints: ``status``, ``late=1``, ``assignee``, ``period`` (``YYYY-MM`` of ``received_at``), ``dealer``, ``q``.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.periods import Month
from channelhub.roles import Role
from inspections.models import ChecklistTemplate, Complaint, Inspection, Rectification
from inspections.selectors import late_condition, overdue_condition
from kpi.filters import PeriodCodeFilter
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer

User = get_user_model()
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


def _month_of(queryset, field: str, value: str):
    month = Month.parse(value)
    return queryset.filter(**{f"{field}__year": month.year, f"{field}__month": month.month})


class InspectionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Inspection.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("Kind"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    inspector = PersonChoiceFilter(
        queryset=User.objects.filter(groups__name__in=[Role.INSPECTOR, Role.CHANNEL_MANAGER]).distinct(),
        label=_("Inspector"),
    )
    template = django_filters.ModelChoiceFilter(queryset=ChecklistTemplate.objects.all(), label=_("Checklist"))
    period = PeriodCodeFilter(method="filter_period", label=_("Month planned"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))

    class Meta:
        model = Inspection
        fields = ["status", "kind", "territory", "dealer", "inspector", "template", "period", "q"]

    def filter_period(self, queryset, name, value):
        return _month_of(queryset, "planned_on", value) if value else queryset

    def filter_search(self, queryset, name, value):
        return _dealer_search(queryset, value)


class RectificationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Rectification.Status.choices, label=_("Status"))
    overdue = django_filters.ChoiceFilter(choices=YES, method="filter_overdue", label=_("Overdue"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    inspection = django_filters.NumberFilter(field_name="inspection_id", label=_("Inspection"))

    class Meta:
        model = Rectification
        fields = ["status", "overdue", "dealer", "inspection"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_condition(timezone.localdate())) if value == "1" else queryset


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Complaint.Status.choices, label=_("Status"))
    late = django_filters.ChoiceFilter(choices=YES, method="filter_late", label=_("Late"))
    assignee = PersonChoiceFilter(queryset=scoped_choices(User), label=_("Assignee"))
    period = PeriodCodeFilter(method="filter_period", label=_("Month received"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))

    class Meta:
        model = Complaint
        fields = ["status", "late", "assignee", "period", "dealer", "q"]

    def filter_late(self, queryset, name, value):
        return queryset.filter(late_condition(timezone.now())) if value == "1" else queryset

    def filter_period(self, queryset, name, value):
        if not value:
            return queryset
        month = Month.parse(value)
        zone = timezone.get_current_timezone()
        from datetime import datetime, time

        start = datetime.combine(month.first_day, time.min, tzinfo=zone)
        end = datetime.combine(month.next().first_day, time.min, tzinfo=zone)
        return queryset.filter(received_at__gte=start, received_at__lt=end)

    def filter_search(self, queryset, name, value):
        return _dealer_search(queryset, value)
