"""The one settings module of gisplan, driven by the environment (django-environ).

Every setting that differs between machines comes from an environment variable or from a
``.env`` file beside ``manage.py`` (see ``.env.example``). Defaults are safe for a developer's
machine: DEBUG is off unless asked for, and the database is the local PostGIS server that
``make run`` provisions.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# ``make run`` writes a random SECRET_KEY into .env; without one, only DEBUG may start.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise environ.ImproperlyConfigured("Set SECRET_KEY in the environment or in .env (make run writes one).")
    SECRET_KEY = "dev-only-insecure-key"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "django.forms",  # the form renderer below finds Django's own widget templates here
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "leaflet",
    "simple_history",
    "axes",  # sign-in throttling and its audit (accounts/throttle.py)
    # Ours, below to above: common helpers; accounts and layers; projects_geo; the capabilities on
    # top of it (docs/design.md has the dependency direction).
    "common",
    "ops",
    "layers",
    "accounts",
    "projects_geo",
    "planning",  # issue 23: development plans, strategies, reference frameworks
    "analysis",
    "exchange",
    "reports",
    "closures",  # issue 24: closure windows (below projects_geo: the import commit asks it)
    "monitoring",  # issue 24: fiscal-year calendar, who is behind, weekly digest (below reports)
    "messaging",  # issue 24: messages LAO ↔ province ↔ DLA, FAQ, news board
    "field",  # field capture on a phone: GPS, offline queue, photos (on top of projects_geo)
    "jobs",  # background jobs on Celery (issue 19)
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ops.replicas.ReplicaMiddleware",  # GET reads to a replica, read-your-writes after a write (issue 19)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "closures.middleware.ClosureMiddleware",  # every write refused (503) during a closure window
    "ops.middleware.DatabaseBusyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last: turns a refused sign-in (account or address locked) into the 429 of accounts.views.locked_out.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gisplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gisplan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.accounts",
                "closures.context_processors.closures",
                "messaging.context_processors.unread",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so gisplan/templates/leaflet/ overrides django-leaflet's map and
# geometry widget templates (their inline scripts, which the Content-Security-Policy would block).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "gisplan.wsgi.application"
ASGI_APPLICATION = "gisplan.asgi.application"

# PostGIS only: the postgis:// scheme selects django.contrib.gis.db.backends.postgis.
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgis://gisplan:gisplan@127.0.0.1:5432/gisplan")}
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    raise environ.ImproperlyConfigured(
        "DATABASE_URL must use the postgis:// scheme (gisplan runs on PostGIS only), "
        f"got engine {DATABASES['default']['ENGINE']!r}."
    )
# Connections come from a bounded pool per process (Django's psycopg pool): a request takes one
# for its duration and gives it back, so one process never holds more than DB_POOL_MAX_SIZE, plus
# GISPLAN_EXTRA_CONNECTIONS for exports and large validations (common.dbconn). A request that
# waits DB_POOL_TIMEOUT seconds for one gets a 503 with Retry-After (ops.middleware).
# docs/operations.md: sizing max_connections for N servers. DB_POOL=false: one persistent
# connection per thread (CONN_MAX_AGE), as before.
DB_POOL = env.bool("DB_POOL", default=True)
if DB_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        "max_idle": 300,
        "name": "gisplan",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
GISPLAN_EXTRA_CONNECTIONS = env.int("GISPLAN_EXTRA_CONNECTIONS", default=2)
# PostgreSQL's JIT compiles wide tile/GeoJSON queries for hundreds of ms and saves nothing on
# these short web queries; off unless DB_JIT=true (issue 5 benchmarks).
if not env.bool("DB_JIT", default=False):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Tests use "test_" + the database's name (test_gisplan) unless TEST_DATABASE_NAME says otherwise.
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default="") or None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis (started by scripts/bootstrap.sh): the cache, and through it the sessions. Sessions are
# "cached_db": read from Redis (no session query per request), written through to the database,
# so signing out or revoking (ops' revoke_sessions command) removes a session from both at once.
# Keys are prefixed with the database's name, so two databases on one Redis never mix.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"gisplan:{DATABASES['default']['NAME']}",
        "TIMEOUT": 300,
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Read replicas (ops/replicas.py, docs/operations.md "Read replicas"): REPLICA_URLS, comma-separated
# database URLs of streaming replicas, become the aliases replica_1, replica_2, …; GET and HEAD
# requests under GISPLAN_REPLICA_PATHS read from one of them, except for GISPLAN_REPLICA_STICKY_SECONDS
# after the same browser or user wrote (read-your-writes), when a replica is down, or when it
# lags more than GISPLAN_REPLICA_MAX_LAG_SECONDS (then the primary answers).
REPLICA_URLS = env.list("REPLICA_URLS", default=[])
for _i, _url in enumerate(REPLICA_URLS, start=1):
    DATABASES[f"replica_{_i}"] = {
        **env.db_url_config(_url),
        "CONN_MAX_AGE": 0,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},  # in tests the replica serves the test database, replicated
    }
    DATABASES[f"replica_{_i}"]["OPTIONS"].pop("pool", None)
    if DB_POOL:
        DATABASES[f"replica_{_i}"]["OPTIONS"]["pool"] = {**DATABASES["default"]["OPTIONS"]["pool"], "name": f"r{_i}"}
DATABASE_ROUTERS = ["ops.replicas.ReplicaRouter"] if REPLICA_URLS else []
GISPLAN_REPLICA_PATHS = env.list(
    "GISPLAN_REPLICA_PATHS", default=["/tiles/", "/ogc/", "/api/", "/reports/", "/analysis/", "/map/"]
)
GISPLAN_REPLICA_STICKY_SECONDS = env.float("GISPLAN_REPLICA_STICKY_SECONDS", default=10.0)
GISPLAN_REPLICA_MAX_LAG_SECONDS = env.float("GISPLAN_REPLICA_MAX_LAG_SECONDS", default=30.0)
GISPLAN_REPLICA_CHECK_SECONDS = env.float("GISPLAN_REPLICA_CHECK_SECONDS", default=5.0)  # lag re-measured

# Background jobs on Celery (gisplan/celery.py, jobs app, docs/operations.md "Background jobs"):
# broker and results on Redis (database 1 unless CELERY_BROKER_URL says otherwise).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/1")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)  # run in the request (no worker)
CELERY_TASK_ACKS_LATE = True  # acknowledged after the task ran: a worker lost mid-job leaves it queued
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # … and a killed worker process puts it back at once
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # one job at a time per worker process
CELERY_TASK_TRACK_STARTED = True
CELERY_RESULT_EXPIRES = 86400
CELERY_TIMEZONE = "Asia/Bangkok"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A message not acknowledged within this many seconds (its worker machine died) is given to another worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# Exports of more rows than this run as a job (a page with a progress bar; 202 + job URL in the API).
GISPLAN_EXPORT_JOB_ROWS = env.int("GISPLAN_EXPORT_JOB_ROWS", default=50_000)
GISPLAN_JOBS_PER_USER = env.int("GISPLAN_JOBS_PER_USER", default=2)  # queued or running heavy jobs per person
GISPLAN_JOBS_MAX_ACTIVE = env.int("GISPLAN_JOBS_MAX_ACTIVE", default=20)  # … and in all
GISPLAN_JOB_FILE_HOURS = env.float("GISPLAN_JOB_FILE_HOURS", default=48)  # a finished export is kept so long
GISPLAN_JOB_PROGRESS_DELAY = env.float("GISPLAN_JOB_PROGRESS_DELAY", default=0.0)  # seconds per report (tests)
# The schedule of Celery beat (shown to DLA administrators at /jobs/schedule/); times in Asia/Bangkok.
CELERY_BEAT_SCHEDULE = {
    "compact-cluster-cells": {
        "task": "jobs.tasks.compact_cluster_cells",
        "schedule": crontab(hour=2, minute=15),
    },
    "purge-expired-job-files": {"task": "jobs.tasks.purge_expired", "schedule": crontab(minute=5)},
    "purge-sync-receipts": {"task": "jobs.tasks.purge_sync_receipts", "schedule": crontab(hour=3, minute=30)},
    "daily-digest": {"task": "jobs.tasks.send_daily_digests", "schedule": crontab(hour=18, minute=0)},
    "weekly-digest": {"task": "jobs.tasks.send_weekly_digests", "schedule": crontab(hour=7, minute=0, day_of_week=1)},
    "deadline-reminders": {
        "task": "jobs.tasks.send_deadline_reminders",
        "schedule": crontab(hour=8, minute=0, day_of_week=1),
    },
}

AUTH_PASSWORD_VALIDATORS = [
    # Django's rules, with their texts in Thai and English (accounts/passwords.py)
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator"},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
]
# Argon2id first (Django's Argon2PasswordHasher at OWASP's parameters, accounts/hashers.py); a
# PBKDF2 hash (every account made before) still verifies and is rehashed with Argon2 at its next sign-in.
PASSWORD_HASHERS = [
    "accounts.hashers.GisplanArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

# Thai first, English second.
LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# gisplan/ is not an app: its static files (base.css) are found through STATICFILES_DIRS.
STATICFILES_DIRS = [BASE_DIR / "gisplan" / "static"]
# Served by WhiteNoise; without DEBUG, compressed (gzip, Brotli) under content-hashed names that
# browsers may cache for a year (``make serve`` collects them).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Field photos (field app): a storage of their own, local disk by default; an S3-compatible store
# with GISPLAN_PHOTO_STORAGE=storages.backends.s3.S3Storage and its options as JSON (django-storages).
STORAGES["photos"] = {
    "BACKEND": env.str("GISPLAN_PHOTO_STORAGE", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json("GISPLAN_PHOTO_STORAGE_OPTIONS", default={"location": str(Path(str(MEDIA_ROOT)) / "field")}),
}
GISPLAN_PHOTO_MAX_MB = env.float("GISPLAN_PHOTO_MAX_MB", default=15)
GISPLAN_PHOTO_MAX_PIXELS = env.int("GISPLAN_PHOTO_MAX_PIXELS", default=50_000_000)
GISPLAN_PHOTO_MAX_DISTANCE_M = env.float("GISPLAN_PHOTO_MAX_DISTANCE_M", default=200.0)
GISPLAN_FIELD_GOOD_ACCURACY_M = env.float("GISPLAN_FIELD_GOOD_ACCURACY_M", default=10.0)
GISPLAN_FIELD_MAX_ACCURACY_M = env.float("GISPLAN_FIELD_MAX_ACCURACY_M", default=50.0)
GISPLAN_FIELD_SIMPLIFY_M = env.float("GISPLAN_FIELD_SIMPLIFY_M", default=3.0)
GISPLAN_FIELD_MAX_SPEED_MS = env.float("GISPLAN_FIELD_MAX_SPEED_MS", default=45.0)
# How long the answer to a phone's queued send is kept under its idempotency key (purged daily).
GISPLAN_FIELD_RECEIPT_DAYS = env.int("GISPLAN_FIELD_RECEIPT_DAYS", default=30)

# Geospatial settings -------------------------------------------------------------------------
# Optional explicit library paths, for machines where ctypes cannot find GDAL/GEOS.
if env.str("GDAL_LIBRARY_PATH", default=""):
    GDAL_LIBRARY_PATH = env.str("GDAL_LIBRARY_PATH")
if env.str("GEOS_LIBRARY_PATH", default=""):
    GEOS_LIBRARY_PATH = env.str("GEOS_LIBRARY_PATH")

# Debian 12 ships GDAL 3.6, which cannot block network access from spatial references (gis.W001).
# Uploaded files are read with pyogrio's own bundled GDAL, not through django.contrib.gis.gdal.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# XYZ tile URL of the base map; empty means no base map, so every page works offline.
BASEMAP_URL = env.str("BASEMAP_URL", default="")
BASEMAP_ATTRIBUTION = env.str("BASEMAP_ATTRIBUTION", default="")

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (8.0, 98.4),
    "DEFAULT_ZOOM": 9,
    "MIN_ZOOM": 5,
    "MAX_ZOOM": 19,
    "TILES": [("Base map", BASEMAP_URL, {"attribution": BASEMAP_ATTRIBUTION})] if BASEMAP_URL else [],
    "SPATIAL_EXTENT": (96.0, 5.0, 106.5, 21.0),
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

# Boundary validation: how far outside a unit a geometry may lie and still be only a warning
# about a boundary-edge digitising error (metres).
GISPLAN_EDGE_TOLERANCE_M = env.float("GISPLAN_EDGE_TOLERANCE_M", default=50.0)
# Large validation batches (imports) measure their lines on a second database connection at the
# same time as their points on the request's own (layers.lookup._LinesElsewhere); off: one connection.
GISPLAN_VALIDATION_SECOND_CONNECTION = env.bool("GISPLAN_VALIDATION_SECOND_CONNECTION", default=True)
# GeoJSON exports read their chunks on this many extra connections at once, in one exported
# snapshot (exchange.exports.query.iter_export_chunks); 1: one server-side cursor.
GISPLAN_EXPORT_CONNECTIONS = env.int("GISPLAN_EXPORT_CONNECTIONS", default=2)

# File imports (exchange.imports): limits on what an upload may hold.
GISPLAN_IMPORT_MAX_UPLOAD_MB = env.float("GISPLAN_IMPORT_MAX_UPLOAD_MB", default=50)
GISPLAN_IMPORT_MAX_UNZIPPED_MB = env.float("GISPLAN_IMPORT_MAX_UNZIPPED_MB", default=300)
GISPLAN_IMPORT_MAX_ZIP_RATIO = env.float("GISPLAN_IMPORT_MAX_ZIP_RATIO", default=200)
GISPLAN_IMPORT_MAX_ZIP_MEMBERS = env.int("GISPLAN_IMPORT_MAX_ZIP_MEMBERS", default=200)
GISPLAN_IMPORT_MAX_FEATURES = env.int("GISPLAN_IMPORT_MAX_FEATURES", default=200_000)
GISPLAN_IMPORT_MAX_VERTICES = env.int("GISPLAN_IMPORT_MAX_VERTICES", default=50_000)
# CSV/Excel are refused while being read: columns per row, an Excel workbook's unpacked parts,
# seconds spent reading (GIS formats: checked between layers).
GISPLAN_IMPORT_MAX_COLUMNS = env.int("GISPLAN_IMPORT_MAX_COLUMNS", default=200)
GISPLAN_IMPORT_MAX_SHEET_MB = env.float("GISPLAN_IMPORT_MAX_SHEET_MB", default=150)
GISPLAN_IMPORT_MAX_READ_SECONDS = env.float("GISPLAN_IMPORT_MAX_READ_SECONDS", default=90)
GISPLAN_IMPORT_DIR = env.str("GISPLAN_IMPORT_DIR", default="")  # empty: MEDIA_ROOT/imports


REST_FRAMEWORK = {
    # HTTP Basic through common.httpauth, as the tiles and the OGC API check it (throttle included).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "common.httpauth.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON bodies bounded (nesting, non-finite numbers) and every refusal as {"errors": [{field,
    # message_th, message_en}]} (common/params.py, common/apierrors.py).
    "DEFAULT_PARSER_CLASSES": [
        "common.params.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "common.apierrors.exception_handler",
}

# OpenAPI schema of the API (issue 5); Swagger UI served from drf-spectacular-sidecar, no CDN.
SPECTACULAR_SETTINGS = {
    "TITLE": "gisplan API",
    "DESCRIPTION": "Water and road projects of Thai local administrative organisations (DLA e-Plan GIS).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # the GeoJSON pages, features and /api/validate/ bodies as JSON Schema (analysis/rest/schema.py)
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "analysis.rest.schema.add_components"],
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Production hardening switches (docs/operations.md "Production").
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None

# Logs: one JSON object a line with the request id (LOG_FORMAT=json, the default without DEBUG),
# or plain text. Statements slower than GISPLAN_SLOW_QUERY_MS are logged (0: off).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "ops.logs.GisplanJsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
GISPLAN_SLOW_QUERY_MS = env.float("GISPLAN_SLOW_QUERY_MS", default=500.0)
# /metrics (Prometheus) answers only these addresses. Under gunicorn each worker also serves its
# metrics on a port of PROMETHEUS_METRICS_EXPORT_PORT_RANGE (deploy/gunicorn.conf.py).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])

# Accounts: self-registration, approvals and OpenID Connect single sign-on (issue 8) -----------
# The throttle's backend first: it refuses every password check (sign-in page, admin, HTTP Basic)
# while the account or the address is locked (accounts/throttle.py, django-axes).
AUTHENTICATION_BACKENDS = ["accounts.throttle.SignInThrottleBackend", "django.contrib.auth.backends.ModelBackend"]
# SSO is on when a client id and the provider's endpoints are set; docs/operations.md "Single sign-on".
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_RP_IDP_SIGN_KEY = env.str("OIDC_RP_IDP_SIGN_KEY", default="") or None
# Claims that carry the gisplan organisation and role (see accounts/oidc.py).
GISPLAN_OIDC_CLAIM_DLA_CODE = env.str("GISPLAN_OIDC_CLAIM_DLA_CODE", default="dla_code")
GISPLAN_OIDC_CLAIM_PROVINCE = env.str("GISPLAN_OIDC_CLAIM_PROVINCE", default="province_code")
GISPLAN_OIDC_CLAIM_ROLE = env.str("GISPLAN_OIDC_CLAIM_ROLE", default="gisplan_role")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("accounts.oidc.GisplanOIDCBackend")

# Sign-in throttling (django-axes; accounts/throttle.py, docs/dla.md "Locked sign-in"): failed
# sign-ins within the cooling-off period, counted per account (any address) and per address (any
# account); at the limit further sign-ins are refused, even with the right password, until the
# period has passed since the last failure. A successful sign-in clears the account's failures.
AXES_FAILURE_LIMIT = env.int("GISPLAN_LOGIN_FAILURE_LIMIT", default=5)
GISPLAN_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("GISPLAN_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("GISPLAN_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.throttle.SignInThrottleHandler"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_USERNAME_CALLABLE = "accounts.throttle.client_username"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every counted failure, and whether it locked (admin)
# A refused attempt (while locked) is logged but not recorded: the lock ends on time, and a flood
# of attempts cannot grow the attempt's row (axes appends each attempt's query to it).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Reverse proxies in front that append the client's address to X-Forwarded-For (deploy/nginx.conf:
# 1); 0: the address is REMOTE_ADDR. Behind a proxy and left at 0, every client has the proxy's address.
GISPLAN_PROXY_COUNT = env.int("GISPLAN_PROXY_COUNT", default=0)

# E-mail (password reset): printed to the console with DEBUG, else sent through SMTP.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default=f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend"
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; a dead mail server never holds a worker long
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="gisplan <noreply@localhost>")


# Content-Security-Policy (django-csp) --------------------------------------------------------
# No inline script or style on our pages: maps start from static/gisplan/leaflet-init.js (our
# override of django-leaflet's templates). A per-response nonce is added to script-src/style-src
# only when a page asks for one (request.csp_nonce): the Swagger UI page and the report map
# frame (folium's output). Never 'unsafe-inline' or 'unsafe-eval'. docs/design.md "Content
# Security Policy".


def _csp_origin(url: str) -> list[str]:
    """The origin of an absolute URL or XYZ template, as a CSP source (``[]`` for a relative URL).

    A placeholder in the host (``https://{s}.tile.example.org/{z}/{x}/{y}.png``) becomes CSP's
    wildcard for the labels it stands in: ``https://*.tile.example.org``.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    host = parts.netloc.rpartition("@")[2]
    labels = host.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    if templated:
        host = ".".join(["*", *labels[templated[-1] + 1 :]])
    return [f"{parts.scheme}://{host}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *_csp_origin(BASEMAP_URL)],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],  # the report map frame allows SELF (reports/views.py)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *(_csp_origin(OIDC_OP_AUTHORIZATION_ENDPOINT) if OIDC_ENABLED else [])],
    }
}
