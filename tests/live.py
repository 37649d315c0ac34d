"""Running the real ``openborough`` command and server from tests."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra) -> dict:
    """The environment without the test process's Django/openborough settings."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "OPENBOROUGH_")) and k != "DATABASE_URL"
    }
    env.update(extra)
    return env


def backend_env(data_dir: Path) -> dict:
    """``clean_env()`` for a portal in ``data_dir`` on the suite's backend: embedded, or with
    ``OPENBOROUGH_TEST_BACKEND=postgres`` a PostgreSQL database of its own (made on first use)."""
    if os.environ.get("OPENBOROUGH_TEST_BACKEND", "embedded") != "postgres":
        return clean_env()
    import hashlib

    import psycopg
    from psycopg import sql

    admin = os.environ.get("OPENBOROUGH_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    # one database per data directory and test process: a path reused by a later run never finds old data
    name = "openborough_live_" + hashlib.sha1(f"{_RUN}:{Path(data_dir).resolve()}".encode()).hexdigest()[:16]
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateDatabase:
                pass
    _LIVE_DATABASES.add(name)
    info = psycopg.conninfo.conninfo_to_dict(admin)
    url = f"postgresql://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{name}"
    return clean_env(DATABASE_URL=url, OPENBOROUGH_STORE=url)


_LIVE_DATABASES: set[str] = set()
_RUN = os.urandom(8).hex()



def drop_live_databases() -> None:
    """Called at the end of the test session (tests/conftest.py)."""
    if not _LIVE_DATABASES:
        return
    import psycopg
    from psycopg import sql

    admin = os.environ.get("OPENBOROUGH_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in sorted(_LIVE_DATABASES):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    _LIVE_DATABASES.clear()


def cli(data_dir: Path, *args, env: dict | None = None, check: bool = True, timeout: int = 300):
    out = subprocess.run(
        [sys.executable, "-m", "openborough.cli", *args, "--data-dir", str(data_dir)],
        env=env or backend_env(data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert out.returncode == 0, out.stderr
    return out


class LiveServer:
    """``openborough serve`` (or ``command``, e.g. ``demo``) in a subprocess on a free loopback port."""

    def __init__(
        self,
        data_dir: Path,
        env: dict | None = None,
        workers: int = 2,
        threads: int = 4,
        command: str = "serve",
        start_timeout: float = 60,
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(data_dir).parent / f"server-{self.port}.log"
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "openborough.cli", command, "--data-dir", str(data_dir), "--port", str(self.port),
             "--workers", str(workers), "--threads", str(threads)],
            env=env or backend_env(data_dir),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log_path.read_text())
            try:
                requests.get(self.url + "/robots.txt", timeout=5)
                return
            except requests.RequestException:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start in {start_timeout:.0f} s:\n" + self.log_path.read_text())

    def get(self, path: str, **kw):
        return requests.get(self.url + path, timeout=30, **kw)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


class TlsRelay:
    """A loopback TLS endpoint forwarding bytes to the plain-HTTP live server."""

    def __init__(self, backend_port: int, tmp_path):
        cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                        "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True,
                       capture_output=True)  # fmt: skip
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.backend = backend_port
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _pipe(self, a, b):
        try:
            while chunk := a.recv(65536):
                b.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _handle(self, conn):
        try:
            tls = self.ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()
            return
        up = socket.create_connection(("127.0.0.1", self.backend))
        threading.Thread(target=self._pipe, args=(up, tls), daemon=True).start()
        self._pipe(tls, up)

    def _serve(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def close(self):
        self.stopped = True
        self.sock.close()
