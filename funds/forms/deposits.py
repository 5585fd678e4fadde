"""Forms of the deposit pages: a deduction (finance), a refund's proposal (the dealer's manager) and its
decision (finance)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, PageForm
from partners.models import Dealer


class DeductForm(PageForm):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The penalty and what it is for."),
    )
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET, validators=[validate_year])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"day": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RefundProposeForm(PageForm):
    reason = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefundDecideForm(PageForm):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve the refund")), (REJECT, _("Reject the refund"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject."),
    )

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.APPROVE


class DepositFilter(django_filters.FilterSet):
    """``?q=`` (the dealer's code or name) and ``?status=`` (the dealer's: ``terminated`` for the refunds)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Dealer"))
    status = django_filters.ChoiceFilter(field_name="status", choices=Dealer.Status.choices, label=_("Dealer status"))

    class Meta:
        model = Dealer
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset
