"""Filters of the rebate lists (SPEC §8, §15), for the API and the pages: settlements by ``period``, ``status``,
``dealer``, ``program`` and ``territory`` (the dealer's, subtree) — the page adds ``q`` (the dealer's code or name); runs by ``period`` and ``status``; programs by
``name``, ``basis``, ``frequency``, ``payout``, ``is_active`` and ``product_line`` (code)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from channelhub.api.fields import scoped_choices
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer
from rebates.forms import RebatePeriodField
from rebates.models import RebateProgram, RebateRun, RebateSettlement


class RebatePeriodFilter(django_filters.CharFilter):
    field_class = RebatePeriodField


class SettlementFilter(django_filters.FilterSet):
    period = RebatePeriodFilter(label=_("Period"))
    status = django_filters.MultipleChoiceFilter(choices=RebateSettlement.Status.choices, label=_("Status"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    program = django_filters.ModelChoiceFilter(queryset=RebateProgram.objects.all(), label=_("Rebate program"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")

    class Meta:
        model = RebateSettlement
        fields = ["period", "status", "dealer", "program", "territory"]


class SettlementPageFilter(SettlementFilter):
    """The settlement list page's filters: statuses as check boxes, the dealer by its ID (the dealer page's and the
    statement of account's links; no list of every dealer on the page) and ``q`` on the dealer's code or name."""

    status = django_filters.MultipleChoiceFilter(
        choices=RebateSettlement.Status.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    program = django_filters.ModelChoiceFilter(queryset=RebateProgram.objects.order_by("name"), label=_("Program"))
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


class RunFilter(django_filters.FilterSet):
    period = RebatePeriodFilter(label=_("Period"))
    status = django_filters.ChoiceFilter(choices=RebateRun.Status.choices, label=_("Status"))

    class Meta:
        model = RebateRun
        fields = ["period", "status"]


class ProgramFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    product_line = django_filters.CharFilter(method="filter_product_line", label=_("Product line (code)"))

    class Meta:
        model = RebateProgram
        fields = ["name", "basis", "frequency", "payout", "is_active", "product_line"]

    def filter_product_line(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The programs that pay on the line: those naming it, and those naming none (every line)."""
        naming = RebateProgram.product_lines.through.objects.filter(productline__code__iexact=value)
        every = RebateProgram.product_lines.through.objects.values("rebateprogram_id")
        return queryset.filter(Q(pk__in=naming.values("rebateprogram_id")) | ~Q(pk__in=every))
