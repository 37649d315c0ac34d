"""Simple statistics of a dataset's columns (nulls, distinct, min/max, top
values), computed through the shared SoQL query path and cached per version."""

from __future__ import annotations

import logging

from django.core.cache import cache

from ..catalog.query import run_query
from ..soql.types import SoQLType
from .table_query import ident

log = logging.getLogger(__name__)

_ORDERED = {
    SoQLType.TEXT,
    SoQLType.NUMBER,
    SoQLType.DOUBLE,
    SoQLType.MONEY,
    SoQLType.FLOATING_TIMESTAMP,
    SoQLType.FIXED_TIMESTAMP,
}
MAX_COLUMNS = 60


def _first_row(ds, params):
    res = run_query(ds, params)
    rows = list(res.rows())
    return (rows[0] if rows else None), res.columns


def column_stats(ds) -> dict[str, dict]:
    """{field_name: {"non_null", "nulls", "min", "max", "distinct", "top": [(value, n)]}}; {} without data."""
    if ds.current_version is None or not ds.row_count:
        return {}
    key = f"portal:colstats:{ds.id}:{ds.current_version}"
    found = cache.get(key)
    if found is not None:
        return found
    cols = list(ds.schema().columns)[:MAX_COLUMNS]
    stats: dict[str, dict] = {}
    try:
        select = ["count(*) as total_rows"]
        for i, c in enumerate(cols):
            if c.type.is_geometry or c.type in (SoQLType.LOCATION, SoQLType.URL, SoQLType.BLOB):
                continue
            select.append(f"count({ident(c.field_name)}) as n_{i}")
            select.append(f"count(distinct {ident(c.field_name)}) as d_{i}")
            if c.type in _ORDERED:
                select.append(f"min({ident(c.field_name)}) as lo_{i}")
                select.append(f"max({ident(c.field_name)}) as hi_{i}")
        row, out = _first_row(ds, {"$select": ", ".join(select)})
        values = dict(zip([c.name for c in out], row or (), strict=False))
        total = int(values.get("total_rows") or 0)
        for i, c in enumerate(cols):
            if f"n_{i}" not in values:
                continue
            n = int(values[f"n_{i}"] or 0)
            stats[c.field_name] = {
                "non_null": n,
                "nulls": total - n,
                "distinct": int(values.get(f"d_{i}") or 0),
                "min": values.get(f"lo_{i}"),
                "max": values.get(f"hi_{i}"),
            }
        for c in cols:
            if c.type not in (SoQLType.TEXT, SoQLType.CHECKBOX) or c.field_name not in stats:
                continue
            name = ident(c.field_name)
            res = run_query(
                ds,
                {
                    "$select": f"{name}, count(*) as n",
                    "$group": name,
                    "$order": "n DESC",
                    "$limit": "3",
                    "$where": f"{name} IS NOT NULL",
                },
            )
            stats[c.field_name]["top"] = [(v, int(n)) for v, n in res.rows()]
    except Exception:  # statistics are a help, never a reason for the page to fail
        log.exception("column statistics failed for %s", ds.id)
        return {}
    cache.set(key, stats, 24 * 3600)
    return stats
