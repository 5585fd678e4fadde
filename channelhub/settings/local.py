"""Developer machine: ``make run``, ``manage.py`` and ``make worker``/``make beat`` by default."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
# A fixed key is fine here: this settings module never serves real users (production refuses it).
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret-channelhub-key-0123456789")
