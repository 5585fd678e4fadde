"""Login limits that hold in production (SPEC §2, §8): the client's address is the one the deployment can
know (never a header the client writes), limits per username and per address as well as per pair, API
tokens that expire, rotate with the password and can be revoked, and a password-change page that counts
wrong guesses like failed logins."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from channelhub.accounts.lockout import UNKNOWN_ADDRESS, client_address
from tests.channelhub.test_settings import run_python
from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"


def request_from(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# --- the client's address ----------------------------------------------------------------------------


@override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXIES=[])
def test_without_proxies_the_address_is_remote_addr_whatever_the_headers_say():
    assert client_address(request_from(forwarded="10.9.9.9")) == "203.0.113.9"
    assert client_address(request_from(remote="")) == UNKNOWN_ADDRESS  # never empty
    assert client_address(request_from(remote="not-an-ip")) == UNKNOWN_ADDRESS


@override_settings(TRUSTED_PROXY_COUNT=1, TRUSTED_PROXIES=[])
def test_behind_one_proxy_the_right_most_entry_is_the_client():
    # the client wrote "10.0.0.5, 10.0.0.6"; our proxy (172.16.0.1) appended what it saw: 198.51.100.7
    request = request_from(remote="172.16.0.1", forwarded="10.0.0.5, 10.0.0.6, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"
    assert client_address(request_from(remote="172.16.0.1")) == "172.16.0.1"  # no header: the hop itself
    assert client_address(request_from(remote="172.16.0.1", forwarded="garbage")) == "172.16.0.1"


@override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXIES=["172.16.0.0/12", "10.1.0.0/16"])
def test_trusted_networks_are_walked_from_the_right():
    request = request_from(remote="172.16.0.1", forwarded="1.2.3.4, 198.51.100.7, 10.1.2.3")
    assert client_address(request) == "198.51.100.7"  # 10.1.2.3 and 172.16.0.1 are ours; 1.2.3.4 unread
    assert client_address(request_from(remote="198.51.100.8", forwarded="1.2.3.4")) == "198.51.100.8"


# --- the limits ----------------------------------------------------------------------------------------


def login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_a_spoofed_forwarded_for_does_not_escape_the_limit(client, rep):
    # 20 wrong passwords, each claiming another address; then the right one: still locked
    for number in range(20):
        login(client, rep.username, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.{number}.1")
    assert login(client, rep.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.0.99.1").status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_nobody_locks_another_persons_address_by_writing_it(client, rep):
    # an attacker writes the victim's address (10.0.0.5) first; the proxy appends the attacker's own
    for _ in range(5):
        login(client, rep.username, "wrong", REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5, 198.51.100.66")
    victim = login(client, rep.username, PASSWORD, REMOTE_ADDR="172.16.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5")
    assert victim.status_code == 302 and client.session["_auth_user_id"] == str(rep.pk)


@override_settings(AXES_USERNAME_FAILURE_LIMIT=8)
def test_one_username_guessed_from_many_addresses_is_locked(client, rep):
    for number in range(8):
        login(client, rep.username, "wrong", REMOTE_ADDR=f"198.51.100.{number + 1}")
    assert login(client, rep.username, PASSWORD, REMOTE_ADDR="198.51.100.200").status_code == 429


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=6)
def test_one_address_guessing_many_usernames_is_locked(client, rep, rep_peer):
    for number in range(6):
        login(client, f"someone{number}", "wrong", REMOTE_ADDR="198.51.100.50")
    assert login(client, rep_peer.username, PASSWORD, REMOTE_ADDR="198.51.100.50").status_code == 429
    # another address is not concerned
    assert login(client, rep_peer.username, PASSWORD, REMOTE_ADDR="198.51.100.51").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_guessing_the_old_password_on_the_password_page_counts(client, rep):
    client.force_login(rep)
    url = reverse("password_change")
    guess = {"old_password": "wrong", "new_password1": "Another-pass-42", "new_password2": "Another-pass-42"}
    assert client.post(url, guess).status_code == 200  # the form again, with its error
    client.post(url, guess)
    assert client.post(url, guess).status_code == 429
    right = {**guess, "old_password": PASSWORD}
    assert client.post(url, right).status_code == 429  # locked: even the right one waits
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_the_production_settings_hold_against_a_spoofed_series(tmp_path):
    """The same series against ``channelhub.settings.production`` in a fresh Python (HTTPS requests)."""
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from django.core.management import call_command
        from django.test import Client
        from django.contrib.auth import get_user_model
        from django.contrib.staticfiles import storage as static_storage
        from django.core.files.storage import storages
        from django.utils.functional import empty
        # no collectstatic here: plain static file names instead of the production manifest
        storages.backends["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        storages._storages.pop("staticfiles", None)
        static_storage.staticfiles_storage._wrapped = empty
        call_command("migrate", verbosity=0)
        get_user_model().objects.create_user("victim", password="Right-pass-2026")
        client = Client()
        for number in range(20):
            client.post("/accounts/login/", {"username": "victim", "password": "wrong"},
                        HTTP_X_FORWARDED_FOR=f"10.0.{number}.1", secure=True)
        answer = client.post("/accounts/login/", {"username": "victim", "password": "Right-pass-2026"},
                             HTTP_X_FORWARDED_FOR="10.0.99.1", secure=True)
        print(answer.status_code)
        """
    )
    result = run_python(
        script,
        "channelhub.settings.production",
        SECRET_KEY="test-" + "x" * 60,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "429"


# --- API tokens ----------------------------------------------------------------------------------------


def token_for(api_client, user) -> str:
    response = api_client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def test_a_token_expires_and_a_new_one_is_issued(api_client, rep, settings):
    settings.API_TOKEN_DAYS = 30
    key = token_for(api_client, rep)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(days=31))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/users/me/").status_code == 401
    assert not Token.objects.filter(key=key).exists()
    api_client.credentials()
    fresh = token_for(api_client, rep)
    assert fresh != key
    # an expired key still in the table is rotated, never handed out again
    Token.objects.filter(key=fresh).update(created=timezone.now() - timedelta(days=31))
    assert token_for(api_client, rep) != fresh


@pytest.mark.parametrize("where", ["page", "model"])
def test_a_password_change_revokes_the_tokens(api_client, client, rep, where):
    key = token_for(api_client, rep)
    if where == "page":
        client.force_login(rep)
        new = "Another-pass-42"
        client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    else:  # the admin, manage.py changepassword: set_password + save
        rep.set_password("Another-pass-42")
        rep.save()
    assert not Token.objects.filter(user=rep).exists()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_a_token_can_be_revoked_and_others_stay(api_client, rep):
    other = UserFactory(username="rep_other")
    other_key = Token.objects.create(user=other).key
    key = token_for(api_client, rep)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.delete(TOKEN_URL).status_code == 204
    assert api_client.get("/api/v1/users/me/").status_code == 401
    assert Token.objects.filter(key=other_key).exists()
