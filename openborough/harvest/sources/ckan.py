"""A CKAN portal, through its action API (``/api/3/action/…``).

``package_search`` pages through the packages; each package becomes one
dataset, from its DataStore table when a resource has one (``datastore_search``
pages, with the DataStore's column types), else from its first CSV, XLSX,
GeoJSON or JSON resource downloaded and read by the ingest pipeline."""

from __future__ import annotations

import os
from collections.abc import Iterator

from ...catalog.ids import is_dataset_id
from ...ingest import IngestOptions
from ...soql.types import SoQLType
from ..http import SourceError, join
from .base import Entry, Pages, Payload, Source
from .common import PREFERENCE, RecordsCsv, email_or_blank, ingest_format, licence_from

SEARCH_PAGE = 100
DATASTORE_PAGE = 10_000
#: DataStore (PostgreSQL) column types → ours
DATASTORE_TYPES = {
    "text": SoQLType.TEXT,
    "varchar": SoQLType.TEXT,
    "numeric": SoQLType.NUMBER,
    "int": SoQLType.NUMBER,
    "int2": SoQLType.NUMBER,
    "int4": SoQLType.NUMBER,
    "int8": SoQLType.NUMBER,
    "integer": SoQLType.NUMBER,
    "bigint": SoQLType.NUMBER,
    "float4": SoQLType.NUMBER,
    "float8": SoQLType.NUMBER,
    "bool": SoQLType.CHECKBOX,
    "boolean": SoQLType.CHECKBOX,
    "timestamp": SoQLType.FLOATING_TIMESTAMP,
    "timestamptz": SoQLType.FIXED_TIMESTAMP,
    "date": SoQLType.FLOATING_TIMESTAMP,
}


class CkanSource(Source):
    kind = "ckan"
    page_size = None

    def action(self, name: str, params: dict) -> dict | list:
        status, body = self.client.get_json(join(self.url, f"api/3/action/{name}"), params, allow_error_json=True)
        if not isinstance(body, dict) or "success" not in body:
            raise SourceError(f"{name} did not answer in CKAN's shape (no 'success')")
        if not body["success"]:
            err = body.get("error") or {}
            msg = err.get("message") or err.get("__type") or "no reason given"
            raise SourceError(f"CKAN {name} failed ({err.get('__type', f'HTTP {status}')}): {msg}")
        return body.get("result")

    def _packages(self, query: str | None, ids: list[str] | None) -> Iterator[dict]:
        if ids:
            self.total = len(ids)
            for i in ids:
                try:
                    yield self.action("package_show", {"id": i})
                except SourceError as e:
                    yield {"id": i, "name": i, "title": i, "_error": str(e)}
            return
        rows = self.page_size or SEARCH_PAGE
        pages = Pages("package_search")
        start = 0
        params = {"rows": rows, "sort": "metadata_created asc"}
        if query:
            params["q"] = query
        if self.client.session.headers.get("Authorization"):
            params["include_private"] = "true"
        while True:
            result = self.action("package_search", {**params, "start": start})
            if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                raise SourceError("package_search answered without a list of results")
            got = result["results"]
            if not got:
                return
            new = pages.fresh([p.get("id") for p in got])
            for p in got:
                if p.get("id") in new:
                    yield p
            start += len(got)
            count = result.get("count")
            if isinstance(count, int):
                self.total = count
            if isinstance(count, int) and start >= count:
                return

    def entries(self, *, ids=None, query=None) -> Iterator[Entry]:
        for pkg in self._packages(query, ids):
            yield self.entry(pkg)

    def entry(self, pkg: dict) -> Entry:
        pid = str(pkg.get("id") or pkg.get("name"))
        title = str(pkg.get("title") or pkg.get("name") or pid)
        if pkg.get("_error"):
            return Entry(source_id=pid, title=title, meta={}, data_key="", error=pkg["_error"])
        extras = {e.get("key"): e.get("value") for e in pkg.get("extras") or [] if isinstance(e, dict)}
        groups = [g.get("title") or g.get("name") for g in pkg.get("groups") or [] if isinstance(g, dict)]
        meta = {
            "name": title,
            "description": pkg.get("notes") or "",
            "tags": [t.get("name") for t in pkg.get("tags") or [] if isinstance(t, dict) and t.get("name")],
            "category": groups[0] if groups else "",
        }
        lic = licence_from(pkg.get("license_id"), pkg.get("license_url"), pkg.get("license_title"))
        if lic:
            meta["licence"] = lic
        org = pkg.get("organization") or {}
        if isinstance(org, dict) and (org.get("title") or org.get("name")):
            meta["organisation"] = org.get("title") or org.get("name")
        email = email_or_blank(pkg.get("maintainer_email") or pkg.get("author_email"))
        if email:
            meta["contact_email"] = email
        if pkg.get("maintainer") or pkg.get("author"):
            meta["contact_name"] = str(pkg.get("maintainer") or pkg.get("author"))[:200]
        for key in ("temporal_coverage", "spatial_coverage"):
            if extras.get(key):
                meta[key] = str(extras[key])[:100]
        local = next(
            (v for v in (pkg.get("name"), extras.get("socrata_id"), extras.get("identifier"), pid) if is_dataset_id(str(v or ""))),
            None,
        )  # fmt: skip
        entry = Entry(
            source_id=pid,
            title=title,
            meta=meta,
            data_key="",
            local_id=local,
            private=bool(pkg.get("private")) or pkg.get("state", "active") != "active",
        )
        resources = [r for r in pkg.get("resources") or [] if isinstance(r, dict)]
        store = next((r for r in resources if r.get("datastore_active")), None)
        if store is not None:
            entry.data_key = f"datastore:{store.get('id')}:{store.get('last_modified') or store.get('metadata_modified') or pkg.get('metadata_modified')}"
            entry.fetch = lambda tmpdir: self._datastore(store, tmpdir)
            return entry
        files = [
            (ingest_format(r.get("format"), r.get("mimetype"), r.get("url")), r) for r in resources if r.get("url")
        ]
        files = [(f, r) for f, r in files if f]
        if not files:
            kinds = sorted({str(r.get("format") or "?") for r in resources}) or ["none"]
            entry.skip = (
                f"no resource openborough can read (formats: {', '.join(kinds)}); CSV, XLSX, GeoJSON or JSON needed"
            )
            return entry
        fmt, res = min(files, key=lambda fr: PREFERENCE.index(fr[0]))
        entry.data_key = (
            f"file:{res.get('id')}:{res.get('url')}:{res.get('last_modified') or res.get('created')}:{res.get('size')}"
        )
        entry.fetch = lambda tmpdir: self._file(res, fmt, tmpdir)
        return entry

    def _file(self, res: dict, fmt: str, tmpdir: str) -> Payload:
        url = res["url"] if res["url"].startswith(("http://", "https://")) else join(self.url, res["url"])
        path = os.path.join(tmpdir, f"resource.{fmt}")
        self.client.download(url, path)
        return Payload(path, IngestOptions(format=fmt))

    def _datastore(self, res: dict, tmpdir: str) -> Payload:
        rid = res["id"]
        limit = self.page_size or DATASTORE_PAGE
        pages = Pages(f"datastore_search of {rid}")
        out = None
        offset = 0
        try:
            while True:
                result = self.action("datastore_search", {"resource_id": rid, "limit": limit, "offset": offset})
                fields = [f for f in result.get("fields") or [] if f.get("id") != "_id"]
                records = result.get("records") or []
                if out is None:
                    if not fields:
                        raise SourceError(f"the DataStore table of resource {rid} has no columns")
                    out = RecordsCsv(os.path.join(tmpdir, f"{rid}.csv"), [f["id"] for f in fields])
                    cols = fields
                if not records:
                    break
                pages.check([str(records[0].get("_id", records[0])), str(records[-1].get("_id", records[-1]))])
                out.add(records)
                offset += len(records)
                total = result.get("total")
                if len(records) < limit or (isinstance(total, int) and offset >= total):
                    break
        except BaseException:
            if out is not None:
                out.abandon()
            raise
        out.close()
        if out.count == 0:
            raise SourceError("the DataStore table has no rows")
        types, names, descriptions = {}, {}, {}
        for field, col in zip(out.fields, cols, strict=True):
            info = col.get("info") if isinstance(col.get("info"), dict) else {}
            types[field] = DATASTORE_TYPES.get(str(col.get("type") or "text").lower(), SoQLType.TEXT)
            names[field] = info.get("label") or col["id"]
            if info.get("notes"):
                descriptions[field] = info["notes"]
        options = IngestOptions(format="csv", types=types, names=names, descriptions=descriptions, on_bad="reject")
        return Payload(out.path, options, expected_rows=out.count)
