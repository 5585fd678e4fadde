"""Filters of the stock report lists (SPEC §8, §16): ``period``, ``dealer``, ``product_line``, ``status``,
``flagged`` (any flag), ``flag`` (one of ``overstock``, ``stockout``, ``slow_moving``, ``receipt_mismatch``),
``territory`` (the dealer's, subtree) and ``q`` (the dealer's code or name, pinyin too). ``stock-health/`` takes
the same but ``period``, which its selector reads (the latest month when absent)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from channelhub.api.fields import scoped_choices
from inventory.models import StockReport
from inventory.selectors import FLAGS, flagged_condition
from kpi.filters import PeriodCodeFilter
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer, ProductLine
from partners.search import apply_search

#: Each flag by its field's name (the model's verbose names are the labels).
FLAG_CHOICES = [(flag, StockReport._meta.get_field(flag).verbose_name) for flag in FLAGS]


class StockHealthFilter(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    product_line = django_filters.ModelChoiceFilter(queryset=ProductLine.objects.all(), label=_("Product line"))
    status = django_filters.MultipleChoiceFilter(choices=StockReport.Status.choices, label=_("Status"))
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("Flagged"))
    flag = django_filters.ChoiceFilter(choices=FLAG_CHOICES, method="filter_flag", label=_("Flag"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))

    class Meta:
        model = StockReport
        fields = ["dealer", "product_line", "status", "flagged", "flag", "territory", "q"]

    def filter_flagged(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(flagged_condition()) if value else queryset.exclude(flagged_condition())

    def filter_flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{value: True}) if value else queryset

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return apply_search(queryset, value, field="dealer__search_text")


class StockReportFilter(StockHealthFilter):
    period = PeriodCodeFilter(label=_("Period"))
    period_from = PeriodCodeFilter(field_name="period", lookup_expr="gte", label=_("From"))
    period_to = PeriodCodeFilter(field_name="period", lookup_expr="lte", label=_("To"))

    class Meta(StockHealthFilter.Meta):
        fields = ["period", "period_from", "period_to", *StockHealthFilter.Meta.fields]
