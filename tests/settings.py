"""Settings for the test run: a throw-away data directory per process."""

import os
import tempfile

os.environ.setdefault("OPENBOROUGH_DATA_DIR", tempfile.mkdtemp(prefix="openborough-test-"))

from openborough.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast in tests only
