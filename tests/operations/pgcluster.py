"""Throw-away PostgreSQL clusters on loopback ports for tests that stop, start
or replicate a server (the shared one on 5432 must never be stopped)."""

from __future__ import annotations

import glob
import os
import subprocess
from pathlib import Path

import psycopg
import pytest


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        pytest.fail(f"PostgreSQL's {name} is not installed (Debian: postgresql-15)", pytrace=False)
    return found[-1]


def as_postgres(*cmd: str, **kw) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:  # initdb and the server refuse to run as root
        cmd = ("runuser", "-u", "postgres", "--", *cmd)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, **kw)


class Cluster:
    def __init__(self, path: Path, port: int):
        self.path, self.port = path, port

    def create(self, socket_dir: Path) -> None:
        """initdb a throw-away cluster on 127.0.0.1:port (no fsync: tests only)."""
        as_postgres(pg_bin("initdb"), "-D", str(self.path), "-A", "trust", "-U", "postgres", "--no-sync")
        with open(self.path / "postgresql.conf", "a") as f:
            f.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socket_dir}'\n"
                    "wal_level = replica\nmax_wal_senders = 5\nfsync = off\n")  # fmt: skip

    def start(self) -> None:
        as_postgres(pg_bin("pg_ctl"), "-D", str(self.path), "-l", str(self.path / "server.log"), "-w", "start")

    def stop(self) -> None:
        as_postgres(pg_bin("pg_ctl"), "-D", str(self.path), "-m", "immediate", "-w", "stop")

    def url(self, db: str = "openborough") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def query(self, sql: str, db: str = "openborough"):
        with psycopg.connect(self.url(db), connect_timeout=5, autocommit=True) as conn:
            cur = conn.execute(sql)
            return cur.fetchall() if cur.description else []
