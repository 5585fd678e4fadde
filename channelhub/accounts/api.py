from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from channelhub.accounts.models import mask_account
from channelhub.api.fields import ScopedModelSerializer
from channelhub.api.router import router
from channelhub.api.viewsets import ScopedReadOnlyViewSet
from channelhub.roles import Role, has_role

from .selectors import display_name, roles_from_prefetch, user_list, with_profile_and_roles

User = get_user_model()


class UserSerializer(ScopedModelSerializer):
    display_name = serializers.SerializerMethodField()
    employee_no = serializers.CharField(source="profile.employee_no", default="", read_only=True)
    phone = serializers.CharField(source="profile.phone", default="", read_only=True)
    manager = serializers.PrimaryKeyRelatedField(
        source="profile.manager", read_only=True, default=None, allow_null=True
    )
    roles = serializers.SerializerMethodField()
    bank_name = serializers.CharField(source="profile.bank_name", default="", read_only=True)
    bank_account = serializers.SerializerMethodField(
        help_text=_("In full for finance and administrators; masked (the last four digits) for everyone else.")
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "employee_no",
            "phone",
            "manager",
            "roles",
            "is_active",
            "bank_name",
            "bank_account",
        ]
        read_only_fields = fields

    def get_bank_account(self, user) -> str:
        profile = getattr(user, "profile", None)
        if profile is None:
            return ""
        viewer = self.context["request"].user if "request" in self.context else None
        if viewer is not None and has_role(viewer, Role.FINANCE, Role.ADMIN):
            return profile.bank_account
        return mask_account(profile.bank_account)

    def get_display_name(self, user) -> str:
        return display_name(user)

    def get_roles(self, user) -> list[str]:
        return roles_from_prefetch(user)


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role", label=_("Role"))
    manager = django_filters.NumberFilter(field_name="profile__manager", label=_("Manager"))
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    class Meta:
        model = User
        fields = ["role", "manager", "is_active", "q"]

    def filter_role(self, queryset, name, value):
        if value == Role.ADMIN:
            return queryset.filter(is_superuser=True)
        return queryset.filter(groups__name=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(profile__employee_no__icontains=value)
        )


class UserViewSet(ScopedReadOnlyViewSet):
    """People the requesting user may see (SPEC §2): admin and finance everyone, a manager the team, a rep self."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    ordering_fields = ["username", "profile__employee_no"]
    queryset = User.objects.all()

    def get_queryset(self):
        return user_list(self.request.user, self.queryset)

    @extend_schema(responses=UserSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        """The authenticated user, with roles: what a client shows after login."""
        # Everyone may see themselves, also a user who has no role yet.
        user = with_profile_and_roles(User.objects.filter(pk=request.user.pk)).get()
        return Response(self.get_serializer(user).data)


router.register("users", UserViewSet, basename="user")
