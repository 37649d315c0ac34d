"""Socrata's Metadata API (``/api/views/metadata/v1`` and ``…/v1/{id}``):
asset-level metadata with ISO-8601 UTC times, and ``/api/views/{id}/columns.json``.

Read-only here: metadata is edited in the staff area or with ``PUT
/api/views/{id}.json``. Private datasets answer 404, as everywhere."""

from __future__ import annotations

import datetime as dt

from ..catalog.models import LICENCE_URLS, Licence
from .access import get_dataset, visible_datasets
from .errors import SodaError
from .http import soda_view
from .links import base_url, landing_page
from .viewshape import LICENSE_IDS, custom_fields, view_columns
from .writes import json_response

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def iso(when) -> str | None:
    """``2024-01-02T03:04:05.000Z``: UTC, milliseconds, ``Z``."""
    if when is None:
        return None
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def metadata_json(request, ds) -> dict:
    licence = Licence(ds.licence) if ds.licence in Licence.values else Licence.OTHER
    return {
        "id": ds.id,
        "name": ds.name,
        "attribution": ds.attribution or None,
        "attributionLink": None,
        "category": ds.category or None,
        "createdAt": iso(ds.created_at),
        "dataUpdatedAt": iso(ds.data_updated_at),
        "dataUri": f"{base_url(request)}/resource/{ds.id}",
        "description": ds.description,
        "domain": request.get_host().split(":")[0],
        "externalId": None,
        "hideFromCatalog": False,
        "hideFromDataJson": False,
        "license": licence.label,
        "licenseId": LICENSE_IDS[licence],
        "licenseLink": LICENCE_URLS.get(licence),
        "metadataUpdatedAt": iso(ds.updated_at),
        "provenance": "official",
        "tags": list(ds.tags or []),
        "webUri": landing_page(request, ds),
        "approvals": [],
        "customFields": custom_fields(ds),
        "rowCount": ds.row_count,
    }


def _int(request, key: str, default: int, lo: int, hi: int | None = None) -> int:
    raw = request.GET.get(key, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()):
        raise SodaError(400, "req.param.bad-integer", f"{key} must be a whole number, not {raw!r}", {"param": key})
    n = int(raw)
    if n < lo or (hi is not None and n > hi):
        bound = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise SodaError(400, "req.param.out-of-range", f"{key} must be {bound}", {"param": key})
    return n


@soda_view(("GET",))
def metadata_list(request, user):
    """Every dataset the caller may see, by name: ``limit`` (default 100, at most
    1000) and ``page`` (from 1) or ``offset``."""
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    if "offset" in request.GET:
        offset = _int(request, "offset", 0, 0)
    else:
        offset = (_int(request, "page", 1, 1) - 1) * limit
    qs = visible_datasets(user).select_related("organisation").order_by("name", "id")[offset : offset + limit]
    return json_response([metadata_json(request, ds) for ds in qs])


@soda_view(("GET",))
def metadata_detail(request, user, dataset_id: str):
    return json_response(metadata_json(request, get_dataset(dataset_id, user)))


@soda_view(("GET",))
def columns(request, user, dataset_id: str, ext: str | None = None):
    return json_response(view_columns(get_dataset(dataset_id, user)))


@soda_view(("GET",))
def attachment(request, user, dataset_id: str, asset_id: str):
    """``/api/views/{id}/files/{assetId}[?download=true&filename=…]``: a dataset's attachment."""
    from django.http import FileResponse

    from ..catalog.attachments import open_attachment

    ds = get_dataset(dataset_id, user)
    att = ds.attachments.filter(asset_id=asset_id).first()
    try:
        if att is None:
            raise FileNotFoundError
        handle = open_attachment(att)
    except FileNotFoundError:
        raise SodaError(
            404, "soda.attachment.not-found", f"Dataset {ds.id} has no attachment {asset_id}", {"asset": asset_id}
        ) from None
    download = request.GET.get("download", "").lower() in ("true", "1")
    resp = FileResponse(handle, content_type=att.content_type, as_attachment=download, filename=att.filename)
    resp["Content-Length"] = str(att.size)
    resp["ETag"] = f'"{att.sha256[:32]}"'
    return resp
