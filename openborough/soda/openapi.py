"""OpenAPI 3.1 description of the SODA surface, served at ``/api/openapi.json``.
Each operation names its Django route (``x-route``) so a test can check that
every route in ``urls.py`` is described."""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from django.views.decorators.http import require_GET

ERR = {"$ref": "#/components/responses/Error"}


def _p(name, where="query", desc="", schema=None, required=False):
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": desc,
        "schema": schema or {"type": "string"},
    }


ID = _p("dataset_id", "path", "dataset id (four letters or digits, a hyphen, four more)", required=True)
ROWID = _p("rowid", "path", "the row's row-identifier value, or its :id (row-…)", required=True)
SOQL = [
    _p("$select", desc="output expressions and aliases (default `*`)"),
    _p("$where", desc="row filter"),
    _p("$order", desc="sort: `expr [ASC|DESC] [NULL(S) FIRST|LAST]`, comma-separated"),
    _p("$group", desc="grouping expressions"),
    _p("$having", desc="filter after grouping"),
    _p(
        "$limit",
        desc="rows to return: default 1000, no maximum (streamed); an operator's OPENBOROUGH_SODA_MAX_LIMIT → 400 req.row-limit-exceeded above it",
        schema={"type": "integer", "default": 1000},
    ),
    _p("$offset", desc="rows to skip", schema={"type": "integer", "default": 0}),
    _p("$q", desc="full-text search over all text columns"),
    _p("$query", desc="a whole SoQL statement (instead of the clauses above)"),
    _p("$$app_token", desc="app token (or the X-App-Token header)"),
    _p("$$exclude_system_fields", desc="false adds :id, :created_at, :updated_at (any capitalisation)"),
    _p("$$bom", desc="true starts CSV with a UTF-8 byte-order mark"),
    _p("$$version", desc="accepted and ignored (soda-java sends 2.0)"),
    _p("$jsonp", desc="JSONP callback name (JSON only)"),
]
AUTH = [{"basic": []}, {"oauth": []}]
COUNTERS = {
    "description": "Socrata's write counters",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Counters"}}},
}
ROWS_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": {"type": "object"}},
            "description": 'rows keyed by field name; `":deleted": true` deletes; a body without '
            "Content-Type is read as JSON",
        },
        "text/csv": {"schema": {"type": "string"}, "description": "header line of field names, then rows"},
    },
}
READ_OK = {
    "description": "rows",
    "headers": {
        "X-SODA2-Fields": {"schema": {"type": "string"}, "description": "JSON array of output field names"},
        "X-SODA2-Types": {"schema": {"type": "string"}, "description": "JSON array of SoQL type names"},
        "ETag": {"schema": {"type": "string"}},
        "Last-Modified": {"schema": {"type": "string"}},
        "X-Socrata-RequestId": {"schema": {"type": "string"}},
    },
    "content": {
        "application/json;charset=utf-8": {"schema": {"type": "array", "items": {"type": "object"}}},
        "text/csv; charset=utf-8": {"schema": {"type": "string"}},
        "application/vnd.geo+json;charset=utf-8": {"schema": {"type": "object"}},
    },
}
VIEW = {
    "description": "the dataset in Socrata's view shape",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/View"}}},
}


V3_BODY = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "default": "SELECT *"},
                    "page": {
                        "type": "object",
                        "properties": {"pageNumber": {"type": "integer"}, "pageSize": {"type": "integer"}},
                    },
                    "includeSynthetic": {"type": "boolean"},
                    "orderingSpecifier": {"enum": ["total", "no_preserve", "discard"]},
                    "timeout": {"type": "integer"},
                    "serializationOptions": {
                        "type": "object",
                        "properties": {"separator": {"type": "string"}, "bom": {"type": "boolean"}},
                    },
                },
            }
        }
    }
}


def _op(route, summary, *, params=(), ok=None, body=None, auth=False, errors=(400, 404, 429)):
    op = {
        "x-route": route,
        "summary": summary,
        "parameters": list(params),
        "responses": {"200": ok or {"description": "OK"}, **{str(e): ERR for e in errors}},
    }
    if body:
        op["requestBody"] = body
    if auth:
        op["security"] = AUTH
        op["responses"].update({"401": ERR, "403": ERR})
    return op


def _resource_ops(route, params, single=False):
    return {
        "get": _op(
            route,
            "One row" if single else "Query rows (SoQL)",
            params=params + ([] if single else SOQL),
            ok=READ_OK,
            errors=(304, 400, 404, 406, 429),
        ),
        "post": _op(
            route,
            "Update that row (soda-js)" if single else "Upsert rows",
            params=params,
            body=ROWS_BODY,
            ok=COUNTERS,
            auth=True,
            errors=(400, 404, 413, 415, 429),
        ),
        "put": _op(
            route,
            "Replace that row (soda-js)" if single else "Replace all rows",
            params=params,
            body=ROWS_BODY,
            ok=COUNTERS,
            auth=True,
            errors=(400, 404, 413, 415, 429),
        ),
        "delete": _op(
            route,
            "Delete the row" if single else "Delete all rows (soda-js truncate)",
            params=params,
            ok=COUNTERS,
            auth=True,
        ),
    }


EXT = _p("ext", "path", "json, csv or geojson", {"type": "string", "enum": ["json", "csv", "geojson"]}, True)
CATALOG_PARAMS = [
    _p(n, desc=d)
    for n, d in (
        ("q", "full-text search"),
        ("categories", "category (repeatable)"),
        ("tags", "tag (repeatable)"),
        ("ids", "dataset ids (repeatable)"),
        ("domains", "this portal's host; others match nothing"),
        ("only", "asset type; only `dataset` matches"),
        ("names", "exact dataset names"),
        ("attribution", "exact attribution"),
        ("license", "licenseId"),
        ("provenance", "official"),
        ("public", "true/false"),
        ("published", "true/false"),
        ("order", "relevance, name, updatedAt, createdAt, page_views_total (+ ASC/DESC)"),
        ("offset", "default 0"),
        ("limit", "default 100; offset+limit > 10000 → 400"),
    )
]

DOC = {
    "openapi": "3.1.0",
    "info": {
        "title": "openborough SODA 2.1 API",
        "version": "2.1",
        "description": "Socrata-compatible open data API. See docs/api/soda.md.",
    },
    "paths": {
        "/resource/{dataset_id}.{ext}": _resource_ops("soda-resource", [ID, EXT]),
        "/resource/{dataset_id}": _resource_ops("soda-resource", [ID]),
        "/resource/{dataset_id}/{rowid}.{ext}": _resource_ops("soda-row", [ID, ROWID, EXT], single=True),
        "/resource/{dataset_id}/{rowid}": _resource_ops("soda-row", [ID, ROWID], single=True),
        "/api/views.json": {
            "get": _op(
                "soda-views",
                "List datasets (views)",
                params=[_p("limit"), _p("page")],
                ok={
                    "description": "views",
                    "content": {
                        "application/json": {
                            "schema": {"type": "array", "items": {"$ref": "#/components/schemas/View"}}
                        }
                    },
                },
            ),
            "post": _op(
                "soda-views",
                "Create an unpublished dataset with columns and a row identifier",
                body={
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewView"}}},
                },
                ok=VIEW,
                auth=True,
            ),
        },
        "/api/views/{dataset_id}.json": {
            "get": _op("soda-view", "Dataset metadata", params=[ID], ok=VIEW),
            "put": _op(
                "soda-view",
                "Update metadata, or `?method=setPermission&value=public.read|private` "
                "(private also needs exemption, reason and optionally review_date)",
                params=[
                    ID,
                    _p("method"),
                    _p("value"),
                    _p("exemption", desc="FOI Act section, e.g. s40"),
                    _p("reason"),
                    _p("review_date", desc="YYYY-MM-DD"),
                ],
                body={"content": {"application/json": {"schema": {"type": "object"}}}},
                ok=VIEW,
                auth=True,
            ),
            "delete": _op("soda-view", "Delete the dataset", params=[ID], auth=True),
        },
        "/api/views/{dataset_id}/publication.json": {
            "post": _op("soda-publication", "Publish an unpublished dataset", params=[ID], ok=VIEW, auth=True),
        },
        "/api/views/{dataset_id}/rows.{ext}": {
            "get": _op("soda-export", "Export every row (no row limit, streamed)", params=[ID, EXT], ok=READ_OK),
        },
        "/api/catalog/v1": {"get": _op("soda-catalog", "Search the catalogue (Discovery API)", params=CATALOG_PARAMS)},
        "/api/catalog/v1/autocomplete": {
            "get": _op("soda-autocomplete", "Dataset title suggestions", params=[_p("q", required=True), _p("limit")])
        },
        "/api/catalog/v1/domain_categories": {"get": _op("soda-domain-categories", "Categories with counts")},
        "/api/catalog/v1/domain_tags": {"get": _op("soda-domain-tags", "Tags with counts")},
        "/data.json": {"get": _op("soda-data-json", "DCAT-US 1.1 catalog of public datasets")},
        "/api/users/current.json": {"get": _op("soda-current-user", "The authenticated user", auth=True)},
        "/api/openapi.json": {"get": _op("soda-openapi", "This description")},
        "/api/v3/views/{dataset_id}/query.{ext}": {
            m: _op(
                "soda3-query",
                "SODA3 query (json, geojson, csv): body or parameters `query`, `page` {pageNumber, pageSize}, "
                "`includeSynthetic` (default true); needs a signed-in user or an app token",
                params=[ID, EXT]
                + ([_p("query"), _p("pageNumber"), _p("pageSize"), _p("app_token")] if m == "get" else []),
                body=None if m == "get" else V3_BODY,
                ok=READ_OK,
                errors=(304, 400, 403, 404, 406, 429),
            )
            for m in ("get", "post")
        },
        "/api/v3/views/{dataset_id}/export.{ext}": {
            m: _op(
                "soda3-export",
                "SODA3 export of the whole result (csv, json, geojson): `query`, `serializationOptions` "
                "{separator, bom}; needs a signed-in user or an app token",
                params=[ID, EXT] + ([_p("query"), _p("app_token")] if m == "get" else []),
                body=None if m == "get" else V3_BODY,
                ok=READ_OK,
                errors=(304, 400, 403, 404, 406, 429),
            )
            for m in ("get", "post")
        },
        "/api/id/{dataset_id}.{ext}": {
            "get": _op(
                "soda-api-id",
                "The Socrata web UI's query path: same as /resource",
                params=[ID, EXT] + SOQL,
                ok=READ_OK,
                errors=(304, 400, 404, 406, 429),
            ),
        },  # fmt: skip
        "/api/views/metadata/v1": {
            "get": _op(
                "soda-metadata-list",
                "Metadata API: every visible dataset",
                params=[_p("limit"), _p("page"), _p("offset")],
            ),
        },  # fmt: skip
        "/api/views/metadata/v1/{dataset_id}": {
            "get": _op("soda-metadata", "Metadata API: one dataset (ISO-8601 UTC times, customFields)", params=[ID]),
        },
        "/views/{dataset_id}.json": {
            "get": _op("soda-view-alias", "Same as /api/views/{id}.json", params=[ID], ok=VIEW)
        },  # fmt: skip
        "/api/views/{dataset_id}/files/{asset_id}": {
            "get": _op(
                "soda-attachment",
                "Download an attachment listed in the view's metadata.attachments (`?download=true` to save)",
                params=[ID, _p("asset_id", "path", required=True), _p("download"), _p("filename")],
                ok={"description": "the file"},
            ),
        },
        "/api/views/{dataset_id}/columns.json": {
            "get": _op("soda-columns", "The dataset's columns, as in its view", params=[ID]),
        },
    },
    "components": {
        "securitySchemes": {
            "basic": {
                "type": "http",
                "scheme": "basic",
                "description": "username:password, or API key id:secret (`openborough user key`)",
            },
            "oauth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "`OAuth <token>` where the token is an API key's secret",
            },
            "appToken": {
                "type": "apiKey",
                "in": "header",
                "name": "X-App-Token",
                "description": "identifies an application for throttling; grants no rights",
            },
        },
        "responses": {
            "Error": {
                "description": "error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["code", "errorCode", "error", "message", "data"],
                "properties": {
                    "code": {"type": "string"},
                    "errorCode": {"type": "string"},
                    "error": {"const": True},
                    "message": {"type": "string"},
                    "data": {"type": "object"},
                },
            },
            "Counters": {
                "type": "object",
                "properties": {
                    k: {"type": "integer"}
                    for k in ("Rows Created", "Rows Updated", "Rows Deleted", "Errors", "By RowIdentifier", "By SID")
                },
            },
            "View": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "createdAt": {"type": "integer"},
                    "rowsUpdatedAt": {"type": "integer"},
                    "publicationStage": {"enum": ["published", "unpublished"]},
                    "columns": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "integer"},
                                "name": {"type": "string"},
                                "fieldName": {"type": "string"},
                                "dataTypeName": {"type": "string"},
                                "position": {"type": "integer"},
                                "cachedContents": {"type": "object"},
                            },
                        },
                    },
                },
            },
            "NewView": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "category": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "columns": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "fieldName": {"type": "string"},
                                "name": {"type": "string"},
                                "dataTypeName": {"type": "string"},
                            },
                        },
                    },
                    "metadata": {"type": "object", "properties": {"rowIdentifier": {"type": "string"}}},
                },
            },
        },
    },
}


@require_GET
def openapi_view(request):
    resp = HttpResponse(orjson.dumps(DOC), content_type="application/json;charset=utf-8")
    resp["Access-Control-Allow-Origin"] = "*"
    return resp
