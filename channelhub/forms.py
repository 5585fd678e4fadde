"""Form building blocks shared by every app's pages: Bootstrap styling, service errors on fields,
and the small forms of action pages (a comment, a bare confirmation)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def date_range(field_name: str, **kwargs):
    """A list's ``date_from, date_to = date_range("visited_on")`` filters: on or after, on or before."""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr="gte", label=_("From"), **kwargs),
        django_filters.DateFilter(field_name=field_name, lookup_expr="lte", label=_("To"), **kwargs),
    )


# --- presentation ---------------------------------------------------------------------------------


def style_fields(form: forms.BaseForm) -> forms.BaseForm:
    """Give every widget its Bootstrap class (also used on django-filter's forms)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:
            widget.attrs["class"] = " ".join([*classes, css])
        _capitalise_choices(field)
    return form


def _capitalise_choices(field: forms.Field) -> None:
    """A fixed choice reads as a label ("Maintenance", not "maintenance"; Chinese is unchanged). Choices
    from the database (dealers, people …) keep their own spelling."""
    if isinstance(field, forms.ModelChoiceField) or not isinstance(field, forms.ChoiceField):
        return
    choices = list(field.choices)
    if all(isinstance(label, str | Promise) for _value, label in choices):
        field.choices = [(value, capfirst(label)) for value, label in choices]


class InvalidAwareBoundField(BoundField):
    """Adds Bootstrap's ``is-invalid`` to a widget whose field has errors."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            widget = widget or self.field.widget
            attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return attrs


class PageForm(forms.Form):
    """A Bootstrap-styled form that can take a service's ValidationError."""

    bound_field_class = InvalidAwareBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def add_service_error(self, error: ValidationError) -> None:
        """Put each message of ``error`` on its field; messages for fields this form lacks go on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)

    def run(self, service, **kwargs) -> Any:
        """Call ``service``; on ValidationError keep the messages on the form and return None."""
        try:
            return service(**kwargs)
        except ValidationError as error:
            self.add_service_error(error)
            return None


class CommentForm(PageForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ConfirmForm(PageForm):
    """No inputs: the button is the confirmation."""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); the service reads what each one is."""

    def __init__(self, *args, accept: str = "", capture: str = "", **kwargs):
        attrs = {"multiple": True}
        if accept:
            attrs["accept"] = accept
        if capture:
            attrs["capture"] = capture
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImportFileForm(PageForm):
    """The upload of an import page: a CSV or XLSX file within ``channelhub.importing.MAX_FILE_BYTES`` (its
    ``file_format`` set on the upload), and "preview only" on by default."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv file (UTF-8) or an Excel workbook (.xlsx), at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=_("Preview only: check the file and show what would change, without saving anything"),
        required=False,
        initial=True,
    )

    def clean_file(self):
        from channelhub.importing import FORMATS, MAX_FILE_BYTES, file_format_of

        upload = self.cleaned_data["file"]
        upload.file_format = file_format_of(upload.name)
        if upload.file_format not in FORMATS:
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than 5 MB; split it."))
        return upload
