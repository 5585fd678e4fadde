"""Filters of statement and dispute lists, shared by the pages and the API (SPEC §8: statements by
``rep``, ``period``, ``status``; also ``kind``; disputes by ``statement``, ``rep``, ``status``, ``period``)."""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.roles import Role
from commissions.models import Dispute, Statement
from kpi.filters import PeriodCodeFilter

User = get_user_model()


class StatementFilter(django_filters.FilterSet):
    rep = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Rep"))
    period = PeriodCodeFilter(label=_("Period"))
    status = django_filters.ChoiceFilter(choices=Statement.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Statement.Kind.choices, label=_("Kind"))

    class Meta:
        model = Statement
        fields = ["rep", "period", "status", "kind"]


class DisputeFilter(django_filters.FilterSet):
    statement = django_filters.NumberFilter(field_name="line__statement", label=_("Statement"))
    rep = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Rep"))
    period = PeriodCodeFilter(field_name="line__statement__period", label=_("Period"))
    status = django_filters.ChoiceFilter(choices=Dispute.Status.choices, label=_("Status"))

    class Meta:
        model = Dispute
        fields = ["statement", "rep", "period", "status"]
