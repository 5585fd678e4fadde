"""Forms of the partner pages. They parse and present; the services decide (and raise ValidationError)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, Q, Value, When
from django.forms import BoundField
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name
from channelhub.fields import validate_year
from channelhub.forms import DATE_WIDGET, CommentForm, PageForm, style_fields
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from partners import policies
from partners.models import Agreement, Dealer, ProductLine, QualificationReview, Territory
from partners.selectors import covered_territories
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services

User = get_user_model()


def territory_label(territory: Territory) -> str:
    """Indented by level, so a select reads as the tree."""
    return f"{'· ' * territory.level}{territory.name} ({territory.code})"


class TerritoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, territory):
        return territory_label(territory)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return display_name(user)


class DealerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, dealer):
        return f"{dealer.name} ({dealer.code})"


def prepare_filter_form(form: forms.Form, user) -> forms.Form:
    """Fit a DealerFilter/AgreementFilter form to the page: readable labels and only visible choices."""
    if "territory" in form.fields:
        territory = form.fields["territory"]
        territory.queryset = territory.queryset.order_by("path")
        territory.label_from_instance = territory_label
    if "owner" in form.fields and not has_role(user, Role.CHANNEL_MANAGER, Role.ADMIN, Role.FINANCE):
        # a field rep sees their own dealers: a filter by owner would offer only themselves
        form.fields.pop("owner")
    if "owner" in form.fields:
        owner = form.fields["owner"]
        owner.queryset = scope(user, User).filter(groups__name=Role.FIELD_REP).order_by("first_name", "username")
        owner.label_from_instance = display_name
    if "dealer" in form.fields:
        # ?dealer= comes from a dealer's page; only visible dealers are accepted (and the page lists none).
        form.fields["dealer"].queryset = scope(user, Dealer)
    for field in form.fields.values():
        if isinstance(field, forms.NullBooleanField):
            field.widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
        elif getattr(field, "empty_label", None) is not None:  # model and django-filter choice fields
            field.empty_label = _("All")
            field.widget.choices = field.choices
    return style_fields(form)


# --- dealers --------------------------------------------------------------------------------------

DEALER_FORM_FIELDS = (*dealer_services.DEALER_FIELDS, "product_lines")


class DealerForm(PageForm):
    """Create or edit a dealer. A rep editing an own dealer gets only the contact data fields."""

    def __init__(self, *args, user, dealer: Dealer | None = None, **kwargs):
        self.user, self.dealer = user, dealer
        self.full_edit = dealer is None or policies.can_manage_dealer(user, dealer)
        names = DEALER_FORM_FIELDS if self.full_edit else dealer_services.CONTACT_DATA_FIELDS
        if dealer is not None and "initial" not in kwargs:
            kwargs["initial"] = forms.model_to_dict(dealer, fields=names)
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Dealer, fields=names, formfield_callback=self._formfield))
        style_fields(self)

    def _formfield(self, model_field, **kwargs):
        name = model_field.name
        if name == "territory":
            return TerritoryChoiceField(
                queryset=covered_territories(self.user),
                label=capfirst(model_field.verbose_name),
                **_required(model_field),
            )
        optional = {
            "owner": (UserChoiceField, self._owner_choices),
            "parent": (DealerChoiceField, self._parent_choices),
        }
        if name in optional:
            field_class, choices = optional[name]
            return field_class(
                queryset=choices(),
                label=capfirst(model_field.verbose_name),
                required=False,
                help_text=_help(model_field),
            )
        if name == "product_lines":
            return forms.ModelMultipleChoiceField(
                queryset=ProductLine.objects.order_by("code"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=capfirst(model_field.verbose_name),
            )
        if name == "address":
            return model_field.formfield(widget=forms.Textarea(attrs={"rows": 2}), **kwargs)
        return model_field.formfield(**kwargs)

    def _owner_choices(self):
        """Active field reps; a manager's own team first. The current owner stays selectable."""
        reps = User.objects.filter(
            Q(groups__name=Role.FIELD_REP, is_active=True) | Q(pk=getattr(self.dealer, "owner_id", None))
        )
        return (
            reps.distinct()
            .annotate(mine=Case(When(profile__manager=self.user, then=Value(0)), default=Value(1)))
            .order_by("mine", "first_name", "username")
        )

    def _parent_choices(self):
        """Distributors the user may see (not the dealer itself); the current parent stays selectable."""
        visible = scope(self.user, Dealer.objects.filter(kind=Dealer.Kind.DISTRIBUTOR)).values("pk")
        parents = Dealer.objects.filter(Q(pk__in=visible) | Q(pk=getattr(self.dealer, "parent_id", None)))
        if self.dealer is not None:
            parents = parents.exclude(pk=self.dealer.pk)
        return parents.order_by("code")

    def save(self, *, actor, contacts: list[dict]) -> Dealer | None:
        """Create or update through the service; None (and the errors on the form) when it refuses."""
        fields = dict(self.cleaned_data)
        product_lines = fields.pop("product_lines", None)
        if self.dealer is None:
            return self.run(
                dealer_services.dealer_create,
                actor=actor,
                contacts=contacts,
                product_lines=product_lines or (),
                **fields,
            )
        return self.run(
            dealer_services.dealer_update,
            actor=actor,
            dealer=self.dealer,
            contacts=contacts,
            product_lines=product_lines,
            **fields,
        )


def _required(model_field) -> dict:
    return {"required": not model_field.blank, "help_text": _help(model_field)}


def _help(model_field) -> str:
    return model_field.help_text or ""


class ContactForm(PageForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, widget=forms.TelInput)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)


class BaseContactFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
        style_fields(form)


ContactFormSet = forms.formset_factory(
    ContactForm, formset=BaseContactFormSet, extra=2, can_delete=True, max_num=50, validate_max=True
)


def contact_formset(data=None, *, dealer: Dealer | None = None) -> forms.BaseFormSet:
    initial = None
    if dealer is not None:
        initial = [{name: getattr(c, name) for name in dealer_services.CONTACT_FIELDS} for c in dealer.contacts.all()]
    formset = ContactFormSet(data, initial=initial, prefix="contacts")
    if dealer is None and data is None:
        formset.extra = 3
    return formset


def contacts_from(formset: forms.BaseFormSet) -> list[dict]:
    """The filled rows of a valid contact formset, without the ones marked for removal."""
    return [
        {name: form.cleaned_data[name] for name in dealer_services.CONTACT_FIELDS}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


# --- dealer actions -------------------------------------------------------------------------------


class ReviewForm(CommentForm):
    """资质审核: the five criteria, each with a weight (summing to 100) and a score 0–100."""

    DEFAULT_WEIGHT = 20

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion, label in QualificationReview.Criterion.choices:
            self.fields[f"weight_{criterion}"] = forms.IntegerField(
                label=_("Weight of %(criterion)s") % {"criterion": label},
                min_value=1,
                max_value=100,
                initial=self.DEFAULT_WEIGHT,
            )
            self.fields[f"score_{criterion}"] = forms.IntegerField(
                label=_("Score of %(criterion)s") % {"criterion": label}, min_value=0, max_value=100
            )
        # The comment last, below the checklist.
        self.fields["comment"] = self.fields.pop("comment")
        style_fields(self)

    def rows(self) -> list[tuple[str, BoundField, BoundField]]:
        return [
            (label, self[f"weight_{criterion}"], self[f"score_{criterion}"])
            for criterion, label in QualificationReview.Criterion.choices
        ]

    def items(self) -> list[dict]:
        return [
            {
                "criterion": criterion,
                "weight": self.cleaned_data[f"weight_{criterion}"],
                "score": self.cleaned_data[f"score_{criterion}"],
            }
            for criterion in QualificationReview.Criterion.values
        ]


class ApproveQualificationForm(CommentForm):
    credit_limit = forms.DecimalField(label=_("Credit limit"), max_digits=14, decimal_places=2, min_value=0)
    field_order = ["credit_limit", "comment"]


class RejectQualificationForm(PageForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


# --- agreements -----------------------------------------------------------------------------------

#: What the agreement form edits; the deposit's arrival is confirmed by finance separately.
AGREEMENT_FORM_FIELDS = (
    *(name for name in agreement_services.AGREEMENT_FIELDS if name not in ("deposit_received_on", "min_prices")),
    "product_lines",
)


#: The names of the agreement form's minimum price inputs: ``min_price__<product line code>``.
MIN_PRICE_PREFIX = "min_price__"


class AgreementForm(PageForm):
    def __init__(self, *args, user, dealer: Dealer, agreement: Agreement | None = None, **kwargs):
        self.user, self.dealer, self.agreement = user, dealer, agreement
        if agreement is not None and "initial" not in kwargs:
            kwargs["initial"] = forms.model_to_dict(agreement, fields=AGREEMENT_FORM_FIELDS)
        elif agreement is None:
            kwargs.setdefault("initial", {"territory": dealer.territory_id})
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(Agreement, fields=AGREEMENT_FORM_FIELDS, formfield_callback=self._formfield)
        )
        self._add_min_price_fields()
        style_fields(self)

    def _add_min_price_fields(self) -> None:
        """One amount per product line: the minimum shelf price the inspections check (empty: no minimum)."""
        stored = (self.agreement.min_prices if self.agreement is not None else None) or {}
        self.min_price_lines = list(ProductLine.objects.order_by("code"))
        for line in self.min_price_lines:
            name = MIN_PRICE_PREFIX + line.code
            self.fields[name] = forms.DecimalField(
                label=_("Minimum price: %(line)s") % {"line": line.name},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                initial=stored.get(line.code),
            )

    def min_price_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if name.startswith(MIN_PRICE_PREFIX)]

    def term_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if not name.startswith(MIN_PRICE_PREFIX)]

    def _formfield(self, model_field, **kwargs):
        name = model_field.name
        if name in ("start_date", "end_date"):
            return model_field.formfield(widget=DATE_WIDGET, **kwargs)
        if name == "territory":
            current = Q(pk=getattr(self.agreement, "territory_id", None))
            territories = Territory.objects.filter(Q(pk__in=covered_territories(self.user).values("pk")) | current)
            return TerritoryChoiceField(
                queryset=territories.order_by("path"),
                label=capfirst(model_field.verbose_name),
                **_required(model_field),
            )
        if name == "product_lines":
            return forms.ModelMultipleChoiceField(
                queryset=ProductLine.objects.order_by("code"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                label=capfirst(model_field.verbose_name),
            )
        if name == "rebate_program":
            # programs in use, and the one the agreement names already (agreement_services refuses the others)
            current = Q(pk=getattr(self.agreement, "rebate_program_id", None))
            programs = model_field.related_model.objects.filter(Q(is_active=True) | current).order_by("name")
            return model_field.formfield(queryset=programs, **kwargs)
        return model_field.formfield(**kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return cleaned

    def save(self, *, actor) -> Agreement | None:
        fields = dict(self.cleaned_data)
        product_lines = fields.pop("product_lines", ())
        fields["min_prices"] = {
            name.removeprefix(MIN_PRICE_PREFIX): fields.pop(name)
            for name in list(fields)
            if name.startswith(MIN_PRICE_PREFIX) and fields[name] is not None
        }
        for name in [name for name in fields if name.startswith(MIN_PRICE_PREFIX)]:
            del fields[name]
        if self.agreement is None:
            return self.run(
                agreement_services.agreement_create,
                actor=actor,
                dealer=self.dealer,
                product_lines=product_lines,
                **fields,
            )
        return self.run(
            agreement_services.agreement_update,
            actor=actor,
            agreement=self.agreement,
            product_lines=product_lines,
            **fields,
        )


class DepositForm(PageForm):
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET, validators=[validate_year])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
