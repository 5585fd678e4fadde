"""Forms of the statement and dispute pages. They parse and present; ``commissions.services.statements`` and
``commissions.services.disputes`` decide (and raise ValidationError, which lands on the form)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, PageForm
from commissions.services.statements import REFERENCE_MAX
from kpi.filters import PeriodField


class RejectForm(PageForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MarkPaidForm(PageForm):
    payment_reference = forms.CharField(
        label=_("Payment reference"),
        max_length=REFERENCE_MAX,
        help_text=_("The bank's reference of the transfer or of the payout batch."),
    )
    paid_on = forms.DateField(
        label=_("Paid on"), widget=DATE_WIDGET, initial=timezone.localdate, validators=[validate_year]
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class DisputeForm(PageForm):
    expected_amount = forms.DecimalField(
        label=_("Amount you expected"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    justification = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AnswerForm(PageForm):
    """Accepting may say something; rejecting must (``required`` set by the page)."""

    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].required = required


class AcceptAnswerForm(AnswerForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, required=False, **kwargs)


class PayoutExportForm(PageForm):
    period = PeriodField(label=_("Period"), max_length=7)


class BatchPayForm(MarkPaidForm):
    """Pay the whole list of a period at once, with one bank reference."""

    period = PeriodField(widget=forms.HiddenInput, max_length=7)
