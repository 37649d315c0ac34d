"""``datastore_search`` and ``datastore_search_sql`` over the stored versions.

``datastore_search`` is translated to SoQL and run on the catalogue's one query
path (catalog.query). ``datastore_search_sql`` is parsed with sqlglot, allowed
only as a read-only SELECT over public datasets using plain functions, and its
resource ids are rewritten to the datasets' stored versions by the store."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlencode

import sqlglot
from sqlglot import exp

from ..catalog.query import NoData, count_query, run_query
from ..catalog.storage import get_store
from ..soql import SoQLError
from ..soql.functions import ROW_ID
from ..soql.output import format_row_id, format_value
from ..soql.types import SYSTEM_ID, SoQLType
from ..store.base import StoreError
from .actions import find_dataset, public_datasets
from .errors import ActionError, not_found, validation
from .params import as_bool, as_int, as_json, as_str, as_str_list

ROWS_MAX = 32000  # ckan.datastore.search.rows_max
DEFAULT_LIMIT = 100
ID_FIELD = "_id"

_CKAN_TYPES = {
    SoQLType.TEXT: "text",
    SoQLType.NUMBER: "numeric",
    SoQLType.DOUBLE: "float8",
    SoQLType.MONEY: "numeric",
    SoQLType.CHECKBOX: "bool",
    SoQLType.FLOATING_TIMESTAMP: "timestamp",
    SoQLType.FIXED_TIMESTAMP: "timestamptz",
}


def ckan_type(t: SoQLType) -> str:
    return _CKAN_TYPES.get(t, "json")


def _json_value(value, t):
    if t is ROW_ID:
        return None if value is None else int(value)
    v = format_value(value, t)
    if v is not None and t.is_numeric and isinstance(v, str):
        try:
            f = float(v)
        except ValueError:
            return v
        return int(f) if f.is_integer() and abs(f) < 2**53 and "." not in v and "E" not in v else f
    return v


def _resource(ctx, params):
    rid = as_str(params, "resource_id").strip().lower()
    if not rid:
        raise validation(resource_id="Missing value")
    try:
        ds = find_dataset(ctx, rid)
    except ActionError:
        raise not_found(f'Resource "{rid}" was not found.') from None
    if ds.current_version is None:
        raise not_found(f'Resource "{rid}" has no DataStore table.')
    return ds


def _literal(value, t: SoQLType, field: str) -> str:
    if value is None:
        raise validation(filters=f"null is not a filter value for {field}")
    if t.is_numeric:
        try:
            float(str(value))
        except ValueError:
            raise validation(filters=f"{value!r} is not a number ({field})") from None
        return str(value)
    if t is SoQLType.CHECKBOX:
        text = str(value).lower()
        if text not in ("true", "false"):
            raise validation(filters=f"{value!r} is not true or false ({field})")
        return text
    if isinstance(value, dict | list):
        raise validation(filters=f"{field}: filter values are strings, numbers or lists of them")
    return "'" + str(value).replace("'", "''") + "'"


def _row_id(value) -> str:
    """An ``_id`` filter value as SoQL's row identifier literal."""
    try:
        if isinstance(value, bool):
            raise ValueError
        n = int(str(value))
    except ValueError:
        raise validation(filters=f"_id is a whole number, not {value!r}") from None
    return f"'{format_row_id(n)}'"


def _field(name: str, types: dict, param: str) -> str:
    if name == ID_FIELD:
        return SYSTEM_ID
    if name not in types:
        raise validation(**{param: f'field "{name}" not in resource'})
    return f"`{name}`"


def datastore_search(ctx, params):
    """Rows of a DataStore resource. Parameters: resource_id, filters, q, fields, sort, limit, offset, include_total, records_format."""
    ds = _resource(ctx, params)
    schema = ds.schema()
    types = {c.field_name: c.type for c in schema.columns}
    limit = as_int(params, "limit", DEFAULT_LIMIT, lo=0, hi=ROWS_MAX)
    offset = as_int(params, "offset", 0)
    fmt = as_str(params, "records_format", "objects")
    if fmt not in ("objects", "lists", "csv"):
        raise validation(records_format="Use objects, lists or csv")
    fields = as_str_list(params, "fields") or [ID_FIELD, *types]
    soql = {"$select": ", ".join(_field(f, types, "fields") for f in fields)}
    where = []
    for name, value in as_json(params, "filters", dict, {}).items():
        col = _field(name, types, "filters")
        t = SoQLType.NUMBER if name == ID_FIELD else types[name]
        values = value if isinstance(value, list) else [value]
        if not values:
            raise validation(filters=f"{name}: an empty list matches nothing")
        lits = [_row_id(v) if name == ID_FIELD else _literal(v, t, name) for v in values]
        where.append(f"{col} = {lits[0]}" if len(lits) == 1 else f"{col} in ({', '.join(lits)})")
    if where:
        soql["$where"] = " AND ".join(where)
    q = params.get("q")
    if isinstance(q, str) and q.strip().startswith("{"):  # a field search sent as JSON text (a query string)
        q = as_json(params, "q", dict, {})
    if isinstance(q, str) and q.strip():
        soql["$q"] = q.strip()
    elif isinstance(q, dict) and q:
        soql.setdefault("$where", "1=1")
        for name, text in q.items():
            col = _field(name, types, "q")
            soql["$where"] += (
                f" AND upper({col}::text) like upper({_literal('%' + str(text) + '%', SoQLType.TEXT, name)})"
            )
    elif q not in (None, "", {}):
        raise validation(q="Must be a string or an object of field: text")
    sort = as_str(params, "sort").strip()
    order = []
    for part in filter(None, (p.strip() for p in sort.split(","))):
        name, _, direction = part.partition(" ")
        direction = direction.strip().lower() or "asc"
        if direction not in ("asc", "desc"):
            raise validation(sort=f"{part!r}: the direction is asc or desc")
        order.append(f"{_field(name.strip(chr(34)), types, 'sort')} {direction}")
    order.append(SYSTEM_ID)  # stable pages
    soql["$order"] = ", ".join(order)
    soql["$limit"], soql["$offset"] = str(limit), str(offset)
    try:
        result = run_query(ds, soql)
        total = count_query(ds, soql) if as_bool(params, "include_total", True) else None
    except (SoQLError, NoData) as e:
        raise validation(query=str(getattr(e, "message", e))) from None
    except StoreError as e:  # e.g. the store's query time limit
        raise validation(query=str(e)) from None
    out_fields = [
        {"id": ID_FIELD if c.name == SYSTEM_ID else c.name, "type": "int" if c.name == SYSTEM_ID else ckan_type(c.type)}
        for c in result.columns
    ]
    names = [f["id"] for f in out_fields]
    cols = result.columns
    try:
        rows = [[_json_value(v, c.type) for v, c in zip(row, cols, strict=False)] for row in result.rows()]
    except Exception as e:  # the store's time limit, or a value the database cannot convert while fetching
        raise validation(query=f"The query failed: {str(e).splitlines()[0][:300]}") from None
    if fmt == "objects":
        records = [dict(zip(names, r, strict=False)) for r in rows]
    elif fmt == "lists":
        records = rows
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        for r in rows:
            w.writerow(["" if v is None else (v if not isinstance(v, dict | list) else json.dumps(v)) for v in r])
        records = buf.getvalue()
    path = "/api/3/action/datastore_search"
    base = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items() if k != "offset"}
    out = {
        "resource_id": ds.id,
        "fields": out_fields,
        "records": records,
        "records_format": fmt,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": path + "?" + urlencode(base),
            "next": path + "?" + urlencode({**base, "offset": offset + limit}),
        },
    }
    if sort:
        out["sort"] = sort
    if params.get("filters"):
        out["filters"] = as_json(params, "filters", dict, {})
    if isinstance(q, str) and q:
        out["q"] = q
    if total is not None:
        out["total"] = total
        out["total_was_estimated"] = False
    return out


# --- SQL ------------------------------------------------------------------------------

_ALLOWED_NAMES = """
AggFunc Abs Ceil Floor Round Sqrt Pow Ln Log Exp Sign
Lower Upper Length Substring Trim Concat ConcatWs Replace Left Right StrPosition Initcap Pad RegexpLike
RegexpReplace Coalesce Nullif If Greatest Least Cast TryCast Case
DateTrunc TimestampTrunc Extract CurrentDate CurrentTimestamp ToChar DateAdd DateSub DateDiff Date Year Month Day
RowNumber Rank DenseRank Lag Lead FirstValue LastValue NthValue Ntile PercentRank CumeDist
""".split()
#: statement kinds that would write, read outside the data, or change settings
_REFUSED_NAMES = """
Insert Update Delete Merge Create Drop Alter Command Copy Set Pragma Use Transaction Commit Rollback Into Lock
TruncateTable LoadData Attach Detach Install
""".split()


def _classes(names):
    return tuple(c for c in (getattr(exp, n, None) for n in names) if isinstance(c, type))


#: functions a read-only query may call (plain computation); any other function is refused
_ALLOWED_FUNCS = _classes(_ALLOWED_NAMES)
_REFUSED = _classes(_REFUSED_NAMES)


def _sql_error(message: str) -> ActionError:
    return validation(sql=message)


def checked_sql(sql: str, ctx):
    """The query rewritten for the store, or a 409 naming what is not allowed."""
    try:
        trees = sqlglot.parse(sql, read="postgres")
    except sqlglot.errors.SqlglotError as e:
        raise _sql_error(f"Cannot parse the query: {str(e).splitlines()[0][:300]}") from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1:
        raise _sql_error("Send exactly one SELECT statement")
    tree = trees[0]
    if not isinstance(tree, exp.Query):
        raise _sql_error("Only SELECT queries are allowed")
    for node in tree.walk():
        if isinstance(node, _REFUSED):
            raise _sql_error(f"{node.key.upper()} is not allowed: queries are read-only")
        if isinstance(node, exp.Func) and not isinstance(node, _ALLOWED_FUNCS):
            name = node.sql_name() if not isinstance(node, exp.Anonymous) else node.name
            raise _sql_error(f"Function {name} is not allowed")
    # CTEs get generated names, so that no table reference left unreplaced can name a file or an
    # object the database could scan by name (DuckDB's replacement scans), whatever its scope
    ctes: dict[str, str] = {}
    for i, cte in enumerate(tree.find_all(exp.CTE)):
        if cte.args.get("alias") is not None and cte.args["alias"].columns:
            raise _sql_error("WITH names take no column lists here: alias the columns in the SELECT")
        ctes.setdefault(cte.alias_or_name, f"_cte{i}")
        cte.set("alias", exp.TableAlias(this=exp.to_identifier(ctes[cte.alias_or_name])))
    for with_ in tree.find_all(exp.With):
        if with_.args.get("recursive"):
            raise _sql_error("WITH RECURSIVE is not allowed")
    store = get_store()
    datasets = {}
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            raise _sql_error('FROM takes resource ids ("abcd-1234"), not functions')
        name = table.name
        if not table.args.get("db") and not table.args.get("catalog") and name in ctes:
            alias = table.args.get("alias") or exp.TableAlias(this=table.this.copy())
            table.set("this", exp.to_identifier(ctes[name]))
            table.set("alias", alias)
            continue
        if table.args.get("db") or table.args.get("catalog"):
            raise _sql_error(f"{table.sql()}: tables are resource ids, without a schema")
        ds = public_datasets().filter(pk=name.lower()).first()
        if ds is None or ds.current_version is None:
            raise ActionError(404, "Not Found Error", f'Resource "{name}" was not found.')
        datasets[ds.id] = ds
        # the name the query uses for it (its alias, or the resource id as written)
        alias = table.args.get("alias") or exp.TableAlias(this=table.this.copy())
        new = store.table(ds.id, ds.current_version).copy()
        new.set("alias", alias)
        table.replace(new)
    if not datasets:
        raise _sql_error("The query reads no resource")
    for col in tree.find_all(exp.Column):
        if col.name == ID_FIELD:
            col.set("this", exp.to_identifier(SYSTEM_ID, quoted=True))
    return tree.sql(dialect=store.dialect), datasets


def _sql_value(v):
    import datetime as dt
    from decimal import Decimal

    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and abs(v) < 2**53 else float(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, bytes | bytearray | memoryview):
        return bytes(v).hex()
    if isinstance(v, dict | list | str | int | float | bool) or v is None:
        return v
    return str(v)


def _sql_type(values) -> str:
    for v in values:
        if v is None:
            continue
        if isinstance(v, bool):
            return "bool"
        if isinstance(v, int):
            return "int8"
        if isinstance(v, float):
            return "float8"
        if isinstance(v, str):
            return "text"
        return "json"
    return "text"


def datastore_search_sql(ctx, params):
    """A read-only SELECT over public resources (by resource id). Parameter: sql."""
    sql = as_str(params, "sql").strip()
    if not sql:
        raise validation(sql="Missing value")
    rewritten, _datasets = checked_sql(sql, ctx)
    try:
        cur = get_store().execute(rewritten)
    except Exception as e:  # the database's own refusal (a bad column, a type error): the caller's query
        raise _sql_error(f"The query failed: {str(e).splitlines()[0][:300]}") from None
    try:
        names = [n if n != SYSTEM_ID else ID_FIELD for n in cur.columns]
        rows = cur.fetchmany(ROWS_MAX + 1)
    except Exception as e:  # the store's time limit, or the database refusing the rows (PostgreSQL fetches lazily)
        raise _sql_error(f"The query failed: {str(e).splitlines()[0][:300]}") from None
    finally:
        cur.close()
    truncated = len(rows) > ROWS_MAX
    rows = [[_sql_value(v) for v in r] for r in rows[:ROWS_MAX]]
    out = {
        "sql": sql,
        "fields": [{"id": n, "type": _sql_type(r[i] for r in rows)} for i, n in enumerate(names)],
        "records": [dict(zip(names, r, strict=False)) for r in rows],
    }
    if truncated:
        out["records_truncated"] = True
    return out
