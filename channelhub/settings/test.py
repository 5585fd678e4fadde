"""The pytest suite. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` work as in ``base``."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

DEBUG = False
SECRET_KEY = "test-only-not-secret-channelhub-key-0123456789-abcdefghijklmnop"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# The suite runs tasks in-process even when a broker is configured; the tests that need a real
# worker start one themselves against CELERY_BROKER_URL (see tests/channelhub/test_celery.py).
CELERY_TASK_ALWAYS_EAGER = True

# Many API tests read the schema without logging in; tests/channelhub/test_hardening.py checks the
# production value (False) with override_settings.
API_DOCS_PUBLIC = True

# Uploaded files go to a directory of this test process's own, removed when it ends.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="channelhub-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# A small app whose model exercises the shared state machine and scoping without a domain model.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]

# On PostgreSQL the suite's commits need not wait for the disk: a test database that a crash loses is
# made again by the next run. Locks, isolation and visibility are unchanged (only durability is).
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
