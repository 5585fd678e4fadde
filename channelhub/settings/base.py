"""Settings shared by every environment; values a deployment changes come from the environment.

Variables (all optional here; ``production`` insists on ``SECRET_KEY``):
``DATABASE_URL``, ``CELERY_BROKER_URL``, ``CELERY_RESULT_BACKEND``, ``SECRET_KEY``, ``DEBUG``,
``ALLOWED_HOSTS``, ``CSRF_TRUSTED_ORIGINS``, ``TIME_ZONE``, ``LANGUAGE_CODE``, ``CURRENCY``,
``EMAIL_URL``, ``DEFAULT_FROM_EMAIL``, ``CONN_MAX_AGE``, ``AXES_FAILURE_LIMIT``, ``AXES_USERNAME_FAILURE_LIMIT``,
``AXES_ADDRESS_FAILURE_LIMIT``, ``AXES_COOLOFF_MINUTES``, ``TRUSTED_PROXY_COUNT``, ``TRUSTED_PROXIES``,
``API_TOKEN_DAYS``, ``API_DOCS_PUBLIC``, ``LOCK_TIMEOUT_MS``, ``MEDIA_ROOT``, ``STORAGE_URL`` or the ``AWS_*`` of
django-storages (``channelhub.storage``).
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from channelhub.storage import default_storage

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean strictly: a value that is neither true nor false stops the start."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, 1/0, yes/no, on/off).")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default)).strip()
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


# --- core ----------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # django.contrib.admin, with our sections first on its index (channelhub.admin.ChannelhubAdminSite)
    "channelhub.apps.ChannelhubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "channelhub",
    "channelhub.accounts",
    "channelhub.workflow",
    "channelhub.notifications",
    "partners",
    "visits",
    "kpi",
    "commissions",
    "evidence",
    "funds",
    "rebates",
    "inventory",
    "inspections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below), on every response.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "channelhub.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "channelhub.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "channelhub.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "channelhub.urls"
WSGI_APPLICATION = "channelhub.wsgi.application"
ASGI_APPLICATION = "channelhub.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "channelhub.context_processors.channelhub",
            ],
        },
    },
]

# --- database ------------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
#: How long a writer waits for an advisory lock (``channelhub.locking``) before answering 503.
LOCK_TIMEOUT_MS = env_int("LOCK_TIMEOUT_MS", 10_000)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", 60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
else:
    # ``make run``'s SQLite under concurrent requests: a transaction takes the write lock when it begins
    # (IMMEDIATE), so two that read-then-write the same row run one after the other, as row locks make
    # them on PostgreSQL (one approval, one 409); a writer waits up to 20 s for the lock instead of
    # failing with "database is locked"; WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ----------------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out credentials before anything checks them.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # not a rule: Django tells validators when a password changes, and this one revokes the user's API tokens
    {"NAME": "channelhub.accounts.passwords.RevokeTokensOnChange"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Proxies in front of the app (docker-compose.yml): how many add an X-Forwarded-For entry (0: none, the
# client connects directly), or the networks they live in. Only entries they wrote are believed.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT cannot be negative.")

# Login limits (django-axes, channelhub.accounts.lockout): within the cool-off, N failures of one username
# from one address, of one username from anywhere, or from one address over all usernames lock.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_USERNAME_FAILURE_LIMIT = env_int("AXES_USERNAME_FAILURE_LIMIT", 20)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "channelhub.accounts.lockout.LoginLimitHandler"
AXES_CLIENT_IP_CALLABLE = "channelhub.accounts.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "channelhub.accounts.lockout.lockout_response"
AXES_VERBOSE = False

# API tokens (POST /api/v1/auth/token/) expire after this many days, and on a password change.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

# --- i18n ----------------------------------------------------------------------------------------

LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans").lower()
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}; choose one of {', '.join(dict(LANGUAGES))}.")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
USE_TZ = True
CURRENCY = env.str("CURRENCY", default="CNY")
# Numbers grouped by thousands in both languages (channelhub/formats); money has one formatter
# (channelhub.formatting) with the currency's symbol.
FORMAT_MODULE_PATH = ["channelhub.formats"]

# --- static files --------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by `npm ci` from package-lock.json (see Makefile); never a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# --- uploaded files (evidence, SPEC §13): local by default, S3-compatible in production (channelhub.storage) --

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Never served: files stream through a scoped view (evidence.api); the URL only names them.
MEDIA_URL = "/media/"
DEFAULT_FILE_STORAGE_SETTING = default_storage(
    env.str("STORAGE_URL", default=""),
    env.str("AWS_STORAGE_BUCKET_NAME", default=""),
    endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
    access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
    secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
    region_name=env.str("AWS_S3_REGION_NAME", default=""),
)
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_SETTING,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The largest request body read into memory; an upload (10 MB a file) spills to a temporary file above it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024 + 1

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------

# The same policy in every environment, so that `make run` and the tests meet what production sends.
# Scripts only from our own static files: templates carry no inline <script> and no on…= attribute
# (json_script data blocks are not scripts), and the Swagger UI loads its start-up script from a URL
# (channelhub.api.docs), so no nonce is needed. Styles allow 'unsafe-inline' — style-src only: the
# progress bars' widths are per-request style attributes, the Swagger UI page has a <style> block, and
# Bootstrap and Chart.js set styles; CSS cannot run script. Images: ours and data: URIs (Bootstrap's
# icons in its CSS) and blob: URLs (the previews of the photos a rep has chosen, before they are sent).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- e-mail --------------------------------------------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="channelhub <noreply@channelhub.local>")

# --- REST API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # DRF's parsers, refusing NUL characters with a 400 (channelhub.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "channelhub.api.parsers.JSONParser",
        "channelhub.api.parsers.FormParser",
        "channelhub.api.parsers.MultiPartParser",
    ],
    # Token first, so an unauthenticated API call answers 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "channelhub.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "channelhub.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "channelhub.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The largest JSON body the API reads (a batch of facts fits well within it); larger ones are a 400.
API_MAX_JSON_BYTES = env_int("API_MAX_JSON_BYTES", 8 * 1024 * 1024)
SPECTACULAR_SETTINGS = {
    "TITLE": "channelhub API",
    "DESCRIPTION": (
        "Dealers, agreements, visits, targets, actuals, scorecards, commissions and evidence (photos and "
        "documents: `POST …/{id}/attachments/`, multipart; files stream from `/api/v1/attachments/{id}/file/`). "
        "Authenticate with a session or `Authorization: Token <key>` from `POST /api/v1/auth/token/`. "
        "Money is a string with two decimals; errors are JSON (400 field errors, 404, 409 with `detail`)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The project's schema and Swagger UI views (channelhub.api.docs) decide by API_DOCS_PUBLIC; this is
    # for any other view of drf-spectacular.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every status code the API answers is in the schema: the frame's errors too (schemathesis checks it).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "channelhub.api.schema.document_error_responses",
    ],
    # Several models have a `kind` and a `status`: name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "DealerKindEnum": "partners.models.Dealer.Kind",
        "DealerStatusEnum": "partners.models.Dealer.Status",
        "AgreementKindEnum": "partners.models.Agreement.Kind",
        "AgreementStatusEnum": "partners.models.Agreement.Status",
        "VisitKindEnum": "visits.models.Visit.Kind",
        "VisitStatusEnum": "visits.models.Visit.Status",
        "VisitPlanStatusEnum": "visits.models.VisitPlan.Status",
        "PayoutListEnum": [("approved", "approved (to pay)"), ("paid", "paid")],
        "CommissionRunStatusEnum": "commissions.models.CommissionRun.Status",
        "AttachmentKindEnum": "evidence.models.Attachment.Kind",
        "AttachmentFlagEnum": "evidence.models.Attachment.Flag",
        "VisitFlagEnum": "visits.models.Visit.Flag",
        "FundCategoryEnum": "funds.models.Category",
        "FundRequestStatusEnum": "funds.models.FundRequest.Status",
        "FundClaimStatusEnum": "funds.models.FundClaim.Status",
        "DepositEntryKindEnum": "funds.models.DepositEntry.Kind",
        "DepositRefundStatusEnum": "funds.models.DepositRefund.Status",
        # rebate runs share the commission runs' statuses (queued, running, done, failed): one choice set has one
        # name here (two names for it are an error), so their ``status`` is CommissionRunStatusEnum too
        "RebateSettlementStatusEnum": "rebates.models.RebateSettlement.Status",
        "RebateBasisEnum": "rebates.models.RebateProgram.Basis",
        "RebateFrequencyEnum": "rebates.models.RebateProgram.Frequency",
        "RebatePayoutEnum": "rebates.models.RebateProgram.Payout",
        "StockReportStatusEnum": "inventory.models.StockReport.Status",
        "StockReportSourceEnum": "inventory.models.StockReport.Source",
        "ChecklistItemKindEnum": "inspections.models.ChecklistItem.Kind",
        "InspectionKindEnum": "inspections.models.Inspection.Kind",
        "InspectionStatusEnum": "inspections.models.Inspection.Status",
        "InspectionResultEnum": "inspections.models.InspectionResult.Result",
        "RectificationStatusEnum": "inspections.models.Rectification.Status",
        "ComplaintSourceEnum": "inspections.models.Complaint.Source",
        "ComplaintCategoryEnum": "inspections.models.Complaint.Category",
        "ComplaintStatusEnum": "inspections.models.Complaint.Status",
    },
}

# Whether an anonymous visitor may read /api/v1/schema/ and the Swagger UI at /api/v1/docs/ (a logged-in
# user always may). Off unless the deployment turns it on.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", False)

# --- Celery --------------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in the calling process (``make run`` needs no other server).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL) or None
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hang a request: connecting gives up after 2 s, a reply is awaited 10 s,
# and a publish is retried twice within about a second (the worker waits longer: channelhub.celery).
# A run is checked against the broker before it is written (commissions.services.runs.run_start), so these
# matter for what is sent on commit — notification e-mails, a run whose broker fell over meanwhile.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# visibility_timeout: a task taken by a worker that died unacknowledged is handed out again after this
# long (acks_late). An hour, so that no long task is ever handed out twice while still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 10}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 10
# The result store (Redis too) is touched when a task is sent: the same short patience (default: 20 s).
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": CELERY_TASK_PUBLISH_RETRY_POLICY}
# Task modules outside the apps (autodiscovery finds each app's tasks.py).
CELERY_IMPORTS = ("channelhub.tasks",)
# Schedules are code (SPEC §9); each domain adds the entries its jobs need.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "clear-expired-sessions": {
        "task": "channelhub.clear_expired_sessions",
        "schedule": timedelta(days=1),
    },
    # SPEC §3/§9: agreements ending within 30 days, one digest per owner and manager a day.
    "remind-expiring-agreements": {
        "task": "partners.remind_expiring_agreements",
        "schedule": crontab(hour=8, minute=0),
    },
    # SPEC §4/§9: on Saturday, reps without a handed-in plan for next week are reminded (due 23:59).
    "remind-missing-visit-plans": {
        "task": "visits.remind_missing_plans",
        "schedule": crontab(day_of_week="sat", hour=10, minute=0),
    },
    # SPEC §6/§9: day 1 at 02:00, the previous month's commission run for every rep with a plan.
    "monthly-commission-run": {
        "task": "kpi.monthly_commission_run",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # SPEC §15: day 1 at 03:00, the rebate accruals of the month just ended (each dealer's open periods).
    "monthly-rebate-accruals": {
        "task": "rebates.monthly_accruals",
        "schedule": crontab(day_of_month=1, hour=3, minute=0),
    },
    # SPEC §16: the first day of each quarter at 04:00, the 80/20 pass over the quarter just ended.
    "quarterly-key-account-pass": {
        "task": "inventory.key_account_pass",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=4, minute=0),
    },
    # SPEC §17: every morning at 08:10, each rep's and inspector's overdue rectifications (one digest a day).
    "daily-overdue-rectifications": {
        "task": "inspections.overdue_digest",
        "schedule": crontab(hour=8, minute=10),
    },
}

# --- domain defaults -----------------------------------------------------------------------------

# Visit quota defaults (SPEC §4); each rep's own quota (visits.Quota, in admin) overrides them.
VISIT_QUOTA_DAILY_MIN = env_int("VISIT_QUOTA_DAILY_MIN", 2)
VISIT_QUOTA_WEEKLY_UNIQUE_MIN = env_int("VISIT_QUOTA_WEEKLY_UNIQUE_MIN", 8)
VISIT_QUOTA_MONTHLY_MIN = env_int("VISIT_QUOTA_MONTHLY_MIN", 30)
# The ISO weekdays (1 = Monday) on which the daily minimum applies.
VISIT_WORKING_DAYS = tuple(env.list("VISIT_WORKING_DAYS", cast=int, default=[1, 2, 3, 4, 5]))
if not VISIT_WORKING_DAYS or not set(VISIT_WORKING_DAYS) <= set(range(1, 8)):
    raise ImproperlyConfigured("VISIT_WORKING_DAYS must list ISO weekdays between 1 (Monday) and 7 (Sunday).")

# --- logging -------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
