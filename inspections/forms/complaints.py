"""Forms of the complaint pages: record one, respond, resolve."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceField
from channelhub.forms import PageForm
from inspections.forms.inspections import DealerChoiceField
from inspections.models import Complaint
from partners.models import Dealer

#: A phone's date and time picker; the value is read in the server's time zone.
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def moment(label, help_text) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS, help_text=help_text
    )


class ComplaintForm(PageForm):
    dealer = DealerChoiceField(queryset=Dealer.objects.none(), label=_("Dealer"))
    source = forms.ChoiceField(choices=Complaint.Source.choices, label=_("Source"))
    category = forms.ChoiceField(choices=Complaint.Category.choices, label=_("Category"))
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    received_at = moment(_("Received at"), _("Empty: now. The 4 hours to respond count from here."))
    assignee = PersonChoiceField(
        queryset=None, required=False, label=_("Assignee"), help_text=_("Empty: the dealer's rep.")
    )

    def __init__(self, data=None, *, dealers, assignees, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["dealer"].queryset = dealers
        self.fields["assignee"].queryset = assignees


class RespondForm(PageForm):
    response = forms.CharField(label=_("Response"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    responded_at = moment(_("Responded at"), _("Empty: now."))


class ResolveForm(PageForm):
    resolution = forms.CharField(label=_("Resolution"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    resolved_at = moment(_("Resolved at"), _("Empty: now."))
