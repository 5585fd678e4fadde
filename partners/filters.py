"""Filters shared by the pages and the API, so both narrow lists the same way (SPEC §8)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.roles import Role
from partners.models import Agreement, Dealer, Territory
from partners.search import apply_search

User = get_user_model()


class TerritorySubtreeFilter(django_filters.ModelChoiceFilter):
    """``territory=<id>`` keeps rows in that territory or anywhere below it."""

    def __init__(self, *args, field_name="territory", **kwargs):
        kwargs.setdefault("queryset", Territory.objects.all())
        kwargs.setdefault("label", _("Territory"))
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__path__startswith": value.path})


class TerritoryFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact", label=_("Code"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    within = django_filters.NumberFilter(method="filter_within", label=_("Within"))

    class Meta:
        model = Territory
        fields = ["code", "name", "level", "parent", "within"]

    def filter_within(self, queryset, name, value):
        path = Territory.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(path__startswith=path) if path else queryset.none()


class DealerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    code = django_filters.CharFilter(lookup_expr="iexact", label=_("Code"))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    status = django_filters.ChoiceFilter(choices=Dealer.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Dealer.Kind.choices, label=_("Kind"))
    tier = django_filters.ChoiceFilter(choices=Dealer.Tier.choices, label=_("Tier"))
    territory = TerritorySubtreeFilter()
    owner = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Owner"))
    is_key_account = django_filters.BooleanFilter(label=_("Key account"))

    class Meta:
        model = Dealer
        fields = ["q", "code", "name", "status", "kind", "tier", "territory", "owner", "is_key_account"]

    def search(self, queryset, name, value):
        return apply_search(queryset, value)


class AgreementFilter(django_filters.FilterSet):
    EXPIRED = "expired"

    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    status = django_filters.ChoiceFilter(
        choices=[*Agreement.Status.choices, (EXPIRED, _("expired"))], method="filter_status", label=_("Status")
    )
    kind = django_filters.ChoiceFilter(choices=Agreement.Kind.choices, label=_("Kind"))
    territory = TerritorySubtreeFilter()
    exclusive = django_filters.BooleanFilter(label=_("Exclusive"))
    ending_within = django_filters.NumberFilter(
        method="filter_ending_within", min_value=0, max_value=3660, label=_("Ending within (days)")
    )
    start_date_from = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("Starts on or after")
    )
    end_date_to = django_filters.DateFilter(field_name="end_date", lookup_expr="lte", label=_("Ends on or before"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Agreement
        fields = ["dealer", "status", "kind", "territory", "exclusive", "ending_within", "q"]

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == self.EXPIRED:
            return queryset.filter(status=Agreement.Status.SIGNED, end_date__lt=today)
        if value == Agreement.Status.SIGNED:
            return queryset.filter(status=value, end_date__gte=today)
        return queryset.filter(status=value)

    def filter_ending_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(
            status=Agreement.Status.SIGNED, end_date__gte=today, end_date__lte=today + timedelta(days=int(value))
        )

    def search(self, queryset, name, value):
        return apply_search(queryset, value, field="dealer__search_text")
