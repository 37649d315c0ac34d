"""SoQL types and how each is held physically.

This module is the contract between ingest (which produces rows), the stores
(which keep them) and the SoQL compiler (which queries them). Every dataset
column has one SoQL type; the physical type is fixed by it:

=================== ============================== ==================================
SoQL type           Arrow / Parquet / DuckDB        PostgreSQL
=================== ============================== ==================================
text                string / VARCHAR                text
number              float64 / DOUBLE                double precision
double              float64 / DOUBLE                double precision
money               float64 / DOUBLE                double precision
checkbox            bool / BOOLEAN                  boolean
floating_timestamp  timestamp[ms] / TIMESTAMP       timestamp(3) without time zone
fixed_timestamp     timestamp[ms, UTC] / TIMESTAMPTZ timestamp(3) with time zone
point               struct<lon,lat: float64>        geometry(Point, 4326)
multipoint, line,   binary (WKB, lon/lat, SRID-less) geometry(<Kind>, 4326)
multiline, polygon,
multipolygon
location            struct<latitude, longitude:     jsonb {"latitude", "longitude",
                    float64, human_address: string>  "human_address"}
url                 struct<url, description:        jsonb {"url", "description"}
                    string>
blob                string                          text
=================== ============================== ==================================

System columns, present in every stored version: ``:id`` (int64, stable per
row, shown as ``row-<n>`` in SODA output), ``:created_at`` and ``:updated_at``
(timestamp[ms, UTC]).

Numbers are IEEE doubles: fast on both backends and exact for the integers
and pennies councils publish. Output formatting (``soql.output``) prints at
most 15 significant digits, so sums of money read as the money they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import pyarrow as pa


class SoQLType(str, Enum):
    TEXT = "text"
    NUMBER = "number"
    DOUBLE = "double"
    MONEY = "money"
    CHECKBOX = "checkbox"
    FLOATING_TIMESTAMP = "floating_timestamp"
    FIXED_TIMESTAMP = "fixed_timestamp"
    POINT = "point"
    MULTIPOINT = "multipoint"
    LINE = "line"
    MULTILINE = "multiline"
    POLYGON = "polygon"
    MULTIPOLYGON = "multipolygon"
    LOCATION = "location"
    URL = "url"
    BLOB = "blob"

    @property
    def is_geometry(self) -> bool:
        return self in GEOMETRY_TYPES

    @property
    def is_numeric(self) -> bool:
        return self in (SoQLType.NUMBER, SoQLType.DOUBLE, SoQLType.MONEY)


GEOMETRY_TYPES = frozenset(
    {
        SoQLType.POINT,
        SoQLType.MULTIPOINT,
        SoQLType.LINE,
        SoQLType.MULTILINE,
        SoQLType.POLYGON,
        SoQLType.MULTIPOLYGON,
    }
)

#: the OGC/GeoJSON geometry kind each geometry type holds (PostGIS column types, GDAL layers, GeoJSON)
GEOMETRY_KINDS = {
    SoQLType.POINT: "Point",
    SoQLType.MULTIPOINT: "MultiPoint",
    SoQLType.LINE: "LineString",
    SoQLType.MULTILINE: "MultiLineString",
    SoQLType.POLYGON: "Polygon",
    SoQLType.MULTIPOLYGON: "MultiPolygon",
}

# Names Socrata uses in its metadata (``dataTypeName``) and the docs' aliases.
TYPE_ALIASES = {
    "calendar_date": SoQLType.FLOATING_TIMESTAMP,
    "date": SoQLType.FLOATING_TIMESTAMP,
    "floatingtimestamp": SoQLType.FLOATING_TIMESTAMP,
    "fixedtimestamp": SoQLType.FIXED_TIMESTAMP,
    "boolean": SoQLType.CHECKBOX,
    "bool": SoQLType.CHECKBOX,
    "string": SoQLType.TEXT,
    "linestring": SoQLType.LINE,
    "multilinestring": SoQLType.MULTILINE,
    "numeric": SoQLType.NUMBER,
}


def parse_type(name: str) -> SoQLType:
    """A SoQL type from its name or a common alias; ValueError if unknown."""
    key = name.strip().lower()
    if key in TYPE_ALIASES:
        return TYPE_ALIASES[key]
    try:
        return SoQLType(key)
    except ValueError:
        raise ValueError(
            f"unknown SoQL type {name!r}; expected one of " + ", ".join(t.value for t in SoQLType)
        ) from None


POINT_STRUCT = pa.struct([("lon", pa.float64()), ("lat", pa.float64())])
LOCATION_STRUCT = pa.struct([("latitude", pa.float64()), ("longitude", pa.float64()), ("human_address", pa.string())])
URL_STRUCT = pa.struct([("url", pa.string()), ("description", pa.string())])
UTC_MS = pa.timestamp("ms", tz="UTC")


def arrow_type(t: SoQLType) -> pa.DataType:
    """The Arrow (and so Parquet and DuckDB) type that holds a SoQL type."""
    if t in (SoQLType.TEXT, SoQLType.BLOB):
        return pa.string()
    if t.is_numeric:
        return pa.float64()
    if t is SoQLType.CHECKBOX:
        return pa.bool_()
    if t is SoQLType.FLOATING_TIMESTAMP:
        return pa.timestamp("ms")
    if t is SoQLType.FIXED_TIMESTAMP:
        return UTC_MS
    if t is SoQLType.POINT:
        return POINT_STRUCT
    if t.is_geometry:
        return pa.binary()
    if t is SoQLType.LOCATION:
        return LOCATION_STRUCT
    if t is SoQLType.URL:
        return URL_STRUCT
    raise ValueError(t)  # pragma: no cover - the enum is exhaustive


SYSTEM_ID = ":id"
SYSTEM_CREATED_AT = ":created_at"
SYSTEM_UPDATED_AT = ":updated_at"
SYSTEM_COLUMNS = (SYSTEM_ID, SYSTEM_CREATED_AT, SYSTEM_UPDATED_AT)
SYSTEM_ARROW_FIELDS = (
    pa.field(SYSTEM_ID, pa.int64(), nullable=False),
    pa.field(SYSTEM_CREATED_AT, UTC_MS),
    pa.field(SYSTEM_UPDATED_AT, UTC_MS),
)

FIELD_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Column:
    """One user column of a dataset, as the query engine sees it."""

    field_name: str
    type: SoQLType
    name: str = ""  # display name
    description: str = ""


@dataclass(frozen=True)
class Schema:
    """The columns of one dataset version, in display order."""

    columns: tuple[Column, ...]

    def __post_init__(self):
        seen = set()
        for c in self.columns:
            if not FIELD_NAME_RE.match(c.field_name):
                raise ValueError(f"bad field name {c.field_name!r}")
            if c.field_name in seen:
                raise ValueError(f"duplicate field name {c.field_name!r}")
            seen.add(c.field_name)

    def get(self, field_name: str) -> Column | None:
        for c in self.columns:
            if c.field_name == field_name:
                return c
        return None

    def arrow_schema(self) -> pa.Schema:
        """Physical schema of a stored version: system columns, then user columns."""
        return pa.schema(list(SYSTEM_ARROW_FIELDS) + [pa.field(c.field_name, arrow_type(c.type)) for c in self.columns])

    def to_list(self) -> list[dict]:
        return [
            {"field_name": c.field_name, "type": c.type.value, "name": c.name, "description": c.description}
            for c in self.columns
        ]

    @classmethod
    def from_list(cls, items) -> Schema:
        return cls(
            tuple(
                Column(
                    field_name=i["field_name"],
                    type=parse_type(i["type"]),
                    name=i.get("name") or i["field_name"],
                    description=i.get("description", ""),
                )
                for i in items
            )
        )
