from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import PersonFilter, person_column
from channelhub.roles import Role

from .models import Profile
from .selectors import display_name
from .services import user_set_roles

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ("manager", "territories")
    verbose_name_plural = _("profile")


class UserAddForm(AdminUserCreationForm):
    """Django's form for a new user, with the name, the e-mail and the roles: one page for a whole person
    (their profile is the inline below)."""

    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What the person does in channelhub; an administrator may do everything."),
    )


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People: adding one asks for the name, the roles and the profile (employee number, manager,
    territories, phone, bank details) on one page."""

    inlines = (ProfileInline,)
    add_form = UserAddForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Person"), {"classes": ("wide",), "fields": ("first_name", "last_name", "email", "roles")}),
    )
    list_display = ("full_name", "username", "employee_no", "manager", "role_names", "is_active", "is_superuser")
    list_filter = ("groups", "is_active", "is_superuser")
    list_select_related = ("profile", "profile__manager")
    search_fields = ("username", "first_name", "last_name", "email", "profile__employee_no")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            return
        # a new person always has a profile (left empty on the page: an empty one) and the roles chosen
        Profile.objects.get_or_create(user=form.instance)
        user_set_roles(user=form.instance, roles=form.cleaned_data.get("roles", ()))

    @admin.display(description=_("full name"), ordering="first_name")
    def full_name(self, user):
        return display_name(user)

    @admin.display(description=_("employee number"), ordering="profile__employee_no")
    def employee_no(self, user):
        return getattr(getattr(user, "profile", None), "employee_no", "")

    @admin.display(description=_("manager"), ordering="profile__manager__first_name")
    def manager(self, user):
        profile = getattr(user, "profile", None)
        return display_name(profile.manager) if profile and profile.manager else None

    @admin.display(description=_("roles"))
    def role_names(self, user):
        return ", ".join(group.name for group in user.groups.all())


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = (person_column("user", _("user")), "employee_no", person_column("manager", _("manager")), "phone")
    list_select_related = ("user", "manager")
    search_fields = ("employee_no", "user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "manager", "territories")
    list_filter = (("manager", PersonFilter),)
    show_full_result_count = False
