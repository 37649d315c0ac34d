"""Embedded store: each dataset version is one immutable Parquet file.

Layout under the store root::

    <root>/<dataset-id>/v<version>.parquet

A version is written to a temporary name in the same folder, flushed to
disk, and renamed into place, so a reader sees a whole file or none. Files
are never changed after the rename, which is what lets ``openborough
publish`` write while ``openborough serve`` reads: no process ever holds a
DuckDB database open for writing. Queries run in one in-memory DuckDB
database per process, through a view per version.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Sequence
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from ..soql.types import SYSTEM_COLUMNS, Schema, arrow_type
from .base import Cursor, MergeResult, Store, StoreError, VersionInfo


def _q(name: str) -> str:
    """Quote an identifier for DuckDB (names come from validated schemas)."""
    return '"' + name.replace('"', '""') + '"'


@cache
def _duck_type(t) -> str:
    """DuckDB type name for a SoQL type, via its Arrow type."""
    con = duckdb.connect()
    try:
        return con.from_arrow(pa.table({"x": pa.array([], arrow_type(t))})).types[0].__str__()
    finally:
        con.close()


class _Guarded:
    """Wraps incoming batches so an exception raised by the source (e.g. an
    IngestError mid-file) reaches the caller as itself, not as the DuckDB
    error DuckDB wraps it in."""

    def __init__(self, rows: pa.RecordBatchReader):
        self.error: BaseException | None = None
        self.reader = pa.RecordBatchReader.from_batches(rows.schema, self._batches(rows))

    def _batches(self, rows):
        try:
            yield from rows
        except BaseException as e:
            self.error = e
            raise

    def reraise(self) -> None:
        if self.error is not None:
            raise self.error


class DuckDBCursor(Cursor):
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.columns = [d[0] for d in con.description or []]

    def fetchmany(self, size: int = 1000) -> list[tuple]:
        return self._con.fetchmany(size)

    def fetch_arrow(self, batch_size: int = 10000) -> pa.RecordBatchReader:
        return self._con.fetch_record_batch(batch_size)

    def close(self) -> None:
        self._con.close()


class DuckDBStore(Store):
    dialect = "duckdb"

    def __init__(self, root: str, memory_limit: str = "1GB", threads: int | None = None):
        self.root = os.path.abspath(root)
        os.makedirs(self.root, exist_ok=True)
        self._tmp = os.path.join(self.root, ".tmp")
        os.makedirs(self._tmp, exist_ok=True)
        self._db = duckdb.connect(":memory:")
        self._db.execute(f"SET memory_limit = '{memory_limit}'")
        self._db.execute(f"SET temp_directory = '{self._tmp}'")
        self._db.execute("SET preserve_insertion_order = true")
        if threads:
            self._db.execute(f"SET threads = {int(threads)}")
        self._views: set[str] = set()
        self._lock = threading.Lock()
        from ..soql.geo_udf import register as register_geo_functions

        register_geo_functions(self._db)  # shapely-backed geometry functions for SoQL

    # -- paths ---------------------------------------------------------------
    def dataset_dir(self, dataset_id: str) -> str:
        if not dataset_id or "/" in dataset_id or dataset_id.startswith("."):
            raise StoreError(f"bad dataset id {dataset_id!r}")
        return os.path.join(self.root, dataset_id)

    def path(self, dataset_id: str, version: int) -> str:
        return os.path.join(self.dataset_dir(dataset_id), f"v{int(version)}.parquet")

    def has_version(self, dataset_id: str, version: int) -> bool:
        return os.path.exists(self.path(dataset_id, version))

    # -- writing -------------------------------------------------------------
    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._db.cursor()

    def _publish_file(self, tmp: str, final: str) -> None:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.path.exists(final):
            os.unlink(tmp)
            raise StoreError(f"version file {os.path.basename(final)} already exists")
        os.replace(tmp, final)
        dfd = os.open(os.path.dirname(final), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def _tmp_path(self, dataset_id: str, version: int) -> str:
        d = self.dataset_dir(dataset_id)
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, f".v{int(version)}.{uuid.uuid4().hex}.tmp")

    def _select_user_columns(self, schema: Schema, source: str, have: set[str] | None = None) -> list[str]:
        out = []
        for c in schema.columns:
            ty = _duck_type(c.type)
            if have is not None and c.field_name not in have:
                out.append(f"CAST(NULL AS {ty}) AS {_q(c.field_name)}")
            else:
                out.append(f"CAST({source}.{_q(c.field_name)} AS {ty}) AS {_q(c.field_name)}")
        return out

    def _copy(self, con, select_sql: str, tmp: str, params: Sequence[Any] = ()) -> None:
        con.execute(
            f"COPY ({select_sql}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)",
            list(params),
        )

    def write_version(self, dataset_id, version, schema, rows) -> VersionInfo:
        final = self.path(dataset_id, version)
        if os.path.exists(final):
            raise StoreError(f"dataset {dataset_id} already has a version {version}")
        tmp = self._tmp_path(dataset_id, version)
        con = self._cursor()
        guard = _Guarded(rows)
        try:
            con.register("incoming", guard.reader)
            con.execute("CREATE TEMP SEQUENCE ob_ids START 1")
            now = time.time()
            cols = ", ".join(self._select_user_columns(schema, "incoming"))
            sql = (
                "SELECT nextval('ob_ids') AS \":id\", "
                "CAST(to_timestamp(CAST(? AS DOUBLE)) AS TIMESTAMPTZ) AS \":created_at\", "
                "CAST(to_timestamp(CAST(? AS DOUBLE)) AS TIMESTAMPTZ) AS \":updated_at\""
                + (", " + cols if cols else "")
                + " FROM incoming"
            )
            self._copy(con, sql, tmp, [now, now])
            self._publish_file(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            guard.reraise()
            raise
        finally:
            con.close()
        return VersionInfo(dataset_id, version, self.row_count(dataset_id, version))

    def export_version(self, dataset_id, version, schema) -> pa.RecordBatchReader:
        import pyarrow.parquet as pq

        path = self.path(dataset_id, version)
        if not os.path.exists(path):
            raise StoreError(f"dataset {dataset_id} has no version {version}")
        f = pq.ParquetFile(path)
        names = schema.arrow_schema().names
        # the file's own types (DuckDB keeps timestamps to the microsecond): nothing is rounded on the way out
        have = f.schema_arrow
        out = pa.schema([have.field(n) for n in names])
        return pa.RecordBatchReader.from_batches(out, f.iter_batches(batch_size=65_536, columns=names))

    def import_version(self, dataset_id, version, schema, rows, row_id=None) -> VersionInfo:
        import pyarrow.parquet as pq

        final = self.path(dataset_id, version)
        if os.path.exists(final):
            raise StoreError(f"dataset {dataset_id} already has a version {version}")
        tmp = self._tmp_path(dataset_id, version)
        want = schema.arrow_schema()
        # system timestamps keep the precision they arrive with; user columns take their physical types
        fields = [rows.schema.field(n) if n in SYSTEM_COLUMNS else want.field(n) for n in want.names]
        out = pa.schema(fields)
        try:
            with pq.ParquetWriter(tmp, out, compression="zstd") as writer:
                for batch in rows:
                    arrays = [batch.column(batch.schema.get_field_index(f.name)).cast(f.type) for f in fields]
                    writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=out), row_group_size=122_880)
            self._publish_file(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return VersionInfo(dataset_id, version, self.row_count(dataset_id, version))

    def merge_version(self, dataset_id, base_version, version, schema, rows, row_id, deleted_ids=()):
        base = self.path(dataset_id, base_version)
        if not os.path.exists(base):
            raise StoreError(f"dataset {dataset_id} has no version {base_version}")
        final = self.path(dataset_id, version)
        tmp = self._tmp_path(dataset_id, version)
        con = self._cursor()
        guard = _Guarded(rows)
        try:
            con.execute(f"CREATE TEMP VIEW old AS SELECT * FROM read_parquet('{base}')")
            have = {d[0] for d in con.execute("SELECT * FROM old LIMIT 0").description}
            con.register("incoming_arrow", guard.reader)
            inc_cols = [c for c in schema.columns]
            # number incoming rows so the last occurrence of a key wins
            con.execute(
                "CREATE TEMP TABLE inc AS SELECT row_number() OVER () AS ob_seq, "
                + ", ".join(self._select_user_columns(Schema(tuple(inc_cols)), "incoming_arrow"))
                + " FROM incoming_arrow"
            )
            (max_id,) = con.execute('SELECT coalesce(max(":id"), 0) FROM old').fetchone()
            now = time.time()
            ts = f"to_timestamp(CAST({repr(float(now))} AS DOUBLE))"
            old_cols = self._select_user_columns(schema, "old", have)
            con.execute("CREATE TEMP TABLE del_keys (k VARCHAR)")
            if deleted_ids:
                key_col = schema.get(row_id) if row_id else None
                if key_col is not None and key_col.type.is_numeric:
                    # compared as text with CAST(double AS VARCHAR): 11 must read "11.0" like the stored 11.0
                    try:
                        deleted_ids = [float(k) for k in deleted_ids]
                    except (TypeError, ValueError):
                        raise StoreError(f"deleted row identifiers for {row_id!r} must be numbers") from None
                con.executemany("INSERT INTO del_keys VALUES (?)", [[str(k)] for k in deleted_ids])
            if row_id:
                key = _q(row_id)
                (nulls,) = con.execute(f"SELECT count(*) FROM inc WHERE {key} IS NULL").fetchone()
                if nulls:
                    raise StoreError(f"{nulls} incoming row(s) have no value for the row identifier {row_id!r}")
                con.execute(
                    f"CREATE TEMP TABLE inc_last AS SELECT * FROM inc QUALIFY row_number() OVER "
                    f"(PARTITION BY {key} ORDER BY ob_seq DESC) = 1"
                )
                con.execute(
                    f"CREATE TEMP TABLE matched AS SELECT o.\":id\" AS oid, o.\":created_at\" AS ocr, i.ob_seq "
                    f"FROM old o JOIN inc_last i ON CAST(o.{key} AS VARCHAR) = CAST(i.{key} AS VARCHAR)"
                )
                (deleted,) = con.execute(
                    f"SELECT count(*) FROM old WHERE CAST({key} AS VARCHAR) IN (SELECT k FROM del_keys) "
                    f"AND \":id\" NOT IN (SELECT oid FROM matched)"
                ).fetchone()
                (updated,) = con.execute("SELECT count(*) FROM matched").fetchone()
                (n_inc,) = con.execute("SELECT count(*) FROM inc_last").fetchone()
                created = n_inc - updated
                con.execute(f"CREATE TEMP SEQUENCE ob_new START {int(max_id) + 1}")
                user = ", ".join(_q(c.field_name) for c in schema.columns)
                kept = (
                    "SELECT \":id\", \":created_at\", \":updated_at\"" + (", " + ", ".join(old_cols) if old_cols else "")
                    + f" FROM old WHERE \":id\" NOT IN (SELECT oid FROM matched) AND "
                    f"(CAST({key} AS VARCHAR) IS NULL OR CAST({key} AS VARCHAR) NOT IN (SELECT k FROM del_keys))"
                )
                replaced = (
                    f"SELECT m.oid, m.ocr, {ts}" + (", " + ", ".join(f"i.{_q(c.field_name)}" for c in schema.columns) if user else "")
                    + " FROM inc_last i JOIN matched m ON m.ob_seq = i.ob_seq"
                )
                added = (
                    f"SELECT nextval('ob_new'), {ts}, {ts}" + (", " + ", ".join(f"i.{_q(c.field_name)}" for c in schema.columns) if user else "")
                    + " FROM (SELECT * FROM inc_last WHERE ob_seq NOT IN (SELECT ob_seq FROM matched) ORDER BY ob_seq) i"
                )
                body = f"SELECT * FROM ({kept} UNION ALL {replaced} UNION ALL {added}) ORDER BY \":id\""
            else:
                (deleted,) = con.execute(
                    "SELECT count(*) FROM old WHERE CAST(\":id\" AS VARCHAR) IN (SELECT k FROM del_keys)"
                ).fetchone()
                (created,) = con.execute("SELECT count(*) FROM inc").fetchone()
                updated = 0
                con.execute(f"CREATE TEMP SEQUENCE ob_new START {int(max_id) + 1}")
                kept = (
                    "SELECT \":id\", \":created_at\", \":updated_at\"" + (", " + ", ".join(old_cols) if old_cols else "")
                    + " FROM old WHERE CAST(\":id\" AS VARCHAR) NOT IN (SELECT k FROM del_keys)"
                )
                added = (
                    f"SELECT nextval('ob_new'), {ts}, {ts}"
                    + (", " + ", ".join(f"i.{_q(c.field_name)}" for c in schema.columns) if schema.columns else "")
                    + " FROM (SELECT * FROM inc ORDER BY ob_seq) i"
                )
                body = f"{kept} UNION ALL {added}"
            names = ", ".join(['":id"', '":created_at"', '":updated_at"'] + [_q(c.field_name) for c in schema.columns])
            self._copy(con, f"SELECT * FROM ({body}) AS t({names})", tmp)
            self._publish_file(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            guard.reraise()
            raise
        finally:
            con.close()
        info = VersionInfo(dataset_id, version, self.row_count(dataset_id, version))
        return MergeResult(info, created=created, updated=updated, deleted=deleted)

    # -- reading -------------------------------------------------------------
    def row_count(self, dataset_id: str, version: int) -> int:
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path(dataset_id, version)).metadata.num_rows

    def view_name(self, dataset_id: str, version: int) -> str:
        return f"ds_{dataset_id.replace('-', '_')}_v{int(version)}"

    def table(self, dataset_id: str, version: int) -> exp.Expression:
        name = self.view_name(dataset_id, version)
        if name not in self._views:
            path = self.path(dataset_id, version)
            if not os.path.exists(path):
                raise StoreError(f"dataset {dataset_id} has no version {version}")
            with self._lock:
                self._db.execute(
                    f"CREATE OR REPLACE VIEW {_q(name)} AS SELECT * FROM read_parquet('{path}')"
                )
                self._views.add(name)
        return exp.to_table(exp.to_identifier(name, quoted=True).sql("duckdb"), dialect="duckdb")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> DuckDBCursor:
        con = self._cursor()
        try:
            con.execute(sql, list(params))
        except BaseException:
            con.close()
            raise
        return DuckDBCursor(con)

    # -- removing ------------------------------------------------------------
    def discard_partial(self, dataset_id: str) -> None:
        folder = self.dataset_dir(dataset_id)
        if not os.path.isdir(folder):
            return
        for name in os.listdir(folder):
            if name.startswith(".v") and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(folder, name))
                except FileNotFoundError:
                    pass

    def drop_version(self, dataset_id: str, version: int) -> None:
        name = self.view_name(dataset_id, version)
        with self._lock:
            self._db.execute(f"DROP VIEW IF EXISTS {_q(name)}")
            self._views.discard(name)
        try:
            os.unlink(self.path(dataset_id, version))
        except FileNotFoundError:
            pass

    def drop_dataset(self, dataset_id: str) -> None:
        prefix = self.view_name(dataset_id, 0)[: -len("v0")]
        with self._lock:
            for name in [v for v in self._views if v.startswith(prefix)]:
                self._db.execute(f"DROP VIEW IF EXISTS {_q(name)}")
                self._views.discard(name)
        shutil.rmtree(self.dataset_dir(dataset_id), ignore_errors=True)

    def close(self) -> None:
        self._db.close()


__all__ = ["DuckDBStore", "DuckDBCursor", "SYSTEM_COLUMNS"]
