"""The SoQL function catalogue: names, type signatures, aggregate flags.

A signature lists parameter type sets; ``TV`` entries are type variables
(every argument bound to the same variable must have one type, which may
then be the result). ``variadic`` repeats the last parameter (or the last
``repeat`` parameters). How each function becomes SQL lives in
``soql.compiler``; this module only says what is well typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import GEOMETRY_TYPES, SoQLType

S = SoQLType


class PseudoType:
    """A type that only the query engine sees (``:id`` is a row identifier)."""

    def __init__(self, value: str):
        self.value = value

    is_numeric = False
    is_geometry = False

    def __repr__(self) -> str:
        return f"<{self.value}>"


ROW_ID = PseudoType("row_identifier")

NUM = frozenset({S.NUMBER, S.DOUBLE, S.MONEY})
TEXT = frozenset({S.TEXT})
BOOL = frozenset({S.CHECKBOX})
FLOATING = frozenset({S.FLOATING_TIMESTAMP})
FIXED = frozenset({S.FIXED_TIMESTAMP})
TS = FLOATING | FIXED
GEO = frozenset(GEOMETRY_TYPES)
POINT = frozenset({S.POINT})
AREAL = frozenset({S.POLYGON, S.MULTIPOLYGON})
LOCATION = frozenset({S.LOCATION})
ORDERABLE = NUM | TEXT | BOOL | TS | {ROW_ID}
EQUATABLE = ORDERABLE | GEO | {S.URL, S.LOCATION, S.BLOB}
ANY = EQUATABLE


@dataclass(frozen=True)
class TV:
    """A type variable limited to ``allowed``."""

    name: str
    allowed: frozenset


@dataclass(frozen=True)
class Sig:
    params: tuple  # frozenset | TV per parameter
    result: object  # SoQLType | TV (result is the variable's binding)
    variadic: bool = False
    repeat: int = 1  # how many trailing params repeat when variadic
    aggregate: bool = False
    min_args: int | None = None  # for optional trailing params


def _tv(allowed, name="a"):
    return TV(name, frozenset(allowed))


_T_ORD = _tv(ORDERABLE)
_T_EQ = _tv(EQUATABLE)
_T_NUM = _tv(NUM)
_T_ANY = _tv(ANY)
_T_GEO = _tv(GEO)


def _sigs(*sigs: Sig) -> list[Sig]:
    return list(sigs)


CATALOGUE: dict[str, list[Sig]] = {
    # operators
    "op$=": _sigs(Sig((_T_EQ, _T_EQ), S.CHECKBOX)),
    "op$!=": _sigs(Sig((_T_EQ, _T_EQ), S.CHECKBOX)),
    **{op: _sigs(Sig((_T_ORD, _T_ORD), S.CHECKBOX)) for op in ("op$<", "op$<=", "op$>", "op$>=")},
    **{op: _sigs(Sig((_T_NUM, _T_NUM), _T_NUM)) for op in ("op$+", "op$-", "op$*", "op$/", "op$%", "op$^")},
    "op$neg": _sigs(Sig((_T_NUM,), _T_NUM)),
    "op$pos": _sigs(Sig((_T_NUM,), _T_NUM)),
    "op$||": _sigs(Sig((TEXT, TEXT), S.TEXT), Sig((ORDERABLE, ORDERABLE), S.TEXT)),
    "op$and": _sigs(Sig((BOOL, BOOL), S.CHECKBOX)),
    "op$or": _sigs(Sig((BOOL, BOOL), S.CHECKBOX)),
    "op$not": _sigs(Sig((BOOL,), S.CHECKBOX)),
    "is_null": _sigs(Sig((ANY,), S.CHECKBOX)),
    "is_not_null": _sigs(Sig((ANY,), S.CHECKBOX)),
    "between": _sigs(Sig((_T_ORD, _T_ORD, _T_ORD), S.CHECKBOX)),
    "not_between": _sigs(Sig((_T_ORD, _T_ORD, _T_ORD), S.CHECKBOX)),
    "in": _sigs(Sig((_T_EQ, _T_EQ), S.CHECKBOX, variadic=True)),
    "not_in": _sigs(Sig((_T_EQ, _T_EQ), S.CHECKBOX, variadic=True)),
    "like": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "not_like": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    # aggregates
    "count": _sigs(Sig((ANY,), S.NUMBER, aggregate=True)),
    "count_distinct": _sigs(Sig((ANY,), S.NUMBER, aggregate=True)),
    "sum": _sigs(Sig((_T_NUM,), _T_NUM, aggregate=True)),
    "avg": _sigs(Sig((_T_NUM,), _T_NUM, aggregate=True)),
    "min": _sigs(Sig((_T_ORD,), _T_ORD, aggregate=True)),
    "max": _sigs(Sig((_T_ORD,), _T_ORD, aggregate=True)),
    "median": _sigs(Sig((_T_ORD,), _T_ORD, aggregate=True)),
    "stddev_pop": _sigs(Sig((_T_NUM,), _T_NUM, aggregate=True)),
    "stddev_samp": _sigs(Sig((_T_NUM,), _T_NUM, aggregate=True)),
    "regr_slope": _sigs(Sig((NUM, NUM), S.NUMBER, aggregate=True)),
    "regr_intercept": _sigs(Sig((NUM, NUM), S.NUMBER, aggregate=True)),
    "regr_r2": _sigs(Sig((NUM, NUM), S.NUMBER, aggregate=True)),
    "convex_hull": _sigs(Sig((GEO,), S.MULTIPOLYGON, aggregate=True)),
    "extent": _sigs(Sig((GEO,), S.MULTIPOLYGON, aggregate=True)),
    "spatial_union": _sigs(Sig((GEO,), S.MULTIPOLYGON, aggregate=True)),
    # convex_hull of an aggregate (``convex_hull(spatial_union(g))``) is the scalar form
    "convex_hull_of": _sigs(Sig((GEO,), S.MULTIPOLYGON)),
    "concave_hull": _sigs(Sig((GEO, NUM), S.MULTIPOLYGON)),
    # text
    "upper": _sigs(Sig((TEXT,), S.TEXT)),
    "lower": _sigs(Sig((TEXT,), S.TEXT)),
    "unaccent": _sigs(Sig((TEXT,), S.TEXT)),
    "trim": _sigs(Sig((TEXT,), S.TEXT)),
    "ltrim": _sigs(Sig((TEXT,), S.TEXT)),
    "rtrim": _sigs(Sig((TEXT,), S.TEXT)),
    "trim_leading": _sigs(Sig((TEXT,), S.TEXT)),
    "trim_trailing": _sigs(Sig((TEXT,), S.TEXT)),
    "length": _sigs(Sig((TEXT,), S.NUMBER)),
    "starts_with": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "contains": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "caseless_eq": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "caseless_ne": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "caseless_starts_with": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "caseless_contains": _sigs(Sig((TEXT, TEXT), S.CHECKBOX)),
    "caseless_one_of": _sigs(Sig((TEXT, TEXT), S.CHECKBOX, variadic=True)),
    "caseless_not_one_of": _sigs(Sig((TEXT, TEXT), S.CHECKBOX, variadic=True)),
    "substring": _sigs(Sig((TEXT, NUM, NUM), S.TEXT, min_args=2)),
    "split_part": _sigs(Sig((TEXT, TEXT, NUM), S.TEXT)),
    "replace": _sigs(Sig((TEXT, TEXT, TEXT), S.TEXT)),
    "left_pad": _sigs(Sig((TEXT, NUM, TEXT), S.TEXT)),
    "right_pad": _sigs(Sig((TEXT, NUM, TEXT), S.TEXT)),
    "chr": _sigs(Sig((NUM,), S.TEXT)),
    # conditionals
    "case": _sigs(Sig((BOOL, _T_ANY), _T_ANY, variadic=True, repeat=2)),
    "iif": _sigs(Sig((BOOL, _T_ANY, _T_ANY), _T_ANY)),
    "coalesce": _sigs(Sig((_T_ANY,), _T_ANY, variadic=True)),
    "nullif": _sigs(Sig((_T_EQ, _T_EQ), _T_EQ)),
    "greatest": _sigs(Sig((_T_ORD,), _T_ORD, variadic=True)),
    "least": _sigs(Sig((_T_ORD,), _T_ORD, variadic=True)),
    # numbers
    **{f: _sigs(Sig((_T_NUM,), _T_NUM)) for f in ("abs", "ceiling", "ceil", "floor", "ln", "sqrt", "exp")},
    "round": _sigs(Sig((_T_NUM,), _T_NUM), Sig((_T_NUM, NUM), _T_NUM)),
    "signed_magnitude_10": _sigs(Sig((NUM,), S.NUMBER)),
    "signed_magnitude_linear": _sigs(Sig((NUM, NUM), S.NUMBER)),
    # time
    **{
        f: _sigs(Sig((FLOATING,), S.FLOATING_TIMESTAMP), Sig((FIXED, TEXT), S.FLOATING_TIMESTAMP))
        for f in ("date_trunc_y", "date_trunc_ym", "date_trunc_ymd")
    },
    **{f: _sigs(Sig((FIXED,), S.FIXED_TIMESTAMP)) for f in ("datez_trunc_y", "datez_trunc_ym", "datez_trunc_ymd")},
    **{
        f"date_extract_{p}": _sigs(Sig((FLOATING,), S.NUMBER), Sig((FIXED,), S.NUMBER))
        for p in ("y", "m", "d", "hh", "mm", "ss", "dow", "woy", "iso_y")
    },
    "date_diff_d": _sigs(Sig((_tv(TS), _tv(TS)), S.NUMBER)),
    "to_floating_timestamp": _sigs(Sig((FIXED, TEXT), S.FLOATING_TIMESTAMP)),
    "epoch_seconds": _sigs(Sig((FIXED,), S.NUMBER)),
    # geometry
    "within_circle": _sigs(Sig((POINT | {S.LOCATION}, NUM, NUM, NUM), S.CHECKBOX)),
    "within_box": _sigs(Sig((POINT | {S.LOCATION}, NUM, NUM, NUM, NUM), S.CHECKBOX)),
    "distance_in_meters": _sigs(Sig((GEO, GEO), S.NUMBER)),
    "within_polygon": _sigs(Sig((GEO, AREAL), S.CHECKBOX)),
    "intersects": _sigs(Sig((GEO, GEO), S.CHECKBOX)),
    "num_points": _sigs(Sig((GEO,), S.NUMBER)),
    "simplify": _sigs(Sig((_T_GEO, NUM), _T_GEO)),
    "simplify_preserve_topology": _sigs(Sig((_T_GEO, NUM), _T_GEO)),
    "snap_to_grid": _sigs(Sig((_T_GEO, NUM), _T_GEO)),
    "is_empty": _sigs(Sig((GEO,), S.CHECKBOX)),
    "geo_multi": _sigs(
        Sig((frozenset({S.POINT, S.MULTIPOINT}),), S.MULTIPOINT),
        Sig((frozenset({S.LINE, S.MULTILINE}),), S.MULTILINE),
        Sig((AREAL,), S.MULTIPOLYGON),
    ),
    # compound types
    "location_latitude": _sigs(Sig((LOCATION,), S.NUMBER)),
    "location_longitude": _sigs(Sig((LOCATION,), S.NUMBER)),
    "location_human_address": _sigs(Sig((LOCATION,), S.TEXT)),
    "location": _sigs(Sig((POINT, TEXT, TEXT, TEXT, TEXT), S.LOCATION)),
    "url": _sigs(Sig((TEXT, TEXT), S.URL)),
}

# Names the SoQL docs spell differently from our catalogue
ALIASES = {"ceil": "ceiling", "trim_leading": "ltrim", "trim_trailing": "rtrim"}

AGGREGATES = frozenset(n for n, sigs in CATALOGUE.items() if any(s.aggregate for s in sigs))

# ``x::type`` casts: target -> source types it accepts
CASTS: dict[SoQLType, frozenset] = {
    S.TEXT: ORDERABLE | GEO | {S.URL, S.BLOB},
    S.NUMBER: NUM | TEXT,
    S.DOUBLE: NUM | TEXT,
    S.MONEY: NUM | TEXT,
    S.CHECKBOX: BOOL | TEXT,
    S.FLOATING_TIMESTAMP: FLOATING | TEXT,
    S.FIXED_TIMESTAMP: FIXED | TEXT,
    **{g: frozenset({g}) | TEXT for g in GEOMETRY_TYPES},
    S.POINT: frozenset({S.POINT, S.LOCATION}) | TEXT,
    S.URL: frozenset({S.URL}) | TEXT,
    S.LOCATION: frozenset({S.LOCATION}) | TEXT,
    S.BLOB: frozenset({S.BLOB}),
}

# sub-fields of compound types
SUBFIELDS: dict[SoQLType, dict[str, SoQLType]] = {
    S.URL: {"url": S.TEXT, "description": S.TEXT},
    S.LOCATION: {"latitude": S.NUMBER, "longitude": S.NUMBER, "human_address": S.TEXT},
    S.POINT: {"latitude": S.NUMBER, "longitude": S.NUMBER},
}


def function_names() -> list[str]:
    """Public (non-operator) function names, for documentation and errors."""
    return sorted(n for n in CATALOGUE if "$" not in n and n != "convex_hull_of")
