"""SODA3: ``/api/v3/views/{id}/query.{json,geojson,csv}`` and
``/api/v3/views/{id}/export.{csv,json,geojson}``, as dev.socrata.com documents
them: a JSON body (``POST``, the documented way) or query-string options
(``GET``), and a caller who is signed in or names a valid app token.

Both run the one query path (``reading.prepare``) and the SODA 2.1 encoders.
``/query`` pages (``page: {pageNumber, pageSize}``) and may add the system
fields (``includeSynthetic``); ``/export`` answers the whole result, with
``serializationOptions`` for CSV (``separator``, ``bom``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from . import render, sized
from .access import get_dataset
from .body import media_type, parse_json, read_body
from .conditional import not_modified, validators
from .errors import SodaError
from .http import soda_view
from .reading import execute, prepare, rows
from .resource import FORMATS, _field_headers, _finish

MAX_BODY = 1024 * 1024
QUERY_FORMATS = ("json", "geojson", "csv")
EXPORT_FORMATS = ("csv", "json", "geojson")
ORDERING = ("total", "no_preserve", "discard")
#: request options each endpoint accepts (dev.socrata.com/docs/queries)
QUERY_OPTIONS = {"query", "page", "includeSynthetic", "orderingSpecifier", "timeout", "parameters", "clientContext"}
EXPORT_OPTIONS = {"query", "serializationOptions", "timeout", "parameters", "clientContext", "includeSynthetic"}


def _bad(code: str, message: str, data=None) -> SodaError:
    return SodaError(400, code, message, data)


@dataclass
class Options:
    query: str = "SELECT *"
    page: tuple[int, int] | None = None
    synthetic: bool = True
    separator: str = ","
    bom: bool = False


def _require_caller(request, user) -> None:
    """SODA3 needs a signed-in user or a valid app token (an invalid one was refused already)."""
    from .throttle import app_token

    if not settings.OPENBOROUGH_SODA3_REQUIRE_TOKEN or user is not None or app_token(request):
        return
    raise SodaError(
        403,
        "authentication_required",
        "SODA3 requests must be authenticated by a user or carry a valid application token "
        "(X-App-Token header or app_token parameter)",
    )


def _int(value, name: str) -> int:
    if isinstance(value, bool):
        raise _bad("req.option.malformed", f"{name} must be a whole number")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise _bad("req.option.malformed", f"{name} must be a whole number, not {value!r}", {"option": name})
    if not 1 <= value < 10**12:  # pageNumber × pageSize must stay a sane row offset
        raise _bad("req.option.malformed", f"{name} must be between 1 and 10^12", {"option": name})
    return value


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _bad("req.option.malformed", f"{name} must be true or false", {"option": name})


def _raw_options(request, allowed: set[str]) -> dict:
    if request.method == "POST":
        data = read_body(request, MAX_BODY)
        if not data.strip():
            return {}
        if media_type(request) not in ("application/json", "text/json", "", "text/plain"):
            raise SodaError(415, "req.content-type.not-json", "Send the request options as a JSON object")
        body = parse_json(data)
        if not isinstance(body, dict):
            raise _bad("req.body.not-an-object", "The request body must be a JSON object of request options")
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise _bad("req.option.unknown", f"Unknown request options: {', '.join(unknown)}", {"options": unknown})
        return body
    # GET: ?query=…&pageNumber=…&pageSize=…&includeSynthetic=…
    out: dict = {}
    for key in request.GET:
        if key in ("app_token", "$$app_token"):
            continue
        if key in ("pageNumber", "pageSize"):
            out.setdefault("page", {})[key] = request.GET[key]
        elif key in allowed and key not in ("parameters", "serializationOptions", "clientContext"):
            out[key] = request.GET[key]
        elif key == "separator" or key == "bom":
            out.setdefault("serializationOptions", {})[key] = request.GET[key]
        else:
            raise _bad("req.option.unknown", f"Unknown request option: {key}", {"options": [key]})
    return out


def read_options(request, allowed: set[str], *, synthetic: bool = True) -> Options:
    """The request options; ``synthetic``: whether system fields are in unless ``includeSynthetic`` says."""
    raw = _raw_options(request, allowed)
    opts = Options(synthetic=synthetic)
    if "query" in raw and raw["query"] is not None:
        if not isinstance(raw["query"], str) or not raw["query"].strip():
            raise _bad("req.option.malformed", 'query must be a SoQL statement, e.g. "SELECT *"')
        opts.query = raw["query"]
    if raw.get("page") is not None:
        page = raw["page"]
        if not isinstance(page, dict) or set(page) - {"pageNumber", "pageSize"} or "pageSize" not in page:
            raise _bad("req.option.malformed", 'page must be {"pageNumber": n, "pageSize": m}')
        opts.page = (_int(page.get("pageNumber", 1), "pageNumber"), _int(page["pageSize"], "pageSize"))
        if opts.page[0] * opts.page[1] > 10**15:
            raise _bad("req.option.malformed", "pageNumber × pageSize is beyond any dataset")
    if raw.get("includeSynthetic") is not None:
        opts.synthetic = _bool(raw["includeSynthetic"], "includeSynthetic")
    if raw.get("orderingSpecifier") is not None and raw["orderingSpecifier"] not in ORDERING:
        raise _bad("req.option.malformed", f"orderingSpecifier must be one of {', '.join(ORDERING)}")
    if raw.get("timeout") is not None and (isinstance(raw["timeout"], bool) or not str(raw["timeout"]).isdigit()):
        raise _bad("req.option.malformed", "timeout must be a whole number of seconds")
    if raw.get("parameters"):
        raise _bad("req.option.unsupported", "Query parameters (?hole) are not supported; write the values in")
    ser = raw.get("serializationOptions")
    if ser is not None:
        if not isinstance(ser, dict):
            raise _bad("req.option.malformed", "serializationOptions must be an object")
        unknown = sorted(set(ser) - {"separator", "bom", "preciseTimestamps"})
        if unknown:
            raise _bad("req.option.unknown", f"Unknown serializationOptions: {', '.join(unknown)}")
        sep = ser.get("separator", ",")
        if not isinstance(sep, str) or len(sep) != 1 or sep in '"\r\n':
            raise _bad("req.option.malformed", "separator must be one character (not a quote or line break)")
        opts.separator = sep
        if "bom" in ser:
            opts.bom = _bool(ser["bom"], "bom")
    return opts


def _format(ext: str, allowed: tuple[str, ...]) -> str:
    fmt = (ext or "").lower()
    if fmt not in allowed:
        raise SodaError(
            406,
            "req.format.unsupported",
            f"Format .{ext} is not served here; use {', '.join('.' + f for f in allowed)}",
            {"format": ext},
        )
    return fmt


def _encode(prep, fmt: str, opts: Options) -> Iterator[bytes]:
    data = rows(execute(prep))
    if fmt == "csv":
        return render.encode_csv(prep.columns, data, bom=opts.bom, sep=opts.separator)
    if fmt == "geojson":
        return render.encode_geojson(prep.columns, data)
    return render.encode_json(prep.columns, data)


def _answer(request, user, dataset_id: str, fmt: str, opts: Options, variant: str, *, page: bool):
    ds = get_dataset(dataset_id, user)
    hdrs = validators(ds, request, variant + repr(sorted(vars(opts).items())))
    cached = not_modified(request, hdrs)
    if cached is not None:
        return cached
    prep = prepare(ds, {"$query": opts.query}, page=opts.page if page else None, synthetic=opts.synthetic)
    resp = sized.respond(request, lambda: _encode(prep, fmt, opts), FORMATS[fmt], hdrs["ETag"])
    if fmt != "geojson":
        _field_headers(resp, prep)
    _finish(resp, fmt, hdrs)
    return resp


@soda_view(("GET", "POST"))
def query(request, user, dataset_id: str, ext: str):
    fmt = _format(ext, QUERY_FORMATS)
    _require_caller(request, user)
    opts = read_options(request, QUERY_OPTIONS)
    return _answer(request, user, dataset_id, fmt, opts, f"v3-query:{fmt}", page=True)


@soda_view(("GET", "POST"))
def export(request, user, dataset_id: str, ext: str):
    fmt = _format(ext, EXPORT_FORMATS)
    _require_caller(request, user)
    opts = read_options(request, EXPORT_OPTIONS, synthetic=False)  # an export is the dataset as people see it
    resp = _answer(request, user, dataset_id, fmt, opts, f"v3-export:{fmt}", page=False)
    if resp.status_code == 200:
        resp["Content-Disposition"] = f'attachment; filename="{dataset_id}.{fmt}"'
    return resp
