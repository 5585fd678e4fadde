"""The admin site (``ChannelhubAdminSite``, Django's default site through ``ChannelhubAdminConfig``): our
domain's sections first, third-party ones (API tokens, login attempts …) after; ``person_column``,
the changelist column that names a person instead of showing their login; and what the apps' admins
share: read-only admins and inlines, inlines editable while their parent is, the field rep's column,
filter and search."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name

#: The admin index's sections, in this order (app labels); any other app follows, alphabetically.
DOMAIN_APPS = ("partners", "visits", "kpi", "commissions", "accounts", "auth", "notifications", "workflow")


def app_order(app: dict) -> tuple[int, str]:
    label = app["app_label"]
    position = DOMAIN_APPS.index(label) if label in DOMAIN_APPS else len(DOMAIN_APPS)
    return position, str(app["name"]).lower()


class PersonAutocompleteJsonView(AutocompleteJsonView):
    """The admin's search-as-you-type boxes (a dealer's owner, a rep …) offer people by name."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, get_user_model()):
            result["text"] = display_name(obj)
        return result


class ChannelhubAdminSite(admin.AdminSite):
    # No navigation sidebar: on a 1280 px desktop it would leave a long changelist half the screen.
    # The breadcrumbs and the index lead everywhere.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """Django's list (models alphabetical within a section), with our sections first."""
        return sorted(super().get_app_list(request, app_label), key=app_order)

    def autocomplete_view(self, request):
        return PersonAutocompleteJsonView.as_view(admin_site=self)(request)


def person_column(field: str, description) -> Callable:
    """A ``list_display`` column showing the user in ``field`` by name (keep ``field`` in
    ``list_select_related``): ``person_column("rep", _("field rep"))``."""

    @admin.display(description=description, ordering=f"{field}__first_name")
    def column(obj) -> str | None:
        user = getattr(obj, field)
        return display_name(user) if user is not None else None  # None: the admin's "empty" mark

    column.__name__ = f"{field}_name"
    return column


class PersonFilter(admin.RelatedOnlyFieldListFilter):
    """``list_filter = (("rep", PersonFilter),)``: the people the rows name, by name, in name order."""

    def field_choices(self, field, request, model_admin):
        ids = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        people = field.related_model._default_manager.filter(pk__in=ids)
        return sorted(((person.pk, display_name(person)) for person in people), key=lambda choice: choice[1])


def field_names(model, *, but: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``model``'s fields in their order, without its ID and ``but``: the ``readonly_fields`` of an admin
    that shows a row whole (``readonly_fields = field_names(Scorecard)``)."""
    return tuple(field.name for field in model._meta.fields if not field.primary_key and field.name not in but)


def person_search(field: str) -> tuple[str, ...]:
    """The ``search_fields`` that find the user in ``field`` by login, name or employee number:
    ``search_fields = (*person_search("rep"), "note")``."""
    return (f"{field}__username", f"{field}__first_name", f"{field}__last_name", f"{field}__profile__employee_no")


class ReadOnlyMixin:
    """Readable, never added, changed or deleted in the admin (the services write these rows). Before
    ``admin.ModelAdmin`` (or ``SimpleHistoryAdmin``) among the bases."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A read-only admin whose filtered changelists skip counting the whole table."""

    show_full_result_count = False


class NoAddOrDeleteMixin:
    """Rows that the services create and that stay: corrected in the admin, never added or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never added or changed there (nor deleted: ``can_delete``)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WhileEditableInline(admin.TabularInline):
    """Rows that may be added, changed or deleted (as the user's permissions allow) only while
    ``editable(parent)`` says the parent could itself still change (a draft …)."""

    extra = 0

    def editable(self, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return self.editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self.editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.editable(obj) and super().has_delete_permission(request, obj)


#: The column, the filter and the search of an admin whose rows are about a field rep (``rep``).
REP_COLUMN = person_column("rep", _("field rep"))
REP_FILTER = ("rep", PersonFilter)
REP_SEARCH = person_search("rep")
