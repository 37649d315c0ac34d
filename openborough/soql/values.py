"""SODA values (JSON or text) -> the physical Python value of a SoQL type.

Used by the SODA write API, the conformance loader and the analyzer's
implicit literal conversion. Physical values (see ``soql.types``):

- text/blob ``str``; number/double/money ``float``; checkbox ``bool``;
- floating_timestamp naive ``datetime``; fixed_timestamp UTC ``datetime``;
- point ``{"lon", "lat"}``; other geometries WKB ``bytes``;
- location ``{"latitude", "longitude", "human_address"}``; url ``{"url", "description"}``.

Every bad value raises ``ValueError`` with a message naming the type.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from .types import GEOMETRY_KINDS, Schema, SoQLType, arrow_type

_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$", re.ASCII)
_FLOATING_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?$", re.ASCII)
_FIXED_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?"
    r"\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_GEOMETRY_KINDS = GEOMETRY_KINDS


def parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, int | float | Decimal):
        f = float(value)
    elif isinstance(value, str) and _NUMBER_RE.match(value):
        try:
            f = float(Decimal(value.strip()))
        except (InvalidOperation, OverflowError):
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not a number: {value!r}")
    if not math.isfinite(f):
        raise ValueError(f"number out of range: {value!r}")
    return f


def parse_checkbox(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "1"):
            return True
        if v in ("false", "0"):
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"not a checkbox (true/false): {value!r}")


def _parts(m: re.Match) -> dict:
    y, mo, d, h, mi, s, frac = m.groups()[:7]
    micro = int((frac or "0").ljust(6, "0")[:6])
    return {
        "year": int(y),
        "month": int(mo),
        "day": int(d),
        "hour": int(h or 0),
        "minute": int(mi or 0),
        "second": int(s or 0),
        "microsecond": micro,
    }


def _truncate_ms(t: dt.datetime) -> dt.datetime:
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def parse_floating_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _truncate_ms(value.replace(tzinfo=None))
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and (m := _FLOATING_RE.match(value.strip())):
        try:
            return _truncate_ms(dt.datetime(**_parts(m)))
        except ValueError:
            pass
    raise ValueError(f"not a floating timestamp (YYYY-MM-DDThh:mm:ss.sss): {value!r}")


def parse_fixed_timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        t = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return _truncate_ms(t.astimezone(dt.UTC))
    if isinstance(value, str) and (m := _FIXED_RE.match(value.strip())):
        try:
            t = dt.datetime(**_parts(m))
            off = m.group(8)
            if off and off not in "Zz":
                sign = -1 if off[0] == "-" else 1
                digits = off[1:].replace(":", "")
                minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
                t = t - sign * dt.timedelta(minutes=minutes)
            return _truncate_ms(t.replace(tzinfo=dt.UTC))
        except (ValueError, OverflowError):
            pass
    raise ValueError(f"not a fixed timestamp (ISO 8601 with offset): {value!r}")


def parse_geometry(value: Any, t: SoQLType):
    """A shapely geometry of kind ``t`` from WKT text or a GeoJSON object."""
    import shapely
    import shapely.geometry

    try:
        if isinstance(value, Mapping):
            g = shapely.geometry.shape(value)
        elif isinstance(value, str):
            text = value.strip()
            if text.startswith("{"):
                g = shapely.geometry.shape(json.loads(text))
            else:
                g = shapely.from_wkt(text)
        elif isinstance(value, bytes):
            g = shapely.from_wkb(value)
        else:
            raise ValueError
    except Exception:  # shapely raises several kinds for junk
        raise ValueError(f"not a {t.value} (WKT or GeoJSON): {value!r}") from None
    want = _GEOMETRY_KINDS[t]
    if g.geom_type != want:
        # a single geometry where a multi is wanted is promoted, as Socrata does
        if want == "Multi" + g.geom_type:
            g = getattr(shapely.geometry, want)([g])
        else:
            raise ValueError(f"expected a {t.value}, got a {g.geom_type}")
    if g.is_empty and t is SoQLType.POINT:
        raise ValueError("empty point")
    return g


def geometry_to_physical(g, t: SoQLType):
    import shapely

    if t is SoQLType.POINT:
        return {"lon": float(g.x), "lat": float(g.y)}
    return shapely.to_wkb(g, output_dimension=2)


def _opt_text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, Mapping | list):
        return json.dumps(v)
    return str(v)


def lenient_object(text: str) -> Any:
    """A JSON object, or the lenient form Socrata accepts in literals
    (bare keys, single quotes: ``{ url: "http://…", description: 'Home' }``)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    import yaml

    try:
        obj = yaml.safe_load(text)
    except yaml.YAMLError:
        raise ValueError(f"not a JSON object: {text!r}") from None
    if not isinstance(obj, dict) or not all(isinstance(k, str) for k in obj):
        raise ValueError(f"not a JSON object: {text!r}")
    return obj


def parse_location(value: Any) -> dict:
    if isinstance(value, str):
        text = value.strip()
        try:
            obj = lenient_object(text) if text.startswith("{") else None
        except ValueError:
            obj = None
        if isinstance(obj, Mapping):
            value = obj
        else:
            try:
                g = parse_geometry(text, SoQLType.POINT)
            except ValueError:
                raise ValueError(f"not a location: {value!r}") from None
            return {"latitude": float(g.y), "longitude": float(g.x), "human_address": None}
    if not isinstance(value, Mapping):
        raise ValueError(f"not a location: {value!r}")
    out = {"latitude": None, "longitude": None, "human_address": None}
    if "coordinates" in value and value.get("type") == "Point":
        lon, lat = value["coordinates"][:2]
        out["latitude"], out["longitude"] = parse_number(lat), parse_number(lon)
        return out
    for k in ("latitude", "longitude"):
        if value.get(k) is not None:
            out[k] = parse_number(value[k])
    out["human_address"] = _opt_text(value.get("human_address"))
    extra = set(value) - {"latitude", "longitude", "human_address", "needs_recoding"}
    if extra:
        raise ValueError(f"unknown location members: {', '.join(sorted(extra))}")
    return out


_HREF_RE = re.compile(r"""^\s*<a\s+href\s*=\s*["']([^"']*)["']\s*>(.*?)</a>\s*$""", re.I | re.S)


def parse_url(value: Any) -> dict:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            value = lenient_object(text)
        elif m := _HREF_RE.match(text):
            return {"url": m.group(1), "description": m.group(2) or None}
        else:
            return {"url": value, "description": None}
    if not isinstance(value, Mapping):
        raise ValueError(f"not a url: {value!r}")
    extra = set(value) - {"url", "description"}
    if extra:
        raise ValueError(f"unknown url members: {', '.join(sorted(extra))}")
    return {"url": _opt_text(value.get("url")), "description": _opt_text(value.get("description"))}


def to_physical(value: Any, t: SoQLType) -> Any:
    """The physical value of ``t`` for a SODA value; ``None`` stays ``None``."""
    if value is None:
        return None
    if t in (SoQLType.TEXT, SoQLType.BLOB):
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float | Decimal):
            return json.dumps(value) if isinstance(value, bool) else str(value)
        raise ValueError(f"not text: {value!r}")
    if t.is_numeric:
        return parse_number(value)
    if t is SoQLType.CHECKBOX:
        return parse_checkbox(value)
    if t is SoQLType.FLOATING_TIMESTAMP:
        return parse_floating_timestamp(value)
    if t is SoQLType.FIXED_TIMESTAMP:
        return parse_fixed_timestamp(value)
    if t.is_geometry:
        return geometry_to_physical(parse_geometry(value, t), t)
    if t is SoQLType.LOCATION:
        return parse_location(value)
    if t is SoQLType.URL:
        return parse_url(value)
    raise ValueError(f"unsupported type {t}")  # pragma: no cover


def build_table(schema: Schema, rows: Iterable[Mapping[str, Any]], *, strict: bool = True) -> pa.Table:
    """A ``pyarrow.Table`` of the user columns of ``schema`` from row dicts.

    Missing keys are null. With ``strict``, keys that are not columns raise
    ``ValueError`` (nothing is dropped silently)."""
    names = [c.field_name for c in schema.columns]
    known = set(names)
    cols: dict[str, list] = {n: [] for n in names}
    for i, row in enumerate(rows):
        if strict:
            extra = [k for k in row if k not in known]
            if extra:
                raise ValueError(f"row {i + 1}: unknown column(s) {', '.join(map(repr, extra))}")
        for c in schema.columns:
            try:
                cols[c.field_name].append(to_physical(row.get(c.field_name), c.type))
            except ValueError as e:
                raise ValueError(f"row {i + 1}, column {c.field_name!r}: {e}") from None
    arrays = [pa.array(cols[c.field_name], type=arrow_type(c.type)) for c in schema.columns]
    return pa.Table.from_arrays(
        arrays, schema=pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=False)])
    )
