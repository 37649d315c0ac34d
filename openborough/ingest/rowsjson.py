"""Socrata ``rows.json`` exports: ``meta.view.columns`` says the columns and
their types, ``data`` holds positional rows whose system positions
(``:sid``, ``:id``, ``:created_at`` … with ``id`` -1) are skipped."""

from __future__ import annotations

import shapely
from shapely.geometry import shape

from ..soql.types import SoQLType, parse_type
from .celltext import cell_text
from .errors import IngestError
from .jsonfile import load_json
from .source import Source, SourceColumn
from .staging import StagingWriter

#: Socrata dataTypeNames that are kept as text whatever they hold
TEXT_LIKE = {
    "html",
    "photo",
    "document",
    "email",
    "phone",
    "blob",
    "text",
    "flag",
    "drop_down_list",
    "stars",
    "nested_table",
}


def _declared(type_name: str) -> SoQLType:
    if type_name in TEXT_LIKE:
        return SoQLType.TEXT
    try:
        return parse_type(type_name)
    except ValueError:
        return SoQLType.TEXT


def _location_text(v) -> str | None:
    """Socrata's old location arrays ``[human_address, lat, lon, machine, needs_recoding]``."""
    if isinstance(v, list):
        human = v[0] if v else None
        lat = v[1] if len(v) > 1 else None
        lon = v[2] if len(v) > 2 else None
        if human is None and lat is None and lon is None:
            return None
        return cell_text({"latitude": lat, "longitude": lon, "human_address": human})
    return cell_text(v)


def _geometry(v, t: SoQLType, row: int, name: str):
    if v in (None, ""):
        return None
    try:
        g = shape(v) if isinstance(v, dict) else shapely.from_wkt(str(v))
    except Exception:
        raise IngestError("bad-format", f"row {row}: column {name!r} does not hold a {t.value} geometry") from None
    return shapely.to_wkb(g, output_dimension=2)


def _point_text(v) -> str | None:
    if isinstance(v, dict) and v.get("type") == "Point":
        lon, lat = v.get("coordinates", [None, None])[:2]
        return f"POINT ({lon} {lat})"
    return cell_text(v)


def read_rows_json(path: str, tmpdir: str) -> Source:
    data = load_json(path)
    try:
        columns = data["meta"]["view"]["columns"]
        rows = data["data"]
    except (KeyError, TypeError):
        raise IngestError(
            "bad-format", "this is not a Socrata rows.json export (no meta.view.columns and data)"
        ) from None
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise IngestError("bad-format", "rows.json meta.view.columns and data must be lists")
    keep = []  # (position in a data row, SourceColumn)
    for pos, c in enumerate(columns):
        field = str(c.get("fieldName") or "")
        if c.get("id") == -1 or (field.startswith(":") and not field.startswith(":@")):
            continue
        t = _declared(str(c.get("dataTypeName") or "text").lower())
        keep.append(
            (
                pos,
                SourceColumn(
                    header=str(c.get("name") or field),
                    col="",
                    field_name=field.lstrip(":@") or None,
                    declared=t,
                    physical=t.is_geometry and t is not SoQLType.POINT,
                    description=str(c.get("description") or ""),
                ),
            )
        )
    if not keep:
        raise IngestError("bad-format", "the rows.json export has no user columns")
    if not rows:
        raise IngestError("no-rows", "the rows.json export has no data rows")
    binary = {i for i, (_, c) in enumerate(keep) if c.physical}
    writer = StagingWriter(tmpdir, [c for _, c in keep], binary=binary)
    for n, r in enumerate(rows, 1):
        if not isinstance(r, list):
            raise IngestError("bad-format", f"rows.json data row {n} is not an array")
        out = []
        for pos, c in keep:
            v = r[pos] if pos < len(r) else None
            if c.physical:
                out.append(_geometry(v, c.declared, n, c.header))
            elif c.declared is SoQLType.LOCATION:
                out.append(_location_text(v))
            elif c.declared is SoQLType.POINT:
                out.append(_point_text(v))
            else:
                out.append(cell_text(v))
        writer.add(out)
    return writer.finish("socrata-rows-json")
