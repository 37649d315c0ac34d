"""A DCAT feed: DCAT-US ``data.json`` (Project Open Data 1.0 or 1.1), or a
DCAT-AP catalogue in RDF (Turtle, JSON-LD, RDF/XML, N-Triples) read with
rdflib, following Hydra paging. Each dataset is harvested from the first
distribution the ingest pipeline reads (CSV, XLSX, GeoJSON, TSV, JSON)."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

from ...catalog.ids import is_dataset_id
from ...ingest import IngestOptions
from ..http import SourceError
from .base import Entry, Pages, Payload, Source
from .common import PREFERENCE, email_or_blank, ingest_format, licence_from

#: an id Socrata (and openborough) put in dataset URLs
_FOUR_BY_FOUR = re.compile(r"(?:^|/)([a-z0-9]{4}-[a-z0-9]{4})(?:\.json)?/?$")
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/n-triples": "nt",
    "text/n3": "n3",
    "application/trig": "trig",
}
EXTENSIONS = {".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml", ".xml": "xml", ".nt": "nt", ".n3": "n3"}
ACCEPT = "text/turtle, application/ld+json;q=0.9, application/rdf+xml;q=0.8, application/json;q=0.7"
#: DCAT-US accessLevel and the EU access-right authority values that are not open
_NOT_PUBLIC = ("non-public", "restricted public", "non_public", "restricted")


def four_by_four(*values) -> str | None:
    for v in values:
        v = str(v or "").strip().lower()
        if is_dataset_id(v):
            return v
        m = _FOUR_BY_FOUR.search(v.split("?")[0])
        if m:
            return m.group(1)
    return None


class DcatSource(Source):
    kind = "dcat"
    page_size = None

    def entries(self, *, ids=None, query=None) -> Iterator[Entry]:
        body, ctype, final = self.client.get_text(self.url, accept=ACCEPT)
        for entry in self._parse(body, ctype, final):
            if ids and entry.source_id not in ids and entry.local_id not in ids:
                continue
            if query and query.lower() not in (entry.title + " " + entry.meta.get("description", "")).lower():
                continue
            yield entry

    def _parse(self, body: bytes, ctype: str, url: str) -> Iterator[Entry]:
        if ctype in ("text/html", "application/xhtml+xml") or body.lstrip()[:15].lower().startswith(
            (b"<!doctype", b"<html")
        ):
            raise SourceError(f"{url} answered an HTML page, not a DCAT catalogue")
        fmt = RDF_FORMATS.get(ctype) or EXTENSIONS.get(os.path.splitext(url.split("?")[0])[1].lower())
        if fmt in (None, "json-ld") and body.lstrip()[:1] in (b"{", b"["):
            try:
                data = json.loads(body)
            except ValueError as e:
                raise SourceError(f"{url} is not valid JSON: {e}") from None
            if isinstance(data, list) or (isinstance(data, dict) and isinstance(data.get("dataset"), list)):
                self.kind = "dcat-us"
                yield from self._data_json(data)
                return
            fmt = "json-ld"
        if fmt is None:
            raise SourceError(f"{url} is neither a data.json nor RDF (content type {ctype or 'none'})")
        self.kind = "dcat-ap"
        yield from self._rdf(body, fmt, url)

    # --- DCAT-US data.json ------------------------------------------------------

    def _data_json(self, data) -> Iterator[Entry]:
        items = data if isinstance(data, list) else data["dataset"]
        self.total = sum(1 for i in items if isinstance(i, dict))
        for item in items:
            if not isinstance(item, dict):
                continue
            ident = str(item.get("identifier") or item.get("@id") or "")
            if ident.rstrip("/").endswith("/data.json") or (
                item.get("webService") and not item.get("distribution") and not item.get("downloadURL")
            ):
                continue  # Socrata's v1.0 catalogues list the catalogue itself first
            yield self._us_entry(item, ident)

    def _us_entry(self, item: dict, ident: str) -> Entry:
        title = str(item.get("title") or ident)
        kw = item.get("keyword")
        if isinstance(kw, str):
            kw = [k for k in kw.split(",")]
        kw = list(kw or []) or list(item.get("keywords") or [])
        theme = item.get("theme")
        theme = theme[0] if isinstance(theme, list) and theme else theme if isinstance(theme, str) else ""
        pub = item.get("publisher")
        pub = pub.get("name") if isinstance(pub, dict) else pub
        contact = item.get("contactPoint")
        email = email_or_blank((contact or {}).get("hasEmail") if isinstance(contact, dict) else item.get("mbox"))
        meta = {
            "name": title,
            "description": str(item.get("description") or ""),
            "tags": [str(k).strip() for k in kw if str(k).strip()],
            "category": str(theme or ""),
        }
        lic = licence_from(item.get("license"))
        if lic:
            meta["licence"] = lic
        if pub:
            meta["organisation"] = str(pub)[:200]
        if email:
            meta["contact_email"] = email
        if item.get("temporal"):
            meta["temporal_coverage"] = str(item["temporal"])[:100]
        if isinstance(item.get("spatial"), str):
            meta["spatial_coverage"] = item["spatial"][:200]
        dists = []
        for d in item.get("distribution") or []:
            if not isinstance(d, dict):
                continue
            link = d.get("downloadURL") or d.get("accessURL")
            formats = [d.get("mediaType"), d.get("format")] + [
                f.get("value") for f in d.get("formats") or [] if isinstance(f, dict)
            ]
            fmt = next((ingest_format(f) for f in formats if ingest_format(f)), None) or ingest_format(url=link)
            if link and fmt:
                dists.append((fmt, link))
        if not dists and (item.get("downloadURL") or item.get("accessURL")):
            link = item.get("downloadURL") or item.get("accessURL")
            fmt = ingest_format(item.get("format"), url=link)
            if fmt:
                dists.append((fmt, link))
        private = str(item.get("accessLevel") or "public").strip().lower() in _NOT_PUBLIC
        return self._entry(ident, title, meta, str(item.get("modified") or ""), dists, private,
                           four_by_four(ident, item.get("landingPage")))  # fmt: skip

    # --- DCAT-AP RDF -------------------------------------------------------------

    def _rdf(self, body: bytes, fmt: str, url: str) -> Iterator[Entry]:
        import rdflib
        from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

        hydra_ns = (
            rdflib.Namespace("http://www.w3.org/ns/hydra/core#"),
            rdflib.Namespace("http://www.w3.org/ns/hydra/context.jsonld#"),
        )
        pages = Pages(f"the DCAT catalogue at {url}")
        seen_urls = {url}
        while True:
            g = rdflib.Graph()
            try:
                g.parse(data=body, format=fmt, publicID=url)
            except Exception as e:  # noqa: BLE001 - rdflib's parsers raise many kinds
                raise SourceError(f"{url} is not valid {fmt.upper()} RDF: {' '.join(str(e).split())[:300]}") from None
            datasets = sorted(set(g.subjects(RDF.type, DCAT.Dataset)), key=str)
            if not datasets and not list(g.subjects(RDF.type, DCAT.Catalog)):
                raise SourceError(f"{url} holds no dcat:Catalog or dcat:Dataset")
            by_key = {str(d): d for d in datasets}
            for key in pages.fresh(by_key) if datasets else []:
                yield self._ap_entry(g, by_key[key], DCAT, DCTERMS, FOAF, SKOS)
            nxt = None
            for ns in hydra_ns:
                for p in (ns.next, ns.nextPage):
                    nxt = nxt or next(iter(g.objects(None, p)), None)
            if nxt is None:
                return
            nxt = str(nxt)
            if nxt in seen_urls:
                raise SourceError(f"the DCAT catalogue's hydra:next leads back to {nxt}; stopped (the paging loops)")
            seen_urls.add(nxt)
            body, ctype, url = self.client.get_text(nxt, accept=ACCEPT)
            fmt = RDF_FORMATS.get(ctype) or fmt

    def _ap_entry(self, g, ds, DCAT, DCTERMS, FOAF, SKOS) -> Entry:
        def text(node, pred) -> str:
            values = list(g.objects(node, pred))
            english = [v for v in values if getattr(v, "language", None) in ("en", "en-gb", "en-GB")]
            return str((english or values or [""])[0])

        def label(node) -> str:
            for p in (SKOS.prefLabel, FOAF.name, DCTERMS.title):
                v = text(node, p)
                if v:
                    return v
            return str(node).rstrip("/").rsplit("/", 1)[-1]

        ident = text(ds, DCTERMS.identifier) or str(ds)
        title = text(ds, DCTERMS.title) or ident
        themes = [label(t) for t in g.objects(ds, DCAT.theme)]
        meta = {
            "name": title,
            "description": text(ds, DCTERMS.description),
            "tags": sorted({str(k) for k in g.objects(ds, DCAT.keyword)}),
            "category": themes[0] if themes else "",
        }
        pub = next(iter(g.objects(ds, DCTERMS.publisher)), None)
        if pub is not None:
            meta["organisation"] = label(pub)[:200]
        licences = [str(v) for v in g.objects(ds, DCTERMS.license)]
        dists = []
        for d in g.objects(ds, DCAT.distribution):
            licences += [str(v) for v in g.objects(d, DCTERMS.license)]
            link = next(iter(g.objects(d, DCAT.downloadURL)), None) or next(iter(g.objects(d, DCAT.accessURL)), None)
            formats = [str(v) for v in g.objects(d, DCAT.mediaType)] + [str(v) for v in g.objects(d, DCTERMS["format"])]
            fmt = next((ingest_format(f) for f in formats if ingest_format(f)), None) or ingest_format(
                url=str(link or "")
            )
            if link is not None and fmt:
                dists.append((fmt, str(link)))
        lic = licence_from(*licences)
        if lic:
            meta["licence"] = lic
        rights = " ".join(str(v) for v in g.objects(ds, DCTERMS.accessRights)).lower()
        private = any(word in rights for word in _NOT_PUBLIC)
        modified = text(ds, DCTERMS.modified)
        return self._entry(ident, title, meta, modified, dists, private, four_by_four(ident, str(ds)))

    # --- both ------------------------------------------------------------------------

    def _entry(self, ident, title, meta, modified, dists, private, local) -> Entry:
        entry = Entry(source_id=ident, title=title, meta=meta, data_key="", local_id=local, private=private)
        if not dists:
            entry.skip = "no distribution openborough can read (CSV, XLSX, GeoJSON or JSON)"
            return entry
        fmt, link = min(dists, key=lambda d: PREFERENCE.index(d[0]))
        entry.data_key = f"modified:{modified};{link}"
        entry.fetch = lambda tmpdir: self._download(link, fmt, tmpdir)
        return entry

    def _download(self, link: str, fmt: str, tmpdir: str) -> Payload:
        path = os.path.join(tmpdir, f"distribution.{fmt}")
        self.client.download(link, path)
        return Payload(path, IngestOptions(format=fmt))
