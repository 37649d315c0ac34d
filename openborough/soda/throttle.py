"""Request limits: anonymous callers per IP address, app-token holders per
token, authenticated users per user. Counters live in the ``soda`` cache
(shared by every server process; see settings.CACHES) in fixed one-minute
windows. An unknown or disabled app token is refused, as Socrata does."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches

from ..accounts.models import AppToken
from .errors import SodaError

WINDOW = 60


def app_token(request) -> str:
    token = request.META.get("HTTP_X_APP_TOKEN", "")
    if not token:
        token = request.GET.get("$$app_token", "")
    if not token and request.path.startswith("/api/v3/"):
        token = request.GET.get("app_token", "")  # SODA3's GET form: ?app_token=…
    return token.strip()


def client_ip(request) -> str:
    if settings.OPENBOROUGH_SODA_TRUST_X_FORWARDED_FOR:
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            return fwd.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def client_ip_address(request) -> str:
    """``client_ip`` as a valid IP address, for records that store one (django-axes' sign-in
    log): a forwarded value that is not an address falls back to the peer, and a request
    without one (an internal sign-in) is ``0.0.0.0``."""
    import ipaddress

    for candidate in (client_ip(request), request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return "0.0.0.0"


def check(request, user) -> None:
    """Count this request; SodaError 403 for a bad token, 429 over the limit."""
    token = app_token(request)
    if token:
        if not AppToken.objects.filter(token=token, active=True).exists():
            raise SodaError(403, "invalid_app_token", "Invalid app_token specified")
    if user is not None:
        kind, ident, limit = "user", str(user.pk), settings.OPENBOROUGH_SODA_TOKEN_RATE
    elif token:
        kind, ident, limit = "token", token, settings.OPENBOROUGH_SODA_TOKEN_RATE
    else:
        kind, ident, limit = "ip", client_ip(request), settings.OPENBOROUGH_SODA_ANON_RATE
    if limit <= 0:
        return
    now = time.time()
    window = int(now // WINDOW)
    key = f"soda-throttle:{kind}:{ident}:{window}"
    cache = caches["soda"]
    cache.add(key, 0, timeout=WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW * 2)
        count = 1
    if count > limit:
        retry = max(1, int((window + 1) * WINDOW - now) + 1)
        hint = "" if token or user else " Send an app token (X-App-Token) for a higher limit."
        raise SodaError(
            429,
            "too_many_requests",
            f"Too many requests: the limit is {limit} a minute.{hint}",
            {"limit": limit, "retry_after": retry},
            headers={"Retry-After": str(retry)},
        )
