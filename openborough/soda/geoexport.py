"""Socrata's geospatial export, ``/api/geospatial/{id}?method=export&format=…``:
GeoJSON, KML, KMZ and a zipped Shapefile (with its ``.prj``), written by GDAL
through pyogrio from the dataset's rows. The dataset's first geometry column
is the features' geometry (WGS 84); the other columns are attributes
(numbers as reals, text as text, timestamps as ISO-8601 text, other
geometries as WKT). The file is built in a temporary directory and then sent
with its Content-Length."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile

import numpy as np
import pyogrio.raw
import shapely
import shapely.geometry
from django.http import FileResponse

from ..soql.types import GEOMETRY_KINDS, SoQLType
from . import render
from .access import get_dataset
from .conditional import not_modified, validators
from .errors import SodaError
from .http import soda_view
from .reading import execute, prepare, rows

#: format parameter (any case) → (GDAL driver, file extension, content type)
FORMATS = {
    "geojson": ("GeoJSON", "geojson", "application/vnd.geo+json;charset=utf-8"),
    "kml": ("KML", "kml", "application/vnd.google-earth.kml+xml"),
    "kmz": ("LIBKML", "kmz", "application/vnd.google-earth.kmz"),
    "shapefile": ("ESRI Shapefile", "shp", "application/zip"),
}
GEOMETRY_TYPES = GEOMETRY_KINDS


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, dict) and ("coordinates" in v or "geometries" in v):
        return shapely.geometry.shape(v).wkt
    return render.csv_cell(v)


def _write(path: str, driver: str, layer: str, columns, data) -> None:
    types = [SoQLType(getattr(c.type, "value", c.type)) for c in columns]
    geo = next(i for i, t in enumerate(types) if t.is_geometry)
    shapes = [None if r[geo] is None else shapely.geometry.shape(r[geo]) for r in data]
    wkb = np.array([None if s is None else shapely.to_wkb(s) for s in shapes], dtype=object)
    fields, values, masks = [], [], []
    for i, (c, t) in enumerate(zip(columns, types, strict=True)):
        if i == geo:
            continue
        col = [r[i] for r in data]
        mask = np.array([v is None for v in col], dtype=bool)
        if t.is_numeric:
            arr = np.array([np.nan if v is None else float(v) for v in col], dtype="float64")
        elif t == SoQLType.CHECKBOX:
            arr = np.array([0 if v is None else int(bool(v)) for v in col], dtype="int32")
        else:
            arr = np.array(["" if v is None else _text(v) for v in col], dtype=object)
        fields.append(c.name)
        values.append(arr)
        masks.append(mask)
    pyogrio.raw.write(
        path,
        wkb,
        values,
        fields,
        field_mask=masks,
        layer=layer,
        driver=driver,
        geometry_type=GEOMETRY_TYPES[types[geo]],
        crs="EPSG:4326",
        encoding="UTF-8" if driver == "ESRI Shapefile" else None,
    )


@soda_view(("GET",))
def geospatial(request, user, dataset_id):
    ds = get_dataset(dataset_id, user)
    method = request.GET.get("method", "")
    if method != "export":
        raise SodaError(400, "req.method.unknown", "Use ?method=export&format=GeoJSON|KML|KMZ|Shapefile")
    name = (request.GET.get("format") or "").strip()
    fmt = FORMATS.get(name.lower())
    if fmt is None:
        raise SodaError(
            400,
            "req.format.unsupported",
            f"format {name!r} is not one of GeoJSON, KML, KMZ, Shapefile",
            {"format": name},
        )
    driver, ext, content_type = fmt
    schema = ds.schema()
    if not any(c.type.is_geometry for c in schema.columns):
        raise SodaError(400, "geo.no-geometry", f"Dataset {ds.id} has no geometry column to export")
    hdrs = validators(ds, request, f"geo:{ext}")
    cached = not_modified(request, hdrs)
    if cached is not None:
        return cached
    prep = prepare(ds, {"$select": "*", "$order": ":id"})
    data = list(render.json_values(prep.columns, rows(execute(prep))))
    layer = ds.id.replace("-", "_")
    tmp = tempfile.mkdtemp(prefix="ob-geo-")
    try:
        path = os.path.join(tmp, f"{layer}.{ext}")
        _write(path, driver, layer, prep.columns, data)
        if ext == "shp":
            out = os.path.join(tmp, f"{layer}.zip")
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for part in sorted(os.listdir(tmp)):
                    if part.startswith(layer + ".") and not part.endswith(".zip"):
                        z.write(os.path.join(tmp, part), part)
            path, ext = out, "zip"
        f = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # the open file stays readable until it is closed
    resp = FileResponse(f, content_type=content_type, as_attachment=True, filename=f"{ds.id}.{ext}")
    for k, v in hdrs.items():
        resp[k] = v
    return resp
