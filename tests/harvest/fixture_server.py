"""A small HTTP server on loopback that answers with recorded portal responses
from ``fixtures/`` ("{{base}}" in them becomes the server's own address), plus
the misbehaving answers a harvest must survive."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures"
FILES = {
    "expenditure-over-500-apr-jun-2015.csv": SHARED
    / "data/real/spending/oxford-city-council-over-500/expenditure-over-500-apr-jun-2015.csv",
}
LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Log in - Exampleshire Open Data</title></head><body><form>...</form></body></html>"


class FixtureServer:
    def __init__(self, folder: str):
        self.folder = FIXTURES / folder
        #: set by tests: "forever" makes package_search page without end
        self.mode = ""
        #: extra routes: path -> (status, content type, body bytes)
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                server.requests.append(self.path)
                status, ctype, body = server.answer(self.path)
                if status == 0:  # hang up without answering in time
                    time.sleep(float(ctype))
                    status, ctype, body = 200, "text/csv", b"route,length\nA1,3\n"
                body = body.replace(b"{{base}}", server.url.encode())
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _json(self, name: str, status: int = 200):
        path = self.folder / name
        if not path.is_file():
            return (
                404,
                "application/json",
                json.dumps(
                    {"help": "", "success": False, "error": {"__type": "Not Found Error", "message": "Not found"}}
                ).encode(),
            )
        return status, "application/json;charset=utf-8", path.read_bytes()

    def answer(self, raw: str):
        parts = urlsplit(raw)
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path
        if path in self.routes:
            return self.routes[path]
        if path == "/api/3/action/status_show":
            return self._json("status_show.json")
        if path == "/api/3/action/package_search":
            if self.mode == "forever":
                return self._json("package_search_forever.json")
            return self._json(f"package_search_start{int(q.get('start', 0))}.json")
        if path == "/api/3/action/package_show":
            for page in sorted(self.folder.glob("package_search_start*.json")):
                for p in json.loads(page.read_text())["result"]["results"]:
                    if q.get("id") in (p["id"], p["name"]):
                        return 200, "application/json", json.dumps({"help": "", "success": True, "result": p}).encode()
            return self._json("missing")
        if path == "/api/3/action/datastore_search":
            return self._json(f"datastore_search_{q.get('resource_id')}_{int(q.get('offset', 0))}.json")
        if path.startswith("/files/") and path[7:] in FILES:
            return 200, "text/csv", FILES[path[7:]].read_bytes()
        if path.startswith("/slow/"):
            return 0, "5", b""
        if path == "/user/login":
            return 200, "text/html; charset=utf-8", LOGIN_PAGE
        if (self.folder / "files" / path.lstrip("/")).is_file():
            f = self.folder / "files" / path.lstrip("/")
            ctype = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".json": "application/json",
                     ".rdf": "application/rdf+xml", ".csv": "text/csv"}.get(f.suffix, "application/octet-stream")  # fmt: skip
            return 200, ctype, f.read_bytes()
        return 404, "text/html", b"<html><body>Not found</body></html>"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
