"""No input to the DSMAPI, OData or geospatial-export routes gets a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openborough.soda.odata import set_name

pytestmark = pytest.mark.django_db
ODATAISH = st.text(alphabet=st.sampled_from(list("abcdeilmnoqrstuy_/'\"()[],.:*-+ 0123456789$@\u00e9")), max_size=40)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
        st.sampled_from(["metadata", "action", "type", "name", "source_type", "filename", "output_columns",
                         "transform", "transform_expr", "field_name", "position", "config", "data_action",
                         "revision", "fourfour", "revision_seq", "parse_options", "content_type", "permission"]),
        kids, max_size=4),
    max_leaves=10,
)  # fmt: skip


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "tests.soda.extra_urls"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    params=st.dictionaries(
        st.sampled_from(["$filter", "$select", "$orderby", "$top", "$skip", "$count", "$format"]), ODATAISH, max_size=3
    )
)
def test_junk_odata(dataset, params):
    for path in (f"/{set_name(dataset.id)}", f"/{set_name(dataset.id)}/$count"):
        r = Client().get(f"/api/odata/v4/{dataset.id}{path}", params)
        assert r.status_code in (200, 400, 404), (params, r.content[:300])
        if r.status_code >= 400:
            assert json.loads(r.content)["error"]["message"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=ODATAISH, fmt=ODATAISH)
def test_junk_geo(dataset, method, fmt):
    r = Client().get(f"/api/geospatial/{dataset.id}", {"method": method, "format": fmt})
    assert r.status_code in (200, 400), r.content[:300]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSONISH, target=st.integers(0, 6))
def test_junk_dsmapi_bodies(dataset, pub_auth, body, target):
    c = Client()
    rev = c.post(f"/api/publishing/v1/revision/{dataset.id}", json.dumps({"action": {"type": "replace"}}),
                 content_type="application/json", **pub_auth).json()  # fmt: skip
    src = c.post(rev["links"]["create_source"], json.dumps({"source_type": {"type": "upload", "filename": "a.csv"}}),
                 content_type="application/json", **pub_auth).json()  # fmt: skip
    links = src["links"]
    c.post(links["initiate"], json.dumps({"content_type": "text/csv"}), content_type="application/json", **pub_auth)
    c.post(links["chunk"].format(seq_num=0, byte_offset=0), b"a,b\n1,x\n", content_type="application/octet-stream",
           **pub_auth)  # fmt: skip
    c.post(links["commit"].format(seq_num=0, byte_offset=8), "", content_type="application/json", **pub_auth)
    schema = links["input_schema_links"]["transform"].replace("{input_schema_id}", str(src["resource"]["id"]))
    paths = [
        ("post", "/api/publishing/v1/revision"),
        ("post", f"/api/publishing/v1/revision/{dataset.id}"),
        ("put", rev["links"]["update"]),
        ("put", rev["links"]["apply"]),
        ("post", schema),
        ("patch", links["add_to_revision"]),
        ("post", "/api/publishing/v1/config"),
    ]
    method, path = paths[target]
    r = getattr(c, method)(path, json.dumps(body), content_type="application/json", **pub_auth)
    assert r.status_code < 500, (method, path, body, r.content[:300])
    if r.status_code >= 400:
        assert json.loads(r.content)["message"]
