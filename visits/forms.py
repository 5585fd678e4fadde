"""Forms of the visit pages. They parse and present; the services decide (and raise ValidationError)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from channelhub.fields import validate_year
from channelhub.forms import MultipleFileField, PageForm, style_fields
from channelhub.scoping import scope
from partners.models import Dealer
from visits.models import Visit, VisitPlan

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _both_or_neither(cleaned: dict, first: str, second: str, message) -> dict:
    """Two fields that only make sense together (a position's latitude and longitude, a plan row's day and
    dealer): both given or both empty, else ``message``."""
    if (cleaned.get(first) is None) != (cleaned.get(second) is None):
        raise forms.ValidationError(message)
    return cleaned


class DealerSelect(forms.Select):
    """A select whose options carry the dealer's search text (code, names, pinyin) for the picker's filter."""

    def __init__(self, *args, search_texts: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_texts = search_texts or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = getattr(value, "value", value)
        if key in self.search_texts:
            option["attrs"]["data-search"] = self.search_texts[key]
        return option


class DealerPickerField(forms.ModelChoiceField):
    def label_from_instance(self, dealer: Dealer) -> str:
        return f"{dealer.name} ({dealer.code})"


def visitable_dealers(rep):
    """The dealers ``rep`` may log a visit to or plan: their own, not terminated."""
    return (
        scope(rep, Dealer)
        .exclude(status=Dealer.Status.TERMINATED)
        .select_related("territory")
        .only("pk", "code", "name", "search_text", "territory__name")
        .order_by("code")  # codes group the dealers by place; Chinese names sort by code point, not by reading
    )


def _dealer_field(rep, **kwargs) -> DealerPickerField:
    dealers = list(visitable_dealers(rep))
    field = DealerPickerField(queryset=visitable_dealers(rep), label=_("Dealer"), **kwargs)
    field.widget = DealerSelect(search_texts={d.pk: d.search_text for d in dealers})
    field.choices = [("", "---------")] + [(d.pk, field.label_from_instance(d)) for d in dealers]
    return field


def photos_field(required: bool = False) -> MultipleFileField:
    """Photos from the phone's camera (``capture``) or its gallery; the service reads what each file is."""
    return MultipleFileField(
        label=_("Photos"),
        required=required,
        allow_empty_file=True,
        accept="image/jpeg,image/png,image/webp",
        capture="environment",
        help_text=_("JPEG, PNG or WebP, up to 10 MB each and 9 per visit. Tap again to add another photo."),
    )


class PhotoErrorsMixin:
    """The evidence service names the files' field ``file``; on these forms it is ``photos``."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict") and "file" in error.error_dict:
            error = ValidationError({"photos" if k == "file" else k: v for k, v in error.error_dict.items()})
        super().add_service_error(error)


class VisitContentForm(PageForm):
    """What a rep says about a visit: when, what kind, why, what happened, what next."""

    visited_at = forms.DateTimeField(
        label=_("Visited at"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS, validators=[validate_year]
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_action = forms.CharField(label=_("Next action"), required=False, max_length=300)


class VisitForm(PhotoErrorsMixin, VisitContentForm):
    """Log a visit from a phone. The hidden ``client_uuid`` is made when the form is shown, so a
    double tap or a resent form logs the visit once."""

    dealer_search = forms.CharField(
        label=_("Find a dealer"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "data-dealer-search": ""}),
        help_text=_("Type part of the name, the code or the pinyin initials."),
    )
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    accuracy_m = forms.DecimalField(required=False, max_digits=9, decimal_places=1, widget=forms.HiddenInput)
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    photos = photos_field()

    field_order = [
        "dealer_search",
        "dealer",
        "visited_at",
        "kind",
        "purpose",
        "summary",
        "outcome",
        "next_action",
        "photos",
    ]

    def __init__(self, data=None, files=None, *, rep, initial_dealer: Dealer | None = None):
        initial = {
            "visited_at": timezone.localtime().replace(second=0, microsecond=0),
            "client_uuid": uuid.uuid4(),
            "kind": Visit.Kind.MAINTENANCE,
            "dealer": initial_dealer.pk if initial_dealer else None,
        }
        super().__init__(data, files, initial=initial)
        self.fields["dealer"] = _dealer_field(rep)
        self.order_fields(self.field_order)
        style_fields(self)

    def clean(self):
        return _both_or_neither(
            super().clean(), "latitude", "longitude", _("The position is incomplete; press “Use my position” again.")
        )

    def visit_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("dealer_search", None)
        data.pop("photos", None)
        return data


class PhotosForm(PhotoErrorsMixin, PageForm):
    """More photos for a visit, from its page (within the 24 hours its rep may change it)."""

    photos = photos_field(required=True)


class VisitEditForm(VisitContentForm):
    """The rep's correction within 24 h: content, dealer and time (the position is evidence and stays)."""

    def __init__(self, data=None, *, visit: Visit):
        initial = {name: getattr(visit, name) for name in ("kind", "purpose", "summary", "outcome", "next_action")}
        initial["visited_at"] = timezone.localtime(visit.visited_at)
        initial["dealer"] = visit.dealer_id
        super().__init__(data, initial=initial)
        self.fields["dealer"] = _dealer_field(visit.rep)
        self.order_fields(["dealer", "visited_at", "kind", "purpose", "summary", "outcome", "next_action"])
        style_fields(self)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ReviewForm(PageForm):
    comment = forms.CharField(
        label=_("Comment for the rep"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReasonForm(PageForm):
    comment = forms.CharField(
        label=_("Reason (the rep reads it, and so does the commission statement)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ReturnForm(PageForm):
    comment = forms.CharField(
        label=_("What should the rep change?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


# --- week plans ------------------------------------------------------------------------------------


class PlanItemForm(PageForm):
    planned_date = forms.TypedChoiceField(label=_("Day"), required=False, empty_value=None)
    dealer = forms.TypedChoiceField(label=_("Dealer"), required=False, coerce=int, empty_value=None)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=200, widget=forms.TextInput(attrs={"placeholder": _("Note")})
    )

    def __init__(self, *args, day_choices=(), dealer_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # the empty choice names the field: on a phone the pickers stand without their column header
        self.fields["planned_date"].choices = [("", _("Day…")), *day_choices]
        self.fields["dealer"].choices = [("", _("Dealer…")), *dealer_choices]
        style_fields(self)

    def clean(self):
        return _both_or_neither(
            super().clean(), "planned_date", "dealer", _("Choose both a day and a dealer, or leave the row empty.")
        )


class BasePlanItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, dealers: dict[int, Dealer], **kwargs):
        self.dealers = dealers
        super().__init__(*args, **kwargs)

    def items(self) -> list[dict]:
        """The filled rows as service input (dealers from the list read once, not a query per row)."""
        return [
            {
                "dealer": self.dealers[form.cleaned_data["dealer"]],
                "planned_date": date.fromisoformat(form.cleaned_data["planned_date"]),
                "note": form.cleaned_data.get("note", ""),
            }
            for form in self.forms
            if form.cleaned_data.get("dealer") is not None
        ]


EXTRA_PLAN_ROWS = 6


def plan_formset(data=None, *, rep, week_start: date, plan: VisitPlan | None = None):
    """The rows of a week plan: its items, then empty rows to add more (one query for the dealers)."""
    days = [week_start + timedelta(days=n) for n in range(7)]
    dealers = {dealer.pk: dealer for dealer in visitable_dealers(rep)}
    initial = []
    if plan is not None:
        initial = [
            {"planned_date": item.planned_date.isoformat(), "dealer": item.dealer_id, "note": item.note}
            for item in plan.items.all()
        ]
    formset_class = forms.formset_factory(PlanItemForm, formset=BasePlanItemFormSet, extra=EXTRA_PLAN_ROWS)
    return formset_class(
        data,
        initial=initial,
        prefix="items",
        dealers=dealers,
        form_kwargs={
            "day_choices": [(day.isoformat(), formats.date_format(day, "m-d D")) for day in days],
            "dealer_choices": [(pk, f"{d.name} ({d.code})") for pk, d in dealers.items()],
        },
    )


class PlanNoteForm(PageForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
