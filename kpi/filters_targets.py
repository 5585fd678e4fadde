"""Filters of target lists, shared by the page and the API (SPEC §8: targets by ``rep``, ``period``,
``status``; also a period range ``period_from``/``period_to``, both ends included)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.periods import Month
from channelhub.roles import Role
from kpi.models import Target

User = get_user_model()


class PeriodField(forms.CharField):
    """``YYYY-MM`` (a month input on phones); anything else is a field error (400 in the API)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value)
        return str(Month.parse(value)) if value else value


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodField


class TargetFilter(django_filters.FilterSet):
    rep = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Rep"))
    period = PeriodFilter(label=_("Period"))
    status = django_filters.ChoiceFilter(choices=Target.Status.choices, label=_("Status"))
    # 'YYYY-MM' strings sort like the months they name, so a range is a string comparison.
    period_from = PeriodFilter(field_name="period", lookup_expr="gte", label=_("From"))
    period_to = PeriodFilter(field_name="period", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Target
        fields = ["rep", "period", "status", "period_from", "period_to"]
