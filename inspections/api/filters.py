"""Filters of the inspection lists in the API (SPEC §8, §17).

* inspections: ``status`` (several allowed), ``kind``, ``dealer``, ``inspector``, ``template``, ``territory`` (the
  dealer's, subtree), ``planned_from``/``planned_to`` (both ends included) and ``period`` (``YYYY-MM`` of
  ``planned_on``);
* rectifications: ``status`` (several allowed), ``overdue`` (still waiting after the due date), ``dealer``,
  ``inspection``, ``due_from``/``due_to``;
* complaints: ``status`` (several allowed), ``late`` (responded more than 4 hours after receipt, or not responded
  to and the 4 hours over), ``assignee``, ``dealer``, ``source``, ``category``, ``period`` (``YYYY-MM`` of
  ``received_at``, in the server's time zone).

Every choice of a row offers only rows the user sees (``scoped_choices``): an ID out of scope is a 400, exactly
like an unknown one.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.forms import date_range
from channelhub.periods import Month
from channelhub.scoping import scope
from inspections.models import ChecklistTemplate, Complaint, Inspection, Rectification
from inspections.selectors import late_condition, overdue_condition
from kpi.filters import PeriodCodeFilter
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer

User = get_user_model()


def _inspectors_seen(user) -> QuerySet:
    """The people who inspect the inspections ``user`` sees (a manager filters by an inspector of their
    territories, who is not on their team)."""
    return User.objects.filter(pk__in=scope(user, Inspection).values("inspector_id"))


def _assignees_seen(user) -> QuerySet:
    return User.objects.filter(pk__in=scope(user, Complaint).values("assignee_id"))


def _directory(user):
    """An inspector inspects dealers it reads as a directory entry (``partners.selectors.directory_dealers``)."""
    from partners.selectors import directory_dealers

    return directory_dealers(user)


class InspectionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Inspection.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("Kind"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer, rows=_directory), label=_("Dealer"))
    inspector = PersonChoiceFilter(queryset=scoped_choices(User, rows=_inspectors_seen), label=_("Inspector"))
    template = django_filters.ModelChoiceFilter(queryset=scoped_choices(ChecklistTemplate), label=_("Template"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")
    planned_from, planned_to = date_range("planned_on")
    period = PeriodCodeFilter(method="filter_period", label=_("Month planned"))

    class Meta:
        model = Inspection
        fields = ["status", "kind", "dealer", "inspector", "template", "territory", "planned_from", "planned_to"]

    def filter_period(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        month = Month.parse(value)
        return queryset.filter(planned_on__gte=month.first_day, planned_on__lte=month.last_day)


class RectificationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Rectification.Status.choices, label=_("Status"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer, rows=_directory), label=_("Dealer"))
    inspection = django_filters.ModelChoiceFilter(queryset=scoped_choices(Inspection), label=_("Inspection"))
    due_from, due_to = date_range("due_date")

    class Meta:
        model = Rectification
        fields = ["status", "overdue", "dealer", "inspection", "due_from", "due_to"]

    def filter_overdue(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        condition = overdue_condition(timezone.localdate())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ComplaintFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Complaint.Status.choices, label=_("Status"))
    late = django_filters.BooleanFilter(method="filter_late", label=pgettext_lazy("a complaint", "Late"))
    assignee = PersonChoiceFilter(queryset=scoped_choices(User, rows=_assignees_seen), label=_("Assignee"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    source = django_filters.ChoiceFilter(choices=Complaint.Source.choices, label=_("Source"))
    category = django_filters.ChoiceFilter(choices=Complaint.Category.choices, label=_("Category"))
    period = PeriodCodeFilter(method="filter_period", label=_("Month received"))

    class Meta:
        model = Complaint
        fields = ["status", "late", "assignee", "dealer", "source", "category"]

    def filter_late(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        condition = late_condition(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_period(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        start, end = Month.parse(value).bounds()
        return queryset.filter(received_at__gte=start, received_at__lt=end)
