from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from channelhub.api.authentication import token_expired


class AuthTokenView(ObtainAuthToken):
    """``POST`` username and password for a token; ``DELETE`` (authenticated) revokes it.

    Failed attempts count towards the login limits (django-axes), as on the login page. A token expires
    ``API_TOKEN_DAYS`` after it was issued (then a new one is issued) and when the password changes.
    """

    # ObtainAuthToken names DRF's own parsers: use the project's (NUL, size and depth refused with a 400)
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    def get_serializer_context(self):
        # Authenticate with Django's request, not DRF's wrapper: django-axes marks a lockout on the
        # request object it is given, and its middleware reads that mark from Django's request.
        return {**super().get_serializer_context(), "request": self.request._request}

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):  # rotated: an expired key is never handed out again
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked.")})
    def delete(self, request, *args, **kwargs):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
