"""Running Socrata's SoQL conformance cases (../shared/conformance/socrata-soql)
through our engine and comparing results as its README prescribes.

Shared by ``test_conformance.py`` and ``conformance_report.py``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openborough.soql import SoQLError, analyze, compile_query, parse_query
from openborough.soql.output import row_to_json
from openborough.soql.types import Schema
from openborough.soql.values import build_table

#: feature groups beyond SODA 2.1 single-dataset queries
UNSUPPORTED = {
    "join": "JOIN is a Socrata extension beyond SODA 2.1",
    "union": "UNION is a Socrata extension beyond SODA 2.1",
    "chain": "query chaining (|>) is a Socrata extension beyond SODA 2.1",
    "window": "window functions (OVER) are a Socrata extension beyond SODA 2.1",
    "context": "get_context() is a Socrata extension beyond SODA 2.1",
    "other": "aggregate FILTER clauses and blob functions are not supported",
}
#: single cases we knowingly do not match, with the reason
_EXTRAS = "Socrata stdlib extra not implemented (visible_at, curated_region_test)"
_COMMON = {
    "SoQLGeomFunctionsTest/31-visible-at": _EXTRAS,
    "SoQLGeomFunctionsTest/32-curated-region-test": _EXTRAS,
    "SoQLGeomFunctionsTest/33-curated-region-test-too-complex": _EXTRAS,
    "SoQLGeomFunctionsTest/34-curated-region-test-invalid-geometry": _EXTRAS,
    "SoQLGeomFunctionsTest/35-curated-region-test-contains-null": _EXTRAS,
}
_HAVERSINE = "DuckDB measures distance_in_meters on a sphere (haversine); PostGIS on the WGS84 spheroid (~0.3% apart)"
KNOWN = {
    "duckdb": {
        **_COMMON,
        "SoQLGeomFunctionsTest/20-distance-with-literals": _HAVERSINE,
        "SoQLGeomFunctionsTest/21-distance-with-columns": _HAVERSINE,
    },
    "postgres": dict(_COMMON),
}


#: ordered cases whose ORDER BY leaves ties; the fixture shows one tie order (README "Ordering")
TIES = {"SoQLGroupTest/06-group-by-text-numeric-fn-where-having"}


def conformance_dir(shared: Path) -> Path:
    return Path(shared) / "conformance" / "socrata-soql"


def load_cases(shared: Path) -> list[dict]:
    return json.loads((conformance_dir(shared) / "cases.json").read_text())


def load_dataset(shared: Path, name: str) -> tuple[Schema, list[dict]]:
    d = json.loads((conformance_dir(shared) / "datasets" / f"{name}.json").read_text())
    return Schema.from_list(d["columns"]), d["rows"]


def load_expected(shared: Path, path: str) -> list[dict]:
    return json.loads((conformance_dir(shared) / path).read_text(), parse_float=Decimal)


def wkb_geometries(shared: Path) -> dict:
    return json.loads((conformance_dir(shared) / "geometry-wkb-decoded.json").read_text())


def skip_reason(case: dict) -> str | None:
    """Why a case is outside what we implement, or None."""
    for f in [case["feature"], *case.get("requires", [])]:
        if f in UNSUPPORTED:
            return UNSUPPORTED[f]
    if case.get("leading_search") is False:
        return "leading-search off (search over output columns) is not a SODA 2.1 mode"
    return None


class Store:
    """One store with the conformance datasets loaded (version 1 each)."""

    def __init__(self, store, shared: Path):
        self.store = store
        self.shared = shared
        self.schemas: dict[str, Schema] = {}

    def table(self, name: str):
        if name not in self.schemas:
            schema, rows = load_dataset(self.shared, name)
            ds_id = name.replace("_", "-")
            self.store.write_version(ds_id, 1, schema, build_table(schema, rows).to_reader())
            self.schemas[name] = schema
        return self.schemas[name], self.store.table(name.replace("_", "-"), 1)


@dataclass
class Outcome:
    ok: bool
    detail: str = ""


def run_case(case: dict, loaded: Store) -> tuple[list[dict], int | None]:
    schema, table = loaded.table(case["dataset"])
    typed = analyze(parse_query(case["soql"]), schema)
    c = compile_query(typed, loaded.store.dialect, table, case_insensitive=bool(case.get("case_insensitive")))
    cur = loaded.store.execute(c.sql, c.params)
    try:
        rows = [row_to_json(r, c.columns) for r in cur]
    finally:
        cur.close()
    count = None
    if case.get("expected_row_count") is not None:
        cur = loaded.store.execute(c.count_sql, c.count_params)
        try:
            count = int(cur.fetchmany(1)[0][0])
        finally:
            cur.close()
    return rows, count


# -- comparison --------------------------------------------------------------------
_B64 = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _decimal(v: Any) -> Decimal | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float | Decimal):
        return Decimal(str(v))
    if isinstance(v, str):
        try:
            return Decimal(v)
        except InvalidOperation:
            return None
    return None


def _geometry_equal(got: Any, expected_b64: str) -> bool:
    import shapely
    import shapely.geometry

    try:
        want = shapely.from_wkb(base64.b64decode(expected_b64))
    except Exception:
        return False
    if not isinstance(got, dict):
        return False
    g = shapely.geometry.shape(got)
    if want.is_empty or g.is_empty:
        return want.is_empty and g.is_empty
    if g.geom_type != want.geom_type:
        return False
    return bool(g.equals_exact(want, 1e-9) or (g.normalize().equals_exact(want.normalize(), 1e-9)) or g.equals(want))


def values_equal(got: Any, want: Any) -> bool:
    if want is None:
        return got is None
    if isinstance(want, dict) and want.get("expectation") == "base64":
        return got is not None
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    if isinstance(want, int | Decimal):
        g = _decimal(got)
        if g is None:
            return False
        w = Decimal(want)
        return abs(g - w) <= Decimal("0.00001") * abs(w)
    if isinstance(want, str):
        if isinstance(got, dict) and want and set(want) <= _B64:
            return _geometry_equal(got, want)
        return got == want
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return False
        if set(got) != set(want):
            return False
        return all(values_equal(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(values_equal, got, want))
    return got == want


def rows_equal(got: dict, want: dict) -> bool:
    if set(got) - set(want):
        return False
    return all(values_equal(got.get(k), want[k]) for k in want)


def compare(got: list[dict], want: list[dict], ordered: bool) -> str | None:
    """None when equal, else a description of the first difference."""
    if len(got) != len(want):
        return f"{len(got)} rows, expected {len(want)}\n got: {got[:5]}\nwant: {want[:5]}"
    if all(rows_equal(g, w) for g, w in zip(got, want, strict=True)):
        return None
    if not ordered:  # the order is not specified by the query: compare as multisets
        left = list(got)
        for w in want:
            hit = next((i for i, g in enumerate(left) if rows_equal(g, w)), None)
            if hit is None:
                return f"no row matches {w}\n got: {got}"
            left.pop(hit)
        return None
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if not rows_equal(g, w):
            return f"row {i}: got {g}\n       want {w}"
    return None  # pragma: no cover


def check_case(case: dict, loaded: Store) -> Outcome:
    """Run one case; Outcome(ok, detail)."""
    if case.get("expected") is None:
        try:
            run_case(case, loaded)
        except SoQLError as e:
            return Outcome(True, e.code)
        return Outcome(False, "expected an error, the query ran")
    want = load_expected(loaded.shared, case["expected"])
    try:
        got, count = run_case(case, loaded)
    except SoQLError as e:
        return Outcome(False, f"SoQLError {e.code}: {e.message}")
    ordered = bool(case.get("final_order_by", True)) and case["id"] not in TIES
    diff = compare(got, want, ordered)
    if diff:
        return Outcome(False, diff)
    if count is not None and count != case["expected_row_count"]:
        return Outcome(False, f"row count {count}, expected {case['expected_row_count']}")
    return Outcome(True)
