"""Forms of the rebate pages. They parse; ``rebates.services`` decide (a refusal lands on the form's field)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, PageForm
from rebates.models import RebateProgram, RebateSettlement
from rebates.periods import RebatePeriod

REASON_MAX = 2000
COMMENT_MAX = 2000
REFERENCE_MAX = RebateSettlement._meta.get_field("payment_reference").max_length


class RebatePeriodField(forms.CharField):
    """``YYYY-Qn`` or ``YYYY`` (``2026-q3`` reads as ``2026-Q3``); anything else is a field error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"placeholder": "2026-Q3", "pattern": r"\d{4}(-[Qq][1-4])?", "size": 8})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return str(RebatePeriod.parse(value)) if value else value


class StartRunForm(PageForm):
    period = RebatePeriodField(
        label=_("Period"),
        help_text=_("A quarter (YYYY-Qn) for quarterly programs or a year (YYYY) for annual ones."),
    )


class CommentForm(PageForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(PageForm):
    reason = forms.CharField(
        label=_("Reason for rejection"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class MarkPaidForm(PageForm):
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=REFERENCE_MAX)
    paid_on = forms.DateField(
        label=_("Paid on"), widget=DATE_WIDGET, initial=timezone.localdate, validators=[validate_year]
    )

    def __init__(self, *args, payout: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if (
            payout == RebateProgram.Payout.CREDIT_NOTE
        ):  # a credit note (抵扣货款) is paid by its number, not by a bank transfer
            self.fields["payment_reference"].label = _("Credit note number")
