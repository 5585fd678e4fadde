"""Filters of the fund request list (SPEC §14): status, category, a dealer (code, name or pinyin) or the
request's number or title, and the possible splits (拆单)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funds.models import Category, FundRequest


class FundRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FundRequest.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer, number or title"))
    possible_split = django_filters.BooleanFilter(label=_("Possible split"))
    # the links of the dealer page and of a budget's figures (their rows: ``?dealer=<id>``, ``?budget=<id>``)
    dealer = django_filters.NumberFilter(field_name="dealer_id", widget=forms.HiddenInput)
    budget = django_filters.NumberFilter(field_name="budget_id", widget=forms.HiddenInput)

    class Meta:
        model = FundRequest
        fields = ["status", "category", "q", "possible_split", "dealer", "budget"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(dealer__code__icontains=value)
            | Q(dealer__name__icontains=value)
            | Q(dealer__search_text__icontains=value)
            | Q(number__icontains=value)
            | Q(title__icontains=value)
        )
