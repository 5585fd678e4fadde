# channelhub production image: gunicorn (web), Celery worker and beat all run from it.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=channelhub.settings.production
WORKDIR /app

RUN apt-get update \
    && apt-get install --yes --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
COPY --from=assets /build/node_modules ./node_modules
# Build-time only: collectstatic needs the settings to load; the real key comes from the environment.
RUN SECRET_KEY=build-only-not-used-at-runtime python manage.py compilemessages --ignore .venv \
    && SECRET_KEY=build-only-not-used-at-runtime python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 channelhub \
    && chown -R channelhub /app

USER channelhub
EXPOSE 8000
CMD ["gunicorn", "channelhub.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
