"""Cross-cutting request handling: language choice, login by default, domain errors on pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from channelhub.errors import DomainError

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Pages speak the deployment's ``LANGUAGE_CODE`` until the user picks another language.

    The browser's Accept-Language is ignored on pages (a company's team shares one working
    language, whatever their browser says) but honoured by the API, whose clients ask explicitly.
    """

    def process_request(self, request):
        if is_api_request(request):
            language = translation.get_language_from_request(request)
        else:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = translation.get_supported_language_variant(cookie) if cookie else None
            language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        if not is_api_request(request):
            patch_vary_headers(response, ("Cookie",))
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page demands a login unless its view is marked ``@login_not_required``.

    The API authenticates in DRF (token or session) and answers 401 itself, so it is left alone here.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if is_api_request(request):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class DomainErrorMiddleware:
    """On pages, a refused action (``DomainError``) becomes an error message and a redirect back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError) or is_api_request(request):
            return None
        messages.error(request, str(exception))
        back = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        # Never back to the URL that just failed on a GET: that would loop.
        if not safe or (request.method == "GET" and back.endswith(request.get_full_path())):
            back = reverse("dashboard")
        return HttpResponseRedirect(back)
