"""The packaged vector basemap: London's boroughs and wards, drawn under the
dataset maps when no tile server is configured (the demo, or a portal that
must not send residents' browsers to a third party).

Derived on first use from the ONS Census Merged Wards 2011 boundaries shipped
in ``demo_data/`` (Open Government Licence): wards simplified to about 10 m,
boroughs dissolved from their wards, and a label point per borough and ward. The
result is kept in memory; nothing is fetched from the network."""

from __future__ import annotations

import functools
import gzip
from collections import defaultdict
from pathlib import Path

import orjson

SOURCE = Path(__file__).resolve().parent.parent / "demo_data" / "london_wards_2011.geojson"
ATTRIBUTION = (
    "Boundaries: ONS Census Merged Wards 2011, Open Government Licence v3.0; "
    "contains OS data © Crown copyright and database right 2011"
)
#: simplification tolerance in degrees (about 10 m in London) and decimal places kept (about 7 m east-west)
TOLERANCE, PLACES = 0.0001, 4


def _rounded(geom) -> dict:
    from shapely import set_precision
    from shapely.geometry import mapping

    return mapping(set_precision(geom, 10**-PLACES))


@functools.cache
def london() -> bytes:
    """The basemap as GeoJSON bytes: features with ``kind`` "borough", "ward", "label" (a borough's name) or
    "ward-label", each with a ``name``."""
    from shapely import union_all
    from shapely.geometry import shape

    if not SOURCE.exists():
        return orjson.dumps({"type": "FeatureCollection", "features": []})
    wards = orjson.loads(SOURCE.read_bytes())["features"]
    by_borough = defaultdict(list)
    features, labels = [], []
    for f in wards:
        props = f["properties"]
        geom = shape(f["geometry"]).buffer(0)
        by_borough[props["lad11nm"]].append(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "ward", "name": props["cmwd11nm"], "borough": props["lad11nm"]},
                "geometry": _rounded(geom.simplify(TOLERANCE, preserve_topology=True)),
            }
        )
        labels.append(
            {
                "type": "Feature",
                "properties": {"kind": "ward-label", "name": props["cmwd11nm"]},
                "geometry": _rounded(geom.representative_point()),
            }
        )
    for name, parts in sorted(by_borough.items()):
        borough = union_all(parts)
        features.insert(
            0,
            {
                "type": "Feature",
                "properties": {"kind": "borough", "name": name},
                "geometry": _rounded(borough.simplify(TOLERANCE, preserve_topology=True)),
            },
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "label", "name": name},
                "geometry": _rounded(borough.representative_point()),
            }
        )
    features += labels
    return orjson.dumps({"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features})


@functools.cache
def london_gzip() -> bytes:
    """:func:`london` compressed (about 130 kB instead of 700 kB)."""
    return gzip.compress(london(), mtime=0)
