"""The demo portal, served by ``openborough serve``, read as a harvester reads it: content
negotiation over HTTP, every syntax validated against the shipped shapes, /data.json against POD 1.1."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import DCAT

from tests.live import LiveServer, cli

from .test_dcat import SHAPES_DIR, _validate, pod_validator

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("dcat-live") / "data"
    cli(data, "demo", "--no-serve", timeout=600)
    server = LiveServer(data)
    try:
        yield server
    finally:
        server.stop()


def test_harvesting_the_demo_portal(demo_server):
    shapes = Graph().parse(SHAPES_DIR / "dcat-ap-3-shapes.ttl", format="turtle")
    data_json = demo_server.get("/data.json").json()
    assert [e.message for e in pod_validator().iter_errors(data_json)] == []
    listed = {d["identifier"].rsplit("/", 1)[1] for d in data_json["dataset"]}
    assert {"cpcn-nw3s", "lapm-mtrs", "oxsp-2017", "ldnw-2011"} <= listed  # and the strategy registers
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")):
        resp = demo_server.get("/catalog", headers={"Accept": accept})
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(accept)
        g = Graph().parse(data=resp.content, format=fmt)
        assert {str(d).rsplit("/", 1)[1] for d in g.subjects(RDF.type, DCAT.Dataset)} == listed
        violations, _, text = _validate(g, shapes)
        assert violations == [], text
    for ds_id in listed:
        one = demo_server.get(f"/catalog/{ds_id}.ttl")
        assert one.status_code == 200 and _validate(Graph().parse(data=one.content, format="turtle"), shapes)[0] == []
