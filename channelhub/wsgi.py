"""WSGI entry point (gunicorn ``channelhub.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "channelhub.settings.production")

application = get_wsgi_application()
