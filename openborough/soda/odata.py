"""OData v4 at ``/api/odata/v4/{id}`` (what Excel, Power BI and Tableau connect
with): the service document, the ``$metadata`` CSDL and the entity set with
``$select``, ``$filter``, ``$orderby``, ``$top``, ``$skip``, ``$count`` and
server-driven paging (``@odata.nextLink``).

``$filter`` is parsed by odata-query's grammar and translated node by node
into a SoQL ``$where`` over the dataset's own columns, so every read runs the
SoQL engine's one query path (``reading.prepare``); what has no SoQL
equivalent answers 400 in OData's error shape. Private datasets are 404, as
on ``/resource``."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import quoteattr

import orjson
from django.http import HttpResponse
from odata_query import ast as oast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from ..soql.types import SoQLType
from . import render
from .access import get_dataset
from .errors import SodaError
from .http import soda_view
from .reading import execute, prepare, rows

JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
XML_TYPE = "application/xml;charset=utf-8"
NAMESPACE = "openborough"
KEY = "__id"
PAGE_SIZE = 1000
MAX_PAGE_SIZE = 50000
EDM = {
    SoQLType.TEXT: "Edm.String",
    SoQLType.NUMBER: "Edm.Decimal",
    SoQLType.DOUBLE: "Edm.Double",
    SoQLType.MONEY: "Edm.Decimal",
    SoQLType.CHECKBOX: "Edm.Boolean",
    SoQLType.FLOATING_TIMESTAMP: "Edm.DateTimeOffset",
    SoQLType.FIXED_TIMESTAMP: "Edm.DateTimeOffset",
    SoQLType.POINT: "Edm.GeographyPoint",
    SoQLType.MULTIPOINT: "Edm.GeographyMultiPoint",
    SoQLType.LINE: "Edm.GeographyLineString",
    SoQLType.MULTILINE: "Edm.GeographyMultiLineString",
    SoQLType.POLYGON: "Edm.GeographyPolygon",
    SoQLType.MULTIPOLYGON: "Edm.GeographyMultiPolygon",
}
COMPARE = {oast.Eq: "=", oast.NotEq: "!=", oast.Lt: "<", oast.LtE: "<=", oast.Gt: ">", oast.GtE: ">="}
ARITH = {oast.Add: "+", oast.Sub: "-", oast.Mult: "*", oast.Div: "/", oast.Mod: "%"}
#: OData functions → SoQL functions of the same meaning and arity
FUNCTIONS = {
    "contains": ("contains", 2),
    "startswith": ("starts_with", 2),
    "tolower": ("lower", 1),
    "toupper": ("upper", 1),
    "length": ("length", 1),
    "trim": ("trim", 1),
    "year": ("date_extract_y", 1),
    "month": ("date_extract_m", 1),
    "day": ("date_extract_d", 1),
    "hour": ("date_extract_hh", 1),
    "minute": ("date_extract_mm", 1),
    "second": ("date_extract_ss", 1),
    "round": ("round", 1),
    "floor": ("floor", 1),
    "ceiling": ("ceiling", 1),
}


class ODataError(Exception):
    def __init__(self, status: int, code: str, message: str, target: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.target = status, code, message, target


def _error(status, code, message, target=None) -> HttpResponse:
    err = {"code": code, "message": message}
    if target:
        err["target"] = target
    resp = HttpResponse(orjson.dumps({"error": err}), status=status, content_type="application/json;charset=utf-8")
    resp["OData-Version"] = "4.0"
    return resp


def odata_view(view):
    @soda_view(("GET",))
    def wrapped(request, user, *args, **kwargs):
        try:
            resp = view(request, user, *args, **kwargs)
        except ODataError as e:
            return _error(e.status, e.code, e.message, e.target)
        except SodaError as e:
            return _error(e.status, e.code, e.message)
        except Exception as e:  # a SoQL error from the translated query is the client's
            from ..soql import SoQLError

            if isinstance(e, SoQLError):
                return _error(400, "InvalidQuery", str(getattr(e, "message", e)))
            raise
        resp["OData-Version"] = "4.0"
        return resp

    wrapped.__name__ = view.__name__
    return wrapped


def set_name(ds_id: str) -> str:
    """The entity set's name: the dataset id as an OData identifier (``abcd_1234``)."""
    name = ds_id.replace("-", "_")
    return name if not name[:1].isdigit() else "_" + name


def _root(request, ds) -> str:
    return request.build_absolute_uri(f"/api/odata/v4/{ds.id}")


def _columns(ds) -> list:
    return list(ds.schema().columns)


@odata_view
def service_document(request, user, dataset_id):
    ds = get_dataset(dataset_id, user)
    root = _root(request, ds)
    name = set_name(ds.id)
    body = {
        "@odata.context": f"{root}/$metadata",
        "value": [{"name": name, "kind": "EntitySet", "url": name, "title": ds.name}],
    }
    return HttpResponse(orjson.dumps(body), content_type=JSON_TYPE)


@odata_view
def metadata(request, user, dataset_id):
    ds = get_dataset(dataset_id, user)
    name = set_name(ds.id)
    props = [f'<Property Name="{KEY}" Type="Edm.String" Nullable="false"/>']
    for c in _columns(ds):
        props.append(f'<Property Name={quoteattr(c.field_name)} Type="{EDM.get(c.type, "Edm.String")}"/>')
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">'
        "<edmx:DataServices>"
        f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">'
        f'<EntityType Name="{name}"><Key><PropertyRef Name="{KEY}"/></Key>{"".join(props)}</EntityType>'
        f'<EntityContainer Name="Container"><EntitySet Name="{name}" EntityType="{NAMESPACE}.{name}">'
        f'<Annotation Term="Org.OData.Core.V1.Description" String={quoteattr(ds.name)}/>'
        "</EntitySet></EntityContainer>"
        "</Schema></edmx:DataServices></edmx:Edmx>"
    )
    return HttpResponse(xml.encode(), content_type=XML_TYPE)


# --- $filter → SoQL -----------------------------------------------------------


def _soql_string(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class FilterToSoQL:
    """An odata-query AST as SoQL ``$where`` text over known columns only."""

    def __init__(self, columns):
        self.types = {c.field_name: c.type for c in columns}

    def visit(self, node):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method is None:
            raise ODataError(400, "NotSupported", f"$filter: {type(node).__name__} expressions are not supported")
        return method(node)

    def visit_Identifier(self, node):
        if node.namespace or node.name not in self.types:
            name = ".".join((*node.namespace, node.name))
            if name == KEY:
                return ":id"
            raise ODataError(400, "InvalidProperty", f"$filter: there is no property {name!r}", name)
        return f"`{node.name}`"

    def visit_Null(self, node):
        return "null"

    def visit_Integer(self, node):
        return node.val

    def visit_Float(self, node):
        return node.val

    def visit_Boolean(self, node):
        return "true" if node.val.lower() == "true" else "false"

    def visit_String(self, node):
        return _soql_string(node.val)

    def visit_Date(self, node):
        return _soql_string(node.val + "T00:00:00")

    def visit_DateTime(self, node):
        try:
            t = dt.datetime.fromisoformat(node.val.replace("Z", "+00:00"))
        except ValueError:
            raise ODataError(400, "InvalidLiteral", f"$filter: {node.val!r} is not a date-time") from None
        if t.tzinfo is not None:  # timestamps are compared as UTC, as they are served
            t = t.astimezone(dt.UTC).replace(tzinfo=None)
        return _soql_string(t.isoformat(timespec="milliseconds"))

    def visit_List(self, node):
        return "(" + ", ".join(self.visit(v) for v in node.val) + ")"

    def visit_Compare(self, node):
        left, right = node.left, node.right
        if isinstance(node.comparator, oast.In):
            values = self.visit(right)
            return f"{self.visit(left)} IN {values if isinstance(right, oast.List) else '(' + values + ')'}"
        op = COMPARE[type(node.comparator)]
        if isinstance(right, oast.Null) or isinstance(left, oast.Null):
            if op not in ("=", "!="):
                raise ODataError(400, "InvalidQuery", "$filter: null can only be compared with eq or ne")
            other = left if isinstance(right, oast.Null) else right
            return f"({self.visit(other)} IS {'NOT ' if op == '!=' else ''}NULL)"
        return f"({self.visit(left)} {op} {self.visit(right)})"

    def visit_BoolOp(self, node):
        op = "AND" if isinstance(node.op, oast.And) else "OR"
        return f"({self.visit(node.left)} {op} {self.visit(node.right)})"

    def visit_UnaryOp(self, node):
        if isinstance(node.op, oast.Not):
            return f"(NOT {self.visit(node.operand)})"
        return f"(-{self.visit(node.operand)})"

    def visit_BinOp(self, node):
        return f"({self.visit(node.left)} {ARITH[type(node.op)]} {self.visit(node.right)})"

    def visit_Call(self, node):
        name = node.func.name.lower()
        if name == "endswith" and len(node.args) == 2 and isinstance(node.args[1], oast.String):
            suffix = node.args[1].val
            if "%" in suffix or "_" in suffix:
                raise ODataError(400, "NotSupported", "$filter: endswith() with % or _ in the suffix is not supported")
            return f"({self.visit(node.args[0])} LIKE {_soql_string('%' + suffix)})"
        if name not in FUNCTIONS:
            raise ODataError(400, "NotSupported", f"$filter: the function {node.func.name}() is not supported")
        soql, arity = FUNCTIONS[name]
        if len(node.args) != arity:
            raise ODataError(400, "InvalidQuery", f"$filter: {name}() takes {arity} argument(s)")
        return f"{soql}({', '.join(self.visit(a) for a in node.args)})"


def translate_filter(text: str, columns) -> str:
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(text))
    except ODataException as e:
        raise ODataError(400, "InvalidFilter", f"$filter could not be parsed: {e}") from None
    if tree is None:
        raise ODataError(400, "InvalidFilter", "$filter is empty")
    return FilterToSoQL(columns).visit(tree)


# --- the entity set ---------------------------------------------------------


def _int_option(request, name) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise ODataError(400, "InvalidQueryOption", f"{name} must be a non-negative whole number", name)
    return int(raw)


def _page_size(request) -> int:
    for part in request.META.get("HTTP_PREFER", "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, min(int(value), MAX_PAGE_SIZE))
    return PAGE_SIZE


def _select(request, columns) -> list:
    raw = request.GET.get("$select")
    if not raw or raw.strip() == "*":
        return columns
    by_name = {c.field_name: c for c in columns}
    out = []
    for part in raw.split(","):
        name = part.strip()
        if name == KEY:
            continue
        if name not in by_name:
            raise ODataError(400, "InvalidProperty", f"$select: there is no property {name!r}", name)
        out.append(by_name[name])
    return out


def _orderby(request, columns) -> list[str]:
    raw = request.GET.get("$orderby")
    if not raw:
        return []
    known = {c.field_name for c in columns}
    out = []
    for part in raw.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise ODataError(400, "InvalidOrderBy", f"$orderby: {part.strip()!r} is not 'property [asc|desc]'")
        if words[0] == KEY:
            out.append(":id" + (" DESC" if len(words) == 2 and words[1].lower() == "desc" else ""))
            continue
        if words[0] not in known:
            raise ODataError(400, "InvalidProperty", f"$orderby: there is no property {words[0]!r}", words[0])
        out.append(f"`{words[0]}`" + (" DESC" if len(words) == 2 and words[1].lower() == "desc" else ""))
    return out


def _odata_value(t: SoQLType, v):
    """A SODA JSON value as OData JSON: numbers as numbers, timestamps with an offset."""
    if v is None:
        return None
    if t.is_numeric:
        f = float(v)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    if t == SoQLType.FLOATING_TIMESTAMP:
        return v + "Z"
    if t in (SoQLType.LOCATION, SoQLType.URL) or not isinstance(v, str | bool | dict):
        return render.csv_cell(v)
    return v


ALLOWED = {"$select", "$filter", "$orderby", "$top", "$skip", "$count", "$format"}


@odata_view
def entity_set(request, user, dataset_id, name):
    ds = get_dataset(dataset_id, user)
    if name not in (set_name(ds.id), ds.id):
        raise ODataError(404, "NotFound", f"There is no entity set {name!r}; this service has {set_name(ds.id)!r}")
    unknown = sorted(k for k in request.GET if k.startswith("$") and k not in ALLOWED)
    if unknown:
        raise ODataError(400, "NotSupported", f"Query options {', '.join(unknown)} are not supported", unknown[0])
    fmt = request.GET.get("$format")
    if fmt and fmt.split(";")[0].lower() not in ("json", "application/json"):
        raise ODataError(400, "NotSupported", "$format must be json")
    columns = _columns(ds)
    selected = _select(request, columns)
    where = translate_filter(request.GET["$filter"], columns) if request.GET.get("$filter") else None
    order = _orderby(request, columns) + [":id"]
    top, skip = _int_option(request, "$top"), _int_option(request, "$skip") or 0
    count_opt = (request.GET.get("$count") or "false").lower()
    if count_opt not in ("true", "false"):
        raise ODataError(400, "InvalidQueryOption", "$count must be true or false", "$count")
    page = _page_size(request)
    want = page if top is None else min(top, page)
    soql = {
        "$select": ", ".join([":id"] + [f"`{c.field_name}`" for c in selected]),
        "$order": ", ".join(order),
        "$limit": str(want + 1),
        "$offset": str(skip),
    }
    if where:
        soql["$where"] = where
    prep = prepare(ds, soql)
    got = list(render.json_values(prep.columns, rows(execute(prep))))
    more = len(got) > want and (top is None or top > want)
    got = got[:want]
    types = [c.type for c in selected]
    value = []
    for vals in got:
        ent = {KEY: vals[0]}
        for c, t, v in zip(selected, types, vals[1:], strict=False):
            ent[c.field_name] = _odata_value(SoQLType(t), v)
        value.append(ent)
    root = _root(request, ds)
    sel = "" if len(selected) == len(columns) and not request.GET.get("$select") else \
        "(" + ",".join(c.field_name for c in selected) + ")"  # fmt: skip
    body = {"@odata.context": f"{root}/$metadata#{set_name(ds.id)}{sel}"}
    if count_opt == "true":
        count_soql = {"$select": "count(*) AS n"}
        if where:
            count_soql["$where"] = where
        cprep = prepare(ds, count_soql)
        ((n,),) = list(render.json_values(cprep.columns, rows(execute(cprep))))
        body["@odata.count"] = int(float(n))
    body["value"] = value
    if more:
        params = request.GET.copy()
        params["$skip"] = str(skip + want)
        if top is not None:
            params["$top"] = str(top - want)
        body["@odata.nextLink"] = f"{root}/{set_name(ds.id)}?{params.urlencode(safe='$,()')}"
    return HttpResponse(orjson.dumps(body), content_type=JSON_TYPE)


@odata_view
def entity_count(request, user, dataset_id, name):
    ds = get_dataset(dataset_id, user)
    if name not in (set_name(ds.id), ds.id):
        raise ODataError(404, "NotFound", f"There is no entity set {name!r}")
    soql = {"$select": "count(*) AS n"}
    if request.GET.get("$filter"):
        soql["$where"] = translate_filter(request.GET["$filter"], _columns(ds))
    prep = prepare(ds, soql)
    ((n,),) = list(render.json_values(prep.columns, rows(execute(prep))))
    return HttpResponse(str(int(float(n))).encode(), content_type="text/plain;charset=utf-8")
