"""What happens to a user's API tokens when their password changes: they are revoked, wherever the change
is made (the password page, the admin, ``manage.py changepassword``). Django tells every entry of
``AUTH_PASSWORD_VALIDATORS`` when a password changes (``password_changed``); this entry checks nothing."""

from __future__ import annotations


class RevokeTokensOnChange:
    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        from rest_framework.authtoken.models import Token

        if user is not None and user.pk is not None:
            Token.objects.filter(user_id=user.pk).delete()

    def get_help_text(self) -> str:
        return ""
