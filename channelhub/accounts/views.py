"""The password-change page: a wrong current password counts towards the login limits, like a failed
login (otherwise the page would let anyone at an open session guess the password without limit)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views

from channelhub.accounts.lockout import lockout_response


class PasswordChangeView(auth_views.PasswordChangeView):
    def _credentials(self) -> dict:
        return {"username": self.request.user.get_username()}

    def post(self, request, *args, **kwargs):
        if not AxesProxyHandler.is_allowed(request, self._credentials()):
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password"):
            user_login_failed.send(sender=__name__, credentials=self._credentials(), request=self.request)
            if getattr(self.request, "axes_locked_out", False):
                return lockout_response(self.request)
        return super().form_invalid(form)
