"""Files uploaded through the publish wizard, kept until published or abandoned."""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings

MAX_AGE_SECONDS = 24 * 3600


def root() -> Path:
    return Path(settings.DATA_DIR) / "uploads"


def save_upload(uploaded) -> tuple[str, Path]:
    """Store an UploadedFile under a fresh token; returns (token, path)."""
    _sweep()
    token = secrets.token_urlsafe(12)
    folder = root() / token
    folder.mkdir(parents=True, exist_ok=False)
    name = Path(uploaded.name or "upload").name.replace("\x00", "")[:120] or "upload"
    path = folder / name
    with open(path, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return token, path


def path_for(token: str, filename: str) -> Path | None:
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = root() / token / Path(filename).name
    return path if path.is_file() else None


def discard(token: str) -> None:
    if token.replace("-", "").replace("_", "").isalnum():
        shutil.rmtree(root() / token, ignore_errors=True)


def _sweep() -> None:
    """Remove uploads abandoned for a day."""
    base = root()
    if not base.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for d in base.iterdir():
        try:
            if d.is_dir() and d.stat().st_mtime < cutoff:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass
