"""PostgresStore specifics: physical layout, indexes, SQL plumbing, clear errors."""

from __future__ import annotations

import datetime as dt
import gc
import threading

import psycopg
import pyarrow as pa
import pytest
import shapely
import sqlglot
from sqlglot import exp

from openborough.soql.types import Column, Schema, SoQLType
from openborough.store.base import StoreError
from openborough.store.postgres import MAX_BTREE_INDEXES, PostgresStore, dollar_params, fulltext_document

from .test_store_contract import DS, EVERY, EVERY_ROWS, reader, schema_of

pytestmark = pytest.mark.postgres


def admin(store: PostgresStore, dsn: str):
    conn = psycopg.connect(dsn, autocommit=True)
    conn.execute(psycopg.sql.SQL("SET search_path = {}, public").format(psycopg.sql.Identifier(store.schema)))
    return conn


def test_physical_column_types(pg_store, pg_dsn):
    pg_store.write_version(DS, 1, EVERY, reader(EVERY, EVERY_ROWS))
    with admin(pg_store, pg_dsn) as conn:
        rows = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
            "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
            [f'"{pg_store.schema}"."ds_test_0001_v1"'],
        ).fetchall()
    assert dict(rows) == {
        ":id": "bigint",
        ":created_at": "timestamp(3) with time zone",
        ":updated_at": "timestamp(3) with time zone",
        "t": "text",
        "n": "double precision",
        "d": "double precision",
        "m": "double precision",
        "c": "boolean",
        "ft": "timestamp(3) without time zone",
        "xt": "timestamp(3) with time zone",
        "p": "geometry(Point,4326)",
        "mp": "geometry(MultiPoint,4326)",
        "ln": "geometry(LineString,4326)",
        "ml": "geometry(MultiLineString,4326)",
        "pg": "geometry(Polygon,4326)",
        "mpg": "geometry(MultiPolygon,4326)",
        "loc": "jsonb",
        "u": "jsonb",
        "b": "text",
    }
    with admin(pg_store, pg_dsn) as conn:
        (loc, url) = conn.execute('SELECT loc::text, u::text FROM ds_test_0001_v1 WHERE ":id" = 3').fetchone()
    assert loc == '{"human_address": "Town Hall"}'  # null keys are left out
    assert url == '{"url": "http://x.test/a?b=1&c=%20"}'


def _indexes(store, dsn, version=1) -> dict[str, str]:
    with admin(store, dsn) as conn:
        return dict(
            conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                [store.schema, f"ds_test_0001_v{version}"],
            ).fetchall()
        )


def test_indexes_follow_the_rule(pg_store, pg_dsn):
    pg_store.write_version(DS, 1, EVERY, reader(EVERY, EVERY_ROWS))
    defs = _indexes(pg_store, pg_dsn)
    by_kind = {name.rsplit("_", 1)[1]: d for name, d in defs.items()}
    assert by_kind["pkey"].startswith("CREATE UNIQUE INDEX") and by_kind["pkey"].endswith('(":id")')
    btree = [d for n, d in defs.items() if n.rsplit("_", 1)[1].startswith("b")]
    cols = sorted(d.rsplit("(", 1)[1].rstrip(")") for d in btree)
    # short text, numbers, checkbox and timestamps; the 5000-byte blob and text over 256 bytes are not indexed
    assert cols == sorted(["t", "n", "d", "m", "c", "ft", "xt"])
    gist = sorted(d.rsplit("(", 1)[1].rstrip(")") for n, d in defs.items() if "USING gist" in d)
    assert gist == sorted(["p", "mp", "ln", "ml", "pg", "mpg"])
    (fts,) = [d for d in defs.values() if "USING gin" in d]
    for part in ("to_tsvector('english'::regconfig", "COALESCE(t, ''::text)", "COALESCE((u ->> 'url'::text)"):
        assert part in fts


def test_btree_count_is_capped_and_long_text_skipped(pg_store, pg_dsn):
    s = Schema(tuple(Column(f"n{i}", SoQLType.NUMBER) for i in range(15)) + (Column("essay", SoQLType.TEXT),))
    row = {f"n{i}": float(i) for i in range(15)} | {"essay": "word " * 100}
    pg_store.write_version(DS, 1, s, reader(s, [row]))
    defs = _indexes(pg_store, pg_dsn)
    btree_cols = [d.rsplit("(", 1)[1].rstrip(")") for n, d in defs.items() if n.rsplit("_", 1)[1].startswith("b")]
    assert btree_cols == [f"n{i}" for i in range(MAX_BTREE_INDEXES)]


def test_merge_indexes_the_row_identifier_first(pg_store, pg_dsn):
    s = Schema(tuple(Column(f"n{i}", SoQLType.NUMBER) for i in range(12)) + (Column("ref", SoQLType.TEXT),))
    rows = [{f"n{i}": float(i) for i in range(12)} | {"ref": "R1"}]
    pg_store.write_version(DS, 1, s, reader(s, rows))
    pg_store.merge_version(DS, 1, 2, s, reader(s, rows), "ref")
    defs = _indexes(pg_store, pg_dsn, 2)
    assert any(d.endswith("USING btree (ref)") for d in defs.values())


def test_fulltext_document_uses_the_gin_index(pg_store, pg_dsn):
    s = schema_of(title=SoQLType.TEXT, link=SoQLType.URL, n=SoQLType.NUMBER)
    rows = [
        {"title": f"parking fine {i}" if i % 1000 else "tree preservation order", "link": None, "n": float(i)}
        for i in range(5000)
    ]
    pg_store.write_version(DS, 1, s, reader(s, rows))
    doc = fulltext_document(s, table="x")
    assert doc.sql("postgres").startswith("TO_TSVECTOR('english', COALESCE(\"x\".\"title\", '')")
    query = (
        f"SELECT count(*) FROM {pg_store.table(DS, 1).sql('postgres')} AS x "
        f"WHERE {doc.sql('postgres')} @@ PLAINTO_TSQUERY('english', 'trees preserved')"
    )
    with admin(pg_store, pg_dsn) as conn:
        plan = "\n".join(r[0] for r in conn.execute("EXPLAIN " + query).fetchall())
        assert "ds_test_0001_v1_fts" in plan, plan
        assert conn.execute(query).fetchone()[0] == 5  # stemmed: trees→tree, preserved→preserv
    # the analyser's TypedColumn (name, type) works the same
    typed = [type("TypedColumn", (), {"name": c.field_name, "type": c.type})() for c in s.columns]
    assert fulltext_document(typed).sql("postgres") == fulltext_document(s).sql("postgres")
    assert fulltext_document(schema_of(n=SoQLType.NUMBER)) is None


def test_table_is_schema_qualified_and_quoted(pg_store):
    s = schema_of(k=SoQLType.TEXT)
    pg_store.write_version(DS, 3, s, reader(s, []))
    t = pg_store.table(DS, 3)
    assert isinstance(t, exp.Table)
    assert t.sql("postgres") == f'"{pg_store.schema}"."ds_test_0001_v3"'
    with pytest.raises(StoreError, match="no version 4"):
        pg_store.table(DS, 4)


def test_dollar_params_leaves_literals_alone():
    q = "SELECT '%s', \"a%s\", x % 2, y %s FROM t WHERE a = %s AND b LIKE 'c%' AND c = %s"
    assert dollar_params(q) == "SELECT '%s', \"a%s\", x % 2, y $1 FROM t WHERE a = $2 AND b LIKE 'c%' AND c = $3"
    assert dollar_params("SELECT $1, $2") == "SELECT $1, $2"


def test_execute_with_sqlglot_placeholders_and_percent_literals(pg_store):
    s = schema_of(name=SoQLType.TEXT, n=SoQLType.NUMBER)
    pg_store.write_version(DS, 1, s, reader(s, [{"name": "50% off", "n": 1.0}, {"name": "full", "n": 2.0}]))
    t = pg_store.table(DS, 1)
    query = sqlglot.parse_one("SELECT name FROM t WHERE name LIKE '%\\%%' ESCAPE '\\' OR n > ?", read="duckdb")
    query = query.transform(lambda e: t.copy() if isinstance(e, exp.Table) else e)
    cur = pg_store.execute(query.sql("postgres"), [1.5])
    try:
        assert sorted(r[0] for r in cur) == ["50% off", "full"]
    finally:
        cur.close()


def test_geometry_results_come_back_like_duckdb(pg_store):
    s = schema_of(area=SoQLType.POLYGON)
    square = shapely.Polygon([(0, 0), (2, 0), (2, 2), (0, 2), (0, 0)])
    pg_store.write_version(DS, 1, s, reader(s, [{"area": shapely.to_wkb(square)}]))
    t = pg_store.table(DS, 1).sql("postgres")
    cur = pg_store.execute(f"SELECT ST_Centroid(area), ST_Buffer(area, 1), area FROM {t}")
    try:
        centroid, buffered, area = cur.fetchmany(1)[0]
    finally:
        cur.close()
    assert centroid == {"lon": 1.0, "lat": 1.0}
    assert shapely.from_wkb(buffered).contains(square)
    assert shapely.get_srid(shapely.from_wkb(area)) == 0 and shapely.from_wkb(area).equals(square)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (SoQLType.TEXT, "nul \x00 byte", "NUL"),
        (SoQLType.MULTIPOLYGON, shapely.to_wkb(shapely.box(0, 0, 1, 1)), "Polygon cannot be stored in a multipolygon"),
        (SoQLType.LINE, b"\x01\x02junk", "not valid WKB"),
        (SoQLType.POINT, {"lon": 1.0, "lat": None}, "both lon and lat"),
    ],
)
def test_unstorable_values_are_clear_errors(pg_store, column, value, message):
    s = schema_of(v=column)
    with pytest.raises(StoreError, match=message):
        pg_store.write_version(DS, 1, s, reader(s, [{"v": None}, {"v": value}]))
    assert not pg_store.has_version(DS, 1)


def test_wrong_incoming_columns_are_clear_errors(pg_store):
    s = schema_of(a=SoQLType.NUMBER)
    with pytest.raises(StoreError, match="no column 'a'"):
        pg_store.write_version(DS, 1, s, pa.table({"b": [1.0]}).to_reader())
    with pytest.raises(StoreError, match="cannot store"):
        pg_store.write_version(DS, 1, s, pa.table({"a": ["one"]}).to_reader())
    pg_store.write_version(DS, 1, s, pa.table({"a": pa.array([1, 2], pa.int32())}).to_reader())  # widened


def test_cursors_give_their_connections_back(pg_dsn):
    store = PostgresStore(pg_dsn, schema="t_pool_check", max_connections=2, pool_timeout=5)
    try:
        s = schema_of(k=SoQLType.NUMBER)
        store.write_version(DS, 1, s, reader(s, [{"k": float(i)} for i in range(10)]))
        t = store.table(DS, 1).sql("postgres")
        for _ in range(5):
            cur = store.execute(f"SELECT k FROM {t}")
            cur.fetchmany(1)
            cur.close()
        for _ in range(5):  # abandoned without close()
            cur = store.execute(f"SELECT k FROM {t}")
            cur.fetchmany(1)
            del cur
            gc.collect()
        with pytest.raises(psycopg.errors.DivisionByZero):
            store.execute(f"SELECT 1 / (k - k) FROM {t}").fetchmany(1)
        gc.collect()
        with pytest.raises(psycopg.errors.UndefinedColumn):
            store.execute(f"SELECT nope FROM {t}")
        cur = store.execute(f"SELECT count(*) FROM {t}")
        assert cur.fetchmany(1) == [(10,)]
        cur.close()
    finally:
        store.drop_dataset(DS)
        store.close()
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("DROP SCHEMA t_pool_check CASCADE")


def test_unreachable_server_is_a_clear_error_without_the_password():
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL") as info:
        PostgresStore("host=127.0.0.1 port=1 user=postgres password=sekrit dbname=nowhere")
    assert "sekrit" not in str(info.value)


def test_names_are_validated(pg_store):
    with pytest.raises(StoreError):
        pg_store.table_name("a_b", 1)  # '_' would make a-b and a_b the same table
    with pytest.raises(StoreError, match="too long"):
        pg_store.table_name("x" * 60, 1)
    with pytest.raises(StoreError, match="bad schema"):
        PostgresStore("host=127.0.0.1", schema='x"; drop')


def test_finer_timestamps_are_held_to_the_millisecond(pg_store):
    s = schema_of(at=SoQLType.FLOATING_TIMESTAMP)
    micro = pa.array([dt.datetime(2024, 1, 1, 0, 0, 0, 123456)], pa.timestamp("us"))
    pg_store.write_version(DS, 1, s, pa.table({"at": micro}).to_reader())
    cur = pg_store.execute(f"SELECT at FROM {pg_store.table(DS, 1).sql('postgres')}")
    try:
        assert cur.fetchmany(1) == [(dt.datetime(2024, 1, 1, 0, 0, 0, 123000),)]
    finally:
        cur.close()


def test_two_writers_of_one_version_one_wins(pg_store):
    s = schema_of(k=SoQLType.TEXT)
    outcomes = []
    start = threading.Barrier(2)

    def write(label: str):
        rows = [{"k": label}] * 20000
        start.wait()
        try:
            pg_store.write_version(DS, 1, s, reader(s, rows))
            outcomes.append(("ok", label))
        except StoreError as e:
            outcomes.append(("refused", str(e)))

    threads = [threading.Thread(target=write, args=(x,)) for x in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert [o[1] for o in outcomes if o[0] == "refused"] == ["dataset test-0001 already has a version 1"]
    (winner,) = [o[1] for o in outcomes if o[0] == "ok"]
    cur = pg_store.execute(f"SELECT DISTINCT k, count(*) OVER () FROM {pg_store.table(DS, 1).sql('postgres')}")
    try:
        assert cur.fetchmany(5) == [(winner, 20000)]
    finally:
        cur.close()


def test_dropping_a_version_being_read_waits_then_says_so(pg_store):
    s = schema_of(k=SoQLType.NUMBER)
    pg_store.write_version(DS, 1, s, reader(s, [{"k": float(i)} for i in range(5000)]))
    pg_store.drop_wait_seconds = 0.5
    cur = pg_store.execute(f"SELECT k FROM {pg_store.table(DS, 1).sql('postgres')}")
    try:
        cur.fetchmany(10)
        with pytest.raises(StoreError, match="still being read"):
            pg_store.drop_version(DS, 1)
    finally:
        cur.close()
    assert pg_store.has_version(DS, 1)
    pg_store.drop_version(DS, 1)
    assert not pg_store.has_version(DS, 1)


def test_nul_in_a_query_is_a_data_error(pg_store):
    s = schema_of(name=SoQLType.TEXT)
    pg_store.write_version(DS, 1, s, reader(s, [{"name": "a"}]))
    t = pg_store.table(DS, 1).sql("postgres")
    with pytest.raises(psycopg.errors.DataError, match="NUL"):
        pg_store.execute(f"SELECT * FROM {t} WHERE name = 'a\x00b'")
    with pytest.raises(psycopg.errors.DataError, match="NUL"):
        pg_store.execute(f"SELECT * FROM {t} WHERE name = %s", ["a\x00b"])
