"""Filters of the channel fund lists (SPEC §8, §14), for the API and the pages: budgets by category,
territory (subtree), year and quarter; requests and claims by status, category, dealer, territory and
year/quarter of their start; deposits by dealer status; materials by code or name; issues and counts by
dealer and material (counts also ``flagged``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from channelhub.api.fields import scoped_choices
from channelhub.forms import date_range
from funds.models import Category, FundBudget, FundClaim, FundRequest, Material, MaterialCount, MaterialIssue
from partners.filters import TerritorySubtreeFilter
from partners.models import Dealer

QUARTERS = [(quarter, f"Q{quarter}") for quarter in range(1, 5)]


def _quarter_months(quarter: int) -> tuple[int, int]:
    return 3 * quarter - 2, 3 * quarter


class BudgetFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    territory = TerritorySubtreeFilter()
    year = django_filters.NumberFilter(min_value=1900, max_value=2999, label=_("Year"))
    quarter = django_filters.ChoiceFilter(choices=QUARTERS, label=_("Quarter"))
    whole_year = django_filters.BooleanFilter(field_name="quarter", lookup_expr="isnull", label=_("Whole year"))

    class Meta:
        model = FundBudget
        fields = ["category", "territory", "year", "quarter", "whole_year"]


class _StartPeriodFilter(django_filters.FilterSet):
    """``year`` and ``quarter`` of the request's start date (``start_field``)."""

    start_field = "start_date"

    year = django_filters.NumberFilter(method="filter_year", min_value=1900, max_value=2999, label=_("Year"))
    quarter = django_filters.ChoiceFilter(choices=QUARTERS, method="filter_quarter", label=_("Quarter"))

    def filter_year(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return queryset.filter(**{f"{self.start_field}__year": int(value)})

    def filter_quarter(self, queryset: QuerySet, name: str, value) -> QuerySet:
        first, last = _quarter_months(int(value))
        return queryset.filter(Q(**{f"{self.start_field}__month__gte": first, f"{self.start_field}__month__lte": last}))


class RequestFilter(_StartPeriodFilter):
    status = django_filters.MultipleChoiceFilter(choices=FundRequest.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    territory = TerritorySubtreeFilter(field_name="dealer__territory")
    possible_split = django_filters.BooleanFilter(label=_("Possible split"))
    date_from, date_to = date_range("start_date")
    number = django_filters.CharFilter(lookup_expr="iexact", label=_("Number"))
    # the statement of account's fund settlements of a month
    settled_from, settled_to = date_range("claim__settled_on")

    class Meta:
        model = FundRequest
        fields = ["status", "category", "dealer", "territory", "year", "quarter", "possible_split", "number"]


class ClaimFilter(_StartPeriodFilter):
    start_field = "request__start_date"

    status = django_filters.MultipleChoiceFilter(choices=FundClaim.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(
        field_name="request__category", choices=Category.choices, label=_("Category")
    )
    dealer = django_filters.ModelChoiceFilter(
        field_name="request__dealer", queryset=scoped_choices(Dealer), label=_("Dealer")
    )
    territory = TerritorySubtreeFilter(field_name="request__dealer__territory")
    request = django_filters.ModelChoiceFilter(queryset=scoped_choices(FundRequest), label=_("Fund request"))

    class Meta:
        model = FundClaim
        fields = ["status", "category", "dealer", "territory", "year", "quarter", "request"]


class DepositAccountFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Dealer.Status.choices, label=_("Dealer status"))
    territory = TerritorySubtreeFilter()
    code = django_filters.CharFilter(lookup_expr="iexact", label=_("Code"))

    class Meta:
        model = Dealer
        fields = ["status", "territory", "code"]


class MaterialFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact", label=_("Code"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Material
        fields = ["code", "name", "active"]


class MaterialIssueFilter(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    material = django_filters.ModelChoiceFilter(queryset=Material.objects.all(), label=_("Material"))
    request = django_filters.ModelChoiceFilter(queryset=scoped_choices(FundRequest), label=_("Fund request"))
    date_from, date_to = date_range("date")

    class Meta:
        model = MaterialIssue
        fields = ["dealer", "material", "request", "date_from", "date_to"]


class MaterialCountFilter(django_filters.FilterSet):
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    material = django_filters.ModelChoiceFilter(queryset=Material.objects.all(), label=_("Material"))
    flagged = django_filters.BooleanFilter(field_name="variance_flagged", label=_("Variance beyond 5 %"))
    date_from, date_to = date_range("date")

    class Meta:
        model = MaterialCount
        fields = ["dealer", "material", "flagged", "date_from", "date_to"]


class StatusSelect(forms.Select):
    """One status picked in the page's select, or several from a link (``?status=approved&status=claimed``:
    a budget's committed requests)."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value]


class FundRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[("", "---------"), *FundRequest.Status.choices], label=_("Status"), widget=StatusSelect
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    q = django_filters.CharFilter(method="filter_search", label=_("Dealer, number or title"))
    possible_split = django_filters.BooleanFilter(
        label=_("Possible split"),
        widget=forms.Select(choices=[("", "---------"), ("true", _("Yes")), ("false", _("No"))]),
    )
    # the links of the dealer page and of a budget's figures (their rows: ``?dealer=<id>``, ``?budget=<id>``)
    dealer = django_filters.NumberFilter(field_name="dealer_id", widget=forms.HiddenInput)
    budget = django_filters.NumberFilter(field_name="budget_id", widget=forms.HiddenInput)
    # the statement of account's fund settlements of a month (``?settled_from=…&settled_to=…``)
    settled_from = django_filters.DateFilter(
        field_name="claim__settled_on", lookup_expr="gte", label=_("Settled from"), widget=forms.HiddenInput
    )
    settled_to = django_filters.DateFilter(
        field_name="claim__settled_on", lookup_expr="lte", label=_("Settled to"), widget=forms.HiddenInput
    )

    class Meta:
        model = FundRequest
        fields = ["status", "category", "q", "possible_split", "dealer", "budget", "settled_from", "settled_to"]

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
