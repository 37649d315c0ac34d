"""The process-wide dataset store, opened from settings on first use."""

from __future__ import annotations

import threading

from django.conf import settings

from ..store import Store, open_store

_store: Store | None = None
_lock = threading.Lock()


def get_store() -> Store:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                _store = open_store(settings.OPENBOROUGH_STORE_URL, settings.OPENBOROUGH_STORE_READ_REPLICAS)
    return _store


def reset_store() -> None:
    """Forget the open store (tests switch data directories)."""
    global _store
    with _lock:
        if _store is not None:
            _store.close()
        _store = None
