"""Settings for the test run: a throw-away data directory per process.

Each pytest-xdist worker gets its own directory (set unconditionally, so a
developer's own OPENBOROUGH_DATA_DIR is never touched by tests, and workers
never share store files or the file-based caches).

``OPENBOROUGH_TEST_BACKEND=postgres`` runs the suite with PostgreSQL as the
application database (pytest-django makes a ``test_…`` database per worker)
and as the dataset store (a throw-away database per worker, dropped at exit)."""

import atexit
import os
import secrets
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["OPENBOROUGH_DATA_DIR"] = tempfile.mkdtemp(prefix=f"openborough-test-{_worker}-")
BACKEND = os.environ.get("OPENBOROUGH_TEST_BACKEND", "embedded")

if BACKEND == "postgres":
    import psycopg
    from psycopg import sql

    _admin = os.environ.get("OPENBOROUGH_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    _store_db = f"openborough_store_{_worker}_{secrets.token_hex(4)}"
    with psycopg.connect(_admin, autocommit=True) as _c:
        _c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(_store_db)))

    def _drop_store_db():
        with psycopg.connect(_admin, autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_store_db)))

    atexit.register(_drop_store_db)
    _info = psycopg.conninfo.conninfo_to_dict(_admin)
    _base = f"postgresql://{_info.get('user', 'postgres')}@{_info.get('host', '127.0.0.1')}:{_info.get('port', 5432)}"
elif BACKEND != "embedded":
    raise SystemExit(f"OPENBOROUGH_TEST_BACKEND is 'embedded' (default) or 'postgres', not {BACKEND!r}")

from openborough.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only

if BACKEND == "postgres":  # set here, not in the environment, so servers the tests start choose their own
    from openborough.operations.settings_db import database_from_url

    DATABASES = {"default": database_from_url(f"{_base}/openborough")}  # pytest-django uses test_openborough[_gwN]
    OPENBOROUGH_STORE_URL = f"{_base}/{_store_db}"
