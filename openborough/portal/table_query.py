"""The data table's query string → SoQL parameters.

The table, the chart and every download share this: a filter the resident
sets on the page is exactly the filter the CSV/XLSX/… download applies.

Query string: ``filter=<field>:<op>:<value>`` (repeatable), ``sort=<field>``,
``dir=asc|desc``, ``page=<n>``, ``q=<full-text>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..soql.types import Schema, SoQLType

PAGE_SIZE = 50

OPERATORS = {
    "eq": "is",
    "ne": "is not",
    "contains": "contains",
    "starts": "starts with",
    "lt": "is less than",
    "le": "is at most",
    "gt": "is greater than",
    "ge": "is at least",
    "null": "is empty",
    "notnull": "is not empty",
}
_COMPARE = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FILTERABLE = {
    SoQLType.TEXT,
    SoQLType.NUMBER,
    SoQLType.DOUBLE,
    SoQLType.MONEY,
    SoQLType.CHECKBOX,
    SoQLType.FLOATING_TIMESTAMP,
    SoQLType.FIXED_TIMESTAMP,
    SoQLType.URL,
}


class TableQueryError(ValueError):
    """A filter or sort the dataset cannot take; the message is for the resident."""


@dataclass
class Filter:
    field: str
    op: str
    value: str = ""

    def token(self) -> str:
        return f"{self.field}:{self.op}:{self.value}"


@dataclass
class TableQuery:
    filters: list[Filter] = field(default_factory=list)
    sort: str = ""
    direction: str = "asc"
    page: int = 1
    q: str = ""
    errors: list[str] = field(default_factory=list)

    def state(self, **change) -> list[tuple[str, str]]:
        """Query-string pairs for this state with ``change`` applied (for links)."""
        filters = change.get("filters", self.filters)
        pairs = [("filter", f.token()) for f in filters]
        if change.get("q", self.q):
            pairs.append(("q", change.get("q", self.q)))
        sort = change.get("sort", self.sort)
        if sort:
            pairs.append(("sort", sort))
            pairs.append(("dir", change.get("direction", self.direction)))
        page = change.get("page", self.page)
        if page and page > 1:
            pairs.append(("page", str(page)))
        return pairs

    def querystring(self, **change) -> str:
        return urlencode(self.state(**change))


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def ident(field_name: str) -> str:
    """A column name as SoQL: bare when it is a plain identifier, else in backticks."""
    return field_name if _IDENT.match(field_name) else f"`{field_name}`"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _literal(col_type: SoQLType, value: str, label: str) -> str:
    if col_type.is_numeric:
        v = value.strip().replace(",", "")
        if not _NUMBER.match(v):
            raise TableQueryError(f"{label}: enter a number, like 42 or 3.5")
        return v
    if col_type == SoQLType.CHECKBOX:
        v = value.strip().lower()
        if v not in ("true", "false", "yes", "no"):
            raise TableQueryError(f"{label}: enter yes or no")
        return "true" if v in ("true", "yes") else "false"
    if col_type in (SoQLType.FLOATING_TIMESTAMP, SoQLType.FIXED_TIMESTAMP):
        v = value.strip()
        if not re.match(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$", v):
            raise TableQueryError(f"{label}: enter a date like 2020-03-31 (or 2020-03-31T14:30)")
        return _quote(v.replace(" ", "T") if "T" in v or " " in v else v + "T00:00:00")
    return _quote(value)


def parse(params, schema: Schema) -> TableQuery:
    """Read the table state from a QueryDict; bad parts are dropped with a message in ``errors``."""
    tq = TableQuery()
    raw = list(params.getlist("filter"))
    # the "add a filter" form sends its three fields separately
    if params.get("col"):
        raw.append(f"{params.get('col')}:{params.get('op', 'eq')}:{params.get('val', '')}")
    for token in raw:
        parts = token.split(":", 2)
        if len(parts) < 2:
            tq.errors.append(f"Ignored a filter that could not be read: {token[:80]}")
            continue
        fld, op = parts[0], parts[1]
        value = parts[2] if len(parts) > 2 else ""
        col = schema.get(fld)
        if col is None or col.type not in _FILTERABLE:
            tq.errors.append(f"Ignored a filter on {fld[:80]}: there is no such column to filter on")
            continue
        if op not in OPERATORS:
            tq.errors.append(f"Ignored a filter with an unknown comparison: {op[:40]}")
            continue
        if op not in ("null", "notnull") and value == "":
            tq.errors.append(f"Ignored the filter on {col.name or fld}: enter a value to compare with")
            continue
        if op in ("contains", "starts") and col.type != SoQLType.TEXT and col.type != SoQLType.URL:
            tq.errors.append(f"Ignored the filter on {col.name or fld}: ‘{OPERATORS[op]}’ works on text columns only")
            continue
        if op in _COMPARE and not (op in ("eq", "ne") and col.type == SoQLType.TEXT):
            # a value the column cannot compare with is dropped here, so it is never applied, kept in the
            # page's links or handed to a download
            try:
                _literal(col.type, value, col.name or fld)
            except TableQueryError as e:
                tq.errors.append(f"Ignored a filter – {e}")
                continue
        f = Filter(fld, op, value)
        if f not in tq.filters:  # the same filter sent twice applies once
            tq.filters.append(f)
    sort = params.get("sort", "")
    if sort:
        col = schema.get(sort)
        if col is None or col.type.is_geometry or col.type == SoQLType.LOCATION:
            tq.errors.append(f"Cannot sort by {sort[:80]}")
        else:
            tq.sort = sort
            tq.direction = "desc" if params.get("dir") == "desc" else "asc"
    try:
        tq.page = max(1, min(int(params.get("page", "1")), 10_000_000))
    except ValueError:
        tq.page = 1
    tq.q = (params.get("q") or "").strip()[:200]
    return tq


def where_clause(tq: TableQuery, schema: Schema) -> str:
    """The SoQL ``$where`` for the filters (raises TableQueryError on a bad value)."""
    parts = []
    for f in tq.filters:
        col = schema.get(f.field)
        label = col.name or col.field_name
        name = ident(f.field)
        if f.op == "null":
            parts.append(f"{name} IS NULL")
        elif f.op == "notnull":
            parts.append(f"{name} IS NOT NULL")
        elif f.op == "contains":
            parts.append(f"upper({name}) like {_quote('%' + f.value.upper() + '%')}")
        elif f.op == "starts":
            parts.append(f"starts_with({name}, {_quote(f.value)})")
        elif f.op in ("eq", "ne") and col.type == SoQLType.TEXT:
            # residents expect "is" to ignore capitals: SOUTH END ROAD is South End Road
            parts.append(f"upper({name}) {_COMPARE[f.op]} {_quote(f.value.upper())}")
        else:
            parts.append(f"{name} {_COMPARE[f.op]} {_literal(col.type, f.value, label)}")
    return " AND ".join(parts)


def soql_params(tq: TableQuery, schema: Schema, *, paged: bool = True) -> dict[str, str]:
    """SoQL parameters for the table state (without paging for downloads)."""
    params: dict[str, str] = {}
    where = where_clause(tq, schema)
    if where:
        params["$where"] = where
    if tq.q:
        params["$q"] = tq.q
    if tq.sort:
        params["$order"] = f"{ident(tq.sort)} {'DESC' if tq.direction == 'desc' else 'ASC'}"
    if paged:
        params["$limit"] = str(PAGE_SIZE)
        params["$offset"] = str((tq.page - 1) * PAGE_SIZE)
    return params
