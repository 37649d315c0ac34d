"""SODA 2.1 JSON values from query results (``soda-fountain`` JsonExporter rules).

Numbers are strings with at most 15 significant digits and no exponent for
ordinary magnitudes; null fields are left out of row objects; timestamps are
``YYYY-MM-DDThh:mm:ss.sss`` (fixed ones in UTC with ``Z``); geometries are
GeoJSON; url/location are objects without their null members (location
latitude/longitude as strings); ``:id`` is ``row-<n>``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from .functions import ROW_ID
from .types import SoQLType

S = SoQLType
_ROW_ID_RE = re.compile(r"^row-(\d{1,18})$", re.ASCII)


def format_row_id(n: int) -> str:
    return f"row-{int(n)}"


def parse_row_id(text: str) -> int:
    """``row-<n>`` -> n; ValueError otherwise."""
    m = _ROW_ID_RE.match(str(text).strip())
    if not m:
        raise ValueError(f"not a row identifier: {text!r}")
    return int(m.group(1))


def format_number(v: Any) -> str:
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int) and abs(v) < 10**15:
        return str(v)
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    d = Decimal(format(float(v) if not isinstance(v, Decimal) else v, ".15g"))
    if d == 0:
        return "0"
    d = d.normalize()
    exponent = d.adjusted()
    if -20 <= exponent <= 20:
        text = format(d, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    return format(d, "E").replace("E+", "E")


def _ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def format_timestamp(t: dt.datetime | dt.date, fixed: bool) -> str:
    if not isinstance(t, dt.datetime):
        t = dt.datetime(t.year, t.month, t.day)
    if fixed:
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.UTC)
        return _ts(t.astimezone(dt.UTC)) + "Z"
    return _ts(t.replace(tzinfo=None))


def _geojson(value: Any, t) -> dict:
    import shapely
    import shapely.geometry

    if isinstance(value, dict):  # a point struct
        return {"type": "Point", "coordinates": [float(value["lon"]), float(value["lat"])]}
    g = shapely.from_wkb(bytes(value))

    def lists(x):
        return [lists(i) for i in x] if isinstance(x, list | tuple) else x

    m = shapely.geometry.mapping(g)
    return {"type": m["type"], "coordinates": lists(m["coordinates"])}


def format_value(value: Any, t) -> Any:
    """The SODA 2.1 JSON value of a physical value of SoQL type ``t`` (None stays None)."""
    if value is None:
        return None
    if t is ROW_ID:
        return format_row_id(value)
    if t in (S.TEXT, S.BLOB):
        return value if isinstance(value, str) else str(value)
    if t.is_numeric:
        return format_number(value)
    if t is S.CHECKBOX:
        return bool(value)
    if t is S.FLOATING_TIMESTAMP:
        return format_timestamp(value, fixed=False)
    if t is S.FIXED_TIMESTAMP:
        return format_timestamp(value, fixed=True)
    if t.is_geometry:
        return _geojson(value, t)
    if t is S.URL:
        return {k: value[k] for k in ("url", "description") if value.get(k) is not None}
    if t is S.LOCATION:
        out = {}
        for k in ("latitude", "longitude"):
            if value.get(k) is not None:
                out[k] = format_number(value[k])
        if value.get("human_address") is not None:
            out["human_address"] = value["human_address"]
        return out
    raise ValueError(f"cannot format a {t}")  # pragma: no cover


def row_to_json(row: Sequence[Any], columns) -> dict[str, Any]:
    """One result row as a SODA 2.1 JSON object; null fields are left out."""
    out = {}
    for value, col in zip(row, columns, strict=False):
        v = format_value(value, col.type)
        if v is not None:
            out[col.name] = v
    return out
