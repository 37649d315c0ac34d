"""Structured logs: one JSON object a line, each carrying the id of the request
it belongs to, and one access line per request (docs/operations.md#logs).

The request id is the caller's ``X-Request-ID`` when it is a plain token (so a
proxy's id follows the request through), else a new one; it is echoed in the
response's ``X-Request-ID``."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
import time
import uuid

import orjson

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_TOKEN = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_SKIP = {"request_id", "request", "server_time"}
access = logging.getLogger("openborough.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            # Django logs a response's error after the middleware chain has returned: read it off the request
            req = getattr(record, "request", None)
            record.request_id = getattr(req, "request_id", "") or request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        body = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        req = getattr(record, "request", None)
        rid = getattr(record, "request_id", "") or getattr(req, "request_id", "") or request_id.get()
        if rid:
            body["request_id"] = rid
        if req is not None and hasattr(req, "method"):
            body.setdefault("method", req.method)
            body.setdefault("path", req.path)
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _SKIP and key not in body and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(body, default=str).decode()


class RequestIdMiddleware:
    """First in the chain: names the request, times it, writes its access line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        rid = given if _TOKEN.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        request.request_id = rid
        start = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        if access.isEnabledFor(logging.INFO):
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": rid,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 1),
                    "streamed": bool(getattr(response, "streaming", False)),
                },
            )
        return response
