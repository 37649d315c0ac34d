"""Which server answers a read: the primary or a read replica.

Reads go to replicas unless the current request has just written (or the
caller wrote a moment ago): then they are *pinned* to the primary, so a client
always reads its own writes. The flag lives here, at the bottom of the stack,
so the stores and the application database's router (``operations.replicas``)
read the same one."""

from __future__ import annotations

import contextvars
import threading
import time
from contextlib import contextmanager

_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned_to_primary", default=False)


_process_pinned = False


def pinned() -> bool:
    return _process_pinned or _pinned.get()


def pin_process() -> None:
    """Every read of this process from the primary: commands that write (publish,
    restore, harvest …) must never act on a replica's slightly older view."""
    global _process_pinned
    _process_pinned = True


def pin() -> None:
    """From now on in this request (or task), read from the primary."""
    _pinned.set(True)


@contextmanager
def primary_only():
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


@contextmanager
def request_scope(pin_from_start: bool = False):
    token = _pinned.set(pin_from_start)
    try:
        yield
    finally:
        _pinned.reset(token)


class Health:
    """Replicas that failed are skipped for ``cooldown`` seconds, then tried again."""

    def __init__(self, cooldown: float = 15.0):
        self.cooldown = cooldown
        self._down_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self._turn = 0

    def usable(self, name: str) -> bool:
        return self._down_until.get(name, 0.0) <= time.monotonic()

    def mark_down(self, name: str) -> None:
        with self._lock:
            self._down_until[name] = time.monotonic() + self.cooldown

    def choose(self, names: list[str]) -> str | None:
        """The next usable replica, round robin; None when none is."""
        live = [n for n in names if self.usable(n)]
        if not live:
            return None
        with self._lock:
            self._turn += 1
            return live[self._turn % len(live)]
