"""Database settings from URLs (imported by settings.py: no Django models here)."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlparse


def database_from_url(url: str) -> dict:
    """``postgresql://user:password@host:port/name?sslmode=require`` → a Django DATABASES entry."""
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"database URL must start with postgresql://, not {url.split(':', 1)[0]}:")
    options = dict(parse_qsl(u.query))
    entry = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
    }
    if options:
        entry["OPTIONS"] = options
    return entry


def replica_databases(default: dict, urls: list[str]) -> dict:
    """``replica1``, ``replica2``, … for each URL; they need the primary to be PostgreSQL too."""
    if default.get("ENGINE") != "django.db.backends.postgresql":
        raise SystemExit("OPENBOROUGH_READ_REPLICAS needs DATABASE_URL to be a PostgreSQL primary")
    out = {}
    for n, url in enumerate(urls, 1):
        entry = database_from_url(url)
        entry.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
        # a fresh connection per request, so a replica that went away is noticed at the next request
        entry["CONN_MAX_AGE"] = 0
        entry["TEST"] = {"MIRROR": "default"}
        out[f"replica{n}"] = entry
    return out
