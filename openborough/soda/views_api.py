"""The legacy views API Socrata's clients use for metadata and dataset
management: ``/api/views[/{id}[.json]]``, ``/api/views/{id}/publication.json``,
``?method=setPermission``, and full exports at ``/api/views/{id}/rows.{csv,json}``."""

from __future__ import annotations

import datetime as dt
import re

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from ..catalog import audit
from ..catalog.locks import dataset_lock
from ..catalog.models import Exemption
from ..catalog.publishing import create_dataset, delete_dataset, set_visibility, update_metadata
from ..soql.types import Column, Schema
from . import downloads, render
from .access import get_dataset, visible_datasets
from .auth import require_publisher
from .body import parse_json, read_body
from .conditional import not_modified, validators
from .errors import SodaError
from .http import soda_view
from .reading import execute, prepare, rows
from .viewshape import LICENCE_BY_ID, input_type, view_json
from .writes import json_response

#: view keys a PUT may change, → our metadata field
WRITABLE = {
    "name": "name",
    "description": "description",
    "category": "category",
    "tags": "tags",
    "attribution": "attribution",
}
#: openborough's own catalogue fields, accepted under their own names
EXTENSIONS = (
    "contact_name",
    "contact_email",
    "update_frequency",
    "temporal_coverage",
    "spatial_coverage",
    "organisation",
    "licence",
)
READ_ONLY = {
    "id",
    "averageRating",
    "createdAt",
    "displayType",
    "downloadCount",
    "hideFromCatalog",
    "hideFromDataJson",
    "indexUpdatedAt",
    "newBackend",
    "numberOfComments",
    "oid",
    "provenance",
    "publicationAppendEnabled",
    "publicationDate",
    "publicationGroup",
    "publicationStage",
    "rowsUpdatedAt",
    "rowsUpdatedBy",
    "tableId",
    "totalTimesRated",
    "viewCount",
    "viewLastModified",
    "viewType",
    "assetType",
    "columns",
    "grants",
    "owner",
    "tableAuthor",
    "rights",
    "flags",
    "query",
    "approvals",
    "rowCount",
    "rowIdentifierColumnId",
    "visibility",
    "license",
    "attributionLink",
}
MAX_VIEW_BODY = 1024 * 1024
_SLUG = re.compile(r"[^a-z0-9_]+")


def _json_body(request) -> dict:
    data = read_body(request, MAX_VIEW_BODY)
    if not data.strip():
        return {}
    value = parse_json(data)
    if not isinstance(value, dict):
        raise SodaError(400, "req.body.not-an-object", "Send a JSON object")
    return value


def _meta_from_view(body: dict, ds=None) -> dict:
    meta: dict = {}
    unknown = []
    for key, value in body.items():
        if key in WRITABLE:
            meta[WRITABLE[key]] = value if value is not None else ""
        elif key in EXTENSIONS:
            meta[key] = value
        elif key == "licenseId":
            if value not in LICENCE_BY_ID:
                raise SodaError(
                    400,
                    "view.licenseId.unknown",
                    f"licenseId {value!r} is not one of {', '.join(sorted(LICENCE_BY_ID))}",
                )
            meta["licence"] = LICENCE_BY_ID[value]
        elif key == "metadata":
            if not isinstance(value, dict):
                raise SodaError(400, "view.metadata.malformed", "metadata must be an object")
            rid = value.get("rowIdentifier")
            if rid is not None and ds is not None and rid != (ds.row_identifier or None):
                meta["row_identifier"] = rid
        elif key in READ_ONLY or key in ("rowIdentifier", "nbe"):
            continue
        else:
            unknown.append(key)
    if unknown:
        raise SodaError(
            400, "view.field.unknown", f"Unknown view fields: {', '.join(sorted(unknown))}", {"fields": unknown}
        )
    if "tags" in meta and not isinstance(meta["tags"], list | str):
        raise SodaError(400, "view.tags.malformed", "tags must be a list of strings")
    for k, v in meta.items():
        if k != "tags" and not isinstance(v, str):
            raise SodaError(400, "view.field.malformed", f"{k} must be a string")
    return meta


def _actor(user) -> str:
    return f"api:{user.get_username()}"


@soda_view(("GET", "POST"))
def views_collection(request, user, ext=None):
    if request.method == "POST":
        return _create(request, require_publisher(request, user))
    try:
        limit = min(max(int(request.GET.get("limit", 50)), 1), 1000)
        page = max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        raise SodaError(400, "req.param.bad-integer", "limit and page must be whole numbers") from None
    qs = visible_datasets(user).order_by("name", "id")[(page - 1) * limit : page * limit]
    return json_response([view_json(ds, user=user, with_stats=False) for ds in qs])


def _create(request, user):
    body = _json_body(request)
    name = (body.get("name") or "").strip() if isinstance(body.get("name"), str) else ""
    if not name:
        raise SodaError(400, "view.name.required", "A new dataset needs a name")
    cols = body.get("columns") or []
    if not isinstance(cols, list):
        raise SodaError(400, "view.columns.malformed", "columns must be a list of column objects")
    columns = []
    for i, c in enumerate(cols):
        if not isinstance(c, dict):
            raise SodaError(400, "view.columns.malformed", f"column {i} is not an object")
        display = str(c.get("name") or c.get("fieldName") or "").strip()
        field = str(c.get("fieldName") or _SLUG.sub("_", display.lower()).strip("_"))
        try:
            ty = input_type(str(c.get("dataTypeName") or "text"))
        except ValueError as e:
            raise SodaError(400, "view.column.type-unknown", f"column {field or i}: {e}") from None
        columns.append(Column(field, ty, display or field, str(c.get("description") or "")))
    try:
        schema = Schema(tuple(columns))
    except ValueError as e:
        raise SodaError(
            400, "view.column.bad-field-name", f"{e}; field names are lower-case letters, digits and underscores"
        ) from None
    md = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    row_id = md.get("rowIdentifier") or body.get("rowIdentifier") or ""
    if not isinstance(row_id, str):
        raise SodaError(400, "view.rowIdentifier.malformed", "rowIdentifier must be a column's field name")
    meta = _meta_from_view({k: v for k, v in body.items() if k not in ("columns",)})
    meta.pop("row_identifier", None)
    meta["name"] = name
    ds = create_dataset(meta, schema, row_identifier=row_id, published=False, user=user, actor=_actor(user))
    return json_response(view_json(ds, user=user))


@soda_view(("GET", "PUT", "PATCH", "DELETE"))
def view_detail(request, user, dataset_id, ext=None):
    if request.method == "GET":
        ds = get_dataset(dataset_id, user)
        return json_response(view_json(ds, user=user))
    user = require_publisher(request, user)
    ds = get_dataset(dataset_id, user)
    if request.method == "DELETE":
        delete_dataset(ds, user=user, actor=_actor(user))
        return HttpResponse(status=200)
    method = request.GET.get("method", "")
    if method == "setPermission":
        return _set_permission(request, user, ds)
    if method:
        raise SodaError(400, "req.method.unknown", f"Unknown method {method!r}; only setPermission is supported")
    meta = _meta_from_view(_json_body(request), ds)
    update_metadata(ds, meta, user=user, actor=_actor(user))
    ds.refresh_from_db()
    return json_response(view_json(ds, user=user))


def _set_permission(request, user, ds):
    value = request.GET.get("value", "")
    params = request.GET
    if value in ("public.read", "public", "public.add", "public.write"):
        set_visibility(ds, "public", user=user, actor=_actor(user))
    elif value == "private":
        review = params.get("review_date") or ""
        try:
            review_date = dt.date.fromisoformat(review) if review else None
        except ValueError:
            raise SodaError(400, "view.permission.bad-review-date", "review_date must be YYYY-MM-DD") from None
        exemption = params.get("exemption", "")
        if exemption and exemption not in Exemption.values:
            raise SodaError(
                400, "view.permission.bad-exemption", f"exemption must be one of {', '.join(Exemption.values)}"
            )
        set_visibility(
            ds,
            "private",
            exemption=exemption,
            reason=params.get("reason", ""),
            review_date=review_date,
            user=user,
            actor=_actor(user),
        )
    else:
        raise SodaError(400, "view.permission.bad-value", "value must be public.read or private")
    return HttpResponse(status=200)


@soda_view(("POST",))
def publication(request, user, dataset_id, ext=None):
    user = require_publisher(request, user)
    ds = get_dataset(dataset_id, user)
    if request.GET.get("method") == "copy":
        raise SodaError(400, "req.method.unsupported", "Working copies are not supported; write to the dataset")
    with dataset_lock(ds.id):
        ds.refresh_from_db()
        if not ds.published:
            ds.published = True
            ds.updated_at = timezone.now()
            ds.save(update_fields=["published", "updated_at"])
            audit.record("publication", f"{ds.id} published", user=user, actor=_actor(user), dataset_id=ds.id)
    return json_response(view_json(ds, user=user))


@soda_view(("GET",))
def rows_export(request, user, dataset_id, ext):
    """Whole-dataset export (Socrata's ``rows.csv?accessType=DOWNLOAD``): no row limit, streamed,
    in Socrata's download spellings (``downloads``)."""
    ds = get_dataset(dataset_id, user)
    fmt = ext.lower()
    if fmt not in ("csv", "json", "geojson", "xml"):
        raise SodaError(406, "req.format.unsupported", "Export formats are csv, json, xml and geojson")
    hdrs = validators(ds, request, f"export:{fmt}")
    cached = not_modified(request, hdrs)
    if cached is not None:
        return cached
    if fmt == "geojson":
        prep = prepare(ds, {"$select": "*", "$order": ":id"})
        body, ct = render.encode_geojson(prep.columns, rows(execute(prep))), render.GEOJSON_TYPE
    elif fmt == "csv":
        prep = prepare(ds, {"$select": "*", "$order": ":id"})
        display = [c.name or c.field_name for c in ds.schema().columns]
        bom = request.GET.get("bom") == "true"
        body, ct = downloads.encode_csv(prep.columns, display, rows(execute(prep)), bom=bom), render.CSV_TYPE
    else:
        prep = prepare(ds, {"$select": ":id, :created_at, :updated_at, *", "$order": ":id"})
        data = rows(execute(prep))
        if fmt == "json":
            body, ct = downloads.encode_rows_json(ds, user, prep.columns, data), render.JSON_TYPE
        else:
            base = request.build_absolute_uri(f"/resource/{ds.id}")
            body, ct = downloads.encode_xml(base, prep.columns, data), downloads.XML_TYPE
    resp = StreamingHttpResponse(body, content_type=ct)
    resp["Content-Disposition"] = f'attachment; filename="{ds.id}.{fmt}"'
    for k, v in hdrs.items():
        resp[k] = v
    return resp
