from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Profile

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ("manager", "territories")
    verbose_name_plural = _("profile")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = (ProfileInline,)
    list_display = ("username", "full_name", "employee_no", "manager", "role_names", "is_active", "is_superuser")
    list_filter = ("groups", "is_active", "is_superuser")
    list_select_related = ("profile", "profile__manager")
    search_fields = ("username", "first_name", "last_name", "email", "profile__employee_no")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("full name"))
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("employee number"), ordering="profile__employee_no")
    def employee_no(self, user):
        return getattr(getattr(user, "profile", None), "employee_no", "")

    @admin.display(description=_("manager"))
    def manager(self, user):
        profile = getattr(user, "profile", None)
        return profile.manager if profile else None

    @admin.display(description=_("roles"))
    def role_names(self, user):
        return ", ".join(group.name for group in user.groups.all())


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ("user", "employee_no", "manager", "phone")
    list_select_related = ("user", "manager")
    search_fields = ("employee_no", "user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user", "manager", "territories")
    list_filter = (("manager", admin.RelatedOnlyFieldListFilter),)
    show_full_result_count = False
