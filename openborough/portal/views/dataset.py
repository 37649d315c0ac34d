"""The dataset pages: about, data table, chart, map, API; and the XLSX and Parquet downloads."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from ...catalog.query import NoData, count_query, run_query
from ...soql.errors import SoQLError
from ...soql.types import SoQLType
from ...store import QueryTimeout
from .. import analytics, charts, exports, formatting, table_query
from ..access import visible_dataset
from ..diff import with_change_labels
from ..stats import column_stats
from ..structured_data import dataset_jsonld
from ..text import plain_summary, render_markdown

TABS = [("about", "About"), ("data", "Data"), ("chart", "Chart"), ("map", "Map"), ("api", "API")]
AGGREGATES = {"count": "Count of rows", "sum": "Sum", "avg": "Average", "min": "Minimum", "max": "Maximum"}


def _context(request, ds, tab, **extra):
    schema = ds.schema()
    has_map = any(c.type.is_geometry or c.type == SoQLType.LOCATION for c in schema.columns)
    tabs = [(t, label) for t, label in TABS if t != "map" or has_map]
    return {
        "ds": ds,
        "tab": tab,
        "tabs": [
            (t, label, reverse(f"portal:dataset-{t}" if t != "about" else "portal:dataset", args=[ds.id]))
            for t, label in tabs
        ],
        "schema": schema,
        "has_data": ds.current_version is not None,
        "structured_data": dataset_jsonld(request, ds, _downloads(request, ds)) if ds.is_public else "",
        **extra,
    }


def _downloads(request, ds, tq: table_query.TableQuery | None = None):
    """Download links; with a table state they apply the same filter and sort."""
    params = {}
    if tq is not None:
        try:
            params = table_query.soql_params(tq, ds.schema(), paged=False)
        except table_query.TableQueryError:
            params = {}
    # the API refuses a $limit above its maximum: link to the first pages' worth and say so
    max_limit = getattr(settings, "OPENBOROUGH_SODA_MAX_LIMIT", 0) or 0
    limit = max(ds.row_count, 1)
    api_note = ""
    if max_limit and limit > max_limit:
        limit, api_note = max_limit, f" (first {max_limit:,} rows; add $offset for the rest)"
    soda = {**params, "$limit": str(limit)}
    qs = urlencode(soda)
    own = urlencode(tq.state(page=1)) if tq is not None else ""
    own_qs = f"?{own}" if own else ""
    links = [
        (
            "CSV",
            reverse("portal:download", args=[ds.id, "csv"]) + own_qs,
            "Comma-separated values, opens in any spreadsheet",
        ),
        ("JSON", f"/resource/{ds.id}.json?{qs}", "For programs and apps" + api_note),
    ]
    if any(c.type.is_geometry or c.type == SoQLType.LOCATION for c in ds.schema().columns):
        links.append(("GeoJSON", f"/resource/{ds.id}.geojson?{qs}", "For maps and GIS software" + api_note))
    links.append(("XLSX", reverse("portal:download", args=[ds.id, "xlsx"]) + own_qs, "Excel workbook"))
    links.append(
        (
            "Parquet",
            reverse("portal:download", args=[ds.id, "parquet"]) + own_qs,
            "Columnar file for data analysis tools",
        )
    )
    links.append(
        ("API CSV", f"/resource/{ds.id}.csv?{qs}", "CSV exactly as the SODA API writes it, for programs" + api_note)
    )
    return links


@require_GET
def short_link(request, dataset_id):
    ds = visible_dataset(request, dataset_id)
    return HttpResponseRedirect(reverse("portal:dataset", args=[ds.id]))


@require_GET
def about(request, dataset_id):
    ds = visible_dataset(request, dataset_id)
    analytics.record(ds.id, "views")
    stats = column_stats(ds)
    columns = [(c, stats.get(c.field_name)) for c in ds.columns.all()]
    return render(
        request,
        "portal/dataset_about.html",
        _context(
            request,
            ds,
            "about",
            description_html=render_markdown(ds.description),
            summary=plain_summary(ds.description, 160),
            columns=columns,
            downloads=_downloads(request, ds),
            usage=analytics.totals(ds.id),
            versions=with_change_labels(ds, ds.versions.order_by("-number")[:5]),
        ),
    )


@require_GET
def data(request, dataset_id):
    ds = visible_dataset(request, dataset_id)
    schema = ds.schema()
    tq = table_query.parse(request.GET, schema)
    rows, total, error, columns = [], 0, "", []
    if ds.current_version is None:
        error = "This dataset has no data yet."
    else:
        try:
            params = table_query.soql_params(tq, schema)
            total = count_query(ds, params)
            res = run_query(ds, params)
            columns = res.columns
            rows = [list(r.get(c.name, "") for c in columns) for r in res.json_rows()]
        except table_query.TableQueryError as e:
            error = str(e)
        except SoQLError as e:
            error = f"The filter could not be applied: {e.message}"
        except QueryTimeout as e:
            error = f"The filter took too long and was stopped ({e}); try a narrower one."
        except NoData:
            error = "This dataset has no data yet."
    pages = max(1, -(-total // table_query.PAGE_SIZE))
    base = reverse("portal:dataset-data", args=[ds.id])
    filterable = [
        c for c in schema.columns if not c.type.is_geometry and c.type not in (SoQLType.LOCATION, SoQLType.BLOB)
    ]
    headers = []
    for c in columns:
        col = schema.get(c.name)
        if col is None:
            continue
        next_dir = "desc" if tq.sort == c.name and tq.direction == "asc" else "asc"
        sortable = not col.type.is_geometry and col.type != SoQLType.LOCATION
        headers.append(
            {
                "name": col.name or c.name,
                "field": c.name,
                "sort": ("ascending" if tq.direction == "asc" else "descending") if tq.sort == c.name else "",
                "link": f"{base}?{tq.querystring(sort=c.name, direction=next_dir, page=1)}" if sortable else "",
                "numeric": col.type.is_numeric,
            }
        )
    active = [
        {
            "label": f"{(schema.get(f.field).name or f.field)} {table_query.OPERATORS[f.op]} {f.value}".strip(),
            "remove": f"{base}?{tq.querystring(filters=[g for g in tq.filters if g is not f], page=1)}",
            "token": f.token(),
        }
        for f in tq.filters
    ]
    return render(
        request,
        "portal/dataset_data.html",
        _context(
            request,
            ds,
            "data",
            tq=tq,
            rows=[[_cell(v, schema.get(c.name)) for v, c in zip(r, columns, strict=True)] for r in rows],
            headers=headers,
            total=total,
            error=error,
            page=tq.page,
            pages=pages,
            previous_link=f"{base}?{tq.querystring(page=tq.page - 1)}" if tq.page > 1 else "",
            next_link=f"{base}?{tq.querystring(page=tq.page + 1)}" if tq.page < pages else "",
            first_row=(tq.page - 1) * table_query.PAGE_SIZE + 1,
            last_row=min(tq.page * table_query.PAGE_SIZE, total),
            filterable=filterable,
            operators=table_query.OPERATORS.items(),
            active_filters=active,
            downloads=_downloads(request, ds, tq),
        ),
    )


def _cell(v, col=None) -> str:
    """A data table cell (numbers without thousands separators: they may be codes or references)."""
    if col is None:
        return formatting.value(v, grouping=False)
    return formatting.value(v, col.type, f"{col.field_name} {col.name}", grouping=False)


#: how a chart over a date column groups its rows: (value, label, SoQL function for floating / fixed timestamps)
DATE_GROUPS = {
    "y": ("Year", "date_trunc_y", "datez_trunc_y"),
    "ym": ("Month", "date_trunc_ym", "datez_trunc_ym"),
    "week": ("Week", "", ""),
    "ymd": ("Day", "date_trunc_ymd", "datez_trunc_ymd"),
}
#: groups drawn at most; the page says how many more there are
CHART_MAX_GROUPS = 200


def _chart_query(xcol, by: str, value: str, kind: str) -> tuple[dict, str]:
    """SoQL for one value per group of ``xcol`` and the precision its labels are written with."""
    xi = table_query.ident(xcol.field_name)
    if xcol.type in (SoQLType.FLOATING_TIMESTAMP, SoQLType.FIXED_TIMESTAMP):
        fixed = xcol.type == SoQLType.FIXED_TIMESTAMP
        if by == "week":  # SoQL has no week truncation: ISO year and week number
            select = f"date_extract_iso_y({xi}) as label, date_extract_woy({xi}) as week, {value} as value"
            return {"$select": select, "$group": f"date_extract_iso_y({xi}), date_extract_woy({xi})",
                    "$order": "label ASC, week ASC"}, "week"  # fmt: skip
        fn = DATE_GROUPS[by][2 if fixed else 1]
        return {"$select": f"{fn}({xi}) as label, {value} as value", "$group": f"{fn}({xi})",
                "$order": "label ASC"}, by  # fmt: skip
    order = "label ASC" if kind == "line" else "value DESC"
    return {"$select": f"{xi} as label, {value} as value", "$group": xi, "$order": order}, ""


@require_GET
def chart(request, dataset_id):
    ds = visible_dataset(request, dataset_id)
    schema = ds.schema()
    groupable = [
        c
        for c in schema.columns
        if not c.type.is_geometry and c.type not in (SoQLType.LOCATION, SoQLType.URL, SoQLType.BLOB)
    ]
    numeric = [c for c in schema.columns if c.type.is_numeric]
    dated = [c for c in groupable if c.type in (SoQLType.FLOATING_TIMESTAMP, SoQLType.FIXED_TIMESTAMP)]
    x = request.GET.get("x", "")
    agg = request.GET.get("agg", "count")
    y = request.GET.get("y", "")
    kind = request.GET.get("type", "bar")
    by = request.GET.get("by", "") or "ym"
    errors = []
    points, built, total_groups = [], None, 0
    xcol = schema.get(x) if x else None
    ycol = schema.get(y) if y else None
    if x:
        if xcol is None or xcol not in groupable:
            errors.append("Choose a column to group by from the list")
        if agg not in AGGREGATES:
            errors.append("Choose what to show from the list")
        if agg != "count" and (ycol is None or not ycol.type.is_numeric):
            errors.append("Choose a number column to add up or average")
        if by not in DATE_GROUPS:
            if xcol in dated:
                errors.append("Choose how to group dates from the list")
            by = "ym"
        if kind not in ("bar", "line"):
            kind = "bar"
        if not errors and ds.current_version is not None:
            value = "count(*)" if agg == "count" else f"{agg}({table_query.ident(y)})"
            params, precision = _chart_query(xcol, by, value, kind)
            try:
                total_groups = count_query(ds, params)
                res = run_query(ds, {**params, "$limit": str(CHART_MAX_GROUPS)})
                for row in res.rows():
                    label, v = row[0], row[-1]
                    if label is None:
                        text = "(empty)"
                    elif precision == "week":
                        text = f"{int(label)} week {int(row[1])}"
                    elif precision:
                        text = formatting.timestamp(label, precision)
                    else:
                        text = formatting.value(label, xcol.type, f"{xcol.field_name} {xcol.name}")
                    points.append((text, float(v or 0)))
                money = agg != "count" and ycol.type == SoQLType.MONEY
                built = charts.build(kind, points, money=money)
            except SoQLError as e:
                errors.append(f"The chart could not be made: {e.message}")
            except QueryTimeout as e:
                errors.append(f"The chart could not be made: {e}.")
    money = bool(built) and agg != "count" and ycol is not None and ycol.type == SoQLType.MONEY
    return render(
        request,
        "portal/dataset_chart.html",
        _context(
            request,
            ds,
            "chart",
            groupable=groupable,
            numeric=numeric,
            dated=dated,
            date_groups=[(k, v[0]) for k, v in DATE_GROUPS.items()],
            aggregates=AGGREGATES.items(),
            x=x,
            y=y,
            agg=agg,
            kind=kind,
            by=by,
            x_is_date=xcol in dated if xcol else False,
            errors=errors,
            chart=built,
            points=[(label, charts.fmt(v, money=money)) for label, v in points],
            total_groups=total_groups,
            hidden_groups=max(0, total_groups - len(points)),
            value_title=AGGREGATES.get(agg, "") + ("" if agg == "count" or not ycol else f" of {ycol.name or y}"),
            x_title=(
                (xcol.name or x) + (f" ({DATE_GROUPS[by][0].lower()})" if xcol in dated and by in DATE_GROUPS else "")
            )
            if xcol
            else "",
        ),
    )


@require_GET
def map_view(request, dataset_id):
    ds = visible_dataset(request, dataset_id)
    geo = [c for c in ds.schema().columns if c.type.is_geometry or c.type == SoQLType.LOCATION]
    # the popups name each column and write its values as the other pages do (see portal.formatting)
    popup_columns = {c.field_name: [c.name or c.field_name, c.type.value] for c in ds.schema().columns if c not in geo}
    return render(
        request,
        "portal/dataset_map.html",
        _context(
            request,
            ds,
            "map",
            geo_columns=geo,
            geojson_url=f"/resource/{ds.id}.geojson?$limit=5000",
            tile_url=settings.OPENBOROUGH_MAP_TILE_URL,
            tile_attribution=settings.OPENBOROUGH_MAP_TILE_ATTRIBUTION,
            basemap_url=settings.OPENBOROUGH_MAP_BASEMAP_URL,
            popup_columns=popup_columns,
        ),
    )


@require_GET
def api(request, dataset_id):
    ds = visible_dataset(request, dataset_id)
    base = request.build_absolute_uri("/").rstrip("/")
    first = next(iter(ds.schema().columns), None)
    example_where = f"{first.field_name} IS NOT NULL" if first else ""
    return render(
        request,
        "portal/dataset_api.html",
        _context(
            request,
            ds,
            "api",
            endpoint=f"{base}/resource/{ds.id}.json",
            domain=request.get_host(),
            # sodapy builds "https://" + domain unless given an adapter for http:// (sodapy 2.2 Socrata.__init__)
            secure=request.is_secure(),
            base=base,
            example_where=example_where,
        ),
    )


@require_GET
def download(request, dataset_id, fmt):
    ds = visible_dataset(request, dataset_id)
    schema = ds.schema()
    tq = table_query.parse(request.GET, schema)
    if ds.current_version is None:
        return render(
            request, "portal/download_error.html", {"ds": ds, "message": "This dataset has no data yet."}, status=404
        )
    if tq.errors:  # a download never silently leaves out a filter the link asked for
        return render(request, "portal/download_error.html", {"ds": ds, "message": " ".join(tq.errors)}, status=400)
    try:
        params = table_query.soql_params(tq, schema, paged=False)
        params["$limit"] = str(max(ds.row_count, 1))
        res = run_query(ds, params)
        cols = res.columns
        if fmt == "csv":
            analytics.record(ds.id, "downloads")
            name = f"{slugify(ds.name)[:60] or ds.id}-{ds.id}.csv"
            resp = StreamingHttpResponse(exports.csv_lines(cols, res.rows()), content_type="text/csv; charset=utf-8")
            resp["Content-Disposition"] = f'attachment; filename="{name}"'
            return resp
        if fmt == "xlsx":
            body = exports.write_xlsx(cols, res.rows(), ds.name)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = exports.write_parquet(cols, res.rows())
            content_type = "application/vnd.apache.parquet"
    except (table_query.TableQueryError, OverflowError) as e:
        return render(request, "portal/download_error.html", {"ds": ds, "message": str(e)}, status=400)
    except SoQLError as e:
        return render(request, "portal/download_error.html", {"ds": ds, "message": e.message}, status=400)
    except QueryTimeout as e:
        return render(request, "portal/download_error.html", {"ds": ds, "message": f"{e}."}, status=408)
    analytics.record(ds.id, "downloads")
    name = f"{slugify(ds.name)[:60] or ds.id}-{ds.id}.{fmt}"
    return FileResponse(body, as_attachment=True, filename=name, content_type=content_type)


@require_GET
def wards(request):
    """The demo ward boundaries (ONS Census Merged Wards 2011, OGL) as published, for GIS use."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent.parent / "demo_data" / "london_wards_2011.geojson"
    if not path.exists():
        return HttpResponse('{"type":"FeatureCollection","features":[]}', content_type="application/geo+json")
    resp = FileResponse(open(path, "rb"), content_type="application/geo+json")
    resp["Cache-Control"] = "public, max-age=86400"
    return resp


@require_GET
def basemap(request):
    """The packaged vector basemap of London (see portal.basemap), gzip-compressed when the browser accepts it."""
    from django.utils.cache import patch_vary_headers

    from .. import basemap as packaged

    if "gzip" in request.headers.get("Accept-Encoding", ""):
        resp = HttpResponse(packaged.london_gzip(), content_type="application/geo+json")
        resp["Content-Encoding"] = "gzip"
    else:
        resp = HttpResponse(packaged.london(), content_type="application/geo+json")
    patch_vary_headers(resp, ["Accept-Encoding"])
    resp["Cache-Control"] = "public, max-age=86400"
    return resp
