"""Spam defence for the public forms, without third-party services: a honeypot
field, a minimum time to fill the form (a signed timestamp issued with it) and
a per-client hourly limit counted in the cache. Client addresses are never
stored: the cache key is a keyed hash of the address."""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.crypto import salted_hmac

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"
_SALT = "openborough.requests.form"
#: a form older than this must be reloaded (its token has expired)
MAX_FORM_AGE = 24 * 3600
WINDOW = 3600


class Rejected(Exception):
    """A submission refused; ``status`` is the HTTP status, the message is for people."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def form_token(now: float | None = None) -> str:
    return signing.dumps(round(now if now is not None else time.time(), 3), salt=_SALT)


def _cache():
    name = getattr(settings, "OPENBOROUGH_REQUESTS_CACHE", "soda" if "soda" in settings.CACHES else "default")
    return caches[name]


def client_key(request) -> str:
    ip = request.META.get("REMOTE_ADDR", "") or "unknown"
    if getattr(settings, "OPENBOROUGH_SODA_TRUST_X_FORWARDED_FOR", False):
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            ip = fwd.split(",")[0].strip()
    return salted_hmac("openborough.requests.client", ip).hexdigest()[:32]


def check_form(data) -> None:
    """Honeypot and fill time for an HTML form post; raises Rejected."""
    if (data.get(HONEYPOT_FIELD) or "").strip():
        raise Rejected(400, "The form could not be accepted: leave the field marked 'leave this empty' blank.")
    try:
        issued = float(signing.loads(data.get(TOKEN_FIELD, ""), salt=_SALT, max_age=MAX_FORM_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        raise Rejected(400, "The form has expired or was changed. Please send it again.") from None
    if time.time() - issued < settings.OPENBOROUGH_REQUEST_MIN_FILL_SECONDS:
        raise Rejected(400, "The form was sent too quickly to have been filled in by a person. Please send it again.")


def throttle(request, bucket: str, limit: int | None = None) -> None:
    """Count one submission from this client; Rejected(429) past the hourly limit."""
    limit = settings.OPENBOROUGH_REQUESTS_PER_HOUR if limit is None else limit
    if limit <= 0:
        return
    window = int(time.time() // WINDOW)
    key = f"ob-requests:{bucket}:{client_key(request)}:{window}"
    cache = _cache()
    cache.add(key, 0, timeout=WINDOW * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW * 2)
        count = 1
    if count > limit:
        raise Rejected(429, f"Too many submissions from your connection: at most {limit} an hour. Try again later.")
