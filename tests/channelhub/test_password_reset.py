"""A forgotten password, by e-mail (Django's views under /accounts/password/reset/, our templates): linked
from the login page, reachable without a login, in both languages; the e-mail (locmem backend) carries a
link that sets a new password once; an unknown address is answered exactly like a known one."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.channelhub.test_hardening import INLINE_HANDLER, INLINE_SCRIPT

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Hai-Tang-Spring-2031"
WORDS = {
    "en": {
        "forgot": "Forgot your password?",
        "subject": "Choose a new channelhub password",
        "body": "Someone asked for a new password for your channelhub account.",
        "done": "Check your e-mail",
        "complete": "Your new password is set. Log in with it now.",
    },
    "zh-hans": {
        "forgot": "忘记密码？",
        "subject": "设置新的 channelhub 密码",
        "body": "有人为您的 channelhub 账户申请了新密码。",
        "done": "请查收邮件",
        "complete": "新密码已设置，请用它登录。",
    },
}


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


def link_in(message) -> str:
    found = re.search(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def no_inline_script(response) -> bool:
    html = response.content.decode()
    return not INLINE_SCRIPT.search(html) and not INLINE_HANDLER.search(html)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_login_page_links_to_the_reset(client, language):
    body = in_language(client, language).get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in body and WORDS[language]["forgot"] in body


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_reset_by_e_mail_sets_a_new_password(client, rep, language):
    in_language(client, language)
    form = client.get(reverse("password_reset"))
    assert form.status_code == 200 and WORDS[language]["forgot"] in form.content.decode() and no_inline_script(form)

    response = client.post(reverse("password_reset"), {"email": rep.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    done = client.get(response["Location"])
    assert WORDS[language]["done"] in done.content.decode() and no_inline_script(done)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email] and message.subject == WORDS[language]["subject"]
    assert WORDS[language]["body"] in message.body and "张伟" in message.body and rep.username in message.body

    page = client.get(link_in(message), follow=True)  # Django moves the token into the session first
    assert page.status_code == 200 and page.context["validlink"] and no_inline_script(page)
    set_password_url = page.redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    complete = client.get(response["Location"])
    assert WORDS[language]["complete"] in complete.content.decode()
    rep.refresh_from_db()
    assert rep.check_password(NEW_PASSWORD)
    logged_in = Client().post(reverse("login"), {"username": rep.username, "password": NEW_PASSWORD})
    assert logged_in.status_code == 302 and logged_in["Location"] == reverse("dashboard")


def test_the_link_works_once(client, rep):
    in_language(client, "en").post(reverse("password_reset"), {"email": rep.email})
    link = link_in(mail.outbox[0])
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = in_language(Client(), "en").get(link, follow=True)
    assert not again.context["validlink"]
    assert 'data-testid="invalid-link"' in again.content.decode()


def test_an_unknown_address_is_answered_like_a_known_one_and_gets_no_mail(client, rep):
    known = client.post(reverse("password_reset"), {"email": rep.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [message.to for message in mail.outbox] == [[rep.email]]


def test_a_weak_new_password_is_refused_on_the_page(client, rep):
    in_language(client, "en").post(reverse("password_reset"), {"email": rep.email})
    set_password_url = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(set_password_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200 and "new_password2" in response.context["form"].errors
    rep.refresh_from_db()
    assert not rep.check_password("12345678")


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done", "password_reset_complete"])
def test_the_reset_pages_need_no_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200 and "Content-Security-Policy" in response
