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


#: inputs fuzzing found answering 500 (issue 17): string literals in $order, odd characters, huge numbers
FOUND_BY_FUZZING = [
    {"$order": "'%' ASC"},
    {"$order": "'é' ASC"},
    {"$order": "'a''b' DESC"},
    {"$order": "'pg_read_file(''/etc/passwd'')'"},
    {"$order": "'x', name"},
    {"$order": "1 DESC"},
    {"$order": "null"},
    {"$select": "split_part(name, '💩', 1e308)"},
    {"$select": "split_part(name, '💩', -1e308)"},
    {"$select": "split_part(name, ',', 1.5)"},
    {"$select": "split_part(name, ',', 0)"},
    {"$where": "split_part(name, '💩', 1e308) = 'a'"},
    {"$order": "split_part(name, '💩', 1e308)"},
    {"$select": "name", "$group": "name", "$order": "'z'"},
]


BACKENDS = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def any_backend_dataset(request, monkeypatch):
    """The test dataset on each store."""
    if request.param == "postgres":
        from openborough.catalog import storage

        monkeypatch.setattr(storage, "_store", request.getfixturevalue("pg_store"))
    from .conftest import make_dataset

    return make_dataset()


@pytest.mark.parametrize("params", FOUND_BY_FUZZING, ids=lambda p: json.dumps(p, ensure_ascii=False))
def test_found_by_fuzzing(any_backend_dataset, params):
    r = Client().get(f"/resource/{any_backend_dataset.id}.json", params)
    if r.streaming:
        b"".join(r.streaming_content)
    _check(r)
    if "$order" in params and r.status_code == 400:
        assert r.json()["code"].startswith("query.soql.")


LITERAL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8).map(lambda t: "'" + t.replace("'", "''") + "'"),
    st.sampled_from(["1e308", "-1e308", "1e309", "0", "-1", "1.5", "9223372036854775808", "null", "true"]),
    st.integers().map(str),
)
COLUMN = st.sampled_from(["name", "amount", "issued", "paid", "location", ":id"])
FUNCTION = st.sampled_from(["split_part", "upper", "lower", "substring", "starts_with", "ln", "abs", "date_trunc_ym",
                            "regexp_replace", "lpad", "concat", "coalesce", "least", "round", "trim"])  # fmt: skip


@st.composite
def expressions(draw, depth=2):
    if depth == 0 or draw(st.booleans()):
        return draw(st.one_of(LITERAL, COLUMN))
    args = draw(st.lists(expressions(depth=depth - 1), min_size=0, max_size=3))
    return f"{draw(FUNCTION)}({', '.join(args)})"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.sampled_from(["$order", "$select", "$where", "$group"]),
    e=expressions(),
    suffix=st.sampled_from(["", " ASC", " DESC", " = 'a'", " IS NULL"]),
)
def test_generated_expressions(any_backend_dataset, where, e, suffix):
    r = Client().get(f"/resource/{any_backend_dataset.id}.json", {where: e + suffix})
    if r.streaming:
        b"".join(r.streaming_content)
    _check(r)
