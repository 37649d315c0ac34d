"""Django settings. Everything a council changes is an environment variable
(documented in docs/operations.md); the defaults run embedded with no server
to install."""

from __future__ import annotations

import datetime as _dt
import os

from .config import data_dir, env_int, env_seconds, secret_key

DATA_DIR = data_dir()
BASE_DIR = os.path.dirname(os.path.abspath(__file__))

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = os.environ.get("OPENBOROUGH_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("OPENBOROUGH_ALLOWED_HOSTS", "*").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "openborough.accounts",
    "openborough.catalog",
    "openborough.soda",
    "openborough.ckan",
    "openborough.dcat",
    "openborough.portal",
    "openborough.requests_foi",
    "openborough.transparency",
    "openborough.strategy",
    "openborough.standards",
    "openborough.operations",
    "django_tasks",
    "django_tasks_db",
    "openborough.harvest",
    "axes",
]

#: background work (large publishes from the web …) runs on Django's tasks framework, stored in the application
#: database and run by `openborough worker` (which `openborough serve` starts unless --no-worker)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "openborough.operations.logs.RequestIdMiddleware",
    "openborough.operations.replicas.ReadYourWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "openborough.portal.middleware.UsageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openborough.urls"
WSGI_APPLICATION = "openborough.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openborough.portal.context_processors.site",
            ],
        },
    }
]

#: the application database: DATABASE_URL (12-factor name) or OPENBOROUGH_DATABASE_URL; default SQLite in the data dir
_db_url = os.environ.get("DATABASE_URL") or os.environ.get("OPENBOROUGH_DATABASE_URL", "")
if _db_url.startswith(("postgres://", "postgresql://")):
    from .operations.settings_db import database_from_url

    DATABASES = {"default": database_from_url(_db_url)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "openborough.sqlite3"),
            # WAL + a busy timeout let the CLI publish while the server reads.
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

#: PostgreSQL streaming replicas of DATABASE_URL (comma-separated URLs) that answer reads (docs/operations.md)
OPENBOROUGH_READ_REPLICAS = [u.strip() for u in os.environ.get("OPENBOROUGH_READ_REPLICAS", "").split(",") if u.strip()]
#: after a write, the writer's reads stay on the primary this long (covers replication lag)
OPENBOROUGH_READ_YOUR_WRITES_SECONDS = env_int("OPENBOROUGH_READ_YOUR_WRITES_SECONDS", 10)
if OPENBOROUGH_READ_REPLICAS:
    from .operations.settings_db import replica_databases

    DATABASES.update(replica_databases(DATABASES["default"], OPENBOROUGH_READ_REPLICAS))
    DATABASE_ROUTERS = ["openborough.operations.replicas.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Passwords and sign-in (openborough.accounts.passwords): validated on every path that sets one;
# failed sign-ins (form, admin, SODA HTTP Basic) counted per client by django-axes and locked out
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("OPENBOROUGH_SIGN_IN_FAILURES", 10)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env_int("OPENBOROUGH_SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = False  # a guesser with one good account must not reset the count
AXES_CLIENT_IP_CALLABLE = "openborough.soda.throttle.client_ip_address"  # X-Forwarded-For only when trusted
AXES_LOCKOUT_CALLABLE = "openborough.accounts.passwords.lockout_response"
AXES_VERBOSE = False

# Security headers (docs/security.md). OPENBOROUGH_TLS=1 behind a TLS-terminating proxy that sets
# X-Forwarded-Proto: requests count as https, cookies are Secure, HSTS is sent (Django sends it on https only).
_TLS = os.environ.get("OPENBOROUGH_TLS", "") == "1"
if _TLS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _TLS
SECURE_HSTS_SECONDS = env_int("OPENBOROUGH_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-gb"
#: ISO dates first in date inputs (HTML type="date" shows nothing else); see openborough/formats
FORMAT_MODULE_PATH = ["openborough.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
WHITENOISE_MAX_AGE = 3600

# --- openborough -------------------------------------------------------------
#: where dataset rows live: a directory (DuckDB + Parquet) or postgresql://…
#: OPENBOROUGH_STORE (duckdb:///path, a path, or postgresql://…); OPENBOROUGH_STORE_URL is the older name
_store = os.environ.get("OPENBOROUGH_STORE") or os.environ.get("OPENBOROUGH_STORE_URL") or ""
if _store.startswith("duckdb://"):
    _store = _store.removeprefix("duckdb://") or str(DATA_DIR / "store")
OPENBOROUGH_STORE_URL = _store or str(DATA_DIR / "store")
#: replicas of a PostgreSQL store that answer SoQL reads (default: OPENBOROUGH_READ_REPLICAS when the store is PostgreSQL)
OPENBOROUGH_STORE_READ_REPLICAS = [
    u.strip()
    for u in os.environ.get(
        "OPENBOROUGH_STORE_READ_REPLICAS",
        os.environ.get("OPENBOROUGH_READ_REPLICAS", "") if "://" in OPENBOROUGH_STORE_URL else "",
    ).split(",")
    if u.strip()
]
#: largest file accepted through the web or the API (bytes); answered with 413
OPENBOROUGH_MAX_UPLOAD_BYTES = env_int("OPENBOROUGH_MAX_UPLOAD_BYTES", 256 * 1024 * 1024)
#: uploads at least this big are published in the background, with a progress page (bytes)
OPENBOROUGH_BACKGROUND_PUBLISH_BYTES = env_int("OPENBOROUGH_BACKGROUND_PUBLISH_BYTES", 8 * 1024 * 1024)
#: a background job whose worker has not been heard from for this long is run again (seconds)
OPENBOROUGH_JOB_STALE_SECONDS = env_int("OPENBOROUGH_JOB_STALE_SECONDS", 30)
#: how many versions of each dataset are kept on disk (the current one included)
OPENBOROUGH_KEEP_VERSIONS = env_int("OPENBOROUGH_KEEP_VERSIONS", 10)
#: public name of the council running the portal
OPENBOROUGH_SITE_NAME = os.environ.get("OPENBOROUGH_SITE_NAME", "openborough")
OPENBOROUGH_DEFAULT_ORGANISATION = os.environ.get("OPENBOROUGH_ORGANISATION", "Demo Borough Council")
#: raster map tiles under the dataset maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png
#: ("" = none: nothing leaves the portal, the vector basemap below is drawn instead)
OPENBOROUGH_MAP_TILE_URL = os.environ.get("OPENBOROUGH_MAP_TILE_URL", "")
OPENBOROUGH_MAP_TILE_ATTRIBUTION = os.environ.get("OPENBOROUGH_MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
#: GeoJSON vector basemap drawn when there are no tiles (default: the packaged London boroughs and wards;
#: "" = none); see docs/operations.md
OPENBOROUGH_MAP_BASEMAP_URL = os.environ.get("OPENBOROUGH_MAP_BASEMAP_URL", "/maps/basemap.geojson")

def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    u = urlsplit(url)
    return f"{u.scheme}://{u.netloc.replace('{s}', '*')}" if u.scheme in ("http", "https") and u.netloc else ""


# no inline script or style anywhere: templates load static files only
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_origin(OPENBOROUGH_MAP_TILE_URL)] if _origin(OPENBOROUGH_MAP_TILE_URL) else []),
        "font-src": ["'self'"],
        "connect-src": ["'self'"] + ([_origin(OPENBOROUGH_MAP_BASEMAP_URL)] if _origin(OPENBOROUGH_MAP_BASEMAP_URL) else []),
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")
}
LOGIN_URL = "/staff/sign-in"
LOGIN_REDIRECT_URL = "/staff/"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- SODA API (openborough.soda; documented in docs/api/soda.md) ---------------
#: largest $limit a /resource query may ask for; above it: 400 req.row-limit-exceeded. Default 0: no maximum
#: (answers stream, so `$limit=1000000`, the usual "download everything" line, is answered in full)
OPENBOROUGH_SODA_MAX_LIMIT = env_int("OPENBOROUGH_SODA_MAX_LIMIT", 0)
#: SODA3 (/api/v3/views/…) answers only a signed-in user or a valid app token, as Socrata documents; 0 opens it
OPENBOROUGH_SODA3_REQUIRE_TOKEN = os.environ.get("OPENBOROUGH_SODA3_REQUIRE_TOKEN", "1") != "0"
#: seconds one SoQL query (and each fetch of its rows) may run before it is stopped (0: no limit)
OPENBOROUGH_SOQL_TIMEOUT_SECONDS = env_seconds("OPENBOROUGH_SOQL_TIMEOUT_SECONDS", 30)
#: requests a minute: anonymous callers per IP address, and app-token holders / signed-in users each
OPENBOROUGH_SODA_ANON_RATE = env_int("OPENBOROUGH_SODA_ANON_RATE", 600)
OPENBOROUGH_SODA_TOKEN_RATE = env_int("OPENBOROUGH_SODA_TOKEN_RATE", 6000)
#: count anonymous callers by the first X-Forwarded-For address (only behind a trusted proxy)
OPENBOROUGH_SODA_TRUST_X_FORWARDED_FOR = os.environ.get("OPENBOROUGH_SODA_TRUST_X_FORWARDED_FOR", "") == "1"
#: largest JSON body a SODA write accepts (parsed in memory); CSV bodies may be up to OPENBOROUGH_MAX_UPLOAD_BYTES
OPENBOROUGH_SODA_MAX_JSON_BYTES = env_int("OPENBOROUGH_SODA_MAX_JSON_BYTES", 64 * 1024 * 1024)

# Throttle counters must be shared by every gunicorn worker process: files under the data directory.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "soda": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "soda"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

#: OPENBOROUGH_LOG_FORMAT=json (default: one JSON object a line, with request ids) or text;
#: OPENBOROUGH_REQUEST_LOG=0 turns off the one-line-per-request access log
_log_format = os.environ.get("OPENBOROUGH_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "openborough.operations.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "openborough.operations.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "text" if _log_format == "text" else "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("OPENBOROUGH_LOG_LEVEL", "WARNING")},
    "loggers": {
        "openborough.request": {
            "level": "INFO" if os.environ.get("OPENBOROUGH_REQUEST_LOG", "1") != "0" else "WARNING",
        },
    },
}

# --- dataset requests, FOI log (docs/requests-and-foi.md) ------------------------
#: how email leaves: by default one file per message under <data-dir>/mail; in production set
#: OPENBOROUGH_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the OPENBOROUGH_EMAIL_* below
EMAIL_BACKEND = os.environ.get("OPENBOROUGH_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = os.environ.get("OPENBOROUGH_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("OPENBOROUGH_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("OPENBOROUGH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OPENBOROUGH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("OPENBOROUGH_EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("OPENBOROUGH_EMAIL_FROM", "openborough@localhost")
#: public address of the portal, used for links in emails sent outside a web request
OPENBOROUGH_BASE_URL = os.environ.get("OPENBOROUGH_BASE_URL", "http://localhost:8000")
#: dataset-request submissions (and follows, comments) accepted per client per hour
OPENBOROUGH_REQUESTS_PER_HOUR = env_int("OPENBOROUGH_REQUESTS_PER_HOUR", 10)
#: £ an FOI request costs to answer; default £159.80 = UCL Constitution Unit survey of English councils (2010)
OPENBOROUGH_FOI_COST_PER_REQUEST = os.environ.get("OPENBOROUGH_FOI_COST_PER_REQUEST", "159.80")
