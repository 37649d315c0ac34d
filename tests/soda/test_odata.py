"""OData v4 at /api/odata/v4/{id}: CSDL, query options, paging, errors; and
python-odata 0.8.1, unchanged, against a live server."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from openborough.soda.odata import set_name

pytestmark = pytest.mark.django_db
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "tests.soda.extra_urls"


def _get(path, **params):
    return Client().get(path, params)


def _set(ds):
    return f"/api/odata/v4/{ds.id}/{set_name(ds.id)}"


def test_service_document_and_metadata(dataset):
    r = _get(f"/api/odata/v4/{dataset.id}")
    assert r.status_code == 200 and r["OData-Version"] == "4.0"
    (entry,) = r.json()["value"]
    assert entry == {"name": set_name(dataset.id), "kind": "EntitySet", "url": set_name(dataset.id),
                     "title": "Parking fines"}  # fmt: skip
    assert r.json()["@odata.context"].endswith(f"/api/odata/v4/{dataset.id}/$metadata")
    r = _get(f"/api/odata/v4/{dataset.id}/$metadata")
    assert r["Content-Type"].startswith("application/xml")
    doc = ET.fromstring(r.content)
    et = doc.find(f".//{EDM}EntityType")
    props = {p.get("Name"): p.get("Type") for p in et.findall(f"{EDM}Property")}
    assert props == {
        "__id": "Edm.String",
        "name": "Edm.String",
        "amount": "Edm.Decimal",
        "issued": "Edm.DateTimeOffset",
        "paid": "Edm.Boolean",
        "location": "Edm.GeographyPoint",
    }
    assert et.find(f"{EDM}Key/{EDM}PropertyRef").get("Name") == "__id"  # fmt: skip
    assert doc.find(f".//{EDM}EntitySet").get("EntityType") == f"openborough.{set_name(dataset.id)}"


def test_query_options(dataset):
    r = _get(_set(dataset), **{"$filter": "amount gt 1 and paid eq true", "$orderby": "amount desc",
                               "$select": "name,amount", "$count": "true"})  # fmt: skip
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["@odata.count"] == 2
    assert body["value"] == [{"__id": "row-5", "name": "item 4", "amount": 6},
                             {"__id": "row-3", "name": "item 2", "amount": 3}]  # fmt: skip
    assert body["@odata.context"].endswith(f"$metadata#{set_name(dataset.id)}(name,amount)")
    r = _get(_set(dataset), **{"$filter": "startswith(name,'item') and issued lt 2020-01-03T00:00:00Z",
                               "$top": "1", "$skip": "1"})  # fmt: skip
    (row,) = r.json()["value"]
    assert row["name"] == "item 1" and row["issued"] == "2020-01-02T00:00:00.000Z" and row["paid"] is False
    assert "@odata.nextLink" not in r.json()
    r = _get(_set(dataset), **{"$filter": "location eq null or name in ('item 4','zz')"})
    assert [v["name"] for v in r.json()["value"]] == ["item 0", "item 3", "item 4"]
    r = _get(_set(dataset) + "/$count", **{"$filter": "not (amount le 3)"})
    assert r.content == b"2"


def test_server_driven_paging(db):
    from .conftest import make_dataset

    ds = make_dataset("Big", rows=2500)
    r = _get(_set(ds))
    body = r.json()
    assert len(body["value"]) == 1000
    seen = [v["__id"] for v in body["value"]]
    while "@odata.nextLink" in body:
        link = body["@odata.nextLink"]
        assert link.startswith("http://testserver/api/odata/v4/")
        body = Client().get(link.removeprefix("http://testserver")).json()
        seen += [v["__id"] for v in body["value"]]
    assert len(seen) == 2500 == len(set(seen))
    r = Client().get(_set(ds), HTTP_PREFER="odata.maxpagesize=100")
    assert len(r.json()["value"]) == 100 and "$skip=100" in r.json()["@odata.nextLink"]
    # $top is kept across pages
    r = Client().get(_set(ds), {"$top": "150"}, HTTP_PREFER="odata.maxpagesize=100")
    assert "$top=50" in r.json()["@odata.nextLink"]


def test_bad_input_is_an_odata_4xx(dataset, private_dataset):
    cases = [
        {"$filter": "amount gt"},
        {"$filter": "nosuch eq 1"},
        {"$filter": "geo.distance(location, geography'POINT(0 0)') lt 10"},
        {"$filter": "tags/any(t: t eq 'x')"},
        {"$filter": "amount lt null"},
        {"$orderby": "amount sideways"},
        {"$orderby": "nosuch"},
        {"$select": "name,nosuch"},
        {"$top": "-1"},
        {"$skip": "x"},
        {"$count": "maybe"},
        {"$expand": "x"},
        {"$format": "xml"},
        {"$filter": "name eq 5"},
    ]
    for params in cases:
        r = _get(_set(dataset), **params)
        assert r.status_code == 400, (params, r.content)
        err = r.json()["error"]
        assert err["code"] and err["message"], params
    assert _get(f"/api/odata/v4/{dataset.id}/nope").status_code == 404
    for path in ("", "/$metadata", f"/{set_name(private_dataset.id)}"):
        r = _get(f"/api/odata/v4/{private_dataset.id}{path}")
        assert r.status_code == 404 and "error" in r.json()


@pytest.mark.slow
def test_python_odata_against_a_live_server(tmp_path):
    import decimal

    from odata import ODataService

    from tests.live import LiveServer, cli

    csv_path = tmp_path / "fines.csv"
    lines = ["ref,ward,amount,issued"] + [
        f"PCN{i:04d},{['Belsize', 'Hampstead'][i % 2]},{10 + i},2022-05-{1 + i % 28:02d}" for i in range(2300)
    ]
    csv_path.write_text("\n".join(lines) + "\n")
    data = tmp_path / "data"
    ds_id = cli(data, "publish", str(csv_path), "--title", "Fines", "--quiet").stdout.strip()
    srv = LiveServer(data, workers=1, threads=2)
    try:
        svc = ODataService(f"{srv.url}/api/odata/v4/{ds_id}/", reflect_entities=True, quiet_progress=True)
        Fines = svc.entities[set_name(ds_id)]  # noqa: N806
        everything = svc.query(Fines).all()  # follows @odata.nextLink over three pages
        assert len(everything) == 2300
        q = svc.query(Fines).filter((Fines.ward == "Belsize") & (Fines.amount > 2300)).order_by(Fines.amount.desc())
        got = q.all()
        assert [f.ref for f in got] == ["PCN2298", "PCN2296", "PCN2294", "PCN2292"]
        assert got[0].amount == decimal.Decimal(2308)
        assert got[0].issued.year == 2022
        assert svc.query(Fines).filter(Fines.ref.startswith("PCN000")).count() == 10
        top = svc.query(Fines).order_by(Fines.ref.asc()).limit(3).offset(5).all()
        assert [f.ref for f in top] == ["PCN0005", "PCN0006", "PCN0007"]
    finally:
        srv.stop()
