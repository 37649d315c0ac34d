"""SODA query-string parameters -> one ``ast.Query``.

``$select $where $order $group $having $limit $offset $q $query`` are SoQL;
keys starting with ``$$`` (``$$app_token``, ``$$version`` …) and ``$jsonp``
belong to the HTTP layer and are ignored here. Any other key that is a
column name (or a system field) is an equality filter ANDed with ``$where``.
Unknown ``$`` keys and unknown plain keys raise ``SoQLError`` (Socrata
answers "Unrecognized arguments").
"""

from __future__ import annotations

from collections.abc import Mapping

from . import parser as P
from .ast import ColumnRef, FunctionCall, Literal, Query
from .errors import BAD_PARSE, UNKNOWN_PARAMETER, SoQLError
from .types import SYSTEM_COLUMNS, Schema

SOQL_PARAMS = ("$select", "$where", "$order", "$group", "$having", "$limit", "$offset", "$q", "$search", "$query")
IGNORED_PARAMS = ("$jsonp",)


def _guard(name: str, fn, *args):
    try:
        return fn(*args)
    except SoQLError as e:
        e.data.setdefault("parameter", name)
        raise
    except RecursionError:
        raise SoQLError(BAD_PARSE, f"{name} is nested too deeply", parameter=name) from None


def parse_query(text: str) -> Query:
    """A whole SoQL statement (``$query``)."""
    return _guard("$query", P.parse_statement, text)


def _and(a, b):
    if a is None:
        return b
    return FunctionCall("op$and", (a, b), getattr(b, "pos", (1, 1)), "and")


def parse_params(params: Mapping[str, str], schema: Schema) -> Query:
    """SODA parameters (``$select`` … and ``column=value`` filters) as one ``Query``."""
    values: dict[str, str] = {}
    filters: list[tuple[str, str]] = []
    unknown: list[str] = []
    for key in params:
        raw = params[key]
        value = raw[-1] if isinstance(raw, list | tuple) and raw else raw
        if not isinstance(value, str):
            value = "" if value is None else str(value)
        if key.startswith("$$") or key in IGNORED_PARAMS:
            continue
        if key.startswith("$"):
            if key not in SOQL_PARAMS:
                unknown.append(key)
            else:
                values[key] = value
        elif schema.get(key) is not None or key in SYSTEM_COLUMNS:
            filters.append((key, value))
        else:
            unknown.append(key)
    if unknown:
        raise SoQLError(
            UNKNOWN_PARAMETER, f"Unrecognized arguments [{', '.join(sorted(unknown))}]", arguments=sorted(unknown)
        )
    if "$query" in values:
        clash = [k for k in values if k not in ("$query", "$limit", "$offset")]
        if clash:
            raise SoQLError(
                UNKNOWN_PARAMETER, f"$query cannot be combined with {', '.join(sorted(clash))}", arguments=clash
            )
        q = parse_query(values["$query"])
    else:
        q = Query()
        if "$select" in values:
            _guard("$select", P.parse_selection, values["$select"], q)
        if "$where" in values:
            q.where = _guard("$where", P.parse_expression, values["$where"])
        if "$group" in values:
            q.group_by = _guard("$group", P.parse_expr_list, values["$group"])
        if "$having" in values:
            q.having = _guard("$having", P.parse_expression, values["$having"])
        if "$order" in values:
            q.order_by = _guard("$order", P.parse_order, values["$order"])
        for k in ("$q", "$search"):
            if k in values:
                q.search = values[k]
    if "$limit" in values and q.limit is None:
        q.limit = _guard("$limit", P.parse_integer, values["$limit"], "$limit")
    if "$offset" in values and q.offset is None:
        q.offset = _guard("$offset", P.parse_integer, values["$offset"], "$offset")
    for key, value in filters:
        cond = FunctionCall("op$=", (ColumnRef(key), Literal("string", value)), (1, 1), "=")
        q.where = _and(q.where, cond)
    return q
