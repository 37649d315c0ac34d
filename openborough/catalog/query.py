"""Running SoQL against a dataset's current version: the one query path
shared by the SODA API, the portal's data table, charts and downloads."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..soql import analyze, compile_query, parse_params
from ..soql.output import row_to_json
from ..store.base import Cursor
from .models import Dataset
from .storage import get_store


class NoData(Exception):
    """The dataset has no stored version to query."""


@dataclass
class QueryResult:
    columns: list  # [soql.compiler.OutputColumn]
    cursor: Cursor

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def types(self) -> list[str]:
        return [c.type.value for c in self.columns]

    def rows(self) -> Iterator[tuple]:
        """Raw rows (Python values), streamed."""
        try:
            yield from self.cursor
        finally:
            self.cursor.close()

    def json_rows(self) -> Iterator[dict[str, Any]]:
        """Rows as SODA 2.1 JSON objects (null fields omitted), streamed."""
        cols = self.columns
        for row in self.rows():
            yield row_to_json(row, cols)

    def close(self) -> None:
        self.cursor.close()


def compile_for(ds: Dataset, params: Mapping[str, str], version: int | None = None):
    """Parse, analyse and compile ``params`` for the dataset; SoQLError on bad queries."""
    number = version if version is not None else ds.current_version
    if number is None:
        raise NoData(f"dataset {ds.id} has no data yet")
    schema = ds.schema()
    store = get_store()
    typed = analyze(parse_params(params, schema), schema)
    return store, compile_query(typed, store.dialect, store.table(ds.id, number))


def run_query(ds: Dataset, params: Mapping[str, str], *, version: int | None = None) -> QueryResult:
    store, compiled = compile_for(ds, params, version)
    return QueryResult(compiled.columns, store.execute(compiled.sql, compiled.params))


def count_query(ds: Dataset, params: Mapping[str, str], *, version: int | None = None) -> int:
    """Rows the query matches, ignoring $limit and $offset."""
    store, compiled = compile_for(ds, params, version)
    cur = store.execute(compiled.count_sql, compiled.count_params)
    try:
        (n,) = cur.fetchmany(1)[0]
        return int(n)
    finally:
        cur.close()
