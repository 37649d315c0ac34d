"""The catalogue actions: packages, organisations, groups, tags, licences, the site."""

from __future__ import annotations

import re
from collections import Counter

from django.conf import settings

from ..catalog import visibility
from ..catalog.models import Dataset, Licence, Organisation
from ..catalog.search import search_datasets
from . import packages as pk
from .errors import not_found, search_error, validation
from .params import as_bool, as_int, as_json, as_str, as_str_list

#: the CKAN API level these actions follow
CKAN_VERSION = "2.10.4"
ROWS_MAX = 1000  # ckan.search.rows_max


def public_datasets():
    """The public view: the catalogue's one visibility rule."""
    return visibility.public_datasets()


def visible(ctx):
    return Dataset.objects.all() if ctx.staff else public_datasets()


def find_dataset(ctx, ident: str) -> Dataset:
    """By id (the 4x4, which is also the package name); unknown and private alike are 404."""
    ds = visible(ctx).select_related("organisation").filter(pk=(ident or "").strip().lower()).first()
    if ds is None:
        raise not_found("Not found")
    return ds


# --- site --------------------------------------------------------------------


def site_read(ctx, params):
    """Whether the site can be read: always true."""
    return True


def status_show(ctx, params):
    """The site's title, URL, the CKAN API level followed and its extensions."""
    base = pk.base_url(ctx.request)
    return {
        "site_title": getattr(settings, "OPENBOROUGH_SITE_NAME", "openborough"),
        "site_description": "Open data portal (openborough)",
        "site_url": base,
        "ckan_version": CKAN_VERSION,
        "locale_default": "en_GB",
        "extensions": ["datastore", "dcat"],
    }


def license_list(ctx, params):
    """The licences datasets may carry, with CKAN ids and URLs."""
    return [pk.licence_dict(code) for code, _ in Licence.choices]


# --- packages ------------------------------------------------------------------


def package_list(ctx, params):
    """The ids (names) of all public packages. Parameters: limit, offset."""
    limit = as_int(params, "limit", 0, lo=0) or None
    offset = as_int(params, "offset", 0)
    ids = public_datasets().order_by("id").values_list("id", flat=True)
    return list(ids[offset : offset + limit] if limit else ids[offset:])


def package_show(ctx, params):
    """One package by id (its dataset id). Parameter: id."""
    ident = as_str(params, "id") or as_str(params, "name_or_id")
    if not ident:
        raise validation(id="Missing value")
    return pk.package_dict(ctx.request, find_dataset(ctx, ident))


def current_package_list_with_resources(ctx, params):
    """Public packages, most recently changed first. Parameters: limit, offset."""
    limit = as_int(params, "limit", 10, lo=1, hi=ROWS_MAX)
    offset = as_int(params, "offset", 0)
    qs = public_datasets().select_related("organisation").order_by("-updated_at", "id")
    return pk.package_dicts(ctx.request, qs[offset : offset + limit])


# package_search: CKAN's Solr fields onto the catalogue search's facets
FQ_FIELDS = {
    "tags": "tag",
    "organization": "organisation",
    "groups": "category",
    "license_id": "licence",
}
FACET_FIELDS = dict(FQ_FIELDS)
SORTS = {
    "score desc, metadata_modified desc": "relevance",
    "score desc": "relevance",
    "relevance": "relevance",
    "metadata_modified desc": "updated",
    "metadata_created desc": "updated",
    "title_string asc": "name",
    "name asc": "name",
    "title asc": "name",
    "views_recent desc": "views",
}
_Q_FIELDED = re.compile(r'(?<!\S)\+?(?:tags|organization|groups|license_id):(?:"(?:[^"\\]|\\.)*"|[^\s"]+)')
_FQ_TERM = re.compile(r'\s*(?:AND\s+)?\+?(\w+):("(?:[^"\\]|\\.)*"|[^\s"]+)\s*')


def _names():
    """facet value translations: organisation slug <-> name, group name <-> category."""
    orgs = dict(Organisation.objects.values_list("slug", "name"))
    categories = {pk.group_name(c): c for c in Dataset.objects.exclude(category="").values_list("category", flat=True)}
    return orgs, categories


def _parse_fq(fq: str, orgs, categories) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    pos = 0
    fq = fq.strip()
    while pos < len(fq):
        m = _FQ_TERM.match(fq, pos)
        if not m:
            raise search_error(
                f"Search Query is invalid: cannot read fq at {fq[pos : pos + 30]!r}; use field:value terms"
            )
        field, value = m.group(1), m.group(2)
        pos = m.end()
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if field == "capacity" and value == "public":
            continue
        if field not in FQ_FIELDS:
            raise search_error(
                f"Search Query is invalid: fq field {field!r} is not supported; use {', '.join(FQ_FIELDS)}"
            )
        if field == "organization":
            value = orgs.get(value, "\0" + value)
        elif field == "groups":
            value = categories.get(value, "\0" + value)
        elif field == "license_id":
            value = pk.LICENCE_FROM_CKAN.get(value, value)
        filters.setdefault(FQ_FIELDS[field], []).append(value)
    return filters


def package_search(ctx, params):
    """Search packages. Parameters: q, fq, fq_list, rows, start, sort, facet.field, facet.limit, include_private."""
    q = as_str(params, "q").strip()
    if q in ("*:*", "*"):
        q = ""
    rows = as_int(params, "rows", 10, lo=0, hi=ROWS_MAX)
    start = as_int(params, "start", 0)
    sort = re.sub(r"\s+", " ", as_str(params, "sort").strip().lower()) or (
        "score desc, metadata_modified desc" if q else "metadata_modified desc"
    )
    if sort not in SORTS:
        raise search_error(f"Search Query is invalid: sort {sort!r} is not supported; use one of {', '.join(SORTS)}")
    orgs, categories = _names()
    filters = _parse_fq(as_str(params, "fq"), orgs, categories)
    # field:value terms in q (clients write q="tags:parking") filter as they would in fq
    fielded = _Q_FIELDED.findall(q)
    if fielded:
        q = _Q_FIELDED.sub(" ", q).strip()
        for k, v in _parse_fq(" ".join(fielded), orgs, categories).items():
            filters.setdefault(k, []).extend(v)
    for extra in as_json(params, "fq_list", list, []):
        if not isinstance(extra, str):
            raise validation(fq_list="Must be a list of strings")
        for k, v in _parse_fq(extra, orgs, categories).items():
            filters.setdefault(k, []).extend(v)
    include_private = as_bool(params, "include_private") and ctx.staff
    facet_fields = as_str_list(params, "facet.field")
    unknown = [f for f in facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise search_error(
            f"Search Query is invalid: facet.field {unknown[0]!r} is not supported; use {', '.join(FACET_FIELDS)}"
        )
    facet_limit = as_int(params, "facet.limit", 50, lo=-1)
    result = search_datasets(
        q, filters=filters, order=SORTS[sort], offset=start, limit=rows, include_private=include_private
    )
    datasets = result.datasets
    org_slugs = {v: k for k, v in orgs.items()}
    facets, search_facets = {}, {}
    for field in facet_fields:
        counts = result.facets.get(FACET_FIELDS[field], [])
        items = []
        for value, n in counts:
            if field == "organization":
                name, shown = org_slugs.get(value, value), value
            elif field == "groups":
                name, shown = pk.group_name(value), value
            elif field == "license_id":
                name, shown = pk.CKAN_LICENCE_IDS.get(value, value), dict(Licence.choices).get(value, value)
            else:
                name, shown = value, value
            items.append({"name": name, "display_name": shown, "count": n})
        if facet_limit >= 0:
            items = items[:facet_limit]
        facets[field] = {i["name"]: i["count"] for i in items}
        search_facets[field] = {"title": field, "items": items}
    return {
        "count": result.total,
        "sort": sort,
        "results": pk.package_dicts(ctx.request, datasets),
        "facets": facets,
        "search_facets": search_facets,
    }


def resource_show(ctx, params):
    """One resource by id. Parameter: id."""
    ident = as_str(params, "id").strip().lower()
    if not ident:
        raise validation(id="Missing value")
    ds = find_dataset(ctx, ident[:9])
    for res in pk.resources(ctx.request, ds):
        if res["id"] == ident:
            return res
    raise not_found("Resource was not found.")


# --- organisations, groups, tags ----------------------------------------------------


def _counts_by(field: str) -> Counter:
    return Counter(public_datasets().exclude(**{field: None}).values_list(field, flat=True))


def _listing(params, entries: list[dict]):
    sort = as_str(params, "sort", "name asc").strip().lower()
    key, _, direction = sort.partition(" ")
    if key not in ("name", "title", "package_count"):
        raise validation(sort=f"Cannot sort by field {key!r}")
    entries.sort(key=lambda e: e[key] if key != "title" else e["title"].lower(), reverse=direction == "desc")
    offset = as_int(params, "offset", 0)
    limit = as_int(params, "limit", 0) or None
    entries = entries[offset : offset + limit if limit else None]
    if as_bool(params, "all_fields"):
        return entries
    return [e["name"] for e in entries]


def organization_list(ctx, params):
    """Organisations. Parameters: all_fields, sort, limit, offset."""
    counts = _counts_by("organisation_id")
    return _listing(params, [pk.organization_dict(o, counts.get(o.pk, 0)) for o in Organisation.objects.all()])


def _with_datasets(ctx, params, entry: dict, qs):
    if as_bool(params, "include_datasets"):
        entry["packages"] = pk.package_dicts(ctx.request, qs.select_related("organisation")[:1000])
    return entry


def organization_show(ctx, params):
    """One organisation by name. Parameters: id, include_datasets."""
    ident = as_str(params, "id").strip()
    if not ident:
        raise validation(id="Missing value")
    org = Organisation.objects.filter(slug=ident).first()
    if org is None and ident.isdigit():
        org = Organisation.objects.filter(pk=int(ident)).first()
    if org is None:
        raise not_found("Organization not found")
    qs = public_datasets().filter(organisation=org).order_by("name", "id")
    return _with_datasets(ctx, params, pk.organization_dict(org, qs.count()), qs)


def group_list(ctx, params):
    """Groups (categories). Parameters: all_fields, sort, limit, offset."""
    counts = Counter()
    for cat, n in _counts_by("category").items():
        if cat:
            counts[cat] += n
    return _listing(params, [pk.group_dict(c, n) for c, n in counts.items()])


def group_show(ctx, params):
    """One group (category) by name. Parameters: id, include_datasets."""
    ident = as_str(params, "id").strip()
    _, categories = _names()
    category = categories.get(ident)
    if category is None:
        raise not_found("Group not found")
    qs = public_datasets().filter(category=category).order_by("name", "id")
    return _with_datasets(ctx, params, pk.group_dict(category, qs.count()), qs)


def tag_list(ctx, params):
    """Tags of public packages. Parameters: query, all_fields."""
    query = as_str(params, "query").strip().lower()
    tags = Counter()
    for ts in public_datasets().values_list("tags", flat=True):
        tags.update({str(t) for t in (ts or [])})
    names = sorted(t for t in tags if query in t.lower())
    if as_bool(params, "all_fields"):
        return [pk.tag_dict(t) for t in names]
    return names
