"""DCAT-AP 3 (Turtle, JSON-LD, RDF/XML) validated with pyshacl against the shipped shapes, Hydra
paging, content negotiation, and /data.json validated against the Project Open Data 1.1 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyshacl
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, SH
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

import openborough.dcat as dcat_pkg

SHAPES_DIR = Path(dcat_pkg.__file__).parent / "shapes"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
RDF_FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".rdf": "xml"}


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(SHAPES_DIR / "dcat-ap-3-shapes.ttl", format="turtle")


def _validate(data: Graph, shapes: Graph):
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    warnings = list(report.subjects(SH.resultSeverity, SH.Warning))
    return violations, warnings, text


@pytest.fixture
def demo(db):
    from openborough.catalog.publishing import set_visibility
    from openborough.catalog.visibility import public_datasets
    from openborough.demo import load_demo
    from tests.soda.conftest import make_dataset

    load_demo()  # the sample datasets and the registers the demo borough publishes (requests, FOI figures, …)
    ids = sorted(public_datasets().values_list("pk", flat=True))
    secret = make_dataset("Secret zebra register", rows=2)
    set_visibility(secret, "private", exemption="s40", reason="personal data", actor="test")
    return ids, secret.id


def _get(client, path, **headers):
    resp = client.get(path, **headers)
    assert resp.status_code == 200, resp.content[:500]
    return resp


def test_demo_catalogue_has_zero_violations_in_every_syntax(client, demo, shapes):
    ids, secret = demo
    for ext, fmt in RDF_FORMATS.items():
        resp = _get(client, f"/catalog{ext}")
        g = Graph().parse(data=resp.content, format=fmt)
        datasets = set(g.subjects(RDF.type, DCAT.Dataset))
        assert {str(d).rsplit("/", 1)[1] for d in datasets} == set(ids), ext
        assert not any(secret in str(t) for triple in g for t in triple)
        violations, warnings, text = _validate(g, shapes)
        assert violations == [], text
        for ds_id in ids:
            one = Graph().parse(data=_get(client, f"/catalog/{ds_id}{ext}").content, format=fmt)
            assert _validate(one, shapes)[0] == [], ds_id
    g = Graph().parse(data=_get(client, "/catalog/cpcn-nw3s.ttl").content, format="turtle")
    ds = URIRef("http://testserver/catalog/cpcn-nw3s")
    formats = {str(o).rsplit("/", 1)[1] for d in g.objects(ds, DCAT.distribution) for o in g.objects(d, DCTERMS.format)}
    from openborough.catalog.models import Dataset

    geo = Dataset.objects.get(pk="cpcn-nw3s").columns.filter(type__in=["point", "multipolygon", "polygon"]).exists()
    assert formats == {"CSV", "XLSX", "PARQUET", "JSON"} | ({"GEOJSON"} if geo else set())
    (period,) = g.objects(ds, DCTERMS.temporal)
    assert [str(o) for o in g.objects(period, DCAT.startDate)] == ["2017-04"]
    wards = Graph().parse(data=_get(client, "/catalog/ldnw-2011.ttl").content, format="turtle")
    assert "GEOJSON" in wards.serialize(format="turtle")


def test_shapes_find_violations(client, demo, shapes):
    g = Graph().parse(data=_get(client, "/catalog.ttl").content, format="turtle")
    ds = URIRef("http://testserver/catalog/oxsp-2017")
    g.remove((ds, DCTERMS.title, None))
    for dist in list(g.objects(ds, DCAT.distribution)):
        g.remove((dist, DCAT.accessURL, None))
    violations, _, text = _validate(g, shapes)
    assert len(violations) == 1 + 4, text  # the title, and the accessURL of CSV, XLSX, Parquet and JSON
    assert "dct:title, mandatory" in text and "dcat:accessURL, mandatory" in text


def test_content_negotiation_and_errors(client, demo):
    assert _get(client, "/catalog", HTTP_ACCEPT="application/ld+json")["Content-Type"].startswith("application/ld+json")
    assert _get(client, "/catalog", HTTP_ACCEPT="text/html;q=0.5, application/rdf+xml")["Content-Type"].startswith(
        "application/rdf+xml"
    )
    assert _get(client, "/catalog/cpcn-nw3s")["Content-Type"].startswith("text/turtle")
    assert client.get("/catalog", HTTP_ACCEPT="image/png").status_code == 406
    assert client.get(f"/catalog/{demo[1]}.ttl").status_code == 404
    assert client.get("/catalog/zzzz-0000.ttl").status_code == 404
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert client.get("/catalog.ttl?page=x").status_code == 400
    assert client.get("/catalog.ttl?page=99").status_code == 404
    assert client.post("/catalog.ttl").status_code == 405


def test_hydra_paging_walks_the_whole_catalogue(client, db):
    from openborough.catalog.models import Dataset

    Dataset.objects.bulk_create([Dataset(id=f"reg{i:01d}-{i:04d}"[-9:], name=f"Register {i}") for i in range(250)])
    url, seen, pages = "/catalog.jsonld", set(), 0
    while url:
        g = Graph().parse(data=_get(client, url).content, format="json-ld")
        seen |= set(g.subjects(RDF.type, DCAT.Dataset))
        (view,) = g.subjects(RDF.type, HYDRA.PartialCollectionView)
        assert int(g.value(view, HYDRA.totalItems)) == 250
        nxt = g.value(view, HYDRA.next)
        assert nxt == g.value(view, HYDRA.nextPage)
        url = str(nxt).replace("http://testserver", "") if nxt else None
        pages += 1
    assert pages == 3 and len(seen) == 250


def pod_validator():
    """The Project Open Data 1.1 catalogue schema (shipped), its dataset schema resolved by id."""
    pod = SHAPES_DIR / "pod-v1.1"
    schemas = {p.name: json.loads(p.read_text()) for p in pod.glob("*.json")}
    registry = Registry().with_resources(
        (f"https://project-open-data.cio.gov/v1.1/schema/{name}", Resource(schema, specification=DRAFT4))
        for name, schema in schemas.items()
    )
    return jsonschema.Draft4Validator(
        schemas["catalog.json"], registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def test_data_json_validates_against_project_open_data_1_1(client, demo):
    validator = pod_validator()
    resp = client.get("/data.json")
    body = json.loads(b"".join(resp.streaming_content) if resp.streaming else resp.content)
    assert len(body["dataset"]) == len(demo[0])
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == []
    body["dataset"][0].pop("title")
    assert any("title" in e.message for e in validator.iter_errors(body))
