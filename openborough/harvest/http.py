"""Talking to source portals: timeouts, bounded retries, and answers checked
for what they claim to be (JSON that is JSON, not a login page in HTML)."""

from __future__ import annotations

import json
import os
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .. import __version__

#: (connect, read) seconds
DEFAULT_TIMEOUT = (10.0, 60.0)
DEFAULT_RETRIES = 3
#: largest single download (a distribution or a page of rows)
MAX_DOWNLOAD = 2 * 1024**3


class SourceError(Exception):
    """The source answered something the harvest cannot use; the message says what, for the report."""


class Client:
    def __init__(
        self,
        *,
        auth: tuple[str, str] | None = None,
        app_token: str | None = None,
        api_key: str | None = None,
        timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 0.5,
    ):
        self.timeout = timeout
        s = requests.Session()
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET", "HEAD"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        s.headers["User-Agent"] = f"openborough-harvest/{__version__}"
        if auth:
            s.auth = auth
        if app_token:
            s.headers["X-App-Token"] = app_token
        if api_key:
            s.headers["Authorization"] = api_key  # CKAN's API token header
        self.session = s

    def _get(self, url: str, params=None, *, stream: bool = False, accept: str | None = None):
        headers = {"Accept": accept} if accept else {}
        try:
            resp = self.session.get(url, params=params, timeout=self.timeout, stream=stream, headers=headers)
        except requests.exceptions.Timeout:
            raise SourceError(f"{_short(url)} did not answer in time (timed out after retries)") from None
        except requests.exceptions.RetryError as e:
            raise SourceError(f"{_short(url)} kept failing: {_reason(e)}") from None
        except requests.exceptions.ConnectionError as e:
            if _timed_out(e):
                raise SourceError(f"{_short(url)} did not answer in time (timed out after retries)") from None
            raise SourceError(f"could not connect to {_short(url)}: {_reason(e)}") from None
        except requests.exceptions.RequestException as e:
            raise SourceError(f"request to {_short(url)} failed: {e}") from None
        return resp

    def status(self, url: str, params=None) -> int:
        """The HTTP status of a GET (for probing what kind of portal a URL is); 0 when unreachable."""
        try:
            resp = self._get(url, params)
        except SourceError:
            return 0
        resp.close()
        return resp.status_code

    def get_json(self, url: str, params=None, *, allow_error_json: bool = False):
        resp = self._get(url, params, accept="application/json")
        body = resp.content
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if resp.status_code >= 400 and not allow_error_json:
            raise SourceError(f"{_short(resp.url)} answered HTTP {resp.status_code}{_detail(body, ctype)}")
        if ctype == "text/html" or body.lstrip()[:1] == b"<":
            raise SourceError(
                f"{_short(resp.url)} answered an HTML page, not JSON (is the URL right, or is it a login page?)"
            )
        try:
            value = json.loads(body)
        except ValueError as e:
            raise SourceError(f"{_short(resp.url)} did not answer valid JSON: {e}") from None
        return resp.status_code, value

    def get_text(self, url: str, params=None, *, accept: str | None = None) -> tuple[bytes, str, str]:
        """Body, content type and final URL."""
        resp = self._get(url, params, accept=accept)
        if resp.status_code >= 400:
            raise SourceError(f"{_short(resp.url)} answered HTTP {resp.status_code}")
        return resp.content, resp.headers.get("Content-Type", "").split(";")[0].strip().lower(), resp.url

    def download(self, url: str, path: str, params=None, *, expect_data: bool = True) -> tuple[str, int]:
        """Stream ``url`` to ``path``; returns the content type and the bytes written."""
        resp = self._get(url, params, stream=True)
        with resp:
            if resp.status_code >= 400:
                raise SourceError(f"{_short(resp.url)} answered HTTP {resp.status_code}")
            ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if expect_data and ctype in ("text/html", "application/xhtml+xml"):
                raise SourceError(f"{_short(resp.url)} answered an HTML page, not data")
            written = 0
            try:
                with open(path, "wb") as f:
                    for chunk in resp.iter_content(1 << 16):
                        written += len(chunk)
                        if written > MAX_DOWNLOAD:
                            raise SourceError(f"{_short(url)} is larger than {MAX_DOWNLOAD // 1024**2} MB")
                        f.write(chunk)
            except requests.exceptions.RequestException as e:
                raise SourceError(f"download of {_short(url)} broke off: {_reason(e)}") from None
            except BaseException:
                if os.path.exists(path):
                    os.unlink(path)
                raise
        if expect_data:
            with open(path, "rb") as f:
                head = f.read(512).lstrip().lower()
            if head.startswith((b"<!doctype html", b"<html")):
                raise SourceError(f"{_short(url)} answered an HTML page, not data")
        return ctype, written


def join(base: str, path: str) -> str:
    return urljoin(base.rstrip("/") + "/", path.lstrip("/"))


def _short(url: str) -> str:
    return url if len(url) <= 160 else url[:157] + "…"


def _timed_out(e: Exception) -> bool:
    from urllib3.exceptions import NewConnectionError
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    inner = e.args[0] if e.args else None
    if isinstance(getattr(inner, "reason", None), NewConnectionError) or isinstance(inner, NewConnectionError):
        return False  # refused: urllib3 counts it a connect timeout, people do not
    return isinstance(getattr(inner, "reason", None), Urllib3Timeout) or isinstance(inner, Urllib3Timeout)


def _reason(e: Exception) -> str:
    inner = e.args[0] if e.args else e
    reason = getattr(inner, "reason", None)
    return str(reason or inner)[:300]


def _detail(body: bytes, ctype: str) -> str:
    if ctype.endswith("json"):
        try:
            v = json.loads(body)
        except ValueError:
            return ""
        if isinstance(v, dict):
            err = v.get("error")
            msg = v.get("message") or (err.get("message") if isinstance(err, dict) else err)
            if msg:
                return f": {str(msg)[:300]}"
    return ""
