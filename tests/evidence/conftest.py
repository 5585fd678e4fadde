"""Visits that may take photos now (logged within the last 24 h, as the photos endpoint checks against the
real clock), and what the storage directory holds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.visits.world import log


def photos_url(visit) -> str:
    return f"/api/v1/visits/{visit.pk}/photos/"


def stored_files() -> set[str]:
    """Every file under ``MEDIA_ROOT`` (relative paths): what a refused upload must not add to."""
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


@pytest.fixture
def now():
    """The real present, to the second (EXIF times have whole seconds)."""
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def visit(d, rep, now):
    """rep's visit to A1 an hour ago, logged now: open for photos for 24 h."""
    return log(rep, d["A1"], now - timedelta(hours=1), now=now)


@pytest.fixture
def post_photos(api_as):
    """``post_photos(user, visit, *uploads)`` → the response of ``POST /api/v1/visits/{id}/photos/``, read
    in English (the refusals are asserted by their words)."""

    def post(user, visit, *uploads, url=None, **fields):
        return api_as(user).post(
            url or photos_url(visit),
            {"file": list(uploads), **fields},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    return post
