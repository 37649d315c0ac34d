"""Django settings. Everything a council changes is an environment variable
(documented in docs/operations.md); the defaults run embedded with no server
to install."""

from __future__ import annotations

import os

from .config import data_dir, env_int, secret_key

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
    "openborough.portal",
    "openborough.requests_foi",
    "openborough.transparency",
    "openborough.strategy",
    "openborough.standards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
            ],
        },
    }
]

_db_url = os.environ.get("OPENBOROUGH_DATABASE_URL", "")
if _db_url.startswith(("postgres://", "postgresql://")):
    from urllib.parse import unquote, urlparse

    _u = urlparse(_db_url)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(_u.path.lstrip("/")),
            "USER": unquote(_u.username or ""),
            "PASSWORD": unquote(_u.password or ""),
            "HOST": _u.hostname or "",
            "PORT": str(_u.port or ""),
        }
    }
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
WHITENOISE_MAX_AGE = 3600

# --- openborough -------------------------------------------------------------
#: where dataset rows live: a directory (DuckDB + Parquet) or postgresql://…
OPENBOROUGH_STORE_URL = os.environ.get("OPENBOROUGH_STORE_URL") or str(DATA_DIR / "store")
#: largest file accepted through the web or the API (bytes); answered with 413
OPENBOROUGH_MAX_UPLOAD_BYTES = env_int("OPENBOROUGH_MAX_UPLOAD_BYTES", 256 * 1024 * 1024)
#: how many versions of each dataset are kept on disk (the current one included)
OPENBOROUGH_KEEP_VERSIONS = env_int("OPENBOROUGH_KEEP_VERSIONS", 10)
#: public name of the council running the portal
OPENBOROUGH_SITE_NAME = os.environ.get("OPENBOROUGH_SITE_NAME", "openborough")
OPENBOROUGH_DEFAULT_ORGANISATION = os.environ.get("OPENBOROUGH_ORGANISATION", "Demo Borough Council")

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENBOROUGH_LOG_LEVEL", "WARNING")},
}
