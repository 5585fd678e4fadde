"""Our own 403, 404 and 500 pages (``channelhub.views``, wired in ``channelhub.urls``), with DEBUG off, in
both languages: the words of the refusal, a way back (where the user came from, the dashboard); the 500
page rendered without a request context yet in the request's language. The API keeps answering JSON.

This module is also the URLconf of the tests marked ``urls(__name__)``: the project's URLs plus views
that fail on purpose.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse

from channelhub import urls as project_urls
from channelhub.urls import handler403, handler404, handler500  # noqa: F401 (this module is a URLconf)
from channelhub.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db

TEXT = {
    404: {"en": "This page does not exist, or it is not yours to see.", "zh-hans": "未找到"},
    403: {"en": "Only finance and administrators approve commission statements.", "zh-hans": "无权访问"},
    500: {"en": "Something went wrong on our side.", "zh-hans": "服务器错误"},
}
BACK = {"en": ">Back<", "zh-hans": ">返回<"}
HOME = {"en": "Back to the dashboard", "zh-hans": "返回工作台"}


def boom(request):
    raise RuntimeError("a bug")


def api_refusal(request):
    raise PermissionDenied("Not for you.")


urlpatterns = [
    path("boom/", boom),
    path("api/v1/boom/", boom),
    path("api/v1/refused/", api_refusal),
    *project_urlpatterns,
]


def in_language(client: Client, language: str) -> Client:
    client.cookies["django_language"] = language
    return client


def test_the_project_wires_its_own_error_views():
    assert project_urls.handler403 == "channelhub.views.permission_denied"
    assert project_urls.handler404 == "channelhub.views.page_not_found"
    assert project_urls.handler500 == "channelhub.views.server_error"


@override_settings(DEBUG=False)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_404_page_in_the_language_with_a_way_back(client_as, rep, language):
    client = in_language(client_as(rep), language)
    came_from = "http://testserver" + reverse("visits:visit-list")
    response = client.get("/no/such/page/", HTTP_REFERER=came_from)
    assert response.status_code == 404 and response.templates[0].name == "404.html"
    body = response.content.decode()
    assert f'lang="{language}"' in body and TEXT[404][language] in body
    assert f'href="{came_from}"' in body and BACK[language] in body
    assert f'href="{reverse("dashboard")}"' in body and HOME[language] in body


@override_settings(DEBUG=False)
def test_without_a_page_to_go_back_to_the_browser_history_goes_back(client, rep):
    client.force_login(rep)
    body = client.get("/no/such/page/", HTTP_REFERER="https://elsewhere.example/").content.decode()
    assert "https://elsewhere.example/" not in body  # never back to another site
    assert "data-history-back" in body and "/static/js/history_back.js" in body


@override_settings(DEBUG=False)
def test_404_page_for_someone_not_logged_in(client):
    response = in_language(client, "en").get("/no/such/page/")
    assert response.status_code == 404 and TEXT[404]["en"] in response.content.decode()


@override_settings(DEBUG=False)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_403_page_says_why_in_the_language_with_a_way_back(client_as, rep, language):
    client = in_language(client_as(rep), language)
    came_from = "http://testserver" + reverse("commissions:statement-list")
    response = client.get(reverse("commissions:approval-queue"), HTTP_REFERER=came_from)
    assert response.status_code == 403 and response.templates[0].name == "403.html"
    body = response.content.decode()
    assert f'lang="{language}"' in body and TEXT[403][language] in body
    assert f'href="{came_from}"' in body and HOME[language] in body
    assert "Content-Security-Policy" in response and "script-src 'self'" in response["Content-Security-Policy"]


@override_settings(DEBUG=False)
@pytest.mark.urls(__name__)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_500_page_renders_without_a_request_context_in_the_language(rep, language):
    client = in_language(Client(raise_request_exception=False), language)
    client.force_login(rep)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert f'lang="{language}"' in body and TEXT[500][language] in body
    assert f'href="{reverse("dashboard")}"' in body and HOME[language] in body
    assert "a bug" not in body and "RuntimeError" not in body


@override_settings(DEBUG=False)
@pytest.mark.urls(__name__)
def test_the_api_keeps_answering_json(api_as, rep):
    client = api_as(rep)
    client.raise_request_exception = False
    missing = client.get("/api/v1/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    refused = client.get("/api/v1/refused/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and refused.json() == {"detail": "Not for you."}
    failed = client.get("/api/v1/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert failed.status_code == 500 and failed.json() == {"detail": "Server error. The problem has been logged."}
