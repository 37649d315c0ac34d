"""One writer at a time per dataset, across threads and processes.

A version is written under an exclusive ``fcntl`` lock on
``<data-dir>/locks/<dataset-id>.lock``: the CLI, the web publish wizard and
the SODA write API all go through it, so two publishes racing on one dataset
run one after the other and neither is lost.
"""

from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager

from django.conf import settings

_thread_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def dataset_lock(dataset_id: str):
    with _guard:
        tlock = _thread_locks.setdefault(dataset_id, threading.Lock())
    with tlock:
        folder = settings.DATA_DIR / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / f"{dataset_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
