"""Forms of the rectification pages: the rep's answer (a note and photos), verify, reopen."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from channelhub.forms import MultipleFileField, PageForm


class AnswerForm(PageForm):
    note = forms.CharField(label=_("What was done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        allow_empty_file=True,
        accept="image/*",
        capture="environment",
        help_text=_("JPEG, PNG or WebP from the camera or the gallery, up to 10 MB each."),
    )

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            error = ValidationError({"photos" if k == "file" else k: v for k, v in error.error_dict.items()})
        super().add_service_error(error)


class VerifyForm(PageForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(PageForm):
    reason = forms.CharField(
        label=_("What is still to be corrected"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
