"""What must hold for the portal to serve: each check says what is wrong and
how to fix it. Used by ``openborough check`` (all of them) and ``/readyz``
(the ones that touch the databases)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""
    #: a warning is reported but does not make the configuration unusable
    warning: bool = False

    def line(self) -> str:
        mark = "ok" if self.ok else ("warning" if self.warning else "error")
        text = f"{mark:7} {self.check}: {self.detail}"
        if self.fix and not self.ok:
            text += f"\n        fix: {self.fix}"
        return text

    def as_dict(self) -> dict:
        return {"check": self.check, "ok": self.ok, "warning": self.warning, "detail": self.detail, "fix": self.fix}


def _first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[0]


def check_database() -> Finding:
    from django.db import connection

    engine = connection.vendor
    try:
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as e:  # any driver error: report it, never raise
        where = settings.DATABASES["default"].get("NAME", "")
        return Finding(
            "application database",
            False,
            f"cannot use the {engine} database {where}: {_first_line(e)}",
            "check DATABASE_URL (postgresql://user:password@host:5432/name) and that the server accepts "
            "connections; for the embedded default, that the data directory is writable",
        )
    return Finding("application database", True, f"{engine} reachable")


def check_migrations() -> Finding:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as e:
        return Finding("migrations", False, f"cannot read the migration state: {_first_line(e)}",
                       "make the application database reachable first")  # fmt: skip
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return Finding(
            "migrations",
            False,
            f"{len(plan)} not applied ({names}{more})",
            "run `openborough init` (or `openborough serve`, which migrates on start)",
        )
    return Finding("migrations", True, "all applied")


def _store_label(url: str) -> str:
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://…@{rest.rsplit('@', 1)[1]}"
    return url


def check_store() -> Finding:
    url = settings.OPENBOROUGH_STORE_URL
    label = _store_label(url)
    if "://" not in url:
        path = Path(url)
        probe = path if path.exists() else path.parent
        if not probe.exists() or not os.access(probe, os.W_OK):
            return Finding(
                "dataset store",
                False,
                f"directory {url} is not writable (or its parent does not exist)",
                "create it and give the server's user write access, or set OPENBOROUGH_STORE",
            )
    try:
        from ..catalog.storage import get_store

        store = get_store()
        cur = store.execute("SELECT 1")
        try:
            cur.fetchmany(1)
        finally:
            cur.close()
    except Exception as e:
        return Finding(
            "dataset store",
            False,
            f"cannot query {label}: {_first_line(e)}",
            "check OPENBOROUGH_STORE (a directory, duckdb:///path or postgresql://…) and that the server is up",
        )
    return Finding("dataset store", True, f"{type(store).__name__} at {label} answers")


def check_data_dir() -> Finding:
    path = Path(settings.DATA_DIR)
    if not path.exists():
        return Finding("data directory", False, f"{path} does not exist", "run `openborough init --data-dir …`")
    if not os.access(path, os.W_OK):
        return Finding("data directory", False, f"{path} is not writable",
                       "give the server's user write access (uploads, locks and caches live there)")  # fmt: skip
    return Finding("data directory", True, str(path))


def check_hosts() -> Finding:
    hosts = settings.ALLOWED_HOSTS
    if "*" in hosts and not settings.DEBUG:
        return Finding(
            "allowed hosts",
            False,
            "any Host header is accepted",
            "set OPENBOROUGH_ALLOWED_HOSTS to the portal's host names, e.g. data.example.gov.uk",
            warning=True,
        )
    return Finding("allowed hosts", True, ", ".join(hosts) or "(none)")


def check_secret_key() -> Finding:
    key = settings.SECRET_KEY or ""
    if len(key) < 32:
        return Finding("secret key", False, f"only {len(key)} characters",
                       "set OPENBOROUGH_SECRET_KEY to 50 random characters, or unset it to use the generated one")  # fmt: skip
    return Finding("secret key", True, "set" + (" (from the environment)" if os.environ.get("OPENBOROUGH_SECRET_KEY") else ""))


def check_email() -> Finding:
    backend = settings.EMAIL_BACKEND
    if backend.endswith("smtp.EmailBackend"):
        import smtplib

        try:
            with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=5) as smtp:
                smtp.noop()
        except Exception as e:
            return Finding(
                "email",
                False,
                f"cannot reach SMTP server {settings.EMAIL_HOST}:{settings.EMAIL_PORT}: {_first_line(e)}",
                "check OPENBOROUGH_EMAIL_HOST and OPENBOROUGH_EMAIL_PORT",
            )
        return Finding("email", True, f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT} answers")
    if backend.endswith("filebased.EmailBackend"):
        return Finding(
            "email",
            False,
            f"messages are written to files in {settings.EMAIL_FILE_PATH}, not sent",
            "set OPENBOROUGH_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and OPENBOROUGH_EMAIL_HOST",
            warning=True,
        )
    return Finding("email", True, backend)


#: what /readyz runs on every probe: cheap, and only what serving needs
READINESS: list[Callable[[], Finding]] = [check_database, check_migrations, check_store]
#: what ``openborough check`` runs
ALL: list[Callable[[], Finding]] = [
    check_data_dir,
    check_secret_key,
    check_hosts,
    check_database,
    check_migrations,
    check_store,
    check_email,
]


def run(checks: list[Callable[[], Finding]]) -> list[Finding]:
    return [c() for c in checks]


def failed(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not f.ok and not f.warning]
