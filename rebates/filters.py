"""Filters of the rebate settlement list (SPEC §8, §15): ``period`` (``YYYY-Qn`` or ``YYYY``), ``status`` (several),
``dealer`` (an ID: the dealer page's link), ``program``, ``territory`` (the subtree) and ``q`` (the dealer's code or
name)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.filters import TerritorySubtreeFilter
from rebates.forms import RebatePeriodField
from rebates.models import RebateProgram, RebateSettlement


class RebatePeriodFilter(django_filters.CharFilter):
    field_class = RebatePeriodField


class SettlementFilter(django_filters.FilterSet):
    period = RebatePeriodFilter(label=_("Period"))
    status = django_filters.MultipleChoiceFilter(
        choices=RebateSettlement.Status.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    program = django_filters.ModelChoiceFilter(queryset=RebateProgram.objects.order_by("name"), label=_("Program"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))
    dealer = django_filters.NumberFilter(field_name="dealer_id", widget=forms.HiddenInput)

    class Meta:
        model = RebateSettlement
        fields = ["period", "status", "program", "territory", "q", "dealer"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(dealer__code__icontains=value)
            | Q(dealer__name__icontains=value)
            | Q(dealer__search_text__icontains=value)
        )
