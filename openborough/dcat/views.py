"""``/catalog`` and ``/catalog/{id}`` with content negotiation, and ``.ttl``, ``.jsonld``, ``.rdf`` URLs."""

from __future__ import annotations

from django.http import HttpResponse

from ..catalog.ids import is_dataset_id
from .graph import PAGE_SIZE, catalog_graph, dataset_graph, public_datasets

#: extension -> (rdflib format, media type)
FORMATS = {
    ".ttl": ("turtle", "text/turtle"),
    ".jsonld": ("json-ld", "application/ld+json"),
    ".rdf": ("pretty-xml", "application/rdf+xml"),
}
_BY_TYPE = {
    "text/turtle": ".ttl",
    "application/x-turtle": ".ttl",
    "application/ld+json": ".jsonld",
    "application/json": ".jsonld",
    "application/rdf+xml": ".rdf",
    "application/xml": ".rdf",
    "text/xml": ".rdf",
}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "dcatap": "http://data.europa.eu/r5r/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


def _plain(status: int, text: str) -> HttpResponse:
    return HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")


def negotiate(accept: str) -> str | None:
    """The extension the Accept header prefers (Turtle for */* or none); None when nothing fits."""
    if not accept.strip():
        return ".ttl"
    best, best_q = None, 0.0
    for i, part in enumerate(accept.split(",")):
        mtype, *opts = [p.strip() for p in part.split(";")]
        q = 1.0
        for opt in opts:
            k, _, v = opt.partition("=")
            if k.strip() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        mtype = mtype.lower()
        ext = _BY_TYPE.get(mtype) or (".ttl" if mtype in ("*/*", "text/*", "text/html") else None)
        score = q - i * 1e-6  # ties: the first listed
        if ext and q > 0 and score > best_q:
            best, best_q = ext, score
    return best


def _render(request, graph, ext: str) -> HttpResponse:
    fmt, mime = FORMATS[ext]
    kwargs = {"context": CONTEXT, "auto_compact": True} if fmt == "json-ld" else {}
    body = graph.serialize(format=fmt, **kwargs)
    resp = HttpResponse(body, content_type=f"{mime}; charset=utf-8")
    resp["Vary"] = "Accept"
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def _ext(request, ext: str | None):
    if ext:
        return ext
    chosen = negotiate(request.META.get("HTTP_ACCEPT", ""))
    return chosen


def catalog(request, ext: str | None = None):
    if request.method not in ("GET", "HEAD"):
        return _plain(405, "Use GET")
    ext = _ext(request, ext)
    if ext is None:
        return _plain(406, "Not acceptable: ask for text/turtle, application/ld+json or application/rdf+xml")
    raw = request.GET.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 10**9:
        return _plain(400, "page is a whole number from 1")
    size = PAGE_SIZE
    total = public_datasets().count()
    if int(raw) > max(1, -(-total // size)):
        return _plain(404, f"There are {max(1, -(-total // size))} pages")
    request.dcat_ext = ext if request.path.endswith(ext) else ""
    return _render(request, catalog_graph(request, int(raw), size), ext)


def dataset(request, dataset_id: str, ext: str | None = None):
    if request.method not in ("GET", "HEAD"):
        return _plain(405, "Use GET")
    ext = _ext(request, ext)
    if ext is None:
        return _plain(406, "Not acceptable: ask for text/turtle, application/ld+json or application/rdf+xml")
    ds = (
        public_datasets().select_related("organisation").filter(pk=dataset_id).first()
        if is_dataset_id(dataset_id)
        else None
    )
    if ds is None:
        return _plain(404, "No public dataset has that id")
    return _render(request, dataset_graph(request, ds), ext)
