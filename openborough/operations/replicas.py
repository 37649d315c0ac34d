"""Read replicas for the application database (docs/operations.md#read-replicas).

``OPENBOROUGH_READ_REPLICAS`` lists PostgreSQL streaming replicas of
``DATABASE_URL``; settings turn each into a database alias ``replica1``, … and
install ``ReplicaRouter``. Writes and everything inside a transaction go to the
primary; other reads go to a replica, unless ``store.routing`` says this request
is pinned to the primary (it wrote, or the caller wrote within
``OPENBOROUGH_READ_YOUR_WRITES_SECONDS``). A replica that cannot be reached is
skipped for a while and its reads go to the primary."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connections

from ..store import routing

log = logging.getLogger(__name__)
COOKIE = "ob_primary_until"
_health = routing.Health()


def replica_aliases() -> list[str]:
    return [a for a in settings.DATABASES if a.startswith("replica")]


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if routing.pinned() or connections["default"].in_atomic_block:
            return "default"
        aliases = replica_aliases()
        while True:
            alias = _health.choose(aliases)
            if alias is None:
                return "default"
            try:
                connections[alias].ensure_connection()
                return alias
            except Exception as e:  # any driver error: this replica is unusable for now
                log.warning("read replica %s unreachable, reading from the primary: %s", alias, str(e).strip())
                connections[alias].close()
                _health.mark_down(alias)

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReadYourWritesMiddleware:
    """Pins a request to the primary when it writes, and the caller's next
    requests for a few seconds after (a cookie), so replication lag never hides
    a change from the person who made it."""

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        if not replica_aliases() and not settings.OPENBOROUGH_STORE_READ_REPLICAS:
            raise MiddlewareNotUsed  # no replicas: every read is the primary's, no cookie to set
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        try:
            until = float(request.COOKIES.get(COOKIE, "0"))
        except ValueError:
            until = 0.0
        writes = request.method not in self.SAFE
        with routing.request_scope(pin_from_start=writes or until > now):
            response = self.get_response(request)
        if writes and response.status_code < 400:
            window = settings.OPENBOROUGH_READ_YOUR_WRITES_SECONDS
            response.set_cookie(COOKIE, f"{now + window:.3f}", max_age=int(window) + 1, httponly=True,
                                samesite="Lax", secure=request.is_secure())  # fmt: skip
        return response
