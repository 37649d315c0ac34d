"""The Store contract, run against DuckDBStore and PostgresStore alike."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pyarrow as pa
import pytest
import shapely

from openborough.soql.types import Column, Schema, SoQLType
from openborough.store.base import StoreError

DS = "test-0001"


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request):
    return request.getfixturevalue("duck_store" if request.param == "duckdb" else "pg_store")


def schema_of(**types: SoQLType) -> Schema:
    return Schema(tuple(Column(name, t, name=name) for name, t in types.items()))


def table(schema: Schema, rows: list[dict]) -> pa.Table:
    physical = schema.arrow_schema()
    user = pa.schema([physical.field(c.field_name) for c in schema.columns])
    return pa.Table.from_pylist(rows, schema=user)


def reader(schema: Schema, rows: list[dict]) -> pa.RecordBatchReader:
    return table(schema, rows).to_reader()


def read(store, version: int, dataset: str = DS) -> list[dict]:
    t = store.table(dataset, version)
    cur = store.execute(f'SELECT * FROM {t.sql(store.dialect)} ORDER BY ":id"')
    try:
        cols = cur.columns
        return [dict(zip(cols, row, strict=True)) for row in cur]
    finally:
        cur.close()


def plain(value):
    """Store-neutral form: struct/jsonb dicts without null keys, WKB as shapely."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    if isinstance(value, bytes | bytearray | memoryview):
        return shapely.from_wkb(bytes(value)).wkt
    return value


def user_values(rows: list[dict], schema: Schema) -> list[dict]:
    return [{c.field_name: plain(r[c.field_name]) for c in schema.columns} for r in rows]


EVERY = schema_of(
    t=SoQLType.TEXT,
    n=SoQLType.NUMBER,
    d=SoQLType.DOUBLE,
    m=SoQLType.MONEY,
    c=SoQLType.CHECKBOX,
    ft=SoQLType.FLOATING_TIMESTAMP,
    xt=SoQLType.FIXED_TIMESTAMP,
    p=SoQLType.POINT,
    mp=SoQLType.MULTIPOINT,
    ln=SoQLType.LINE,
    ml=SoQLType.MULTILINE,
    pg=SoQLType.POLYGON,
    mpg=SoQLType.MULTIPOLYGON,
    loc=SoQLType.LOCATION,
    u=SoQLType.URL,
    b=SoQLType.BLOB,
)
SQUARE = shapely.Polygon([(-0.14, 51.53), (-0.13, 51.53), (-0.13, 51.54), (-0.14, 51.54), (-0.14, 51.53)])
HOLED = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)], holes=[[(2, 2), (3, 2), (3, 3), (2, 3), (2, 2)]])
EVERY_ROWS = [
    {
        "t": 'Camden — café "Ñ", 🚲\nline two, \\. end',
        "n": 1234.5,
        "d": 0.1 + 0.2,
        "m": 19.99,
        "c": True,
        "ft": dt.datetime(2017, 12, 31, 23, 59, 58, 123000),
        "xt": dt.datetime(2024, 3, 31, 1, 30, 0, 5000, tzinfo=dt.UTC),
        "p": {"lon": -0.1426, "lat": 51.5390},
        "mp": shapely.to_wkb(shapely.MultiPoint([(1, 2), (3, 4)])),
        "ln": shapely.to_wkb(shapely.LineString([(0, 0), (1.5, 2.25)])),
        "ml": shapely.to_wkb(shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])),
        "pg": shapely.to_wkb(HOLED),
        "mpg": shapely.to_wkb(shapely.MultiPolygon([SQUARE, shapely.affinity.translate(SQUARE, 1, 1)])),
        "loc": {"latitude": 51.5, "longitude": -0.12, "human_address": '{"address": "5 Pancras Sq"}'},
        "u": {"url": "https://opendata.camden.gov.uk/", "description": "Camden's portal"},
        "b": "x" * 5000,
    },
    {k: None for k in [c.field_name for c in EVERY.columns]},
    {
        "t": "",
        "n": -0.0,
        "d": 1e300,
        "m": 0.0,
        "c": False,
        "ft": dt.datetime(1900, 1, 1),
        "xt": dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        "p": {"lon": 0.0, "lat": 0.0},
        "mp": None,
        "ln": None,
        "ml": None,
        "pg": None,
        "mpg": None,
        "loc": {"latitude": None, "longitude": None, "human_address": "Town Hall"},
        "u": {"url": "http://x.test/a?b=1&c=%20", "description": None},
        "b": "",
    },
]


def test_write_version_round_trips_every_type(store):
    info = store.write_version(DS, 1, EVERY, reader(EVERY, EVERY_ROWS))
    assert info.row_count == 3 and info.version == 1
    rows = read(store, 1)
    assert [r[":id"] for r in rows] == [1, 2, 3]
    assert user_values(rows, EVERY) == [{k: plain(v) for k, v in r.items()} for r in EVERY_ROWS]
    first = rows[0]
    assert isinstance(first["xt"], dt.datetime) and first["xt"].tzinfo is not None
    assert first["ft"].tzinfo is None
    assert first["p"] == {"lon": -0.1426, "lat": 51.5390}
    assert shapely.from_wkb(first["pg"]).equals_exact(HOLED, 0)
    assert rows[2]["t"] == "" and rows[1]["t"] is None
    for r in rows:
        assert r[":created_at"] == r[":updated_at"]
        assert abs(r[":created_at"] - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)


def test_ids_follow_stream_order_across_batches(store):
    s = schema_of(k=SoQLType.NUMBER)
    batches = [table(s, [{"k": float(i)} for i in range(start, start + 7)]).to_batches()[0] for start in (0, 7, 14)]
    store.write_version(DS, 1, s, pa.RecordBatchReader.from_batches(batches[0].schema, batches))
    rows = read(store, 1)
    assert [(r[":id"], r["k"]) for r in rows] == [(i + 1, float(i)) for i in range(21)]


def test_empty_version(store):
    s = schema_of(k=SoQLType.TEXT)
    assert store.write_version(DS, 1, s, reader(s, [])).row_count == 0
    assert read(store, 1) == []


def test_version_already_there_is_refused(store):
    s = schema_of(k=SoQLType.TEXT)
    store.write_version(DS, 1, s, reader(s, [{"k": "a"}]))
    with pytest.raises(StoreError):
        store.write_version(DS, 1, s, reader(s, [{"k": "b"}]))
    assert [r["k"] for r in read(store, 1)] == ["a"]


KEYED = schema_of(code=SoQLType.TEXT, amount=SoQLType.MONEY)


def _base(store):
    store.write_version(
        DS,
        1,
        KEYED,
        reader(KEYED, [{"code": "A", "amount": 1.0}, {"code": "B", "amount": 2.0}, {"code": "C", "amount": 3.0}]),
    )
    return read(store, 1)


def test_merge_append(store):
    before = _base(store)
    time.sleep(0.01)
    result = store.merge_version(
        DS, 1, 2, KEYED, reader(KEYED, [{"code": "A", "amount": 9.0}, {"code": "D", "amount": 4.0}]), None
    )
    assert (result.created, result.updated, result.deleted) == (2, 0, 0)
    assert result.info.row_count == 5 and result.info.version == 2
    rows = read(store, 2)
    assert [(r[":id"], r["code"], r["amount"]) for r in rows] == [
        (1, "A", 1.0),
        (2, "B", 2.0),
        (3, "C", 3.0),
        (4, "A", 9.0),
        (5, "D", 4.0),
    ]
    assert [r[":created_at"] for r in rows[:3]] == [r[":created_at"] for r in before]
    assert rows[3][":created_at"] > before[0][":created_at"]
    assert len(read(store, 1)) == 3  # the base version is untouched


def test_merge_upsert_keeps_id_and_created_at(store):
    before = _base(store)
    time.sleep(0.01)
    incoming = [
        {"code": "B", "amount": 20.0},
        {"code": "E", "amount": 5.0},
        {"code": "B", "amount": 21.0},  # the last occurrence of a key wins
    ]
    result = store.merge_version(DS, 1, 2, KEYED, reader(KEYED, incoming), "code")
    assert (result.created, result.updated, result.deleted) == (1, 1, 0)
    rows = read(store, 2)
    assert [(r[":id"], r["code"], r["amount"]) for r in rows] == [
        (1, "A", 1.0),
        (2, "B", 21.0),
        (3, "C", 3.0),
        (4, "E", 5.0),
    ]
    assert rows[1][":created_at"] == before[1][":created_at"]
    assert rows[1][":updated_at"] > before[1][":updated_at"]
    assert rows[0][":updated_at"] == before[0][":updated_at"]


def test_merge_upsert_with_deletions(store):
    _base(store)
    result = store.merge_version(DS, 1, 2, KEYED, reader(KEYED, [{"code": "A", "amount": 10.0}]), "code", ["C", "Z"])
    assert (result.created, result.updated, result.deleted) == (0, 1, 1)
    assert [(r[":id"], r["code"]) for r in read(store, 2)] == [(1, "A"), (2, "B")]


@pytest.mark.parametrize("key", [11.0, 11, 1e20])
def test_merge_deletes_by_numeric_row_identifier(store, key):
    s = schema_of(ref=SoQLType.NUMBER, name=SoQLType.TEXT)
    store.write_version(DS, 1, s, reader(s, [{"ref": 10.0, "name": "x"}, {"ref": float(key), "name": "y"}]))
    result = store.merge_version(DS, 1, 2, s, reader(s, []), "ref", [key])
    assert (result.created, result.updated, result.deleted) == (0, 0, 1)
    assert [r["ref"] for r in read(store, 2)] == [10.0]


def test_merge_deletes_by_row_number_without_identifier(store):
    _base(store)
    result = store.merge_version(DS, 1, 2, KEYED, reader(KEYED, [{"code": "D", "amount": 4.0}]), None, [2, 99])
    assert (result.created, result.updated, result.deleted) == (1, 0, 1)
    assert [(r[":id"], r["code"]) for r in read(store, 2)] == [(1, "A"), (3, "C"), (4, "D")]


def test_upsert_rows_without_a_key_are_an_error(store):
    _base(store)
    with pytest.raises(StoreError, match="row identifier"):
        store.merge_version(
            DS, 1, 2, KEYED, reader(KEYED, [{"code": None, "amount": 1.0}, {"code": None, "amount": 2.0}]), "code"
        )
    assert not store.has_version(DS, 2)


def test_merge_schema_gains_a_column(store):
    _base(store)
    wider = Schema(KEYED.columns + (Column("when", SoQLType.FLOATING_TIMESTAMP, name="when"),))
    when = dt.datetime(2025, 5, 1, 9, 0)
    result = store.merge_version(DS, 1, 2, wider, reader(wider, [{"code": "B", "amount": 2.5, "when": when}]), "code")
    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    rows = read(store, 2)
    assert [(r["code"], r["amount"], r["when"]) for r in rows] == [("A", 1.0, None), ("B", 2.5, when), ("C", 3.0, None)]


def test_merge_needs_its_base(store):
    with pytest.raises(StoreError):
        store.merge_version(DS, 1, 2, KEYED, reader(KEYED, []), None)


class Boom(Exception):
    pass


def _failing_stream(schema: Schema, good_batches: int):
    batch = table(schema, [{"code": f"K{i}", "amount": float(i)} for i in range(1000)]).to_batches()[0]

    def gen():
        for _ in range(good_batches):
            yield batch
        raise Boom("the source file broke mid-way")

    return pa.RecordBatchReader.from_batches(batch.schema, gen())


def test_failed_write_leaves_no_version(store):
    _base(store)
    with pytest.raises(Boom):
        store.write_version(DS, 2, KEYED, _failing_stream(KEYED, 3))
    assert not store.has_version(DS, 2)
    assert len(read(store, 1)) == 3
    # the number is free for a retry
    store.write_version(DS, 2, KEYED, reader(KEYED, [{"code": "Z", "amount": 0.0}]))
    assert [r["code"] for r in read(store, 2)] == ["Z"]


def test_failed_merge_leaves_no_version(store):
    _base(store)
    with pytest.raises(Boom):
        store.merge_version(DS, 1, 2, KEYED, _failing_stream(KEYED, 2), "code", ["A"])
    assert not store.has_version(DS, 2)
    assert [r["code"] for r in read(store, 1)] == ["A", "B", "C"]


def test_concurrent_merges_each_write_their_own_version(store):
    _base(store)
    results, errors = {}, []
    start = threading.Barrier(2)

    def merge(version: int, code: str):
        try:
            rows = [{"code": f"{code}{i}", "amount": float(i)} for i in range(2000)]
            start.wait()
            results[version] = store.merge_version(DS, 1, version, KEYED, reader(KEYED, rows), "code", ["A"])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=merge, args=(v, c)) for v, c in ((2, "X"), (3, "Y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for version, code in ((2, "X"), (3, "Y")):
        r = results[version]
        assert (r.created, r.updated, r.deleted, r.info.row_count) == (2000, 0, 1, 2002)
        rows = read(store, version)
        assert [x["code"] for x in rows[:3]] == ["B", "C", f"{code}0"]
        assert rows[-1][":id"] == 2003


def test_large_load_streams(store):
    """200k rows in 5k-row batches; Arrow memory in use stays far below the whole table's size."""
    s = schema_of(k=SoQLType.NUMBER, label=SoQLType.TEXT, flag=SoQLType.CHECKBOX)
    n_batches, size = 40, 5000
    peaks = []

    def gen():
        for b in range(n_batches):
            base = b * size
            peaks.append(pa.total_allocated_bytes())
            yield pa.record_batch(
                {
                    "k": pa.array(range(base, base + size), pa.float64()),
                    "label": pa.array([f"row {i:08d} " + "x" * 100 for i in range(base, base + size)]),
                    "flag": pa.array([i % 2 == 0 for i in range(base, base + size)]),
                }
            )

    schema = pa.schema([("k", pa.float64()), ("label", pa.string()), ("flag", pa.bool_())])
    before = pa.total_allocated_bytes()
    info = store.write_version(DS, 1, s, pa.RecordBatchReader.from_batches(schema, gen()))
    assert info.row_count == n_batches * size
    whole = n_batches * size * 130  # bytes of the whole table in Arrow
    assert max(peaks) - before < whole / 4, (max(peaks) - before, whole)
    cur = store.execute(
        f"SELECT count(*), sum(k), min(label), max({_q(':id')}) FROM {store.table(DS, 1).sql(store.dialect)}"
    )
    try:
        count, total, first, last = cur.fetchmany(1)[0]
    finally:
        cur.close()
    assert (count, total, last) == (200_000, sum(range(200_000)), 200_000)
    assert first.startswith("row 00000000 ")


def _q(name: str) -> str:
    return '"' + name + '"'


def test_cursor_streams_in_batches(store):
    s = schema_of(k=SoQLType.NUMBER)
    store.write_version(DS, 1, s, reader(s, [{"k": float(i)} for i in range(5000)]))
    cur = store.execute(f"SELECT k FROM {store.table(DS, 1).sql(store.dialect)} ORDER BY k")
    try:
        assert cur.columns == ["k"]
        first = cur.fetchmany(100)
        assert [r[0] for r in first] == [float(i) for i in range(100)]
        rest = list(cur)
        assert len(rest) == 4900
        assert cur.fetchmany(10) == []
    finally:
        cur.close()


def test_drop_version_and_dataset(store):
    s = schema_of(k=SoQLType.TEXT)
    for v in (1, 2, 3):
        store.write_version(DS, v, s, reader(s, [{"k": str(v)}]))
    store.write_version("othr-0001", 1, s, reader(s, [{"k": "other"}]))
    store.drop_version(DS, 1)
    assert not store.has_version(DS, 1) and store.has_version(DS, 2)
    with pytest.raises(StoreError):
        store.table(DS, 1)
    store.drop_version(DS, 1)  # dropping what is gone is fine
    store.drop_dataset(DS)
    assert not store.has_version(DS, 2) and not store.has_version(DS, 3)
    assert [r["k"] for r in read(store, 1, "othr-0001")] == ["other"]


def test_bad_dataset_id_is_refused(store):
    s = schema_of(k=SoQLType.TEXT)
    with pytest.raises(StoreError):
        store.write_version("../etc", 1, s, reader(s, []))


def test_export_then_import_keeps_every_value_and_system_column(store):
    store.write_version(DS, 1, EVERY, reader(EVERY, EVERY_ROWS))
    s = schema_of(k=SoQLType.NUMBER, v=SoQLType.TEXT)
    store.write_version("test-0002", 1, s, reader(s, [{"k": 1, "v": "a"}, {"k": 2, "v": "b"}]))
    store.merge_version("test-0002", 1, 2, s, reader(s, [{"k": 2, "v": "B"}, {"k": 3, "v": "c"}]), "k")
    for ds, schema, version in ((DS, EVERY, 1), ("test-0002", s, 2)):
        before = read(store, version, ds)
        exported = store.export_version(ds, version, schema)
        assert exported.schema.names == schema.arrow_schema().names
        store.import_version(ds, version + 10, schema, exported, row_id="k" if schema is s else None)
        after = read(store, version + 10, ds)
        assert [{k: plain(v) for k, v in r.items()} for r in after] == [{k: plain(v) for k, v in r.items()} for r in before]
    assert [r[":id"] for r in read(store, 12, "test-0002")] == [1, 2, 3]


def test_import_is_atomic_and_refuses_an_existing_version(store):
    s = schema_of(k=SoQLType.NUMBER)
    store.write_version(DS, 1, s, reader(s, [{"k": 1}]))
    with pytest.raises(StoreError, match="already"):
        store.import_version(DS, 1, s, store.export_version(DS, 1, s))

    source = store.export_version(DS, 1, s)

    def broken():
        yield from source
        raise RuntimeError("source failed mid-way")

    with pytest.raises(RuntimeError):
        store.import_version(DS, 2, s, pa.RecordBatchReader.from_batches(source.schema, broken()))
    assert not store.has_version(DS, 2)


@pytest.mark.postgres
def test_versions_move_between_stores_unchanged(duck_store, pg_store):
    duck_store.write_version(DS, 1, EVERY, reader(EVERY, EVERY_ROWS))
    pg_store.import_version(DS, 1, EVERY, duck_store.export_version(DS, 1, EVERY))
    duck_store.import_version(DS, 2, EVERY, pg_store.export_version(DS, 1, EVERY))

    def ms(value):  # the contract holds timestamps to the millisecond; DuckDB's files keep microseconds
        if isinstance(value, dt.datetime):
            return value.replace(microsecond=value.microsecond // 1000 * 1000)
        return plain(value)

    a = [{k: ms(v) for k, v in r.items()} for r in read(duck_store, 1)]
    assert [{k: ms(v) for k, v in r.items()} for r in read(pg_store, 1)] == a
    assert [{k: ms(v) for k, v in r.items()} for r in read(duck_store, 2)] == a
