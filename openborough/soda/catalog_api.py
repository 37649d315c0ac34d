"""The Discovery API (``/api/catalog/v1`` and its autocomplete, domain
categories and domain tags), built on ``catalog.search.search_datasets``."""

from __future__ import annotations

from ..catalog.models import Dataset
from ..catalog.search import search_datasets
from .access import visible_datasets
from .auth import can_read_private
from .errors import SodaError
from .http import soda_view
from .links import landing_page
from .viewshape import LICENSE_IDS, catalog_type_name
from .writes import json_response

DEFAULT_LIMIT = 100
MAX_WINDOW = 10000
ORDERS = {
    "relevance": "relevance",
    "name": "name",
    "updatedat": "updated",
    "createdat": "updated",
    "page_views_total": "views",
    "page_views_last_month": "views",
    "page_views_last_week": "views",
}
DEFAULT_DESC = {"relevance", "updated", "views"}
MULTI = {"ids", "domains", "categories", "tags", "only", "names"}
SINGLE = {
    "q",
    "min_should_match",
    "attribution",
    "license",
    "provenance",
    "public",
    "published",
    "order",
    "offset",
    "limit",
    "search_context",
    "visibility",
    "audience",
    "explicitly_hidden",
    "derived",
    "approval_status",
    "boostOfficial",
    "show_visibility",
    "data_json_hidden",
}


def _values(query, key: str) -> list[str]:
    out = []
    for v in query.getlist(key) + query.getlist(key + "[]"):
        out += [x.strip() for x in v.split(",") if x.strip()]
    return out


def _int(query, key: str, default: int) -> int:
    raw = query.get(key, "")
    if raw == "":
        return default
    try:
        n = int(raw)
    except ValueError:
        raise SodaError(400, "catalog.param.bad-integer", f"{key} must be a whole number, not {raw!r}") from None
    if n < 0:
        raise SodaError(400, "catalog.param.negative", f"{key} must not be negative")
    return n


def _order(raw: str) -> tuple[str, bool]:
    parts = raw.strip().split()
    if not parts:
        return "relevance", True
    key = parts[0].lower()
    if key not in ORDERS or len(parts) > 2 or (len(parts) == 2 and parts[1].upper() not in ("ASC", "DESC")):
        raise SodaError(
            400,
            "catalog.order.unknown",
            f"order must be one of {', '.join(sorted(ORDERS))}, optionally followed by ASC or DESC",
        )
    order = ORDERS[key]
    desc = parts[1].upper() == "DESC" if len(parts) == 2 else order in DEFAULT_DESC
    return order, desc


def _result(request, ds: Dataset) -> dict:
    cols = list(ds.columns.order_by("position"))
    updated = (ds.data_updated_at or ds.updated_at).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    host = request.get_host()
    owner = (
        {"id": ds.created_by.get_username(), "display_name": ds.created_by.get_username(), "user_type": "interactive"}
        if ds.created_by_id
        else {"id": "", "display_name": "", "user_type": ""}
    )
    return {
        "resource": {
            "name": ds.name,
            "id": ds.id,
            "parent_fxf": [],
            "description": ds.description,
            "attribution": ds.attribution,
            "attribution_link": "",
            "contact_email": ds.contact_email,
            "type": "dataset",
            "updatedAt": updated,
            "createdAt": ds.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "data_updated_at": updated,
            "metadata_updated_at": ds.updated_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "columns_name": [c.name for c in cols],
            "columns_field_name": [c.field_name for c in cols],
            "columns_datatype": [catalog_type_name(c.type) for c in cols],
            "columns_description": [c.description for c in cols],
            "columns_format": [{} for _ in cols],
            "download_count": 0,
            "provenance": "official",
            "row_count": ds.row_count,
        },
        "classification": {
            "categories": [ds.category] if ds.category else [],
            "tags": list(ds.tags or []),
            "domain_category": ds.category,
            "domain_tags": list(ds.tags or []),
            "domain_metadata": [],
        },
        "metadata": {
            "domain": host,
            "license": LICENSE_IDS.get(ds.licence, ds.licence),
            "is_public": ds.is_public,
            "is_published": ds.published,
            "visible_to_anonymous": ds.is_public,
        },
        "permalink": f"{request.scheme}://{host}/d/{ds.id}",
        "link": landing_page(request, ds),
        "owner": owner,
        "creator": owner,
    }


def _ours(request, domains: list[str]) -> bool:
    host = request.get_host().lower()
    bare = host.split(":")[0]
    return not domains or any(d.lower() in (host, bare) for d in domains)


@soda_view(("GET",))
def catalog(request, user):
    query = request.GET
    unknown = [k for k in query if k.rstrip("[]") not in MULTI | SINGLE]
    if unknown:
        raise SodaError(
            400, "catalog.param.unknown", f"Unrecognized parameters: {', '.join(sorted(unknown))}", {"params": unknown}
        )
    offset = _int(query, "offset", 0)
    limit = _int(query, "limit", DEFAULT_LIMIT)
    if offset + limit > MAX_WINDOW:
        raise SodaError(
            400, "catalog.window.too-large", f"offset + limit must not exceed {MAX_WINDOW}; narrow the search"
        )
    order, desc = _order(query.get("order", ""))
    private = can_read_private(user)
    empty = json_response({"results": [], "resultSetSize": 0, "timings": {}, "warnings": []})
    only = [o.lower().rstrip("s") for o in _values(query, "only")]
    if not _ours(request, _values(query, "domains")) or (only and "dataset" not in only):
        return empty
    flags = {k: query.get(k, "").lower() for k in ("public", "published")}
    if any(v == "false" for v in flags.values()) and not private:
        return empty
    if query.get("provenance", "official").lower() != "official":
        return empty
    filters = {"category": _values(query, "categories"), "tag": [t.lower() for t in _values(query, "tags")]}
    lic = query.get("license", "")
    if lic:
        from .viewshape import LICENCE_BY_ID

        filters["licence"] = [LICENCE_BY_ID.get(lic, lic)]
    ids = _values(query, "ids")
    names = {n.lower() for n in _values(query, "names")}
    attribution = query.get("attribution", "")
    post_filter = bool(ids or names or attribution or any(v in ("true", "false") for v in flags.values()))
    q = query.get("q", "")

    def run(off: int, lim: int):
        """One window of results (search_datasets pages at most 1000 at a time)."""
        res = search_datasets(
            q, filters=filters, order=order, offset=off, limit=min(lim, 1000), include_private=private
        )
        got = list(res.datasets)
        while len(got) < lim and off + len(got) < res.total:
            more = search_datasets(
                q,
                filters=filters,
                order=order,
                offset=off + len(got),
                limit=min(lim - len(got), 1000),
                include_private=private,
            ).datasets
            if not more:
                break
            got += more
        res.datasets = got
        return res

    if post_filter:
        res = run(0, MAX_WINDOW)
        allowed = set(visible_datasets(user).values_list("id", flat=True))
        items = [d for d in res.datasets if d.id in allowed]
        if ids:
            items = [d for d in items if d.id in set(ids)]
        if names:
            items = [d for d in items if d.name.lower() in names]
        if attribution:
            items = [d for d in items if d.attribution == attribution]
        for key, v in flags.items():
            if v in ("true", "false"):
                want = v == "true"
                items = [d for d in items if (d.is_public if key == "public" else d.published) == want]
        total = len(items)
        if desc == (order not in DEFAULT_DESC):
            items = items[::-1]
        page = items[offset : offset + limit]
    else:
        first = run(offset, limit)
        total = first.total
        page = first.datasets
        if desc == (order not in DEFAULT_DESC):  # the opposite of the search's natural direction
            start = max(0, total - offset - limit)
            stop = max(0, total - offset)
            page = list(reversed(run(start, stop - start).datasets)) if stop > start else []
    if not post_filter:  # never trust an index snapshot with visibility
        allowed = set(visible_datasets(user).filter(pk__in=[d.id for d in page]).values_list("id", flat=True))
        page = [d for d in page if d.id in allowed]
    return json_response(
        {"results": [_result(request, d) for d in page], "resultSetSize": total, "timings": {}, "warnings": []}
    )


@soda_view(("GET",))
def autocomplete(request, user):
    q = request.GET.get("q", "").strip()
    limit = min(_int(request.GET, "limit", 10), 100)
    if not q:
        raise SodaError(400, "catalog.q.required", "autocomplete needs q")
    visible = visible_datasets(user)
    names = list(visible.filter(name__istartswith=q).order_by("name").values_list("name", flat=True)[:limit])
    if len(names) < limit:
        more = visible.filter(name__icontains=q).exclude(name__istartswith=q).order_by("name")
        names += list(more.values_list("name", flat=True)[: limit - len(names)])
    if len(names) < limit:  # then word matches from the catalogue search (stemming, synonyms)
        res = search_datasets(q, limit=limit, include_private=can_read_private(user))
        names += [d.name for d in res.datasets if d.name not in names][: limit - len(names)]
    results = [{"title": n, "display_title": n} for n in names]
    return json_response({"results": results, "resultSetSize": len(results), "timings": {}})


def _facet(request, user, facet: str, key: str):
    res = search_datasets("", limit=0, include_private=can_read_private(user))
    counts = sorted(res.facets.get(facet, []), key=lambda vc: (-vc[1], vc[0]))
    return json_response({"results": [{key: v, "count": n} for v, n in counts if v]})


@soda_view(("GET",))
def domain_categories(request, user):
    return _facet(request, user, "category", "domain_category")


@soda_view(("GET",))
def domain_tags(request, user):
    return _facet(request, user, "tag", "domain_tag")
