"""No client input gets a 500: junk SoQL, parameters, paths and bodies all
answer a 4xx JSON error (or a result)."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

SOQLISH = st.text(
    alphabet=st.sampled_from(list("abcdeinmoprstuwy_:*`'\"()[],.<>=!+-/%^|&@$#\\ 0123456789\n\u00e9\u2603")),
    max_size=40,
)
PARAMS = st.sampled_from(["$select", "$where", "$order", "$group", "$having", "$limit", "$offset", "$q",
                          "$query", "$search", "name", "amount", "issued", "paid", "location", ":id"])  # fmt: skip
OK = {200, 304, 400, 404, 406}


def _check(r):
    assert r.status_code in OK, (r.status_code, r.content[:300])
    if r.status_code >= 400:
        body = json.loads(r.content)
        assert body["error"] is True and body["message"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(PARAMS, SOQLISH, min_size=1, max_size=3), fmt=st.sampled_from(["json", "csv", "geojson"]))
def test_junk_queries(dataset, params, fmt):
    r = Client().get(f"/resource/{dataset.id}.{fmt}", params)
    if r.streaming:
        b"".join(r.streaming_content)
    _check(r)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rowid=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"), min_size=1,
                     max_size=20))  # fmt: skip
def test_junk_row_ids(dataset, rowid):
    _check(Client().get(f"/resource/{dataset.id}/{rowid}.json"))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(
        ["name", "amount", "issued", "paid", "location", ":id", ":deleted", "other"]), inner, max_size=4),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=JSONISH, method=st.sampled_from(["POST", "PUT"]))
def test_junk_bodies(dataset, pub_auth, payload, method):
    r = Client().generic(method, f"/resource/{dataset.id}.json", json.dumps(payload), "application/json", **pub_auth)
    assert r.status_code in (200, 400), (r.status_code, r.content[:300])
    if r.status_code == 400:
        assert json.loads(r.content)["error"] is True


SODA3_BODY = st.dictionaries(
    st.sampled_from(["query", "page", "includeSynthetic", "orderingSpecifier", "serializationOptions", "timeout"]),
    JSONISH | SOQLISH | st.fixed_dictionaries({"pageNumber": JSONISH, "pageSize": JSONISH}),
    max_size=3,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=SODA3_BODY | JSONISH, path=st.sampled_from(["query.json", "query.geojson", "export.csv"]))
def test_junk_soda3_bodies(dataset, pub_auth, payload, path):
    r = Client().post(f"/api/v3/views/{dataset.id}/{path}", json.dumps(payload), "application/json", **pub_auth)
    if r.streaming:
        b"".join(r.streaming_content)
    _check(r)
