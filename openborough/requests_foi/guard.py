"""Spam defence for the public forms, without third-party services, that a
person never trips: a honeypot field people cannot see, a signed timestamp
issued with the form (a post must carry a form this site gave out, at most
``MAX_FORM_AGE`` old; however fast it is sent back), and a per-client hourly
limit on accepted submissions counted in the cache (a submission refused for
what it says is not counted, so correcting and resending a form is never
limited). Client addresses are never stored: the cache key is a keyed hash of
the address."""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.crypto import salted_hmac

HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"
_SALT = "openborough.requests.form"
#: a form older than this is sent back to be resent (with the values typed kept)
MAX_FORM_AGE = 7 * 24 * 3600
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
    """Honeypot and the signed form token for an HTML form post; raises Rejected. There is no
    minimum fill time: people type fast, paste, and resend at once."""
    if (data.get(HONEYPOT_FIELD) or "").strip():
        raise Rejected(400, "The form could not be accepted: leave the field marked 'leave this empty' blank.")
    try:
        issued = float(signing.loads(data.get(TOKEN_FIELD, ""), salt=_SALT, max_age=MAX_FORM_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        raise Rejected(400, "The form has expired or was changed. Please send it again.") from None
    now = time.time()
    if not now - MAX_FORM_AGE <= issued <= now + 60:
        raise Rejected(400, "The form has expired or was changed. Please send it again.")


def throttle(request, bucket: str, limit: int | None = None) -> str | None:
    """Count one submission from this client; Rejected(429) past the hourly limit. Returns the
    counter's cache key (None when there is no limit)."""
    limit = settings.OPENBOROUGH_REQUESTS_PER_HOUR if limit is None else limit
    if limit <= 0:
        return None
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
    return key


@contextmanager
def counted(request, bucket: str, limit: int | None = None):
    """``throttle`` around the block that accepts a submission: when the block raises (the
    submission is invalid), the count is given back."""
    key = throttle(request, bucket, limit)
    try:
        yield
    except BaseException:
        if key is not None:
            try:
                _cache().decr(key)
            except ValueError:  # the counter expired meanwhile
                pass
        raise
