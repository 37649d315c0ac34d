"""Geometry functions for DuckDB without DuckDB extensions: shapely-backed
Python UDFs registered on the store's connection (``register(con)``).

Geometries other than points are WKB blobs in DuckDB (``soql.types``); point
structs are turned into WKB with ``ob_point_wkb`` before these are called.
PostgreSQL uses PostGIS instead, so nothing here is used there.
"""

from __future__ import annotations

import shapely

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


def simplify(b: bytes, tol: float) -> bytes:
    return _w(_g(b).simplify(tol, preserve_topology=False))


def simplify_pt(b: bytes, tol: float) -> bytes:
    return _w(_g(b).simplify(tol, preserve_topology=True))


def snap_to_grid(b: bytes, size: float) -> bytes:
    return _w(shapely.set_precision(_g(b), size, mode="pointwise") if size > 0 else _g(b))


def _collect(items):
    geoms = [_g(x) for x in (items or []) if x is not None]
    return shapely.GeometryCollection(geoms) if geoms else None


def convex_hull(items) -> bytes | None:
    c = _collect(items)
    if c is None:
        return None
    return _w(_multi_polygon(c.convex_hull))


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
    ]
    for name, fn, params, ret in specs:
        try:
            con.remove_function(name)
        except Exception:  # not registered yet
            pass
        con.create_function(name, fn, params, ret, side_effects=False)
