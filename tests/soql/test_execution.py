"""Compiled SoQL run on DuckDB and PostgreSQL: same rows, types, order, names."""

from __future__ import annotations

import pytest

from openborough.soql import SoQLError, analyze, compile_query, parse_params

from .helpers import SCHEMA, load, run


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    s = request.getfixturevalue("duck_store" if request.param == "duckdb" else "pg_store")
    load(s)
    return s


def test_select_all_and_types(store):
    rows = run(store, {"$order": ":id"})
    assert rows[0] == {
        "make": "APCO",
        "name": "Karma",
        "v_max": "45",
        "price": "2500.5",
        "fast": False,
        "available": "2008-08-01T15:12:34.000",
        "certified": "2008-03-01T17:11:22.000Z",
        "point": {"type": "Point", "coordinates": [-0.1, 51.5]},
        "area": {
            "type": "MultiPolygon",
            "coordinates": [[[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]]],
        },
        "link": {"url": "http://a.example"},
    }
    assert rows[1]["place"] == {"latitude": "51.5", "longitude": "-0.1", "human_address": '{"city": "x"}'}
    assert rows[2] == {"make": "GIN", "name": "Atlas"}


def test_order_nulls_default(store):
    asc = run(store, {"$select": "name", "$order": "v_max"})
    desc = run(store, {"$select": "name", "$order": "v_max DESC"})
    assert [r["name"] for r in asc] == ["Karma", "Buzz", "Vista II", "Atlas"]
    assert [r["name"] for r in desc] == ["Atlas", "Vista II", "Buzz", "Karma"]
    first = run(store, {"$select": "name", "$order": "v_max ASC NULL FIRST"})
    assert first[0]["name"] == "Atlas"


def test_filters_where_limit_offset(store):
    rows = run(store, {"make": "APCO", "$where": "v_max > '46'", "$select": "name"})
    assert rows == [{"name": "Vista II"}]
    rows = run(store, {"$select": "name", "$order": "name", "$limit": "2", "$offset": "1"})
    assert rows == [{"name": "Buzz"}, {"name": "Karma"}]
    assert run(store, {"$where": ":id = 'row-3'", "$select": "name, :id"}) == [{"name": "Atlas", ":id": "row-3"}]


def test_group_and_aggregates(store):
    rows = run(store, "SELECT make, count(*), avg(v_max), max(available) GROUP BY make ORDER BY make")
    assert rows == [
        {"make": "APCO", "count": "2", "avg_v_max": "49", "max_available": "2012-08-01T00:00:00.000"},
        {"make": "GIN", "count": "1"},
        {"make": "OZONE", "count": "1", "avg_v_max": "49.5", "max_available": "2010-01-01T00:00:00.123"},
    ]
    assert run(store, "SELECT count(*) AS n, sum(price) WHERE fast") == [{"n": "2", "sum_price": "1003200"}]


def test_text_functions_and_operators(store):
    rows = run(
        store,
        "SELECT name, upper(name) AS u, name || '/' || v_max AS j, (v_max + 1) * 2 AS m, v_max % 4 AS r "
        "WHERE starts_with(make, 'AP') AND name LIKE 'K%' ",
    )
    assert rows == [{"name": "Karma", "u": "KARMA", "j": "Karma/45", "m": "92", "r": "1"}]
    assert run(store, "SELECT name WHERE v_max / 0 IS NULL AND v_max IS NOT NULL ORDER BY name LIMIT 1") == [
        {"name": "Buzz"}
    ]


def test_unaccent(store):
    assert run(store, "SELECT unaccent('Café Ångström') AS u LIMIT 1") == [{"u": "Cafe Angstrom"}]


def test_geo_and_compound(store):
    rows = run(store, "SELECT name WHERE within_circle(point, 51.5, -0.1, 1000)")
    assert rows == [{"name": "Karma"}]
    rows = run(store, "SELECT name WHERE within_box(point, 51.7, -0.3, 51.55, -0.15)")
    assert rows == [{"name": "Vista II"}]
    rows = run(store, "SELECT name, link.url AS u WHERE link.url IS NOT NULL")
    assert rows == [{"name": "Karma", "u": "http://a.example"}]
    rows = run(store, "SELECT name WHERE intersects(area, 'POINT (0.5 0.5)')")
    assert rows == [{"name": "Karma"}]
    d = run(store, "SELECT distance_in_meters(point, 'POINT (-0.1 51.5)') AS d WHERE name = 'Vista II'")
    assert 13000 < float(d[0]["d"]) < 13400


def test_search(store):
    assert run(store, {"$q": "atlas", "$select": "name"}) == [{"name": "Atlas"}]
    assert run(store, {"$q": "apco vista", "$select": "name"}) == [{"name": "Vista II"}]
    assert run(store, {"$q": "45", "$select": "name"}) == [{"name": "Karma"}]
    assert run(store, {"$q": "'; DROP TABLE x; --", "$select": "name"}) == []


def test_count_sql_ignores_limit(store):
    q = parse_params({"$where": "make = 'APCO' OR make = 'GIN'", "$limit": "1", "$offset": "1"}, SCHEMA)
    c = compile_query(analyze(q, SCHEMA), store.dialect, store.table("ds", 1))
    cur = store.execute(c.count_sql, c.count_params)
    assert cur.fetchmany(1)[0][0] == 3
    cur.close()


def test_bad_runtime_conversions_give_null(store):
    assert run(store, "SELECT name, name::number AS n WHERE name = 'Karma'") == [{"name": "Karma"}]


def test_injection_in_literal_stays_a_value(store):
    assert run(store, {"name": "x' OR '1'='1", "$select": "name"}) == []
    with pytest.raises(SoQLError):
        run(store, {"$select": 'name"; DROP TABLE t; --'})


def test_within_polygon_points(store):
    poly = "'MULTIPOLYGON (((-0.15 51.45, -0.05 51.45, -0.05 51.55, -0.15 51.55, -0.15 51.45)))'"
    assert run(store, f"SELECT name WHERE within_polygon(point, {poly})") == [{"name": "Karma"}]
    assert run(store, f"SELECT name WHERE NOT within_polygon(point, {poly}) ORDER BY name") == [{"name": "Vista II"}]
