"""API tokens that expire (``API_TOKEN_DAYS`` after they were issued) and die with a password change
(``channelhub.accounts.passwords.RevokeTokensOnChange``). An expired token answers 401 and is deleted:
the client logs in again (``POST /api/v1/auth/token/``) and gets a new one."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token) -> bool:
    return timezone.now() - token.created > timedelta(days=settings.API_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("The token has expired; log in again for a new one."))
        return user, token
