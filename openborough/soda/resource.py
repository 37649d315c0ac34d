"""``/resource/{id}[.json|.csv|.geojson]`` and ``/resource/{id}/{rowid}``: SODA 2.1 reads
(writes on the same paths are handed to ``writes``)."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from django.http import HttpResponse

from . import render, sized, writes
from .access import get_dataset
from .conditional import not_modified, validators
from .errors import SodaError
from .http import soda_view
from .params import DEFAULT_LIMIT, read_params
from .reading import execute, prepare, rows
from .viewshape import wire_type_name

FORMATS = {"json": render.JSON_TYPE, "csv": render.CSV_TYPE, "geojson": render.GEOJSON_TYPE}
ACCEPTED = {
    "application/json": "json",
    "text/csv": "csv",
    "application/vnd.geo+json": "geojson",
    "application/geo+json": "geojson",
}
HEADER_LIMIT = 5000


def choose_format(request, ext: str | None) -> str:
    if ext:
        fmt = ext.lower()
        if fmt not in FORMATS:
            raise SodaError(
                406,
                "req.format.unsupported",
                f"Format .{ext} is not served; use .json, .csv or .geojson",
                {"format": ext},
            )
        return fmt
    accept = request.META.get("HTTP_ACCEPT", "").strip()
    if not accept:
        return "json"
    preferred = request.get_preferred_type([*ACCEPTED, "text/plain"])
    if preferred is None:
        raise SodaError(
            406,
            "req.format.unsupported",
            "None of the Accept types is served; use application/json, text/csv or application/vnd.geo+json",
            {"accept": accept},
        )
    return ACCEPTED.get(preferred, "json")


def _field_headers(resp, prep) -> None:
    fields = orjson.dumps(prep.names).decode()
    types = orjson.dumps([wire_type_name(t) for t in prep.types]).decode()
    if len(fields) + len(types) < HEADER_LIMIT:  # soda-fountain's Exporter: strictly under 5,000
        resp["X-SODA2-Fields"] = fields
        resp["X-SODA2-Types"] = types


def _finish(resp, fmt: str, hdrs: dict) -> None:
    for k, v in hdrs.items():
        resp[k] = v
    resp["Vary"] = "Accept, Authorization, Accept-Encoding"
    resp["Cache-Control"] = "no-cache"


@soda_view(("GET", "POST", "PUT", "DELETE"))
def dataset_resource(request, user, dataset_id: str, ext: str | None = None):
    if request.method in ("POST", "PUT", "DELETE"):
        return writes.dataset_write(request, user, dataset_id)
    fmt = choose_format(request, ext)
    ds = get_dataset(dataset_id, user)
    p = read_params(request.GET)
    hdrs = validators(ds, request, fmt)
    cached = not_modified(request, hdrs)
    if cached is not None:
        return cached
    prep = prepare(ds, p.soql, default_limit=DEFAULT_LIMIT)
    content_type = FORMATS[fmt]
    if p.jsonp and fmt == "json":
        content_type = "text/javascript; charset=utf-8"
    resp = sized.respond(request, lambda: encode(prep, fmt, p), content_type, hdrs["ETag"])
    if fmt != "geojson":
        _field_headers(resp, prep)
    _finish(resp, fmt, hdrs)
    return resp


def encode(prep, fmt: str, p) -> Iterator[bytes]:
    """The answer's bytes, from a fresh run of the query."""
    data = rows(execute(prep))
    if fmt == "csv":
        return render.encode_csv(prep.columns, data, bom=p.bom)
    if fmt == "geojson":
        return render.encode_geojson(prep.columns, data)
    body = render.encode_json(prep.columns, data)
    return _jsonp(p.jsonp, body) if p.jsonp else body


def _jsonp(callback: str, body):
    yield f"/**/{callback}(".encode()
    yield from body
    yield b");\n"


def row_where(ds, rowid: str) -> str:
    from ..soql.output import parse_row_id

    clauses = []
    if ds.row_identifier:
        clauses.append(f"`{ds.row_identifier}` = '" + rowid.replace("'", "''") + "'")
    try:
        parse_row_id(rowid)
    except (ValueError, TypeError, KeyError):
        pass
    else:
        clauses.append(":id = '" + rowid.replace("'", "''") + "'")
    if not clauses:
        raise SodaError(
            404, "soda.row.not-found", f"Row {rowid} not found in dataset {ds.id}", {"dataset": ds.id, "row": rowid}
        )
    return " OR ".join(f"({c})" for c in clauses)


def find_row(ds, rowid: str, system_fields: bool):
    prep = prepare(ds, {"$select": ":*, *" if system_fields else "*", "$where": row_where(ds, rowid), "$limit": "2"})
    found = list(rows(execute(prep)))
    if not found:
        raise SodaError(
            404, "soda.row.not-found", f"Row {rowid} not found in dataset {ds.id}", {"dataset": ds.id, "row": rowid}
        )
    return prep, found[0]


@soda_view(("GET", "POST", "PUT", "DELETE"))
def row_resource(request, user, dataset_id: str, rowid: str, ext: str | None = None):
    if request.method in ("POST", "PUT", "DELETE"):
        return writes.row_write(request, user, dataset_id, rowid)
    fmt = choose_format(request, ext)
    ds = get_dataset(dataset_id, user)
    p = read_params(request.GET)
    hdrs = validators(ds, request, f"row:{fmt}:{rowid}")
    cached = not_modified(request, hdrs)
    if cached is not None:
        return cached
    prep, row = find_row(ds, rowid, not p.exclude_system_fields)
    body, content_type = render.single_row(fmt, prep.columns, row)
    resp = HttpResponse(body, content_type=content_type)
    if fmt != "geojson":
        _field_headers(resp, prep)
    _finish(resp, fmt, hdrs)
    return resp
