"""The catalogue and its datasets as a DCAT-AP 3 RDF graph (rdflib).

URIs: the catalogue is ``{base}/catalog``, a dataset ``{base}/catalog/{id}``, its distributions
``{base}/catalog/{id}#{format}``; organisations are their portal pages. Public, published datasets only."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SKOS, XSD

from ..catalog import visibility
from ..catalog.models import LICENCE_URLS, Dataset, Licence, Organisation
from ..soql.types import SoQLType

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ADMS_PUB = Namespace("http://purl.org/adms/publishertype/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
DCAT_AP_3 = URIRef("http://data.europa.eu/r5r/applicationProfile/dcat-ap/3.0.0")  # conformance target

FREQUENCIES = {
    "realtime": "UPDATE_CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annually": "ANNUAL",
    "irregular": "IRREG",
    "never": "NEVER",
}
#: (fragment, EU file type, IANA media type, title)
FORMATS = [
    ("csv", "CSV", "text/csv", "CSV"),
    ("xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"),
    ("parquet", "PARQUET", "application/vnd.apache.parquet", "Parquet"),
    ("json", "JSON", "application/json", "JSON"),
    ("geojson", "GEOJSON", "application/geo+json", "GeoJSON"),
]
PAGE_SIZE = 100


def base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def public_datasets():
    """The catalogue's one visibility rule."""
    return visibility.public_datasets()


def new_graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD), ("skos", SKOS),
                       ("hydra", HYDRA), ("dcatap", DCATAP), ("owl", OWL), ("xsd", XSD)):  # fmt: skip
        g.bind(prefix, ns)
    return g


def _when(t) -> Literal:
    return Literal(
        t.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime
    )


_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _partial_date(text: str) -> Literal | None:
    m = _PARTIAL.match(text.strip())
    if not m:
        return None
    y, mo, d = m.groups()
    if d:
        return Literal(f"{y}-{mo}-{d}", datatype=XSD.date)
    if mo:
        return Literal(f"{y}-{mo}", datatype=XSD.gYearMonth)
    return Literal(y, datatype=XSD.gYear)


def _period(g: Graph, coverage: str):
    """``2017-04/2020-08`` or ``2011`` as a dct:PeriodOfTime (None when unreadable)."""
    start, _, end = coverage.partition("/")
    s = _partial_date(start) if start and start != ".." else None
    e = _partial_date(end) if end and end != ".." else (None if end else s)
    if s is None and e is None:
        return None
    node = BNode()
    g.add((node, RDF.type, DCTERMS.PeriodOfTime))
    if s is not None:
        g.add((node, DCAT.startDate, s))
    if e is not None:
        g.add((node, DCAT.endDate, e))
    return node


def _agent(g: Graph, request, org: Organisation | None) -> URIRef:
    if org is not None:
        node = URIRef(base_url(request) + reverse("portal:organisation", kwargs={"slug": org.slug}))
        name = org.name
    else:
        node = URIRef(base_url(request) + "/#publisher")
        name = settings.OPENBOROUGH_DEFAULT_ORGANISATION
    if (node, RDF.type, FOAF.Agent) not in g:
        g.add((node, RDF.type, FOAF.Agent))
        g.add((node, RDF.type, FOAF.Organization))
        g.add((node, FOAF.name, Literal(name)))
        g.add((node, DCTERMS.type, ADMS_PUB.LocalAuthority if "council" in name.lower() else ADMS_PUB.PublicBody))
    return node


def _licence(g: Graph, code: str) -> URIRef | None:
    url = LICENCE_URLS.get(code)
    if not url:
        return None
    node = URIRef(url)
    g.add((node, RDF.type, DCTERMS.LicenseDocument))
    g.add((node, RDFS_LABEL, Literal(dict(Licence.choices).get(code, code))))
    return node


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def catalog_uri(request) -> URIRef:
    return URIRef(base_url(request) + "/catalog")


def dataset_uri(request, ds: Dataset) -> URIRef:
    return URIRef(f"{base_url(request)}/catalog/{ds.id}")


def theme_scheme(request) -> URIRef:
    return URIRef(base_url(request) + "/catalog/themes")


def _theme(g: Graph, request, category: str) -> URIRef:
    from django.utils.text import slugify

    node = URIRef(f"{theme_scheme(request)}#{slugify(category) or 'other'}")
    g.add((node, RDF.type, SKOS.Concept))
    g.add((node, SKOS.prefLabel, Literal(category, lang="en")))
    g.add((node, SKOS.inScheme, theme_scheme(request)))
    return node


def api_service(g: Graph, request) -> URIRef:
    node = URIRef(base_url(request) + "/api/openapi.json#service")
    if (node, RDF.type, DCAT.DataService) not in g:
        g.add((node, RDF.type, DCAT.DataService))
        g.add((node, DCTERMS.title, Literal("SODA 2.1 and CKAN APIs", lang="en")))
        g.add((node, DCAT.endpointURL, URIRef(base_url(request) + "/resource/")))
        g.add((node, DCAT.endpointURL, URIRef(base_url(request) + "/api/3/action/")))
        g.add((node, DCAT.endpointDescription, URIRef(base_url(request) + "/api/openapi.json")))
        g.add((node, DCTERMS.publisher, _agent(g, request, None)))
    return node


def add_dataset(g: Graph, request, ds: Dataset, geo: bool | None = None) -> URIRef:
    base = base_url(request)
    node = dataset_uri(request, ds)
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(ds.id)))
    g.add((node, DCTERMS.title, Literal(ds.name, lang="en")))
    g.add((node, DCTERMS.description, Literal(ds.description or ds.name, lang="en")))
    g.add((node, DCTERMS.issued, _when(ds.created_at)))
    g.add((node, DCTERMS.modified, _when(ds.data_updated_at or ds.updated_at)))
    g.add((node, DCTERMS.publisher, _agent(g, request, ds.organisation)))
    g.add((node, DCTERMS.accessRights, URIRef(EU + "access-right/PUBLIC")))
    g.add((node, DCTERMS.language, URIRef(EU + "language/ENG")))
    landing = URIRef(base + reverse("portal:dataset", kwargs={"dataset_id": ds.id}))
    g.add((node, DCAT.landingPage, landing))
    g.add((landing, RDF.type, FOAF.Document))
    for tag in ds.tags or []:
        g.add((node, DCAT.keyword, Literal(str(tag), lang="en")))
    if ds.category:
        g.add((node, DCAT.theme, _theme(g, request, ds.category)))
    if ds.update_frequency in FREQUENCIES:
        g.add((node, DCTERMS.accrualPeriodicity, URIRef(EU + "frequency/" + FREQUENCIES[ds.update_frequency])))
    if ds.temporal_coverage:
        period = _period(g, ds.temporal_coverage)
        if period is not None:
            g.add((node, DCTERMS.temporal, period))
    if ds.spatial_coverage:
        place = BNode()
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, Literal(ds.spatial_coverage, lang="en")))
        g.add((node, DCTERMS.spatial, place))
    contact = BNode()
    g.add((contact, RDF.type, VCARD.Kind))
    g.add((contact, RDF.type, VCARD.Organization))
    g.add(
        (contact, VCARD.fn, Literal(ds.contact_name or (ds.organisation.name if ds.organisation else "Open data team")))
    )
    if ds.contact_email:
        g.add((contact, VCARD.hasEmail, URIRef("mailto:" + ds.contact_email)))
    g.add((node, DCAT.contactPoint, contact))
    if ds.current_version is not None:
        g.add((node, OWL.versionInfo, Literal(str(ds.current_version))))
        if geo is None:
            geo = ds.columns.filter(type__in=[t.value for t in SoQLType if t.is_geometry]).exists()
        licence = _licence(g, ds.licence)
        service = api_service(g, request)
        g.add((service, DCAT.servesDataset, node))
        for frag, filetype, mime, title in FORMATS:
            if frag == "geojson" and not geo:
                continue
            if frag in ("csv", "xlsx", "parquet"):
                url = base + reverse("portal:download", kwargs={"dataset_id": ds.id, "fmt": frag})
            else:
                url = base + reverse("soda-resource", kwargs={"dataset_id": ds.id, "ext": frag})
            dist = URIRef(f"{node}#{frag}")
            g.add((node, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.title, Literal(f"{ds.name} ({title})", lang="en")))
            how = " from the SODA API" if frag in ("json", "geojson") else ""
            g.add((dist, DCTERMS.description, Literal(f"The whole table as {title}{how}", lang="en")))
            g.add((dist, DCAT.accessURL, URIRef(url)))
            g.add((dist, DCAT.downloadURL, URIRef(url)))
            fmt = URIRef(EU + "file-type/" + filetype)
            g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
            g.add((dist, DCTERMS.format, fmt))
            media = URIRef(IANA + mime)
            g.add((media, RDF.type, DCTERMS.MediaType))
            g.add((dist, DCAT.mediaType, media))
            g.add((dist, DCTERMS.modified, _when(ds.data_updated_at or ds.updated_at)))
            g.add((dist, DCATAP.availability, URIRef(EU + "planned-availability/STABLE")))
            if frag in ("json", "geojson"):
                g.add((dist, DCAT.accessService, service))
            if licence is not None:
                g.add((dist, DCTERMS.license, licence))
    return node


def catalog_graph(request, page: int = 1, per_page: int = PAGE_SIZE) -> Graph:
    """One page of the catalogue (datasets ordered by id), with Hydra paging links."""
    g = new_graph()
    base = base_url(request)
    cat = catalog_uri(request)
    qs = public_datasets().select_related("organisation").order_by("id")
    total = qs.count()
    last = max(1, -(-total // per_page))
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal(settings.OPENBOROUGH_SITE_NAME, lang="en")))
    g.add((cat, DCTERMS.description, Literal(
        f"Open data published by {settings.OPENBOROUGH_DEFAULT_ORGANISATION}", lang="en")))  # fmt: skip
    g.add((cat, DCTERMS.publisher, _agent(g, request, None)))
    g.add((cat, FOAF.homepage, URIRef(base + "/")))
    g.add((cat, DCTERMS.language, URIRef(EU + "language/ENG")))
    g.add((cat, DCTERMS.conformsTo, DCAT_AP_3))
    g.add((cat, DCTERMS.license, _licence(g, Licence.OGL3)))
    scheme = theme_scheme(request)
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add((scheme, SKOS.prefLabel, Literal("Dataset categories", lang="en")))
    g.add((cat, DCAT.themeTaxonomy, scheme))
    newest = qs.aggregate(newest=Max("updated_at"))["newest"]
    if newest is not None:
        g.add((cat, DCTERMS.modified, _when(newest)))
    page = min(max(1, page), last)
    rows = list(qs[(page - 1) * per_page : page * per_page])
    geo_types = [t.value for t in SoQLType if t.is_geometry]
    with_geo = set(
        Dataset.objects.filter(pk__in=[d.id for d in rows], columns__type__in=geo_types).values_list("id", flat=True)
    )
    for ds in rows:
        g.add((cat, DCAT.dataset, add_dataset(g, request, ds, geo=ds.id in with_geo)))
    if any(ds.current_version is not None for ds in rows):
        g.add((cat, DCAT.service, api_service(g, request)))
    # Hydra paging: the current vocabulary (PartialCollectionView) and the older one that
    # ckanext-dcat harvesters (data.gov.uk's among them) read (PagedCollection)
    ext = getattr(request, "dcat_ext", "")
    here = URIRef(f"{base}/catalog{ext}?page={page}")

    def at(n):
        return URIRef(f"{base}/catalog{ext}?page={n}")

    g.add((here, RDF.type, HYDRA.PartialCollectionView))
    g.add((here, RDF.type, HYDRA.PagedCollection))
    g.add((here, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((here, HYDRA.itemsPerPage, Literal(per_page, datatype=XSD.integer)))
    for new, old, n in (("first", "firstPage", 1), ("last", "lastPage", last)):
        g.add((here, HYDRA[new], at(n)))
        g.add((here, HYDRA[old], at(n)))
    if page > 1:
        g.add((here, HYDRA.previous, at(page - 1)))
        g.add((here, HYDRA.previousPage, at(page - 1)))
    if page < last:
        g.add((here, HYDRA.next, at(page + 1)))
        g.add((here, HYDRA.nextPage, at(page + 1)))
    return g


def dataset_graph(request, ds: Dataset) -> Graph:
    g = new_graph()
    node = add_dataset(g, request, ds)
    g.add((catalog_uri(request), DCAT.dataset, node))
    g.add((catalog_uri(request), RDF.type, DCAT.Catalog))
    # the catalogue's own mandatory properties, so the document validates on its own
    g.add((catalog_uri(request), DCTERMS.title, Literal(settings.OPENBOROUGH_SITE_NAME, lang="en")))
    g.add((catalog_uri(request), DCTERMS.description, Literal(
        f"Open data published by {settings.OPENBOROUGH_DEFAULT_ORGANISATION}", lang="en")))  # fmt: skip
    g.add((catalog_uri(request), DCTERMS.publisher, _agent(g, request, None)))
    return g
