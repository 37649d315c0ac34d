"""Running a SODA read: compile, check limits, execute, translate errors."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from ..catalog.models import Dataset
from ..store.base import QueryTimeout
from .errors import SodaError
from .params import check_limit

#: database errors that mean "this query cannot run on these values" (a client error)
DATA_ERRORS: tuple[type[BaseException], ...] = ()
try:
    import duckdb

    DATA_ERRORS += (
        duckdb.ConversionException,
        duckdb.InvalidInputException,
        duckdb.OutOfRangeException,
    )
except ImportError:  # pragma: no cover
    pass
try:
    import psycopg

    DATA_ERRORS += (psycopg.errors.DataError,)
except ImportError:  # pragma: no cover
    pass


#: compiled queries by (dataset, version, parameters): dashboards ask the same
#: questions again and again, and a version never changes once written
CACHE_SIZE = 512
_compiled: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Prepared:
    columns: list
    sql: str
    params: list
    store: object
    limit: int | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def types(self) -> list[str]:
        return [getattr(c.type, "value", str(c.type)) for c in self.columns]


def prepare(
    ds: Dataset,
    soql: Mapping[str, str],
    *,
    default_limit: int | None = None,
    page: tuple[int, int] | None = None,
    synthetic: bool = False,
) -> Prepared:
    """Compile ``soql`` for ``ds`` (as ``catalog.query.compile_for`` does, checking
    the limit between analysis and compilation). SoQLError for a bad query,
    SodaError for a limit above the maximum. ``default_limit`` applies when
    neither ``$limit`` nor a LIMIT in ``$query`` gives one (None: all rows).

    SODA3's options: ``page`` = (pageNumber, pageSize) takes that page of the
    query's own result (within its LIMIT/OFFSET), in a total order (``:id`` is
    added last to an ungrouped query's ORDER BY, as Socrata does for paged
    queries); ``synthetic`` adds the system fields to a ``*`` select list."""
    from ..catalog.storage import get_store
    from ..soql import analyze, compile_query, parse_params  # the SoQL engine loads on first query

    if ds.current_version is None:
        raise SodaError(409, "soda.dataset.no-data", f"Dataset {ds.id} has no data yet", {"dataset": ds.id})
    store = get_store()
    schema = ds.schema()
    table = store.table(ds.id, ds.current_version)  # (re)registers the version's view in this process
    key = (id(store), ds.id, ds.current_version, schema, tuple(sorted(soql.items())), default_limit, page, synthetic)
    with _cache_lock:
        prep = _compiled.get(key)
        if prep is not None:
            _compiled.move_to_end(key)
    if prep is None:
        parsed = parse_params(soql, schema)
        if synthetic and (parsed.select is None or parsed.star) and not parsed.system_star:
            parsed.system_star, parsed.system_star_index = True, parsed.star_index
        typed = analyze(parsed, schema)
        if typed.limit is None:
            typed.limit = default_limit
        if page is not None:
            _page(typed, *page)
        compiled = compile_query(typed, store.dialect, table)
        prep = Prepared(list(compiled.columns), compiled.sql, list(compiled.params), store, typed.limit)
        with _cache_lock:
            _compiled[key] = prep
            while len(_compiled) > CACHE_SIZE:
                _compiled.popitem(last=False)
    if prep.limit is not None and "$limit" not in soql and prep.limit != default_limit:
        check_limit(prep.limit)  # a LIMIT inside $query ($limit itself was checked with the parameters)
    return prep


def _page(typed, number: int, size: int) -> None:
    from ..soql.analyzer import SYSTEM_TYPES
    from ..soql.ast import TypedColumn, TypedOrder
    from ..soql.types import SYSTEM_ID

    skip = (number - 1) * size
    base = typed.offset or 0
    typed.offset = base + skip
    typed.limit = size if typed.limit is None else max(0, min(size, typed.limit - skip))
    if not typed.grouped and not typed.distinct:
        row_id = TypedColumn(SYSTEM_ID, SYSTEM_TYPES[SYSTEM_ID])
        if not any(o.expr == row_id for o in typed.order_by):
            typed.order_by.append(TypedOrder(row_id, True, False))


def execute(prep: Prepared):
    """Start the query; the cursor is iterated while the response streams."""
    try:
        return prep.store.execute(prep.sql, prep.params)
    except DATA_ERRORS as e:
        raise SodaError(400, "query.execution.failed", f"The query cannot run on this data: {e}") from None
    except QueryTimeout as e:
        raise timeout_error(e) from None


def timeout_error(e: QueryTimeout) -> SodaError:
    """Socrata answers a query that runs out of time with 408."""
    return SodaError(
        408,
        "query.execution.timeout",
        f"The query ran longer than {e.seconds:g} seconds and was stopped. Ask for less: filter with $where, "
        "select fewer columns, or order by a column rather than a long text expression.",
        {"timeoutSeconds": e.seconds},
    )


def rows(cursor):
    try:
        while True:
            batch = cursor.fetchmany(2000)
            if not batch:
                return
            yield from batch
    finally:
        cursor.close()
