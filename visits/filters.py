"""Filters of visit and plan lists, shared by the pages and the API (SPEC §8: visits by ``rep``,
``dealer``, ``status``, date range)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.forms import date_range
from channelhub.roles import Role
from channelhub.scoping import scope
from partners.models import Dealer
from visits.models import FLAGGED, Visit, VisitPlan

User = get_user_model()


def visit_reps_seen(user):
    """The reps whose visits ``user`` sees (a manager: the team's, and other reps' in the territories)."""
    return User.objects.filter(groups__name=Role.FIELD_REP, pk__in=scope(user, Visit).values("rep_id"))


class VisitFilter(django_filters.FilterSet):
    rep = PersonChoiceFilter(queryset=scoped_choices(User, rows=visit_reps_seen), label=_("Rep"))
    dealer = django_filters.ModelChoiceFilter(queryset=scoped_choices(Dealer), label=_("Dealer"))
    status = django_filters.ChoiceFilter(choices=Visit.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Visit.Kind.choices, label=_("Kind"))
    date_from, date_to = date_range("visited_on")
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("Flagged"))

    class Meta:
        model = Visit
        fields = ["rep", "dealer", "status", "kind", "date_from", "date_to", "flagged"]

    def filter_flagged(self, queryset, name, value):
        flagged = FLAGGED
        return queryset.filter(flagged) if value else queryset.exclude(flagged)


class VisitPlanFilter(django_filters.FilterSet):
    rep = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Rep"))
    status = django_filters.ChoiceFilter(choices=VisitPlan.Status.choices, label=_("Status"))
    week_start = django_filters.DateFilter(label=_("Week starting"))
    date_from, date_to = date_range("week_start")
    is_late = django_filters.BooleanFilter(label=_("Late"))

    class Meta:
        model = VisitPlan
        fields = ["rep", "status", "week_start", "date_from", "date_to", "is_late"]
