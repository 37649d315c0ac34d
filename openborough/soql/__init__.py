"""SoQL engine: SODA parameters -> parse -> analyse -> compile (sqlglot) -> SQL.

Pipeline (one module per stage): ``tokens`` (lexer), ``parser`` (``ast``
trees), ``analyzer`` (names, types, grouping; ``functions`` catalogue),
``compiler`` (DuckDB / PostgreSQL SQL), ``output`` (SODA 2.1 JSON values).
``values`` parses SODA input values into physical values.

    q = parse_params(params, schema)
    typed = analyze(q, schema)
    c = compile_query(typed, store.dialect, store.table(id, version))
    cursor = store.execute(c.sql, c.params)

A pure library: no Django imports.
"""

from __future__ import annotations

from .analyzer import analyze as _analyze
from .ast import Query, TypedQuery
from .compiler import CompiledQuery, OutputColumn
from .compiler import compile_query as _compile_query
from .errors import BAD_PARSE, TYPE_MISMATCH, SoQLError
from .params import parse_params, parse_query
from .types import Schema


def analyze(q: Query, schema: Schema) -> TypedQuery:
    """Type-check a parsed query against a schema; SoQLError on bad names/types."""
    try:
        return _analyze(q, schema)
    except RecursionError:
        raise SoQLError(BAD_PARSE, "Query is nested too deeply") from None


def compile_query(typed: TypedQuery, dialect: str, table, *, case_insensitive: bool = False) -> CompiledQuery:
    """SQL (and count SQL) for an analysed query over ``table``."""
    try:
        return _compile_query(typed, dialect, table, case_insensitive=case_insensitive)
    except RecursionError:
        raise SoQLError(BAD_PARSE, "Query is nested too deeply") from None
    except ValueError as e:
        if "dialect" in str(e):
            raise
        raise SoQLError(TYPE_MISMATCH, str(e)) from None


__all__ = [
    "CompiledQuery",
    "OutputColumn",
    "Query",
    "Schema",
    "SoQLError",
    "TypedQuery",
    "analyze",
    "compile_query",
    "parse_params",
    "parse_query",
]
