"""Filters of the stock health list (SPEC §16): ``period`` (YYYY-MM), ``territory`` (the dealer's, subtree),
``product_line``, ``flag`` (one flag, or ``any``), ``status``, ``kind`` (the dealer's) and ``q`` (the dealer's
code or name)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models import StockReport
from inventory.selectors import FLAGS, flagged_condition
from kpi.filters import PeriodCodeFilter
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer, ProductLine

ANY_FLAG = "any"
FLAG_LABELS = {
    "overstock": _("overstock"),
    "stockout": _("stockout"),
    "slow_moving": _("slow moving"),
    "receipt_mismatch": _("receipt mismatch"),
}


class StockHealthFilter(django_filters.FilterSet):
    period = PeriodCodeFilter(label=_("Month"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")
    product_line = django_filters.ModelChoiceFilter(
        queryset=ProductLine.objects.order_by("code"), label=_("Product line")
    )
    flag = django_filters.ChoiceFilter(
        choices=[(ANY_FLAG, _("any flag")), *((flag, FLAG_LABELS[flag]) for flag in FLAGS)],
        method="filter_flag",
        label=_("Flag"),
    )
    status = django_filters.ChoiceFilter(choices=StockReport.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(field_name="dealer__kind", choices=Dealer.Kind.choices, label=_("Kind"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer code or name"))

    class Meta:
        model = StockReport
        fields = ["period", "territory", "product_line", "flag", "status", "kind", "q"]

    def filter_flag(self, queryset, name, value):
        if value == ANY_FLAG:
            return queryset.filter(flagged_condition())
        return queryset.filter(**{value: True}) if value in FLAGS else queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(dealer__code__icontains=value)
            | Q(dealer__name__icontains=value)
            | Q(dealer__search_text__icontains=value.lower())
        )
