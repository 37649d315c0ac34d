"""Settings for the test run: a throw-away data directory per process.

Each pytest-xdist worker gets its own directory (set unconditionally, so a
developer's own OPENBOROUGH_DATA_DIR is never touched by tests, and workers
never share store files or the file-based caches)."""

import os
import tempfile

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["OPENBOROUGH_DATA_DIR"] = tempfile.mkdtemp(prefix=f"openborough-test-{_worker}-")

from openborough.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only
