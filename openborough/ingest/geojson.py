"""GeoJSON FeatureCollections: properties become columns, the geometry one
column of the matching SoQL type, stored as WKB (points as the point struct)."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, shape

from ..soql.types import SoQLType
from .celltext import cell_text
from .errors import IngestError
from .jsonfile import keys_in_order, load_json
from .names import clean_field_name
from .source import Source, SourceColumn
from .staging import StagingWriter

#: GeoJSON geometry type -> (SoQL type it goes to, promotion to the multi type)
KINDS = {
    "Point": SoQLType.POINT,
    "MultiPoint": SoQLType.MULTIPOINT,
    "LineString": SoQLType.MULTILINE,
    "MultiLineString": SoQLType.MULTILINE,
    "Polygon": SoQLType.MULTIPOLYGON,
    "MultiPolygon": SoQLType.MULTIPOLYGON,
}
LONLAT_CRS = ("CRS84", "4326")


def _check_crs(data: dict) -> None:
    crs = data.get("crs")
    if not isinstance(crs, dict):
        return
    name = str((crs.get("properties") or {}).get("name") or "")
    if name and not name.upper().endswith(LONLAT_CRS):
        raise IngestError(
            "bad-format",
            f"the GeoJSON declares coordinate system {name}; it must be longitude/latitude (WGS 84, CRS84) — "
            "reproject it first (for example with ogr2ogr -t_srs EPSG:4326)",
        )


def geometry_column_name(keys: list[str]) -> str:
    taken = {clean_field_name(k) for k in keys}
    name = "the_geom"
    n = 2
    while name in taken:
        name = f"the_geom_{n}"
        n += 1
    return name


def _multi(g, kind: SoQLType):
    if kind is SoQLType.MULTIPOLYGON and g.geom_type == "Polygon":
        return MultiPolygon([g])
    if kind is SoQLType.MULTILINE and g.geom_type == "LineString":
        return MultiLineString([g])
    if kind is SoQLType.MULTIPOINT and g.geom_type == "Point":
        return MultiPoint([g])
    return g


def read_geojson(path: str, tmpdir: str) -> Source:
    data = load_json(path)
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise IngestError("bad-format", "GeoJSON must be a FeatureCollection")
    _check_crs(data)
    features = data.get("features")
    if not isinstance(features, list):
        raise IngestError("bad-format", "the GeoJSON FeatureCollection has no features list")
    if not features:
        raise IngestError("no-rows", "the GeoJSON FeatureCollection has no features")
    geoms = []
    kinds = set()
    for i, f in enumerate(features, 1):
        if not isinstance(f, dict):
            raise IngestError("bad-format", f"feature {i} is not a GeoJSON object")
        gj = f.get("geometry")
        if gj is None:
            geoms.append(None)
            continue
        try:
            g = shape(gj)
        except Exception as e:  # shapely raises several kinds for bad geometry
            raise IngestError("bad-format", f"feature {i} has a geometry that is not valid GeoJSON: {e}") from None
        if g.geom_type not in KINDS:
            raise IngestError("bad-format", f"feature {i} has a {g.geom_type}, which a dataset column cannot hold")
        minx, miny, maxx, maxy = g.bounds if not g.is_empty else (0, 0, 0, 0)
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise IngestError(
                "bad-format",
                f"feature {i} has coordinates outside longitude/latitude ranges ({minx}, {miny}); "
                "GeoJSON must be in WGS 84 longitude/latitude",
            )
        kinds.add(KINDS[g.geom_type])
        geoms.append(g)
    if len(kinds) > 1:
        raise IngestError(
            "bad-format",
            "the features mix geometry kinds (" + ", ".join(sorted(k.value for k in kinds)) + "); "
            "a dataset column holds one kind: split the file",
        )
    kind = kinds.pop() if kinds else None
    props = [f.get("properties") or {} for f in features]
    keys = keys_in_order(props)
    columns = [SourceColumn(header=k, col="") for k in keys]
    if kind is not None:
        gname = geometry_column_name(keys)
        columns.append(
            SourceColumn(
                header=gname,
                col="",
                field_name=gname,
                declared=kind,
                physical=kind.is_geometry and kind is not SoQLType.POINT,
            )
        )
    binary = {len(columns) - 1} if kind is not None and kind is not SoQLType.POINT else set()
    writer = StagingWriter(tmpdir, columns, binary=binary)
    for p, g in zip(props, geoms, strict=True):
        row = [cell_text(p.get(k)) for k in keys]
        if kind is not None:
            if g is None or g.is_empty:
                row.append(None)
            elif kind is SoQLType.POINT:
                row.append(f"POINT ({g.x!r} {g.y!r})")
            else:
                row.append(shapely.to_wkb(_multi(g, kind), output_dimension=2))
        writer.add(row)
    return writer.finish("geojson")
