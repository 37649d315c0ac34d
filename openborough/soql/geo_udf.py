"""Geometry functions for DuckDB without DuckDB extensions: shapely-backed
Python UDFs registered on the store's connection (``register(con)``).

Geometries other than points are WKB blobs in DuckDB (``soql.types``); point
structs are turned into WKB with ``ob_point_wkb`` before these are called.
PostgreSQL uses PostGIS instead, so nothing here is used there.
"""

from __future__ import annotations

import shapely
import shapely.ops

POINT_WKB = "ob_point_wkb"
WKB_POINT = "ob_wkb_point"
WKT = "ob_wkt"
WITHIN = "ob_within"
INTERSECTS = "ob_intersects"
NUM_POINTS = "ob_num_points"
IS_EMPTY = "ob_is_empty"
SIMPLIFY = "ob_simplify"
SIMPLIFY_PT = "ob_simplify_preserve_topology"
SNAP = "ob_snap_to_grid"
CONVEX_HULL = "ob_convex_hull"
EXTENT = "ob_extent"
MULTI = "ob_geo_multi"
UNION = "ob_spatial_union"
CONCAVE_HULL = "ob_concave_hull"
DISTANCE = "ob_distance_in_meters"
EARTH_RADIUS_M = 6371008.8


def _g(b: bytes):
    return shapely.from_wkb(bytes(b))


def _w(g) -> bytes:
    return shapely.to_wkb(g, output_dimension=2)


def _multi_polygon(g):
    if g.geom_type == "Polygon":
        return shapely.MultiPolygon([g])
    if g.geom_type == "MultiPolygon":
        return g
    # hulls of fewer than three distinct points are lines or points: keep Socrata's type
    return shapely.MultiPolygon([g.buffer(0)]) if g.geom_type == "Polygon" else g


def point_wkb(lon: float, lat: float) -> bytes:
    return _w(shapely.Point(lon, lat))


def wkb_point(b: bytes) -> dict | None:
    g = _g(b)
    if g.is_empty or g.geom_type != "Point":
        return None
    return {"lon": g.x, "lat": g.y}


def wkt(b: bytes) -> str:
    return shapely.to_wkt(_g(b), rounding_precision=-1)


def within(a: bytes, b: bytes) -> bool:
    return bool(_g(a).within(_g(b)))


def intersects(a: bytes, b: bytes) -> bool:
    return bool(_g(a).intersects(_g(b)))


def num_points(b: bytes) -> float:
    return float(shapely.get_num_coordinates(_g(b)))


def is_empty(b: bytes) -> bool:
    return bool(_g(b).is_empty)


def _same_kind(result, source):
    """Keep a multi geometry multi (shapely may return the single part)."""
    if source.geom_type.startswith("Multi") and not result.geom_type.startswith("Multi") and not result.is_empty:
        return getattr(shapely, source.geom_type)([result])
    return result


def simplify(b: bytes, tol: float) -> bytes:
    g = _g(b)
    return _w(_same_kind(g.simplify(tol, preserve_topology=False), g))


def simplify_pt(b: bytes, tol: float) -> bytes:
    g = _g(b)
    return _w(_same_kind(g.simplify(tol, preserve_topology=True), g))


def snap_to_grid(b: bytes, size: float) -> bytes:
    """PostGIS ST_SnapToGrid: round every coordinate to the grid (half to even,
    as C rint), then drop consecutive repeated points."""
    import numpy as np

    g = _g(b)
    if size <= 0:
        return _w(g)
    snapped = shapely.transform(g, lambda c: np.rint(c / size) * size)
    return _w(_same_kind(shapely.remove_repeated_points(snapped), g))


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (the same formula the DuckDB SQL uses)."""
    import math

    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def distance_in_meters(a: bytes, b: bytes) -> float | None:
    """Distance between the nearest points of two geometries (0 when they meet)."""
    ga, gb = _g(a), _g(b)
    if ga.is_empty or gb.is_empty:
        return None
    if ga.intersects(gb):
        return 0.0
    pa, pb = shapely.ops.nearest_points(ga, gb)
    return haversine(pa.x, pa.y, pb.x, pb.y)


def geo_multi(b: bytes) -> bytes:
    g = _g(b)
    if g.geom_type.startswith("Multi"):
        return _w(g)
    return _w(getattr(shapely, "Multi" + g.geom_type)([g]))


def _collect(items):
    geoms = [_g(x) for x in (items or []) if x is not None]
    return shapely.GeometryCollection(geoms) if geoms else None


def convex_hull(items) -> bytes | None:
    c = _collect(items)
    if c is None:
        return None
    return _w(_multi_polygon(c.convex_hull))


def spatial_union(items) -> bytes | None:
    geoms = [_g(x) for x in (items or []) if x is not None]
    if not geoms:
        return None
    u = shapely.union_all(geoms)
    if u.geom_type in ("Polygon", "LineString", "Point"):
        u = getattr(shapely, "Multi" + u.geom_type)([u])
    return _w(u)


def concave_hull(b: bytes, ratio: float) -> bytes:
    return _w(_multi_polygon(shapely.concave_hull(_g(b), ratio=min(max(ratio, 0.0), 1.0))))


def extent(items) -> bytes | None:
    c = _collect(items)
    if c is None:
        return None
    return _w(_multi_polygon(shapely.box(*c.bounds)))


def register(con) -> None:
    """Create the UDFs on a DuckDB connection (idempotent)."""
    blob, dbl, boolean, text = (con.type(n) for n in ("BLOB", "DOUBLE", "BOOLEAN", "VARCHAR"))
    list_type = con.list_type
    point_struct = con.struct_type({"lon": dbl, "lat": dbl})
    specs = [
        (POINT_WKB, point_wkb, [dbl, dbl], blob),
        (WKB_POINT, wkb_point, [blob], point_struct),
        (WKT, wkt, [blob], text),
        (WITHIN, within, [blob, blob], boolean),
        (INTERSECTS, intersects, [blob, blob], boolean),
        (NUM_POINTS, num_points, [blob], dbl),
        (IS_EMPTY, is_empty, [blob], boolean),
        (SIMPLIFY, simplify, [blob, dbl], blob),
        (SIMPLIFY_PT, simplify_pt, [blob, dbl], blob),
        (SNAP, snap_to_grid, [blob, dbl], blob),
        (CONVEX_HULL, convex_hull, [list_type(blob)], blob),
        (EXTENT, extent, [list_type(blob)], blob),
        (MULTI, geo_multi, [blob], blob),
        (UNION, spatial_union, [list_type(blob)], blob),
        (CONCAVE_HULL, concave_hull, [blob, dbl], blob),
        (DISTANCE, distance_in_meters, [blob, blob], dbl),
    ]
    for name, fn, params, ret in specs:
        try:
            con.remove_function(name)
        except Exception:  # not registered yet
            pass
        con.create_function(name, fn, params, ret, side_effects=False)
    register_vectorised(con)


# -- vectorised (Arrow) forms for the row filters ------------------------------------
POINT_WITHIN = "ob_point_within"
POINT_INTERSECTS = "ob_point_intersects"


def _point_predicate(predicate):
    """An Arrow UDF (lon, lat, geometry WKB) -> bool, evaluated a batch at a time by GEOS."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def fn(lon, lat, wkb):
        lon = pa.array(lon) if not isinstance(lon, pa.Array | pa.ChunkedArray) else lon
        lon_np = np.asarray(lon.to_numpy(zero_copy_only=False), dtype=float)
        lat_np = np.asarray(lat.to_numpy(zero_copy_only=False), dtype=float)
        distinct = pc.unique(wkb.drop_null())
        if len(distinct) == 1:  # a literal geometry: parse and prepare it once
            one = shapely.from_wkb(distinct[0].as_py())
            shapely.prepare(one)
            geoms = np.full(len(wkb), one, dtype=object)
        else:
            geoms = shapely.from_wkb(np.asarray(wkb.to_pylist(), dtype=object))
        null = (
            np.asarray(lon.is_null().to_numpy(zero_copy_only=False))
            | np.asarray(lat.is_null().to_numpy(zero_copy_only=False))
            | np.asarray(wkb.is_null().to_numpy(zero_copy_only=False))
        )
        lon_np = np.where(null, 0.0, lon_np)
        lat_np = np.where(null, 0.0, lat_np)
        geoms = np.where(null, None, geoms)
        pts = shapely.points(lon_np, lat_np)
        out = predicate(pts, geoms)
        return pa.array(out.astype(bool), mask=null, type=pa.bool_())

    return fn


def register_vectorised(con) -> None:
    boolean, dbl, blob = (con.type(n) for n in ("BOOLEAN", "DOUBLE", "BLOB"))
    for name, pred in ((POINT_WITHIN, shapely.within), (POINT_INTERSECTS, shapely.intersects)):
        try:
            con.remove_function(name)
        except Exception:  # not registered yet
            pass
        con.create_function(
            name,
            _point_predicate(pred),
            [dbl, dbl, blob],
            boolean,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
