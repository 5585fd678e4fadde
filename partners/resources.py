"""The dealer file format (django-import-export): columns, how each cell is read and written, and the
rules a row must pass before it is saved.

``DealerResource`` serves both ``partners.imports`` (the import page and its service) and Django admin
(``import_export.admin.ImportExportModelAdmin``). Either way the acting user comes in as ``actor=`` to
the constructor or as the ``user=`` keyword django-import-export passes to ``import_data``; without a
channel manager or an admin behind it the resource imports nothing.

Every lookup a row needs (territories, users, product lines, existing dealers) is read once per file in
``before_import``, so a row costs its own writes and no lookups.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader

from channelhub.accounts.selectors import AMBIGUOUS, people_by_login_or_employee_no
from channelhub.exports import Column, choice_codes, header_codes
from channelhub.importing import cell_text, normalise_header
from channelhub.roles import Role, has_role
from channelhub.scoping import scope
from partners import policies
from partners.models import Dealer, ProductLine, Territory
from partners.services.dealers import DEALER_FIELDS, dealer_refresh_search_text

#: The columns a file may carry, in the order an export writes them. ``code`` identifies the dealer.
IMPORT_COLUMNS = (*DEALER_FIELDS, "product_lines")
#: Written by an export, ignored by an import: status moves only through the life cycle, and finance
#: sets the credit limit.
EXPORT_ONLY_COLUMNS = ("status", "credit_limit")
EXPORT_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
#: The same columns with the headers people read (``channelhub.exports``): the import and export pages
#: write these, in the reader's language, and read them back in either language (or the keys above).
FILE_COLUMNS = (
    Column("code", gettext_lazy("Code")),
    Column("name", pgettext_lazy("dealer", "Name")),
    Column("legal_name", gettext_lazy("Legal name")),
    Column("kind", gettext_lazy("Kind")),
    Column("tier", gettext_lazy("Tier")),
    Column("territory", gettext_lazy("Territory")),
    Column("owner", gettext_lazy("Owner")),
    Column("parent", gettext_lazy("Buys from")),
    Column("address", gettext_lazy("Address")),
    Column("latitude", gettext_lazy("Latitude"), "number"),
    Column("longitude", gettext_lazy("Longitude"), "number"),
    Column("is_key_account", gettext_lazy("Key account")),
    Column("product_lines", gettext_lazy("Product lines")),
    Column("status", gettext_lazy("Status")),
    Column("credit_limit", gettext_lazy("Credit limit"), "money"),
)

_TRUE = {"1", "true", "yes", "y", "x", "t", "是"}
_FALSE = {"0", "false", "no", "n", "f", "否"}
#: Lookups by code go to the database in slices of this many codes (SQLite limits query parameters).
_IN_BATCH = 500


def may_import(user) -> bool:
    """Channel managers (in their own territories) and admins import dealers; reps and finance do not."""
    return has_role(user, Role.ADMIN, Role.CHANNEL_MANAGER)


def dealer_header_codes() -> dict[str, str]:
    """A dealer file's normalised header (a key, or a header of an export in either language) → its key."""
    return header_codes(FILE_COLUMNS)


def split_codes(value: Any) -> list[str]:
    text = cell_text(value)
    for separator in ("，", ";", "；"):
        text = text.replace(separator, ",")
    return [part.strip() for part in text.split(",") if part.strip()]


def _by_code(queryset: QuerySet, codes: Iterable[str], field: str = "code") -> list:
    codes = sorted(set(codes))
    found = []
    for start in range(0, len(codes), _IN_BATCH):
        found.extend(queryset.filter(**{f"{field}__in": codes[start : start + _IN_BATCH]}))
    return found


# --- widgets: one cell ⇄ one value. A ValueError's message is the reason shown for that cell. --------


class TextWidget(widgets.Widget):
    def __init__(self, *, required_message=None, **kwargs):
        self.required_message = required_message
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text and self.required_message:
            raise ValueError(str(self.required_message))
        return text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """A choice by its value (``retail_terminal``) or its label in either language (an export writes the
    reader's); empty keeps."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        self._codes: dict[str, str] | None = None  # read once: every row of a file asks
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = normalise_header(cell_text(value))
        if not text:
            return None
        if self._codes is None:
            self._codes = choice_codes(self.choices.choices)
        if (code := self._codes.get(text)) is not None:
            return code
        raise ValueError(
            _("Unknown value “%(value)s”; use one of: %(choices)s.")
            % {"value": cell_text(value), "choices": ", ".join(self.choices.values)}
        )

    def render(self, value, obj=None, **kwargs):
        return value or ""


class DecimalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            text = str(value)
        else:
            text = cell_text(value)
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("“%(value)s” is not a number; write it like 31.2304.") % {"value": text})
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value  # a Decimal: a number cell in XLSX, exact text in CSV


class YesNoWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = cell_text(value).lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("Write yes or no, not “%(value)s”.") % {"value": cell_text(value)})

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class _LookupWidget(widgets.Widget):
    """Reads the lookups its resource loaded for the file (bound in ``DealerResource.__init__``)."""

    resource: DealerResource | None = None


class TerritoryWidget(_LookupWidget):
    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if not code:
            raise ValueError(_("A territory code is required."))
        territory = self.resource.territories.get(code)
        if territory is None:
            raise ValueError(_("Unknown territory code “%(code)s”.") % {"code": code})
        if not policies.can_create_in(self.resource.actor, territory):
            raise ValueError(
                _("Territory “%(code)s” is not one of yours; you can only import dealers in your own territories.")
                % {"code": code}
            )
        return territory

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class OwnerWidget(_LookupWidget):
    """The rep by login or by employee number."""

    def clean(self, value, row=None, **kwargs):
        username = cell_text(value)
        if not username:
            return None
        user = self.resource.users.get(username)
        if user is AMBIGUOUS:
            raise ValueError(
                _(
                    "“%(value)s” is one user's login and another user's employee number; name the rep by "
                    "their other identifier instead."
                )
                % {"value": username}
            )
        if user is None:
            raise ValueError(_("Unknown user “%(username)s”.") % {"username": username})
        if user.pk not in self.resource.rep_ids:
            raise ValueError(_("“%(username)s” is not an active field rep.") % {"username": username})
        return user

    def render(self, value, obj=None, **kwargs):
        return value.get_username() if value is not None else ""


class ParentWidget(_LookupWidget):
    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if not code:
            return None
        if row is not None and code == cell_text(row.get("code")):
            raise ValueError(_("A dealer cannot buy from itself."))
        parent = self.resource.dealers.get(code)
        if parent is None or code not in self.resource.visible_codes:
            if code in self.resource.file_codes:
                raise ValueError(
                    _(
                        "Dealer “%(code)s” is in this file but not saved above this row: put distributors before the dealers that buy from them, and fix their rows first."
                    )
                    % {"code": code}
                )
            raise ValueError(_("Unknown dealer code “%(code)s”.") % {"code": code})
        if parent.kind != Dealer.Kind.DISTRIBUTOR:
            raise ValueError(_("“%(code)s” is not a distributor; a dealer buys from a distributor.") % {"code": code})
        return parent

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class ProductLinesWidget(widgets.ManyToManyWidget):
    """Comma-separated product line codes (also ``，`` and ``;``)."""

    resource: DealerResource | None = None

    def __init__(self, **kwargs):
        super().__init__(model=ProductLine, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        codes = split_codes(value)
        unknown = [code for code in codes if code not in self.resource.product_lines]
        if unknown:
            raise ValueError(_("Unknown product line codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        return list({code: self.resource.product_lines[code] for code in codes}.values())

    def render(self, value, obj=None, **kwargs):
        return ",".join(line.code for line in value.all()) if value is not None else ""


class _KnownDealers(BaseInstanceLoader):
    """Existing dealers come from the resource's lookup (read once per file), not one query a row."""

    def get_instance(self, row):
        return self.resource.existing_dealer(row)


class _NoDiff:
    """The import page shows counts and rows, not the admin's per-field HTML diff: skip building it."""

    def __init__(self, resource, instance, new):
        pass

    def compare_with(self, resource, instance):
        pass

    def as_html(self):
        return []


# --- the resource --------------------------------------------------------------------------------


class DealerResource(resources.ModelResource):
    code = Field(attribute="code", column_name="code", widget=TextWidget())
    name = Field(
        attribute="name", column_name="name", widget=TextWidget(required_message=gettext_lazy("A name is required."))
    )
    legal_name = Field(attribute="legal_name", column_name="legal_name", widget=TextWidget())
    # An empty kind, tier or key-account cell keeps the dealer's value (the default for a new one).
    kind = Field(attribute="kind", column_name="kind", widget=ChoiceWidget(Dealer.Kind), saves_null_values=False)
    tier = Field(attribute="tier", column_name="tier", widget=ChoiceWidget(Dealer.Tier), saves_null_values=False)
    territory = Field(attribute="territory", column_name="territory", widget=TerritoryWidget())
    owner = Field(attribute="owner", column_name="owner", widget=OwnerWidget())
    parent = Field(attribute="parent", column_name="parent", widget=ParentWidget())
    address = Field(attribute="address", column_name="address", widget=TextWidget())
    latitude = Field(attribute="latitude", column_name="latitude", widget=DecimalWidget())
    longitude = Field(attribute="longitude", column_name="longitude", widget=DecimalWidget())
    is_key_account = Field(
        attribute="is_key_account", column_name="is_key_account", widget=YesNoWidget(), saves_null_values=False
    )
    product_lines = Field(attribute="product_lines", column_name="product_lines", widget=ProductLinesWidget())
    status = Field(attribute="status", column_name="status", readonly=True, widget=TextWidget())
    credit_limit = Field(attribute="credit_limit", column_name="credit_limit", readonly=True, widget=DecimalWidget())

    class Meta:
        model = Dealer
        fields = EXPORT_COLUMNS
        import_order = IMPORT_COLUMNS
        export_order = EXPORT_COLUMNS
        import_id_fields = ("code",)
        instance_loader_class = _KnownDealers
        skip_unchanged = True  # re-importing the same file writes nothing, not even history rows
        report_skipped = True
        use_transactions = True

    def __init__(self, *, actor=None, html_diff: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.html_diff = html_diff
        self.territories: dict[str, Territory] = {}
        self.users: dict[str, Any] = {}
        self.rep_ids: set[int] = set()
        self.product_lines: dict[str, ProductLine] = {}
        self.dealers: dict[str, Dealer] = {}
        self.visible_codes: set[str] = set()
        self.file_codes: Counter[str] = Counter()
        self._creating = False
        for field in self.fields.values():
            if isinstance(field.widget, _LookupWidget | ProductLinesWidget):
                field.widget.resource = self

    # --- import ----------------------------------------------------------------------------------

    def import_data(self, dataset, **kwargs):
        """All or nothing: one bad row rolls back every row, whoever calls (page, admin, shell)."""
        self.actor = kwargs.get("user") or self.actor
        if not may_import(self.actor):
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(
                self.get_error_result_class()(PermissionDenied(_("Your role does not allow importing dealers.")))
            )
            return result
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def get_diff_class(self):
        return super().get_diff_class() if self.html_diff else _NoDiff

    def before_import(self, dataset, **kwargs):
        codes = dealer_header_codes()
        dataset.headers = [codes.get(name, name) for name in map(normalise_header, dataset.headers or [])]
        column = {name: dataset[name] if name in dataset.headers else [] for name in ("code", "territory", "owner")}
        self.file_codes = Counter(code for code in map(cell_text, column["code"]) if code)
        parent_codes = {cell_text(v) for v in (dataset["parent"] if "parent" in dataset.headers else [])} - {""}

        self.territories = {t.code: t for t in _by_code(Territory.objects.all(), map(cell_text, column["territory"]))}
        identifiers = {cell_text(v) for v in column["owner"]} - {""}  # logins or employee numbers
        users = get_user_model()._default_manager.all()
        self.users = people_by_login_or_employee_no(
            {user.get_username(): user for user in _by_code(users, identifiers, "username")},
            {
                user.profile.employee_no: user
                for user in _by_code(users.select_related("profile"), identifiers, "profile__employee_no")
            },
        )
        reps = users.filter(groups__name=Role.FIELD_REP, is_active=True).values_list("pk", flat=True)
        named = {user.pk for user in self.users.values() if user is not AMBIGUOUS}
        self.rep_ids = set(_by_code(reps, named, "pk")) if named else set()
        self.product_lines = {line.code: line for line in ProductLine.objects.all()}
        loaded = Dealer.objects.select_related("territory", "owner", "parent").prefetch_related("product_lines")
        self.dealers = {d.code: d for d in _by_code(loaded, set(self.file_codes) | parent_codes)}
        # A parent must be a dealer the importer may see: hidden means hidden, in files too.
        visible = scope(self.actor, Dealer.objects.all()).values_list("code", flat=True)
        self.visible_codes = set(_by_code(visible, parent_codes))

    def existing_dealer(self, row) -> Dealer | None:
        dealer = self.dealers.get(cell_text(row.get("code")))
        # A copy: a row that fails must not leave its values on the dealer later rows look up.
        return copy.copy(dealer) if dealer is not None else None

    def before_import_row(self, row, **kwargs):
        code = cell_text(row.get("code"))
        if not code:
            raise ValidationError({"code": _("A code is required.")})
        if self.file_codes[code] > 1:
            raise ValidationError(
                {"code": _("The code “%(code)s” appears more than once in the file.") % {"code": code}}
            )

    def after_init_instance(self, instance, new, row, **kwargs):
        if not new and not policies.can_manage_dealer(self.actor, instance):
            raise ValidationError(
                {
                    "code": _("Dealer “%(code)s” exists outside your territories; you cannot change it.")
                    % {"code": instance.code}
                }
            )

    def import_instance(self, instance, row, **kwargs):
        """The cells, each checked by its widget; product lines too (django-import-export sets them later)."""
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        field = self.fields["product_lines"]
        if field.column_name in row:
            try:
                field.clean(row)
            except ValueError as error:
                errors["product_lines"] = [ValidationError(str(error))]
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing dealer whose cells all equal its stored values is left alone (no save, no history).

        As django-import-export compares, except that the stored product lines come from the lookup's
        prefetch: its ``original`` is a deep copy, which drops prefetched rows (a query a row)."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        for field in self.get_import_fields():
            if not isinstance(field.widget, widgets.ManyToManyWidget):
                if field.get_value(instance) != field.get_value(original):
                    return False
            elif field.column_name in row:
                stored = self.dealers.get(original.code, original)
                if {line.pk for line in field.clean(row)} != {line.pk for line in stored.product_lines.all()}:
                    return False
        return True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Rules of a changed or new row. Territory, owner and parent were checked from the lookups, so
        ``full_clean`` skips them (and uniqueness and check constraints: the database holds those)."""
        errors = dict(import_validation_errors or {})
        if instance.pk is not None and instance.status == Dealer.Status.TERMINATED:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(_("A terminated dealer cannot be changed; it is kept for its history."))
            )
        if instance.territory_id is None and "territory" not in errors:
            errors["territory"] = [ValidationError(_("A territory code is required."))]
        try:
            instance.full_clean(
                exclude=[*errors, "territory", "owner", "parent", "search_text"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def before_save_instance(self, instance, row, **kwargs):
        self._creating = instance.pk is None
        dealer_refresh_search_text(instance)
        instance._history_user = self.actor  # django-simple-history records who, outside requests too

    def after_save_instance(self, instance, row, **kwargs):
        if self._creating:
            Dealer.workflow.record_creation(instance, by=self.actor)
        # Later rows may name this dealer as their parent.
        self.dealers[instance.code] = instance
        self.visible_codes.add(instance.code)

    def after_import(self, dataset, result, **kwargs):
        """Nothing: ``ModelResource`` resets sequences here, for files carrying primary keys; ours do not."""

    # --- export ----------------------------------------------------------------------------------

    def export(self, queryset=None, **kwargs):
        """Two queries whatever the number of dealers: the dealers with their territory, owner and parent,
        and all their product line codes."""
        queryset = (queryset if queryset is not None else self.get_queryset()).select_related(
            "territory", "owner", "parent"
        )
        queryset = queryset.prefetch_related(None)  # a prefetch would make django-import-export paginate
        self._export_lines = product_line_codes(queryset)
        try:
            return super().export(queryset=queryset, **kwargs)
        finally:
            del self._export_lines

    def dehydrate_product_lines(self, dealer: Dealer) -> str:
        lines = getattr(self, "_export_lines", None)
        if lines is None:
            return self.fields["product_lines"].export(dealer)
        return ",".join(lines.get(dealer.pk, ()))


def product_line_codes(dealers: QuerySet[Dealer]) -> dict[int, list[str]]:
    """Product line codes per dealer of ``dealers``, in one query (a subquery, not a list of IDs)."""
    through = Dealer.product_lines.through
    pairs = (
        through.objects.filter(dealer_id__in=dealers.order_by().values("pk"))
        .order_by("dealer_id", "productline__code")
        .values_list("dealer_id", "productline__code")
    )
    codes: dict[int, list[str]] = {}
    for dealer_id, code in pairs:
        codes.setdefault(dealer_id, []).append(code)
    return codes
