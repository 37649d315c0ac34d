"""Serving the WSGI application with gunicorn (threaded workers)."""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication


class _App(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .wsgi import application

        return application


def _pre_fork(server, worker) -> None:
    from .catalog.storage import release_before_fork

    release_before_fork()  # each worker opens its own store and database connections


def serve(host: str, port: int, workers: int | None = None, threads: int = 8) -> None:
    """Serve until stopped. Whatever ran before in this process (loading the demo,
    migrations) may have opened the store: it is closed before any worker forks."""
    from .catalog.storage import release_before_fork

    release_before_fork()
    workers = workers or min(4, os.cpu_count() or 1)
    print(f"openborough serving on http://{host}:{port}/ ({workers} workers × {threads} threads)", flush=True)
    _App(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 300,
            "graceful_timeout": 10,
            "accesslog": os.environ.get("OPENBOROUGH_ACCESS_LOG") or None,
            "errorlog": "-",
            "loglevel": "warning",
            "pre_fork": _pre_fork,
        }
    ).run()
