"""Settings of ``make bench``: the local settings on ``BENCH_DATABASE_URL``, without a broker (tasks run
eagerly, as the API's run does without one), ``DEBUG`` off so that Django keeps no query log."""

import os

from channelhub.settings.local import *  # noqa: F403
from channelhub.settings.local import env

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/channelhub_bench")
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = None
DEBUG = False
CELERY_BROKER_URL = ""
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# The tasks' "succeeded in …" lines would drown the table.
LOGGING["loggers"].update(celery={"level": "WARNING"}, kombu={"level": "ERROR"})  # noqa: F405
