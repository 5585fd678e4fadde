"""Filters of the fund request list (SPEC §14): status, category, a dealer (code, name or pinyin) or the
request's number or title, and the possible splits (拆单)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from funds.models import Category, FundRequest


class FundRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=FundRequest.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer, number or title"))
    possible_split = django_filters.BooleanFilter(label=_("Possible split"))

    class Meta:
        model = FundRequest
        fields = ["status", "category", "q", "possible_split"]

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
