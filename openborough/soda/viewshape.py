"""A dataset in Socrata's view shape (``/api/views/{id}.json``): epoch-second
times, legacy ``dataTypeName`` names, and ``cachedContents`` column summaries."""

from __future__ import annotations

import logging

from django.core.cache import cache

from ..catalog.models import LICENCE_URLS, Dataset, Licence, Visibility
from ..soql.types import SoQLType, parse_type

log = logging.getLogger("openborough.soda")

#: our SoQL types → the dataTypeName Socrata's metadata uses
DATA_TYPE_NAMES = {
    SoQLType.FLOATING_TIMESTAMP: "calendar_date",
    SoQLType.FIXED_TIMESTAMP: "date",
    SoQLType.DOUBLE: "number",
}
#: dataTypeName → our type where it differs from ``soql.types.parse_type`` (the inverse of the above)
INPUT_TYPE_NAMES = {
    "date": SoQLType.FIXED_TIMESTAMP,
    "percent": SoQLType.NUMBER,
    "email": SoQLType.TEXT,
    "phone": SoQLType.TEXT,
    "html": SoQLType.TEXT,
}

#: our SoQL type → the name Socrata's engine gives it (soql-types ``SoQLType.name``), which is what
#: soda-fountain writes in ``X-SODA2-Types`` (``ci.typ.name.name``): a checkbox column is ``boolean``
WIRE_TYPE_NAMES = {SoQLType.CHECKBOX.value: "boolean"}
#: our SoQL type → the Discovery API's ``columns_datatype`` (the portal's display names:
#: ``"Text"``, ``"Number"``, ``"Calendar date"`` as data.cityofnewyork.us answers)
CATALOG_TYPE_NAMES = {
    SoQLType.TEXT: "Text",
    SoQLType.NUMBER: "Number",
    SoQLType.DOUBLE: "Number",
    SoQLType.MONEY: "Money",
    SoQLType.CHECKBOX: "Checkbox",
    SoQLType.FLOATING_TIMESTAMP: "Calendar date",
    SoQLType.FIXED_TIMESTAMP: "Date",
    SoQLType.POINT: "Point",
    SoQLType.MULTIPOINT: "MultiPoint",
    SoQLType.LINE: "Line",
    SoQLType.MULTILINE: "MultiLine",
    SoQLType.POLYGON: "Polygon",
    SoQLType.MULTIPOLYGON: "MultiPolygon",
    SoQLType.LOCATION: "Location",
    SoQLType.URL: "URL",
    SoQLType.BLOB: "Blob",
}


def wire_type_name(t: str) -> str:
    """A query output type as ``X-SODA2-Types`` names it."""
    return WIRE_TYPE_NAMES.get(t, t)


def catalog_type_name(t: str | SoQLType) -> str:
    return CATALOG_TYPE_NAMES.get(SoQLType(t), SoQLType(t).value.title())


LICENSE_IDS = {
    Licence.OGL3: "UK_OGL_30",
    Licence.CC_BY4: "CC_40_BY",
    Licence.CC0: "CC0_10",
    Licence.ODBL: "ODBL",
    Licence.OTHER: "SEE_TERMS_OF_USE",
}
LICENCE_BY_ID = {v: k for k, v in LICENSE_IDS.items()}
TOP_TYPES = {
    SoQLType.TEXT,
    SoQLType.NUMBER,
    SoQLType.DOUBLE,
    SoQLType.MONEY,
    SoQLType.CHECKBOX,
    SoQLType.FLOATING_TIMESTAMP,
    SoQLType.FIXED_TIMESTAMP,
}
TOP_COLUMNS = 40
TOP_ITEMS = 20
ORDERABLE = {
    SoQLType.TEXT,
    SoQLType.NUMBER,
    SoQLType.DOUBLE,
    SoQLType.MONEY,
    SoQLType.FLOATING_TIMESTAMP,
    SoQLType.FIXED_TIMESTAMP,
}


def input_type(name: str) -> SoQLType:
    key = (name or "").strip().lower()
    if key in INPUT_TYPE_NAMES:
        return INPUT_TYPE_NAMES[key]
    return parse_type(key)


def type_name(t: str | SoQLType) -> str:
    t = SoQLType(t)
    return DATA_TYPE_NAMES.get(t, t.value)


def epoch(when) -> int | None:
    return int(when.timestamp()) if when else None


def column_stats(ds: Dataset) -> dict[str, dict]:
    """cachedContents per field name, computed once per data version."""
    if ds.current_version is None:
        return {}
    key = f"soda-stats:{ds.id}:{ds.current_version}"
    stats = cache.get(key)
    if stats is not None:
        return stats
    from .reading import execute, prepare, rows

    cols = list(ds.columns.order_by("position"))
    select = ["count(*) AS ob_total"]
    for i, c in enumerate(cols):
        t = SoQLType(c.type)
        f = f"`{c.field_name}`"
        select.append(f"count({f}) AS ob_nn_{i}")
        if t in ORDERABLE:
            select += [f"min({f}) AS ob_min_{i}", f"max({f}) AS ob_max_{i}"]
        if t.is_numeric:
            select += [f"sum({f}) AS ob_sum_{i}", f"avg({f}) AS ob_avg_{i}"]
    stats = {}
    try:
        prep = prepare(ds, {"$select": ", ".join(select), "$limit": "1"})
        from .render import json_values

        (vals,) = list(json_values(prep.columns, rows(execute(prep))))
        rec = dict(zip(prep.names, vals, strict=False))
        total = int(float(rec.get("ob_total") or 0))
        for i, c in enumerate(cols):
            nn = int(float(rec.get(f"ob_nn_{i}") or 0))
            s = {"non_null": str(nn), "null": str(total - nn)}
            for name, k in (("smallest", "min"), ("largest", "max"), ("sum", "sum"), ("average", "avg")):
                v = rec.get(f"ob_{k}_{i}")
                if v is not None:
                    s[name] = v if isinstance(v, str) else str(v)
            stats[c.field_name] = s
    except Exception:  # noqa: BLE001 - summaries are optional; the view still answers
        log.exception("column summaries failed for %s", ds.id)
        return {}
    for c in cols[:TOP_COLUMNS]:
        if SoQLType(c.type) in TOP_TYPES and c.field_name in stats:
            top = _top(ds, c.field_name)
            if top is not None:
                stats[c.field_name]["top"] = top
    cache.set(key, stats, 3600)
    return stats


def _top(ds: Dataset, field: str) -> list[dict] | None:
    """The most frequent values of a column, as Socrata's ``cachedContents.top``."""
    from .reading import execute, prepare, rows
    from .render import json_values

    f = f"`{field}`"
    try:
        prep = prepare(
            ds,
            {
                "$select": f"{f}, count(*) AS ob_n",
                "$where": f"{f} IS NOT NULL",
                "$group": f,
                "$order": f"ob_n DESC, {f}",
                "$limit": str(TOP_ITEMS),
            },
        )
        return [{"item": v[0], "count": v[1]} for v in json_values(prep.columns, rows(execute(prep)))]
    except Exception:  # noqa: BLE001 - summaries are optional
        log.exception("top values failed for %s.%s", ds.id, field)
        return None


def _user(u) -> dict | None:
    if u is None:
        return None
    return {
        "id": u.get_username(),
        "displayName": u.get_full_name() or u.get_username(),
        "screenName": u.get_username(),
        "type": "interactive",
    }


def custom_fields(ds: Dataset) -> dict:
    """The dataset's catalogue fields beyond Socrata's own, as Socrata's custom fields:
    ``{fieldset: {field: value}}`` (empty when none is filled in)."""
    fields = {
        k: v
        for k, v in (
            ("Organisation", ds.organisation.name if ds.organisation_id else ""),
            ("Contact name", ds.contact_name),
            ("Contact email", ds.contact_email),
            ("Update frequency", ds.update_frequency),
            ("Temporal coverage", ds.temporal_coverage),
            ("Spatial coverage", ds.spatial_coverage),
        )
        if v
    }
    return {"Open data": fields} if fields else {}


def view_columns(ds: Dataset, *, with_stats: bool = True) -> list[dict]:
    """The columns as ``/api/views/{id}.json`` lists them."""
    return view_json(ds, with_stats=with_stats)["columns"]


def view_json(ds: Dataset, *, user=None, with_stats: bool = True) -> dict:
    cols = list(ds.columns.order_by("position"))
    stats = column_stats(ds) if with_stats else {}
    columns = []
    for c in cols:
        col = {
            "id": c.pk,
            "name": c.name,
            "dataTypeName": type_name(c.type),
            "description": c.description,
            "fieldName": c.field_name,
            "position": c.position + 1,
            "renderTypeName": type_name(c.type),
            "tableColumnId": c.pk,
            "width": 100,
            "format": {},
        }
        if c.field_name in stats:
            col["cachedContents"] = stats[c.field_name]
        columns.append(col)
    row_id_col = next((c for c in cols if c.field_name == ds.row_identifier), None)
    public = ds.visibility == Visibility.PUBLIC
    owner = _user(ds.created_by)
    licence = Licence(ds.licence) if ds.licence in Licence.values else Licence.OTHER
    meta = {"custom_fields": {}, "availableDisplayTypes": ["table", "fatrow", "page"], "rowLabel": "Row"}
    if ds.row_identifier:
        meta["rowIdentifier"] = ds.row_identifier
    extra = custom_fields(ds)
    if extra:
        meta["custom_fields"] = extra
    attachments = [
        {"assetId": a.asset_id, "blobId": a.asset_id, "filename": a.filename, "name": a.name}
        for a in ds.attachments.all()
    ]
    if attachments:  # as Socrata lists them; download from /api/views/{id}/files/{assetId}
        meta["attachments"] = attachments
    if not public:
        meta["exemption"] = {
            "section": ds.exemption,
            "reason": ds.exemption_reason,
            "reviewDate": str(ds.exemption_review_date or ""),
        }
    out = {
        "id": ds.id,
        "name": ds.name,
        "attribution": ds.attribution,
        "averageRating": 0,
        "category": ds.category,
        "createdAt": epoch(ds.created_at),
        "description": ds.description,
        "displayType": "table",
        "downloadCount": 0,
        "hideFromCatalog": False,
        "hideFromDataJson": False,
        "indexUpdatedAt": epoch(ds.updated_at),
        "licenseId": LICENSE_IDS[licence],
        "license": {"name": licence.label, **({"termsLink": LICENCE_URLS[licence]} if licence in LICENCE_URLS else {})},
        "newBackend": True,
        "numberOfComments": 0,
        "oid": ds.current_version or 0,
        "provenance": "official",
        "publicationAppendEnabled": False,
        "publicationDate": epoch(ds.created_at) if ds.published else None,
        "publicationGroup": 0,
        "publicationStage": "published" if ds.published else "unpublished",
        "rowsUpdatedAt": epoch(ds.data_updated_at),
        "rowsUpdatedBy": owner["id"] if owner else None,
        "tableId": 0,
        "totalTimesRated": 0,
        "viewCount": 0,
        "viewLastModified": epoch(ds.updated_at),
        "viewType": "tabular",
        "assetType": "dataset",
        "columns": columns,
        "grants": [{"inherited": False, "type": "viewer", "flags": ["public"]}] if public else [],
        "metadata": meta,
        "owner": owner,
        "tableAuthor": owner,
        "rights": ["read"]
        + (
            ["write", "add", "delete", "update_view", "grant"]
            if user is not None and getattr(user, "can_publish", False)
            else []
        ),
        "flags": ["default"],
        "query": {},
        "approvals": [],
        "tags": list(ds.tags or []),
        "rowCount": ds.row_count,
    }
    if row_id_col is not None:
        out["rowIdentifierColumnId"] = row_id_col.pk
    if not public:
        out["visibility"] = "private"
    return {k: v for k, v in out.items() if v is not None}
