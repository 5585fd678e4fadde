"""Settings package: ``base`` holds everything, the others adjust it for one use.

* ``local`` — ``make run`` and ``manage.py`` on a developer's machine (the default).
* ``test`` — the pytest suite.
* ``production`` — gunicorn, Celery worker and beat in the Docker images.

Every value a deployment changes comes from the environment (see ``base``).
"""
