"""Who is calling: HTTP Basic (username:password, or API key id:secret),
``Authorization: OAuth <token>`` where the token is an API key's secret, or a
portal session cookie (reads only, unless the request carries a CSRF token).

A wrong credential is a 401 even on reads, as on Socrata: a client that
believes it is authenticated should not silently get the anonymous view.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.middleware.csrf import CsrfViewMiddleware

from ..accounts.models import ApiKey, Role
from .errors import SodaError

BASIC_MEMO_SECONDS = 60
REALM = {"WWW-Authenticate": 'Basic realm="openborough SODA API"'}


def _unauthorized(message: str) -> SodaError:
    return SodaError(401, "authentication_required", message, headers=REALM)


def _locked_out() -> SodaError:
    from ..accounts.passwords import lockout_seconds

    seconds = lockout_seconds()
    return SodaError(
        429,
        "too_many_failed_sign_ins",
        "Too many wrong usernames or passwords from this client; try again later",
        {"retryAfterSeconds": seconds},
        headers={"Retry-After": str(seconds)} if seconds else {},
    )


def _basic(value: str, request=None):
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _unauthorized("Malformed HTTP Basic credentials") from None
    if ":" not in raw:
        raise _unauthorized("Malformed HTTP Basic credentials")
    username, password = raw.split(":", 1)
    # Password hashing (Argon2) is deliberately slow; clients such as sodapy send
    # Basic credentials on every request, so a verified pair is remembered for a
    # minute in this process (keyed by an HMAC of the header, never the password).
    # A changed password or a revoked key ends it at once: both are checked on use.
    memo = "soda-basic:" + hmac.new(settings.SECRET_KEY.encode(), value.strip().encode(), "sha256").hexdigest()
    hit = cache.get(memo)
    if hit is not None:
        pk, pw_hash, key_pk = hit
        user = get_user_model().objects.filter(pk=pk, is_active=True).first()
        if (
            user is not None
            and user.password == pw_hash
            and (key_pk is None or ApiKey.objects.filter(pk=key_pk, active=True).exists())
        ):
            return user
    # an API key (id:secret) first, so that using one is never counted as a failed password sign-in
    key = ApiKey.objects.select_related("owner").filter(key_id=username).first()
    user = key.owner if key is not None and key.verify(password) and key.owner.is_active else None
    if user is None:
        key = None
        # django-axes counts failures and refuses a locked-out client (request.axes_locked_out)
        user = authenticate(request, username=username, password=password)
        if user is not None and not user.is_active:
            user = None
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise _locked_out()
        raise _unauthorized("Invalid username or password")
    cache.set(memo, (user.pk, user.password, key.pk if key is not None else None), BASIC_MEMO_SECONDS)
    return user


def _oauth(token: str):
    token = token.strip()
    if not token:
        raise _unauthorized("Empty OAuth token")
    user = ApiKey.owner_of(token)
    if user is None:
        raise _unauthorized("Invalid OAuth token")
    return user


def api_user(request):
    """The caller from the Authorization header, else the session user, else None.

    Sets ``request.soda_auth`` to ``"header"``, ``"session"`` or ``None``."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            user = _basic(value, request)
        elif scheme in ("oauth", "bearer"):
            user = _oauth(value)
        else:
            raise _unauthorized(f"Unsupported authorization scheme {scheme!r}; use Basic or OAuth")
        request.soda_auth = "header"
        return user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        request.soda_auth = "session"
        return user
    request.soda_auth = None
    return None


def can_read_private(user) -> bool:
    return user is not None and user.has_role(Role.VIEWER)


def require_publisher(request, user):
    """The user if they may write; 401/403 otherwise. Session-cookie writes need CSRF."""
    if user is None:
        raise _unauthorized("Writing needs a publisher's credentials (HTTP Basic or OAuth)")
    if getattr(request, "soda_auth", None) == "session":
        failure = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if failure is not None:
            raise SodaError(403, "csrf_failed", "A cookie-authenticated write needs a CSRF token")
    if not user.can_publish:
        raise SodaError(403, "permission_denied", f"User {user.get_username()} may not publish datasets")
    return user
