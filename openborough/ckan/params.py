"""Reading action parameters, from a JSON body (as ckanapi posts them) or a
query string, with CKAN's 409 Validation Error for values of the wrong kind."""

from __future__ import annotations

import json
from typing import Any

from .errors import validation


def as_int(params: dict, name: str, default: int, *, lo: int = 0, hi: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        value = int(raw)
    except (TypeError, ValueError):
        raise validation(**{name: "Invalid integer"}) from None
    if value < lo:
        raise validation(**{name: f"Must be a natural number of at least {lo}"})
    if hi is not None and value > hi:
        raise validation(**{name: f"Must be at most {hi}"})
    return value


def as_bool(params: dict, name: str, default: bool = False) -> bool:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise validation(**{name: "Invalid boolean: use true or false"})


def as_str(params: dict, name: str, default: str = "") -> str:
    raw = params.get(name)
    if raw is None:
        return default
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise validation(**{name: "Must be a string"})
    return str(raw)


def as_json(params: dict, name: str, kind: type, default: Any) -> Any:
    """A list or object given as itself (JSON body) or as JSON text (query string)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            if kind is list:  # a comma-separated list, as CKAN also accepts for fields
                return [p.strip() for p in raw.split(",") if p.strip()]
            raise validation(**{name: "Cannot parse JSON"}) from None
    if not isinstance(raw, kind):
        raise validation(**{name: f"Must be a JSON {'list' if kind is list else 'object'}"})
    return raw


def as_str_list(params: dict, name: str) -> list[str]:
    value = as_json(params, name, list, [])
    if not all(isinstance(v, str) for v in value):
        raise validation(**{name: "Must be a list of strings"})
    return value
