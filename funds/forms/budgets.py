"""Forms of the budget pages: the list's filters, a budget (finance), the import and the summary's year."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from channelhub.api.fields import scoped_choices
from channelhub.forms import ImportFileForm, PageForm
from funds.models import Category, FundBudget
from partners.models import Territory

QUARTERS = [(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]


def territory_label(territory: Territory) -> str:
    """A territory indented by its level, with its code."""
    return f"{'　' * territory.level}{territory.name} ({territory.code})"


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return territory_label(obj)


class TerritoryFilterField(FilterModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return territory_label(obj)


class TerritoryChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TerritoryFilterField


def _budget_territories(user):
    """The territories of the budgets ``user`` sees (the filter never names another)."""
    from funds.selectors import budgets_for

    return Territory.objects.filter(pk__in=budgets_for(user).values("territory_id")).order_by("path")


class BudgetFilter(django_filters.FilterSet):
    """``?year=2026&quarter=1&category=promotion&territory=ID`` (``quarter=0``: the whole year's budgets)."""

    year = django_filters.NumberFilter(label=_("Year"))
    quarter = django_filters.ChoiceFilter(
        choices=[(0, _("Whole year")), *QUARTERS], method="filter_quarter", label=_("Quarter")
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    territory = TerritoryChoiceFilter(
        queryset=scoped_choices(Territory, rows=_budget_territories), label=_("Territory")
    )

    class Meta:
        model = FundBudget
        fields = ["year", "quarter", "category", "territory"]

    def filter_quarter(self, queryset, name, value):
        if str(value) == "0":
            return queryset.filter(quarter__isnull=True)
        return queryset.filter(quarter=value)


class BudgetForm(PageForm):
    """A budget's fields, as ``funds.services.budgets`` takes them."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    territory = TerritoryChoiceField(label=_("Territory"), queryset=Territory.objects.order_by("path"))
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[("", _("Whole year")), *QUARTERS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    max_cost_ratio = forms.DecimalField(
        label=_("Maximum cost ratio (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("费销比: a request may cost at most this share of its expected sales."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, data=None, *, budget: FundBudget | None = None, **kwargs: Any) -> None:
        if budget is not None:
            kwargs.setdefault("initial", {name: getattr(budget, name) for name in self.base_fields})
        else:
            kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(data, **kwargs)
        self.budget = budget

    def budget_fields(self) -> dict[str, Any]:
        """What the service takes; for an edit, only the fields that changed."""
        fields = dict(self.cleaned_data)
        if self.budget is None:
            return fields
        return {name: value for name, value in fields.items() if getattr(self.budget, name) != value}


class BudgetImportForm(ImportFileForm):
    """The budget file (``funds.imports``)."""


class YearForm(forms.Form):
    """The summary's ``?year=`` (this year when not given or not a year)."""

    year = forms.IntegerField(min_value=1900, max_value=2999, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year
