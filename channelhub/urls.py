from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from channelhub import views
from channelhub.accounts.views import PasswordChangeView
from channelhub.health import healthz
from channelhub.registry import PAGES

admin.site.site_header = _("channelhub administration")
admin.site.site_title = _("channelhub")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Forgotten passwords, by e-mail (Django's views, public): whether an address has an account is never told.
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(email_template_name="registration/password_reset_email.txt"),
        name="password_reset",
    ),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("notifications/", include("channelhub.notifications.urls")),
    path("api/v1/", include("channelhub.api.urls")),
    # the domain apps' pages, as their AppConfig.ready() registered them
    *(path(prefix, include(urlconf)) for prefix, urlconf in PAGES),
    path("admin/", admin.site.urls),
]

handler403 = "channelhub.views.permission_denied"
handler404 = "channelhub.views.page_not_found"
handler500 = "channelhub.views.server_error"
