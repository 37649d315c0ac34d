"""Where openborough keeps its data, read from the environment.

Every command and the web server agree on one data directory:
``--data-dir`` on the command line, else ``OPENBOROUGH_DATA_DIR``, else
``./openborough-data``. Its layout::

    <data-dir>/
        openborough.sqlite3   application database (catalogue, users, audit log)
        store/                dataset rows: <dataset-id>/v<N>.parquet (DuckDB store)
        locks/                one lock file per dataset, taken while a version is written
        uploads/              files received through the web or API while they are ingested
        static/               collected static files (built by `openborough init`)
        secret_key            generated once; Django's SECRET_KEY
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_DATA_DIR = "openborough-data"


def data_dir() -> Path:
    return Path(os.environ.get("OPENBOROUGH_DATA_DIR") or DEFAULT_DATA_DIR).resolve()


def secret_key(base: Path) -> str:
    env = os.environ.get("OPENBOROUGH_SECRET_KEY")
    if env:
        return env
    path = base / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    base.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {value!r}") from None


def env_seconds(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise SystemExit(f"{name} must be a number of seconds (0 for no limit), not {value!r}")
    return seconds
