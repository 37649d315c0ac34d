"""A Socrata portal (or another openborough, which speaks the same API).

Lists datasets with the Discovery API (``/api/catalog/v1``), falling back to
``/api/views``; reads each dataset's metadata from ``/api/views/{id}.json``;
fetches rows from ``/resource/{id}.csv`` ordered by ``:id`` and paged, into one
CSV file for the ingest pipeline, with the source's column types, display
names and descriptions imposed rather than inferred. The 4x4 id is kept."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

from ...catalog.ids import is_dataset_id
from ...catalog.models import Licence
from ...ingest import IngestOptions
from ...soda.viewshape import LICENCE_BY_ID, input_type
from ...soql.types import SoQLType
from ..http import SourceError, join
from .base import Entry, Pages, Payload, Source

CATALOG_PAGE = 100
VIEWS_PAGE = 200
ROWS_PAGE = 50_000
#: licence names Socrata shows, → ours, when ``licenseId`` is not one we know
LICENCE_NAMES = {
    "open government licence": Licence.OGL3,
    "uk open government licence (ogl v3)": Licence.OGL3,
    "creative commons attribution 4.0": Licence.CC_BY4,
    "creative commons 1.0 universal (public domain dedication)": Licence.CC0,
    "public domain": Licence.CC0,
    "open database license": Licence.ODBL,
}


def _licence(view: dict) -> str:
    lid = view.get("licenseId") or ""
    if lid in LICENCE_BY_ID:
        return LICENCE_BY_ID[lid]
    name = ((view.get("license") or {}).get("name") or "").strip().lower()
    for key, lic in LICENCE_NAMES.items():
        if name.startswith(key):
            return lic
    # an unknown or missing licence is not assumed to be the OGL: staff check "other" before relying on it
    return Licence.OTHER


def is_private(view: dict) -> bool:
    """Socrata marks public datasets with a ``public`` grant; anything else (and unpublished drafts) is private."""
    if view.get("visibility") == "private" or view.get("publicationStage", "published") != "published":
        return True
    return not any("public" in (g.get("flags") or []) for g in view.get("grants") or [])


class SocrataSource(Source):
    kind = "socrata"
    page_size = ROWS_PAGE

    def _list_ids(self, query: str | None) -> Iterator[str]:
        host = urlsplit(self.url).netloc
        pages = Pages("the catalogue listing (/api/catalog/v1)")
        offset = 0
        params = {"only": "dataset", "limit": CATALOG_PAGE, "domains": host, "search_context": host}
        if query:
            params["q"] = query
        try:
            status, first = self.client.get_json(
                join(self.url, "api/catalog/v1"), {**params, "offset": 0}, allow_error_json=True
            )
        except SourceError:  # an older portal without the Discovery API (an HTML 404 page, say)
            status, first = 404, None
        if status >= 400 or not isinstance(first, dict) or "results" not in first:
            yield from self._list_views(query)
            return
        page = first
        while True:
            ids = [((r.get("resource") or {}).get("id") or "") for r in page.get("results") or []]
            ids = [i for i in ids if i]
            if not ids:
                return
            yield from pages.fresh(ids)
            offset += len(page.get("results") or [])
            total = page.get("resultSetSize")
            if isinstance(total, int):
                self.total = total
            if isinstance(total, int) and offset >= total:
                return
            _, page = self.client.get_json(join(self.url, "api/catalog/v1"), {**params, "offset": offset})
            if not isinstance(page, dict):
                raise SourceError("the catalogue listing answered something other than a JSON object")

    def _list_views(self, query: str | None) -> Iterator[str]:
        pages = Pages("the views listing (/api/views)")
        n = 1
        while True:
            _, page = self.client.get_json(join(self.url, "api/views.json"), {"limit": VIEWS_PAGE, "page": n})
            if not isinstance(page, list):
                raise SourceError("/api/views answered something other than a list of views")
            if not page:
                return
            views = {v["id"]: v for v in page if isinstance(v, dict) and v.get("id")}
            q = (query or "").lower()
            for vid in pages.fresh(views):
                v = views[vid]
                if not q or q in (v.get("name") or "").lower() or q in (v.get("description") or "").lower():
                    yield vid
            if len(page) < VIEWS_PAGE:
                return
            n += 1

    def entries(self, *, ids=None, query=None) -> Iterator[Entry]:
        if ids:
            self.total = len(ids)
        for vid in ids or self._list_ids(query):
            try:
                _, view = self.client.get_json(join(self.url, f"api/views/{vid}.json"))
                if not isinstance(view, dict) or "id" not in view:
                    raise SourceError(f"/api/views/{vid}.json is not a Socrata view")
                yield self.entry(view)
            except SourceError as e:
                yield Entry(source_id=vid, title=vid, meta={}, data_key="", local_id=vid, error=str(e))

    def entry(self, view: dict) -> Entry:
        vid = str(view["id"])
        title = str(view.get("name") or vid)
        tags = [str(t) for t in view.get("tags") or []]
        meta = {
            "name": title,
            "description": view.get("description") or "",
            "category": view.get("category") or "",
            "tags": tags,
            "licence": _licence(view),
            "attribution": view.get("attribution") or "",
        }
        custom = ((view.get("metadata") or {}).get("custom_fields") or {}).get("Open data") or {}
        for label, key in (
            ("Organisation", "organisation"),
            ("Contact name", "contact_name"),
            ("Contact email", "contact_email"),
            ("Update frequency", "update_frequency"),
            ("Temporal coverage", "temporal_coverage"),
            ("Spatial coverage", "spatial_coverage"),
        ):
            if custom.get(label):
                meta[key] = custom[label]
        rows = view.get("rowCount")
        rows = int(rows) if isinstance(rows, int | float) else None
        stamp = view.get("rowsUpdatedAt") or view.get("viewLastModified") or ""
        entry = Entry(
            source_id=vid,
            title=title,
            meta=meta,
            data_key=f"rows-updated:{stamp};rows:{rows if rows is not None else ''};columns:{_columns_key(view)}",
            local_id=vid if is_dataset_id(vid) else None,
            private=is_private(view),
            expected_rows=rows,
        )
        kind = view.get("assetType") or view.get("displayType") or ""
        if view.get("viewType", "tabular") != "tabular" or kind not in ("dataset", "table", ""):
            entry.skip = f"a Socrata {kind or view.get('viewType')} asset, not a table of rows"
            return entry
        if view.get("modifyingViewUid"):
            entry.skip = f"a filtered view of {view['modifyingViewUid']}; harvest that dataset instead"
            return entry
        try:
            columns = _columns(view)
        except SourceError as e:
            entry.skip = str(e)
            return entry
        if not columns:
            entry.skip = "the dataset has no columns"
            return entry
        row_id = _row_identifier(view, columns)
        entry.fetch = lambda tmpdir: self._fetch(vid, columns, row_id, rows, tmpdir)
        return entry

    def _fetch(self, vid: str, columns: list[dict], row_id: str | None, expected: int | None, tmpdir: str) -> Payload:
        shapes = [c for c in columns if c["type"].is_geometry and c["type"] is not SoQLType.POINT]
        if len(shapes) > 1:
            raise SourceError(
                f"the dataset has {len(shapes)} line or polygon columns ({', '.join(c['field'] for c in shapes)}); "
                "openborough reads one per dataset"
            )
        fields = [c["field"] for c in columns]
        # the rows' own times travel as two extra columns, named so as not to clash with the dataset's
        stamp_names = {}
        for system in (":created_at", ":updated_at"):
            name = "ob_source" + system.replace(":", "_")
            while name in fields:
                name += "_"
            stamp_names[system] = name

        def fetch(stamps):
            if shapes:
                return self._fetch_geojson(vid, columns, shapes[0], stamps, row_id, expected, tmpdir)
            return self._fetch_csv(vid, columns, fields, stamps, row_id, expected, tmpdir)

        try:
            return fetch(stamp_names)
        except SourceError as e:
            if "HTTP 400" not in str(e):
                raise
            # a source that will not select :created_at / :updated_at: rows get the harvest's time
            return fetch({})

    def _fetch_csv(self, vid, columns, fields, stamp_names, row_id, expected, tmpdir) -> Payload:
        selected = list(stamp_names) + fields
        path = os.path.join(tmpdir, f"{vid}.csv")
        pages = Pages(f"rows of {vid}")
        # a source whose pages never end: stop a page past the stated row count
        limit_pages = (expected // self.page_size + 2) if expected is not None else None
        total = 0
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([stamp_names.get(f, f) for f in selected])
            offset = 0
            while True:
                body, ctype, url = self.client.get_text(
                    join(self.url, f"resource/{vid}.csv"),
                    {
                        "$select": ", ".join(f if f.startswith(":") else f"`{f}`" for f in selected),
                        "$order": ":id",
                        "$limit": self.page_size,
                        "$offset": offset,
                    },
                    accept="text/csv",
                )
                if ctype == "text/html" or body.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
                    raise SourceError(f"/resource/{vid}.csv answered an HTML page, not CSV")
                reader = csv.reader(io.StringIO(body.decode("utf-8-sig")))
                header = next(reader, None)
                if header is None:
                    break
                if [h.strip() for h in header] != selected:
                    raise SourceError(
                        f"/resource/{vid}.csv sent columns {', '.join(header[:8])}… not the view's {', '.join(fields[:8])}…"
                    )
                page = list(reader)
                if not page:
                    break
                pages.check([hashlib.sha256(body).hexdigest()])
                if limit_pages is not None and pages.count > limit_pages:
                    raise SourceError(
                        f"/resource/{vid} kept sending rows past the {expected:,} the view states; stopped"
                    )
                writer.writerows(page)
                total += len(page)
                offset += len(page)
                if len(page) < self.page_size:
                    break
        if total == 0:
            raise SourceError("the dataset has no rows to harvest")
        options = _options("csv", columns)
        for name in stamp_names.values():
            options.types[name] = SoQLType.FIXED_TIMESTAMP
        stamps = {name: system for system, name in stamp_names.items()}
        return Payload(path, options, row_id=row_id, expected_rows=total, stamps=stamps or None)

    def _fetch_geojson(self, vid, columns, shape, stamp_names, row_id, expected, tmpdir) -> Payload:
        """Rows with a line or polygon column, as GeoJSON features (CSV cannot carry them)."""
        path = os.path.join(tmpdir, f"{vid}.geojson")
        pages = Pages(f"rows of {vid}")
        limit_pages = (expected // self.page_size + 2) if expected is not None else None
        features: list = []
        offset = 0
        while True:
            _, page = self.client.get_json(
                join(self.url, f"resource/{vid}.geojson"),
                {"$select": ", ".join(list(stamp_names) + [f"`{c['field']}`" for c in columns]), "$order": ":id",
                 "$limit": self.page_size, "$offset": offset},
            )  # fmt: skip
            got = page.get("features") if isinstance(page, dict) else None
            if not isinstance(got, list):
                raise SourceError(f"/resource/{vid}.geojson is not a GeoJSON FeatureCollection")
            if not got:
                break
            pages.check([hashlib.sha256(json.dumps(got[:3], sort_keys=True).encode()).hexdigest(), len(got)])
            if limit_pages is not None and pages.count > limit_pages:
                raise SourceError(f"/resource/{vid} kept sending rows past the {expected:,} the view states; stopped")
            for feat in got:
                props = feat.get("properties") if isinstance(feat, dict) else None
                if isinstance(props, dict):
                    for system, name in stamp_names.items():
                        if system in props:
                            props[name] = props.pop(system)
            features += got
            offset += len(got)
            if len(got) < self.page_size:
                break
        if not features:
            raise SourceError("the dataset has no rows to harvest")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"type": "FeatureCollection", "features": features}, f)
        others = [c for c in columns if c is not shape]
        options = _options("geojson", others)
        if shape["field"] != "the_geom":
            options.renames = {"the_geom": shape["field"]}
        options.types[shape["field"]] = shape["type"]
        options.names[shape["field"]] = shape["name"]
        if shape["description"]:
            options.descriptions[shape["field"]] = shape["description"]
        for name in stamp_names.values():
            options.types[name] = SoQLType.FIXED_TIMESTAMP
        stamps = {name: system for system, name in stamp_names.items()}
        return Payload(path, options, row_id=row_id, expected_rows=len(features), stamps=stamps or None)


def _options(fmt: str, columns: list[dict]) -> IngestOptions:
    return IngestOptions(
        format=fmt,
        types={c["field"]: c["type"] for c in columns},
        names={c["field"]: c["name"] for c in columns},
        descriptions={c["field"]: c["description"] for c in columns if c["description"]},
        on_bad="reject",
    )


def _columns(view: dict) -> list[dict]:
    out = []
    for c in sorted(view.get("columns") or [], key=lambda c: c.get("position") or 0):
        field = str(c.get("fieldName") or "")
        if not field or field.startswith(":"):
            continue  # system and computed-region columns
        if (c.get("flags") or []) and "hidden" in c["flags"]:
            continue
        type_name = c.get("dataTypeName") or c.get("renderTypeName") or "text"
        try:
            ty = input_type(type_name)
        except ValueError:
            raise SourceError(
                f"column {field} has Socrata type {type_name!r}, which openborough cannot store"
            ) from None
        out.append({"id": c.get("id"), "field": field, "name": str(c.get("name") or field),
                    "description": str(c.get("description") or ""), "type": ty})  # fmt: skip
    return out


def _columns_key(view: dict) -> str:
    cols = [
        (c.get("fieldName"), c.get("dataTypeName"), c.get("name"), c.get("description"))
        for c in view.get("columns") or []
    ]
    return hashlib.sha256(repr(cols).encode()).hexdigest()[:16]


def _row_identifier(view: dict, columns: list[dict]) -> str | None:
    rid = (view.get("metadata") or {}).get("rowIdentifier")
    if rid in (None, "", 0):
        rid = view.get("rowIdentifierColumnId")
        if rid is None:
            return None
    for c in columns:
        if rid == c["field"] or str(rid) == str(c["id"]):
            return c["field"]
    return None
