"""The wrapper every SODA view runs in: CORS, request ids, authentication,
throttling, and turning every failure into a JSON error body."""

from __future__ import annotations

import functools
import logging
import re
import uuid

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import throttle
from .auth import api_user
from .errors import SodaError, error_response

log = logging.getLogger("openborough.soda")

EXPOSED = (
    "X-SODA2-Fields, X-SODA2-Types, X-SODA2-Truth-Last-Modified, Last-Modified, ETag, X-Socrata-RequestId, Retry-After"
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _cors(resp: HttpResponse, request) -> HttpResponse:
    resp["Access-Control-Allow-Origin"] = "*"
    resp["Access-Control-Expose-Headers"] = EXPOSED
    resp["X-Socrata-RequestId"] = request.soda_request_id
    return resp


def _without_body(resp):
    if not resp.streaming:
        resp.content = b""
        return resp
    resp.close()
    bare = HttpResponse(status=resp.status_code)
    for k, v in resp.items():
        bare[k] = v
    return bare


def soql_error(err) -> SodaError:
    data = getattr(err, "data", None)
    if data is not None and not isinstance(data, dict):
        data = {"position": data}
    return SodaError(400, getattr(err, "code", "query.soql.bad-parse"), str(getattr(err, "message", err)), data)


def _translate(exc: Exception) -> SodaError | None:
    """Known failure types from the layers below, as client errors."""
    from ..catalog.publishing import PublishError

    try:
        from ..soql import SoQLError
    except ImportError:  # pragma: no cover - the engine is always installed
        SoQLError = ()  # noqa: N806
    if SoQLError and isinstance(exc, SoQLError):
        return soql_error(exc)
    if _unavailable(exc):
        log.warning("SODA request failed, database unavailable: %s", str(exc).strip().splitlines()[0] if str(exc) else exc)
        return SodaError(503, "service_unavailable", "The service is temporarily unavailable; try again shortly", {},
                         headers={"Retry-After": "30"})  # fmt: skip
    if isinstance(exc, PublishError):
        status = 404 if exc.code == "not-found" else 409 if exc.code == "exists" else 400
        return SodaError(status, f"soda.publish.{exc.code}", exc.message, {"report": exc.report} if exc.report else {})
    return None


def _unavailable(exc: Exception) -> bool:
    """A database that cannot be reached (as opposed to a query that failed)."""
    import psycopg
    from django.db import OperationalError as DjangoOperationalError
    from psycopg_pool import PoolTimeout

    from ..store import StoreUnavailable

    if isinstance(exc, DjangoOperationalError):  # Django wraps the driver's error
        cause = exc.__cause__
        if cause is None or "database is locked" in str(exc):
            return True
        exc = cause
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return False  # a query's own time limit: the query's fault, not the server's
    if isinstance(exc, StoreUnavailable | PoolTimeout):
        return True
    return isinstance(exc, psycopg.OperationalError) and (
        isinstance(exc, psycopg.errors.AdminShutdown | psycopg.errors.CannotConnectNow)
        or getattr(exc, "sqlstate", None) is None  # lost connection: no SQLSTATE from a server
    )


def soda_view(methods: tuple[str, ...] = ("GET",)):
    """Decorate a view ``f(request, user, **kwargs)``."""

    def deco(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rid = request.META.get("HTTP_X_SOCRATA_REQUESTID", "")
            request.soda_request_id = rid if _REQUEST_ID.match(rid) else uuid.uuid4().hex
            allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
            if request.method == "OPTIONS":
                resp = HttpResponse(status=204)
                resp["Allow"] = resp["Access-Control-Allow-Methods"] = ", ".join(sorted(allowed | {"OPTIONS"}))
                resp["Access-Control-Allow-Headers"] = (
                    "Authorization, Content-Type, X-App-Token, X-Socrata-RequestId, If-None-Match, If-Modified-Since"
                )
                resp["Access-Control-Max-Age"] = "86400"
                return _cors(resp, request)
            try:
                if request.method not in allowed:
                    raise SodaError(
                        405,
                        "method_not_allowed",
                        f"{request.method} is not allowed here; use {', '.join(sorted(allowed))}",
                        headers={"Allow": ", ".join(sorted(allowed))},
                    )
                user = api_user(request)
                throttle.check(request, user)
                head = request.soda_head = request.method == "HEAD"
                if head:  # answered as GET, without the body
                    request.method = "GET"
                resp = view(request, user, *args, **kwargs)
                if head:
                    request.method = "HEAD"
                    resp = _without_body(resp)
            except SodaError as e:
                resp = error_response(e)
            except Exception as e:  # noqa: BLE001 - every failure becomes JSON
                known = _translate(e)
                if known is None:
                    log.exception("SODA request failed: %s %s", request.method, request.get_full_path())
                    known = SodaError(500, "internal_error", "Internal error; it has been logged", {})
                resp = error_response(known)
            return _cors(resp, request)

        return wrapped

    return deco
