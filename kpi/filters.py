"""Filters of the fact lists (sales, collections, expenses) and periods, shared by the pages and the
API (SPEC §8: facts by ``dealer``, ``rep``, date range). Other KPI areas keep their filters in their
own modules."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.forms import HiddenInput
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.forms import DATE_WIDGET, date_range
from channelhub.periods import Month
from channelhub.roles import Role
from kpi.models import Collection, Expense, Period, SalesRecord, Target
from partners.models import Dealer, ProductLine

User = get_user_model()


class FactFilter(django_filters.FilterSet):
    """``dealer`` and ``rep`` are IDs (the scorecard links to the rows behind each figure with them);
    ``date_from``/``date_to`` are inclusive dates (YYYY-MM-DD)."""

    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"), widget=HiddenInput)
    dealer_code = django_filters.CharFilter(field_name="dealer__code", lookup_expr="iexact", label=_("Dealer code"))
    rep = PersonChoiceFilter(queryset=scoped_choices(User), label=_("Rep"))
    date_from, date_to = date_range("date", widget=DATE_WIDGET)
    reference = django_filters.CharFilter(lookup_expr="exact", label=_("Reference"))

    class Meta:
        fields = ["dealer", "dealer_code", "rep", "date_from", "date_to", "reference"]


class SalesFilter(FactFilter):
    category = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.all(), to_field_name="code", label=_("Product line")
    )
    channel_conflict = django_filters.BooleanFilter(label=_("Channel conflict"))
    over_credit = django_filters.BooleanFilter(label=_("Over credit"))

    class Meta(FactFilter.Meta):
        model = SalesRecord
        fields = [*FactFilter.Meta.fields, "category", "channel_conflict", "over_credit"]


class CollectionFilter(FactFilter):
    class Meta(FactFilter.Meta):
        model = Collection


class ExpenseFilter(FactFilter):
    category = django_filters.ChoiceFilter(choices=Expense.Category.choices, label=_("Category"))

    class Meta(FactFilter.Meta):
        model = Expense
        fields = [*FactFilter.Meta.fields, "category"]


FILTERS = {"sales": SalesFilter, "collections": CollectionFilter, "expenses": ExpenseFilter}


class ConflictFilter(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"), widget=HiddenInput)
    dealer_code = django_filters.CharFilter(field_name="dealer__code", lookup_expr="iexact", label=_("Dealer code"))
    date_from, date_to = date_range("date", widget=DATE_WIDGET)

    class Meta:
        model = SalesRecord
        fields = ["dealer", "dealer_code", "date_from", "date_to"]


class PeriodFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(label=_("Code"))
    status = django_filters.ChoiceFilter(choices=Period.Status.choices, label=_("Status"))

    class Meta:
        model = Period
        fields = ["code", "status"]


# --- targets (SPEC §8: by ``rep``, ``period``, ``status``; also ``period_from``/``period_to``, both ends included) ---


User = get_user_model()


class PeriodField(forms.CharField):
    """``YYYY-MM`` (a month input on phones); anything else is a field error (400 in the API)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value)
        return str(Month.parse(value)) if value else value


class PeriodCodeFilter(django_filters.CharFilter):
    field_class = PeriodField


class TargetFilter(django_filters.FilterSet):
    rep = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Rep"))
    period = PeriodCodeFilter(label=_("Period"))
    status = django_filters.ChoiceFilter(choices=Target.Status.choices, label=_("Status"))
    # 'YYYY-MM' strings sort like the months they name, so a range is a string comparison.
    period_from = PeriodCodeFilter(field_name="period", lookup_expr="gte", label=_("From"))
    period_to = PeriodCodeFilter(field_name="period", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Target
        fields = ["rep", "period", "status", "period_from", "period_to"]
