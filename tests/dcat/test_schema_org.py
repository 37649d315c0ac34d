"""schema.org Dataset JSON-LD on every dataset page."""

from __future__ import annotations

import json
import re

import pytest

from tests.soda.conftest import make_dataset

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _jsonld(client, path):
    resp = client.get(path)
    assert resp.status_code == 200
    found = SCRIPT.findall(resp.content.decode())
    return [json.loads(x) for x in found]


@pytest.fixture
def ds(db):
    from openborough.catalog.models import Organisation

    org = Organisation.objects.create(name="Camden Council", slug="camden-council")
    return make_dataset(
        "Parking fines",
        rows=5,
        description="Penalty charge notices issued in Camden & Hampstead; text such as `</script><b>` stays text.",
        organisation=org,
        temporal_coverage="2017-04/2020-08",
        spatial_coverage="London Borough of Camden",
    )


def test_every_dataset_page_describes_the_dataset(client, ds):
    for tab in ("", "data", "chart", "map", "api"):
        (data,) = _jsonld(client, f"/datasets/{ds.id}/{tab}")
        assert data["@type"] == "Dataset" and data["name"] == "Parking fines"
    page = client.get(f"/datasets/{ds.id}/").content.decode()
    assert "\\u003C/script\\u003E\\u003Cb\\u003E" in page and "</script><b>" not in page
    assert (
        data["description"]
        == "Penalty charge notices issued in Camden & Hampstead; text such as </script><b> stays text."
    )
    assert data["license"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert data["temporalCoverage"] == "2017-04/2020-08"
    assert data["spatialCoverage"] == {"@type": "Place", "name": "London Borough of Camden"}
    assert data["creator"]["name"] == data["publisher"]["name"] == "Camden Council"
    assert data["dateModified"].startswith(str(ds.data_updated_at.year))
    formats = {d["encodingFormat"] for d in data["distribution"]}
    assert {"text/csv", "application/json", "application/geo+json", "application/vnd.apache.parquet"} <= formats
    for d in data["distribution"]:
        assert d["@type"] == "DataDownload" and d["contentUrl"].startswith("http://testserver/")
        assert client.get(d["contentUrl"].replace("http://testserver", "")).status_code == 200


def test_private_pages_carry_no_structured_data(client, ds):
    from openborough.accounts.models import User
    from openborough.catalog.publishing import set_visibility

    set_visibility(ds, "private", exemption="s40", reason="personal data", actor="test")
    client.force_login(User.objects.create_user("viewer", password="pw-viewer-long-enough", role="viewer"))
    assert _jsonld(client, f"/datasets/{ds.id}/") == []
