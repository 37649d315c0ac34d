"""The process-wide dataset store, opened from settings on first use.

A store holds threads: DuckDB's task scheduler, psycopg_pool's workers. Threads
do not survive ``fork()``, so a store must never cross one: a child that used
its parent's DuckDB database would wait forever for tasks no thread runs.
``release_before_fork()`` closes the store and the Django connections in a
process about to fork workers (``openborough serve`` and ``demo`` call it), and
every forked child forgets whatever store it inherited and opens its own on
first use.
"""

from __future__ import annotations

import os
import threading

from django.conf import settings

from ..store import Store, open_store

_store: Store | None = None
_lock = threading.Lock()
#: stores a forked child inherited: never used nor closed there (closing would wait
#: on the parent's threads, or close the parent's sockets), only kept from the collector
_inherited: list[Store] = []


def get_store() -> Store:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                _store = open_store(
                    settings.OPENBOROUGH_STORE_URL,
                    settings.OPENBOROUGH_STORE_READ_REPLICAS,
                    query_timeout=getattr(settings, "OPENBOROUGH_SOQL_TIMEOUT_SECONDS", None),
                )
    return _store


def reset_store() -> None:
    """Forget the open store (tests switch data directories)."""
    global _store
    with _lock:
        if _store is not None:
            _store.close()
        _store = None


def release_before_fork() -> None:
    """Close everything with threads or sockets that workers must open for themselves."""
    from django.db import connections

    reset_store()
    connections.close_all()


def _forget_inherited_store() -> None:
    global _store, _lock
    if _store is not None:
        _inherited.append(_store)
    _store = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_inherited_store)
