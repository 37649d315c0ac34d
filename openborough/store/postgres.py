"""Production store: each dataset version is one PostgreSQL/PostGIS table.

Layout: ``<schema>.ds_<dataset id, '-' → '_'>_v<version>`` (schema
``openborough`` by default), columns ``":id"`` bigint primary key,
``":created_at"``/``":updated_at"`` timestamptz(3), then the user columns in
the physical types of ``soql.types`` (``pg_encode.pg_type``).

Writing: rows stream in through text ``COPY … (FORMAT csv, FREEZE)`` (Arrow renders
each batch as CSV in C; see ``pg_encode``), ≤20k rows per chunk, into a table
with a hidden name (``_load_<random>``) inside one transaction. Indexes are
built after the COPY, the table is ANALYZEd and renamed to its version name
just before COMMIT, so a crash or an error leaves no version, partial or not.
Merges (append / upsert by row identifier / delete) build the new version with
one ``INSERT … SELECT`` from the base version and the incoming rows, which are
COPYed into a temporary table first; ``:id`` and the counters follow
``DuckDBStore``.

Indexes (the rule, also in docs/operations.md): a primary key on ``:id``; a
btree on the merge's row identifier; btrees on number/double/money,
timestamp and checkbox columns and on text columns whose longest value is at
most ``SHORT_TEXT_BYTES`` bytes, in column order, at most
``MAX_BTREE_INDEXES`` user-column btrees in all; a GiST index on every
geometry column; one GIN index over ``fulltext_document(schema)`` (text and
url columns) for ``$q``. An optional index that cannot be built is logged and
skipped; it never fails the write.

Reading: ``table()`` gives the schema-qualified, quoted ``exp.Table``;
``execute(sql, params)`` runs compiled SQL on a server-side cursor so
results stream. ``sql`` is literal PostgreSQL: placeholders are either
sqlglot's ``%s`` (what the postgres dialect prints for ``?``) or native
``$1…``; a ``%`` anywhere else, e.g. in a LIKE literal, is just a character
(no psycopg ``%%`` escaping). Values come back as DuckDBStore gives them, so
``soql.output`` needs no backend switch: a geometry is decoded by a psycopg
loader to ``{"lon", "lat"}`` for a point and 2D WKB bytes otherwise;
location/url are dicts (null keys absent); timestamps are ``datetime``
(fixed ones in UTC).

Connections come from a ``psycopg_pool.ConnectionPool`` (thread-safe; a
streaming cursor holds its connection until closed).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg
import pyarrow as pa
import sqlglot
from psycopg import sql
from psycopg.types import TypeInfo
from psycopg_pool import ConnectionPool, PoolTimeout
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.tokens import TokenType

from ..soql.types import SYSTEM_COLUMNS, Column, Schema, SoQLType
from . import routing
from .base import Cursor, MergeResult, Store, StoreError, StoreUnavailable, VersionInfo
from .pg_encode import GeometryBinaryLoader, GeometryTextLoader, csv_chunks, exported_csv_chunks, pg_type

log = logging.getLogger(__name__)

MAX_BTREE_INDEXES = 10
SHORT_TEXT_BYTES = 256
TEXT_SEARCH_CONFIG = "english"
_DATASET_ID_RE = re.compile(r"^[A-Za-z0-9-]+$")
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
_BTREE_TYPES = frozenset(
    {
        SoQLType.NUMBER,
        SoQLType.DOUBLE,
        SoQLType.MONEY,
        SoQLType.FLOATING_TIMESTAMP,
        SoQLType.FIXED_TIMESTAMP,
        SoQLType.CHECKBOX,
        SoQLType.TEXT,
    }
)
_ID, _CREATED, _UPDATED = (sql.Identifier(n) for n in (":id", ":created_at", ":updated_at"))


def _name_type(col) -> tuple[str, SoQLType]:
    """(field name, SoQL type) of a ``soql.types.Column`` or an analyser ``TypedColumn``."""
    return getattr(col, "field_name", None) or col.name, col.type


def fulltext_columns(columns: Schema | Iterable) -> list[tuple[str, SoQLType]]:
    """The columns ``$q`` searches, in order: text and url (as the analyser's ``search_columns``)."""
    cols = columns.columns if isinstance(columns, Schema) else columns
    return [(n, t) for n, t in map(_name_type, cols) if t in (SoQLType.TEXT, SoQLType.URL)]


def _fulltext_sql(columns: list[tuple[str, SoQLType]]) -> sql.Composable:
    parts = []
    for name, t in columns:
        if t is SoQLType.URL:
            parts += [
                sql.SQL("coalesce({} ->> {}, '')").format(sql.Identifier(name), sql.Literal(k))
                for k in ("url", "description")
            ]
        else:
            parts.append(sql.SQL("coalesce({}, '')").format(sql.Identifier(name)))
    return sql.SQL("to_tsvector({}, {})").format(sql.Literal(TEXT_SEARCH_CONFIG), sql.SQL(" || ' ' || ").join(parts))


def fulltext_document(columns: Schema | Iterable, table: str | None = None) -> exp.Expression | None:
    """The tsvector the GIN index of a version is built on, as a sqlglot expression:
    ``to_tsvector('english', coalesce("a", '') || ' ' || coalesce("u" ->> 'url', '') …)``
    over ``fulltext_columns``. For ``$q`` the postgres SoQL compiler must use exactly
    this (``<document> @@ plainto_tsquery('english', %s)``) so the index serves it;
    ``table`` qualifies the column references. None when nothing is searchable."""
    cols = fulltext_columns(columns)
    if not cols:
        return None
    doc = sqlglot.parse_one(_fulltext_sql(cols).as_string(), read="postgres")
    if table:
        for ref in doc.find_all(exp.Column):
            ref.set("table", exp.to_identifier(table, quoted=True))
    return doc


def dollar_params(query: str) -> str:
    """Turn ``%s`` placeholders (outside literals and quoted names) into ``$1, $2…``."""
    if "%" not in query:
        return query
    tokens = Postgres().tokenize(query)
    out, last, n = [], 0, 0
    for a, b in zip(tokens, tokens[1:], strict=False):
        if a.token_type == TokenType.MOD and b.text == "s" and b.start == a.end + 1 and b.token_type == TokenType.VAR:
            n += 1
            out.append(query[last : a.start])
            out.append(f"${n}")
            last = b.end + 1
    out.append(query[last:])
    return "".join(out)


def _safe_dsn(dsn: str) -> str:
    try:
        info = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "(unparsable DSN)"
    info.pop("password", None)
    return psycopg.conninfo.make_conninfo(**info)


def _release(pool: ConnectionPool, conn: psycopg.Connection, cur) -> None:
    try:
        cur.close()
    except psycopg.Error:
        pass
    try:
        conn.rollback()
    except psycopg.Error:
        pass
    pool.putconn(conn)


class PostgresCursor(Cursor):
    """A server-side cursor on a pooled connection; ``close()`` gives the connection back."""

    def __init__(self, pool: ConnectionPool, conn: psycopg.Connection, cur):
        self._cur = cur
        self.columns = [d.name for d in cur.description or []]
        # a cursor dropped without close() still returns its connection
        self._finalizer = weakref.finalize(self, _release, pool, conn, cur)

    def fetchmany(self, size: int = 1000) -> list[tuple]:
        return self._cur.fetchmany(size)

    def close(self) -> None:
        self._finalizer()


class PostgresStore(Store):
    dialect = "postgres"
    #: how long drop_version/drop_dataset wait for readers of the version to finish
    drop_wait_seconds = 30.0

    def __init__(
        self,
        dsn: str,
        schema: str = "openborough",
        *,
        max_connections: int = 10,
        pool_timeout: float = 30.0,
        chunk_rows: int = 20_000,
        read_dsns: Sequence[str] = (),
    ):
        """``max_connections`` bounds the pool (a streaming cursor holds one until
        closed); waiting longer than ``pool_timeout`` seconds for one raises
        ``psycopg_pool.PoolTimeout``."""
        if not _SCHEMA_RE.match(schema):
            raise StoreError(f"bad schema name {schema!r}: use lower-case letters, digits and _")
        self.schema = schema
        self.chunk_rows = chunk_rows
        self._known: set[str] = set()
        self._lock = threading.Lock()
        self._geometry_oid = self._prepare_database(dsn)
        self._pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=max_connections,
            timeout=pool_timeout,
            configure=self._configure,
            check=ConnectionPool.check_connection,
            name="openborough-store",
            open=True,
        )
        #: streaming replicas of ``dsn`` that answer queries (``execute``) unless the caller is pinned to the primary
        self._replicas: dict[str, ConnectionPool] = {}
        for n, rdsn in enumerate(read_dsns, 1):
            self._replicas[f"replica{n}"] = ConnectionPool(
                rdsn,
                min_size=0,
                max_size=max_connections,
                timeout=5.0,
                configure=self._configure,
                check=ConnectionPool.check_connection,
                name=f"openborough-store-replica{n}",
                open=True,
                kwargs={"connect_timeout": 3},
            )
        self._replica_health = routing.Health()

    # -- set-up --------------------------------------------------------------
    def _prepare_database(self, dsn: str) -> int:
        """Make sure PostGIS and the schema exist; the geometry type's OID."""
        try:
            conn = psycopg.connect(dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as e:
            raise StoreUnavailable(f"cannot connect to PostgreSQL at {_safe_dsn(dsn)}: {e}".strip()) from None
        with conn:
            if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
                try:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                except psycopg.Error as e:
                    raise StoreError(
                        f"PostGIS is not enabled in {_safe_dsn(dsn)} and could not be: {e}; "
                        "install postgresql-15-postgis-3 and run CREATE EXTENSION postgis as a superuser"
                    ) from None
            if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [self.schema]).fetchone():
                try:
                    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
                except psycopg.Error as e:
                    raise StoreError(f"cannot create schema {self.schema!r}: {e}") from None
            info = TypeInfo.fetch(conn, "geometry")
            if info is None:  # pragma: no cover - PostGIS was just checked
                raise StoreError("PostGIS geometry type not found")
            return info.oid

    def _configure(self, conn: psycopg.Connection) -> None:
        conn.adapters.register_loader(self._geometry_oid, GeometryTextLoader)
        conn.adapters.register_loader(self._geometry_oid, GeometryBinaryLoader)
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()

    # -- names ---------------------------------------------------------------
    def table_name(self, dataset_id: str, version: int) -> str:
        if not dataset_id or not _DATASET_ID_RE.match(dataset_id):
            raise StoreError(f"bad dataset id {dataset_id!r}")
        name = f"ds_{dataset_id.replace('-', '_')}_v{int(version)}"
        if len(name) + len("_pkey") > 63:
            raise StoreError(f"dataset id {dataset_id!r} is too long for a PostgreSQL table name")
        return name

    def _ident(self, name: str) -> sql.Identifier:
        return sql.Identifier(self.schema, name)

    def _exists(self, conn: psycopg.Connection, name: str) -> bool:
        row = conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = %s", [self.schema, name]
        ).fetchone()
        return row is not None

    def has_version(self, dataset_id: str, version: int) -> bool:
        name = self.table_name(dataset_id, version)
        with self._pool.connection() as conn:
            return self._exists(conn, name)

    def row_count(self, dataset_id: str, version: int) -> int:
        name = self.table_name(dataset_id, version)
        with self._pool.connection() as conn:
            return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(self._ident(name))).fetchone()[0]

    # -- writing -------------------------------------------------------------
    def _create(self, conn: psycopg.Connection, name: str, columns: Sequence[Column]) -> None:
        cols = [
            sql.SQL("{} bigint NOT NULL").format(_ID),
            sql.SQL("{} timestamp(3) with time zone NOT NULL DEFAULT now()").format(_CREATED),
            sql.SQL("{} timestamp(3) with time zone NOT NULL DEFAULT now()").format(_UPDATED),
        ] + [sql.SQL("{} {}").format(sql.Identifier(c.field_name), sql.SQL(pg_type(c.type))) for c in columns]
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(self._ident(name), sql.SQL(", ").join(cols)))

    def _copy_in(self, conn, target: sql.Composable, lead: sql.Identifier, columns, rows, first_id=None) -> int:
        names = sql.SQL(", ").join([lead] + [sql.Identifier(c.field_name) for c in columns])
        with conn.cursor() as cur:
            # FREEZE: the target was created in this transaction, so rows can be written
            # already frozen and all-visible (no hint-bit writes or vacuum for readers later)
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, FREEZE)").format(target, names)) as copy:
                for chunk in csv_chunks(rows, tuple(columns), first_id=first_id, chunk_rows=self.chunk_rows):
                    copy.write(chunk)
            return cur.rowcount

    def _start(self, conn: psycopg.Connection, dataset_id: str, version: int, final: str) -> None:
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # writers of the same version queue here, so the later one sees the earlier one's table
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"{self.schema}.{final}"])
        if self._exists(conn, final):
            raise StoreError(f"dataset {dataset_id} already has a version {version}")

    def write_version(self, dataset_id, version, schema, rows) -> VersionInfo:
        final = self.table_name(dataset_id, version)
        hidden = f"_load_{uuid.uuid4().hex[:24]}"
        with self._writing(dataset_id, version):
            with self._pool.connection() as conn:
                self._start(conn, dataset_id, version, final)
                self._create(conn, hidden, schema.columns)
                n = self._copy_in(conn, self._ident(hidden), _ID, schema.columns, rows, first_id=1)
                self._finish(conn, hidden, final, schema, None)
        with self._lock:
            self._known.add(final)
        return VersionInfo(dataset_id, version, n)

    def export_version(self, dataset_id, version, schema) -> pa.RecordBatchReader:
        name = self.table_name(dataset_id, version)
        want = schema.arrow_schema()
        cols = sql.SQL(", ").join(sql.Identifier(n) for n in want.names)
        query = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(cols, self._ident(name), _ID)
        if not self.has_version(dataset_id, version):
            raise StoreError(f"dataset {dataset_id} has no version {version}")

        def batches():
            with self._pool.connection() as conn, conn.transaction():
                with conn.cursor(name=f"export_{uuid.uuid4().hex[:12]}") as cur:  # server-side: bounded memory
                    cur.execute(query)
                    while rows := cur.fetchmany(20_000):
                        columns = list(zip(*rows, strict=True))
                        yield pa.RecordBatch.from_arrays(
                            [pa.array(list(v), type=f.type) for v, f in zip(columns, want, strict=True)], schema=want
                        )

        return pa.RecordBatchReader.from_batches(want, batches())

    def import_version(self, dataset_id, version, schema, rows, row_id=None) -> VersionInfo:
        final = self.table_name(dataset_id, version)
        hidden = f"_load_{uuid.uuid4().hex[:24]}"
        key = schema.get(row_id) if row_id else None
        with self._writing(dataset_id, version):
            with self._pool.connection() as conn:
                self._start(conn, dataset_id, version, final)
                self._create(conn, hidden, schema.columns)
                names = sql.SQL(", ").join(
                    [sql.Identifier(n) for n in SYSTEM_COLUMNS] + [sql.Identifier(c.field_name) for c in schema.columns]
                )
                with conn.cursor() as cur:
                    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, FREEZE)").format(self._ident(hidden), names)
                    with cur.copy(copy_sql) as copy:
                        for chunk in exported_csv_chunks(rows, schema.columns, chunk_rows=self.chunk_rows):
                            copy.write(chunk)
                    n = cur.rowcount
                self._finish(conn, hidden, final, schema, key)
        with self._lock:
            self._known.add(final)
        return VersionInfo(dataset_id, version, n)

    def merge_version(self, dataset_id, base_version, version, schema, rows, row_id, deleted_ids=()):
        base = self.table_name(dataset_id, base_version)
        final = self.table_name(dataset_id, version)
        hidden = f"_load_{uuid.uuid4().hex[:24]}"
        key = schema.get(row_id) if row_id else None
        if row_id and key is None:
            raise StoreError(f"row identifier {row_id!r} is not a column of the dataset")
        with self._writing(dataset_id, version):
            with self._pool.connection() as conn:
                if not self._exists(conn, base):
                    raise StoreError(f"dataset {dataset_id} has no version {base_version}")
                self._start(conn, dataset_id, version, final)
                with conn.cursor() as cur:
                    cur.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(self._ident(base)))
                    have = {d.name for d in cur.description}
                self._incoming(conn, schema.columns, rows, key, deleted_ids)
                if key is not None:
                    created, updated, deleted = self._match_by_key(conn, base, key)
                else:
                    created, updated, deleted = self._match_by_id(conn, base)
                self._create(conn, hidden, schema.columns)
                n = self._insert_merged(conn, base, hidden, schema, have, key)
                self._finish(conn, hidden, final, schema, key)
        with self._lock:
            self._known.add(final)
        return MergeResult(VersionInfo(dataset_id, version, n), created=created, updated=updated, deleted=deleted)

    class _writing:
        """Turn the database's complaints during a write into StoreErrors."""

        def __init__(self, dataset_id: str, version: int):
            self.what = f"dataset {dataset_id} version {version}"

        def __enter__(self):
            return self

        def __exit__(self, et, e, tb):
            catalog_clash = isinstance(e, psycopg.errors.UniqueViolation) and (e.diag.constraint_name or "").startswith(
                "pg_"
            )
            if isinstance(e, psycopg.errors.DuplicateTable) or catalog_clash:
                raise StoreError(f"{self.what} already exists (written by another process meanwhile)") from None
            if isinstance(e, psycopg.errors.DataError | psycopg.errors.IntegrityError):
                raise StoreError(f"could not store {self.what}: {str(e).strip()}") from None
            if isinstance(e, psycopg.OperationalError):
                raise StoreError(f"could not store {self.what}: the database failed: {str(e).strip()}") from None
            return False

    def _incoming(self, conn, columns, rows, key: Column | None, deleted_ids) -> None:
        """COPY the incoming rows into temp table ``inc`` (with ``ob_seq``) and the deletions into ``del_keys``."""
        cols = [sql.SQL("ob_seq bigint NOT NULL")] + [
            sql.SQL("{} {}").format(sql.Identifier(c.field_name), sql.SQL(pg_type(c.type))) for c in columns
        ]
        conn.execute(sql.SQL("CREATE TEMP TABLE inc ({}) ON COMMIT DROP").format(sql.SQL(", ").join(cols)))
        self._copy_in(conn, sql.Identifier("inc"), sql.Identifier("ob_seq"), columns, rows)
        conn.execute("ANALYZE inc")
        ktype = sql.SQL(pg_type(key.type)) if key is not None else sql.SQL("bigint")
        conn.execute(sql.SQL("CREATE TEMP TABLE del_keys (k {}) ON COMMIT DROP").format(ktype))
        if deleted_ids:
            values = deleted_ids if key is not None else [_row_number(k) for k in deleted_ids]
            with conn.cursor() as cur, cur.copy("COPY del_keys (k) FROM STDIN") as copy:
                for k in values:
                    copy.write_row((k,))
            conn.execute("ANALYZE del_keys")

    def _match_by_key(self, conn, base: str, key: Column) -> tuple[int, int, int]:
        k = sql.Identifier(key.field_name)
        nulls = conn.execute(sql.SQL("SELECT count(*) FROM inc WHERE {} IS NULL").format(k)).fetchone()[0]
        if nulls:
            raise StoreError(f"{nulls} incoming row(s) have no value for the row identifier {key.field_name!r}")
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE inc_last ON COMMIT DROP AS "
                "SELECT DISTINCT ON ({k}) * FROM inc ORDER BY {k}, ob_seq DESC"
            ).format(k=k)
        )
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE matched ON COMMIT DROP AS "
                "SELECT o.{id} AS oid, o.{cr} AS ocr, i.ob_seq FROM {base} o JOIN inc_last i ON CAST(o.{k} AS {t}) = i.{k}"
            ).format(id=_ID, cr=_CREATED, base=self._ident(base), k=k, t=sql.SQL(pg_type(key.type)))
        )
        conn.execute("ANALYZE inc_last; ANALYZE matched")
        deleted = conn.execute(
            sql.SQL(
                "SELECT count(*) FROM {base} o WHERE EXISTS (SELECT 1 FROM del_keys d WHERE d.k = CAST(o.{k} AS {t})) "
                "AND NOT EXISTS (SELECT 1 FROM matched m WHERE m.oid = o.{id})"
            ).format(base=self._ident(base), k=k, t=sql.SQL(pg_type(key.type)), id=_ID)
        ).fetchone()[0]
        updated = conn.execute("SELECT count(*) FROM matched").fetchone()[0]
        n_inc = conn.execute("SELECT count(*) FROM inc_last").fetchone()[0]
        return n_inc - updated, updated, deleted

    def _match_by_id(self, conn, base: str) -> tuple[int, int, int]:
        deleted = conn.execute(
            sql.SQL("SELECT count(*) FROM {} o WHERE EXISTS (SELECT 1 FROM del_keys d WHERE d.k = o.{})").format(
                self._ident(base), _ID
            )
        ).fetchone()[0]
        created = conn.execute("SELECT count(*) FROM inc").fetchone()[0]
        return created, 0, deleted

    def _insert_merged(self, conn, base: str, hidden: str, schema: Schema, have: set[str], key: Column | None) -> int:
        user = [sql.Identifier(c.field_name) for c in schema.columns]
        old_cols = [
            sql.SQL("CAST(o.{} AS {})").format(sql.Identifier(c.field_name), sql.SQL(pg_type(c.type)))
            if c.field_name in have
            else sql.SQL("CAST(NULL AS {})").format(sql.SQL(pg_type(c.type)))
            for c in schema.columns
        ]
        inc_cols = [sql.SQL("i.{}").format(u) for u in user]
        # new rows are numbered after the base version's highest :id, in arrival order
        next_ids = sql.SQL("(SELECT coalesce(max({}), 0) FROM {}) + row_number() OVER (ORDER BY i.ob_seq)").format(
            _ID, self._ident(base)
        )

        def select(*items) -> sql.Composable:
            return sql.SQL(", ").join(list(items))

        base_t = self._ident(base)
        if key is not None:
            k, t = sql.Identifier(key.field_name), sql.SQL(pg_type(key.type))
            kept = sql.SQL(
                "SELECT {cols} FROM {base} o WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.oid = o.{id}) "
                "AND NOT EXISTS (SELECT 1 FROM del_keys d WHERE d.k = CAST(o.{k} AS {t}))"
            ).format(
                cols=select(
                    sql.SQL("o.{}").format(_ID),
                    sql.SQL("o.{}").format(_CREATED),
                    sql.SQL("o.{}").format(_UPDATED),
                    *old_cols,
                ),
                base=base_t,
                id=_ID,
                k=k,
                t=t,
            )
            replaced = sql.SQL("SELECT {cols} FROM inc_last i JOIN matched m ON m.ob_seq = i.ob_seq").format(
                cols=select(sql.SQL("m.oid"), sql.SQL("m.ocr"), sql.SQL("now()"), *inc_cols)
            )
            added = sql.SQL(
                "SELECT {cols} FROM inc_last i WHERE NOT EXISTS (SELECT 1 FROM matched m WHERE m.ob_seq = i.ob_seq)"
            ).format(
                cols=select(
                    next_ids,
                    sql.SQL("now()"),
                    sql.SQL("now()"),
                    *inc_cols,
                )
            )
            parts = [kept, replaced, added]
        else:
            kept = sql.SQL(
                "SELECT {cols} FROM {base} o WHERE NOT EXISTS (SELECT 1 FROM del_keys d WHERE d.k = o.{id})"
            ).format(
                cols=select(
                    sql.SQL("o.{}").format(_ID),
                    sql.SQL("o.{}").format(_CREATED),
                    sql.SQL("o.{}").format(_UPDATED),
                    *old_cols,
                ),
                base=base_t,
                id=_ID,
            )
            added = sql.SQL("SELECT {cols} FROM inc i").format(
                cols=select(
                    next_ids,
                    sql.SQL("now()"),
                    sql.SQL("now()"),
                    *inc_cols,
                )
            )
            parts = [kept, added]
        body = sql.SQL(" UNION ALL ").join(parts)
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("INSERT INTO {} ({}) SELECT * FROM ({}) AS merged ORDER BY 1").format(
                    self._ident(hidden), select(_ID, _CREATED, _UPDATED, *user), body
                )
            )
            return cur.rowcount

    # -- indexes and publication --------------------------------------------
    def _finish(self, conn, hidden: str, final: str, schema: Schema, key: Column | None) -> None:
        t = self._ident(hidden)
        conn.execute(
            sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT, ALTER COLUMN {} DROP DEFAULT").format(
                t, _CREATED, _UPDATED
            )
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})").format(t, sql.Identifier(final + "_pkey"), _ID)
        )
        for n, col in enumerate(self._btree_columns(conn, hidden, schema, key), 1):
            self._optional_index(conn, hidden, f"{final}_b{n}", sql.SQL("btree ({})").format(sql.Identifier(col)))
        geoms = [c for c in schema.columns if c.type.is_geometry]
        for n, col in enumerate(geoms, 1):
            self._optional_index(
                conn, hidden, f"{final}_g{n}", sql.SQL("gist ({})").format(sql.Identifier(col.field_name))
            )
        texts = fulltext_columns(schema)
        if texts:  # one GIN index over the $q document
            self._optional_index(conn, hidden, f"{final}_fts", sql.SQL("gin (({}))").format(_fulltext_sql(texts)))
        conn.execute(sql.SQL("ANALYZE {}").format(t))
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(t, sql.Identifier(final)))

    def _btree_columns(self, conn, hidden: str, schema: Schema, key: Column | None) -> list[str]:
        """The rule: the row identifier first, then eligible columns in schema order, at most MAX_BTREE_INDEXES."""
        candidates = [c for c in schema.columns if c.type in _BTREE_TYPES]
        if key is not None and key.type in _BTREE_TYPES:
            candidates = [key] + [c for c in candidates if c.field_name != key.field_name]
        texts = [c.field_name for c in candidates if c.type is SoQLType.TEXT]
        longest: dict[str, int] = {}
        if texts:
            row = conn.execute(
                sql.SQL("SELECT {} FROM {}").format(
                    sql.SQL(", ").join(
                        sql.SQL("coalesce(max(octet_length({})), 0)").format(sql.Identifier(n)) for n in texts
                    ),
                    self._ident(hidden),
                )
            ).fetchone()
            longest = dict(zip(texts, row, strict=True))
        chosen = [c.field_name for c in candidates if longest.get(c.field_name, 0) <= SHORT_TEXT_BYTES]
        return chosen[:MAX_BTREE_INDEXES]

    def _optional_index(self, conn, table: str, name: str, method: sql.Composable) -> None:
        """Build an index in a savepoint; a failure (e.g. a value too big to index) only costs speed."""
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("CREATE INDEX {} ON {} USING {}").format(sql.Identifier(name), self._ident(table), method)
                )
        except psycopg.errors.DuplicateTable:
            raise
        except psycopg.Error as e:
            log.warning("index %s not built (queries still work, more slowly): %s", name, e)

    # -- reading -------------------------------------------------------------
    def table(self, dataset_id: str, version: int) -> exp.Expression:
        name = self.table_name(dataset_id, version)
        if name not in self._known:
            if not self.has_version(dataset_id, version):
                raise StoreError(f"dataset {dataset_id} has no version {version}")
            with self._lock:
                self._known.add(name)
        return exp.Table(this=exp.to_identifier(name, quoted=True), db=exp.to_identifier(self.schema, quoted=True))

    def execute(self, sql_text: str, params: Sequence[Any] = ()) -> PostgresCursor:
        if "\x00" in sql_text or any(isinstance(p, str) and "\x00" in p for p in params):
            # the server would cut the statement at the NUL; fail as it fails for a NUL parameter (a DataError)
            raise psycopg.errors.CharacterNotInRepertoire(
                'invalid byte sequence for encoding "UTF8": 0x00 (PostgreSQL text cannot hold NUL characters)'
            )
        query = dollar_params(sql_text) if params else sql_text
        replica = None if routing.pinned() else self._replica_health.choose(list(self._replicas))
        if replica is not None:
            pool = self._replicas[replica]
            try:
                return self._execute_on(pool, query, params)
            except psycopg.errors.QueryCanceled:
                raise  # the query's own time limit: running it again on the primary would only double the cost
            except (psycopg.OperationalError, PoolTimeout) as e:
                log.warning("store replica %s failed, reading from the primary: %s", replica, str(e).strip())
                self._replica_health.mark_down(replica)
            except psycopg.errors.UndefinedTable:
                pass  # a version written a moment ago that the replica has not replayed yet
        return self._execute_on(self._pool, query, params)

    def _execute_on(self, pool: ConnectionPool, query: str, params: Sequence[Any]) -> PostgresCursor:
        conn = pool.getconn()
        try:
            cur = psycopg.RawServerCursor(conn, f"ob_{uuid.uuid4().hex}")
            cur.execute(query, list(params) if params else None)
        except BaseException:
            try:
                conn.rollback()
            except psycopg.Error:
                pass  # a broken connection: the pool's check replaces it
            finally:
                pool.putconn(conn)
            raise
        return PostgresCursor(pool, conn, cur)

    # -- removing ------------------------------------------------------------
    def drop_version(self, dataset_id: str, version: int) -> None:
        name = self.table_name(dataset_id, version)
        self._drop([name])

    def drop_dataset(self, dataset_id: str) -> None:
        prefix = self.table_name(dataset_id, 0)[: -len("0")]
        with self._pool.connection() as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename ~ %s",
                    [self.schema, "^" + prefix + "[0-9]+$"],
                )
            ]
        self._drop(names)

    def _drop(self, names: list[str]) -> None:
        with self._lock:
            self._known.difference_update(names)
        if not names:
            return
        try:
            with self._pool.connection() as conn:
                # a reader still streaming an old version holds it; wait a while, not forever
                conn.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(self.drop_wait_seconds * 1000)}ms"])
                for name in names:
                    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self._ident(name)))
        except psycopg.errors.LockNotAvailable:
            raise StoreError("the version is still being read; try dropping it again later") from None

    def close(self) -> None:
        self._pool.close()
        for pool in self._replicas.values():
            pool.close()


def _row_number(value) -> int:
    """A ``:id`` to delete, as an integer (DuckDBStore compares its text)."""
    try:
        return int(str(value))
    except ValueError:
        raise StoreError(f"{value!r} is not a row number (:id) to delete") from None
