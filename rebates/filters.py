"""Filters of the rebate lists (SPEC §8, §15), for the API and the pages: settlements by ``period``, ``status``,
``dealer``, ``program`` and ``territory`` (the dealer's, subtree); runs by ``period`` and ``status``; programs by
``name``, ``basis``, ``frequency``, ``payout``, ``is_active`` and ``product_line`` (code)."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from channelhub.api.fields import scoped_choices
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer
from rebates.models import RebateProgram, RebateRun, RebateSettlement
from rebates.periods import RebatePeriod


class RebatePeriodField(forms.CharField):
    """``YYYY-Qn`` or ``YYYY``; anything else is a field error (400 in the API)."""

    widget = forms.TextInput(attrs={"placeholder": "2026-Q3", "pattern": r"\d{4}(-[Qq][1-4])?"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return str(RebatePeriod.parse(value))
        except ValidationError as error:
            raise ValidationError(error.messages, code="period") from None


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
