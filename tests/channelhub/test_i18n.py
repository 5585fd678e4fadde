"""Translation from the first string: the zh_Hans catalog is complete, and pages speak it by default."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]
ZH_CATALOG = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
NOT_SOURCE = {
    ".venv",
    "node_modules",
    "staticfiles",
    ".git",
    "tests",
    "locale",
    ".pytest_cache",
    ".ruff_cache",
    "db.sqlite3",
}


def problems(catalog: polib.POFile) -> list[str]:
    found = []
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            found.append(f"untranslated: {entry.msgid!r}")
    return found


def test_zh_hans_catalog_has_no_untranslated_or_fuzzy_entry():
    catalog = polib.pofile(str(ZH_CATALOG))
    assert len(catalog) > 50
    assert problems(catalog) == []


def test_every_marked_string_in_the_code_is_in_the_zh_hans_catalog(tmp_path):
    """Extract the strings again from a copy of the sources and compare with the committed catalog."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext not found: install GNU gettext (apt-get install gettext); .ci/run does")
    copy = tmp_path / "src"
    shutil.copytree(BASE_DIR, copy, ignore=lambda d, names: [n for n in names if n in NOT_SOURCE or n.endswith(".mo")])
    (copy / "locale" / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(ZH_CATALOG, copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete", "--ignore", "tests/*"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "channelhub.settings.local"},
    )
    assert result.returncode == 0, result.stderr
    extracted = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert problems(extracted) == [], "run `make makemessages` and translate the new entries in locale/zh_Hans"


def test_compiled_catalog_matches_the_source():
    compiled = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    assert compiled.exists(), "run `make messages`"
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(compiled)) if not e.msgid_plural}
    po = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.pofile(str(ZH_CATALOG))
        if not e.msgid_plural and not e.obsolete and e.msgid
    }
    assert {k: v for k, v in mo.items() if k[1]} == po, "stale django.mo: run `make messages`"


def test_pages_speak_chinese_by_default_whatever_the_browser_says(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    assert "登录 channelhub" in response.content.decode()


def test_language_switcher_switches_to_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert "Log in to channelhub" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "登录 channelhub" in client.get(reverse("login")).content.decode()


def test_switcher_offers_both_languages(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'value="zh-hans"' in page and 'value="en"' in page
    assert "简体中文" in page and "English" in page


def test_api_honours_accept_language(api_client, db):
    chinese = api_client.get("/api/v1/users/")
    english = api_client.get("/api/v1/users/", HTTP_ACCEPT_LANGUAGE="en")
    assert chinese.status_code == english.status_code == 401
    assert english.json()["detail"] == "Authentication credentials were not provided."
    assert chinese.json()["detail"] != english.json()["detail"]


def test_transition_refusal_is_translated(rep, manager):
    from django.utils import translation

    from channelhub.errors import TransitionNotAllowed
    from tests.testapp.models import Ticket

    ticket = Ticket.objects.create(title="x", owner=rep)
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as refused:
        Ticket.workflow.apply(ticket, "approve", by=manager)
    assert str(refused.value).startswith("无法执行")
