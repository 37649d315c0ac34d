"""Typed cells from XLSX and JSON as the text a CSV of them would hold."""

from __future__ import annotations

import datetime as dt
import math

import orjson


def cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            return v.isoformat()
        if v.time() == dt.time(0):
            return v.date().isoformat()
        return v.isoformat(sep="T")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    if isinstance(v, dict | list):
        return orjson.dumps(v).decode()
    return str(v)
