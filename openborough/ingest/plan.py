"""The output columns: field names, display names, and which types the
publisher or the file fixed before inference."""

from __future__ import annotations

from dataclasses import dataclass

from ..soql.types import FIELD_NAME_RE, SoQLType
from .errors import IngestError
from .names import clean_field_name, field_names
from .options import IngestOptions
from .source import Source, SourceColumn


@dataclass
class OutColumn:
    field_name: str
    name: str
    src: SourceColumn | None = None  # None: built from other columns (point_from)
    description: str = ""
    fixed: SoQLType | None = None  # type set by the publisher or the file
    by_publisher: bool = False
    type: SoQLType = SoQLType.TEXT
    kind: str | None = None  # converter (sqltypes.ob_<kind>); None = text; "physical" = as stored
    inferred: bool = False
    verified: bool = False  # every non-blank cell is known to convert
    latlon: tuple[SourceColumn, SourceColumn] | None = None


def _lookup(cols: list[OutColumn], key: str, original: dict[int, str]) -> OutColumn | None:
    for c in cols:
        if c.field_name == key:
            return c
    for i, c in enumerate(cols):
        if original.get(i) == key or (c.src is not None and c.src.header.strip() == str(key).strip()):
            return c
    cleaned = clean_field_name(key)
    for c in cols:
        if c.field_name == cleaned:
            return c
    return None


def build_columns(src: Source, opts: IngestOptions) -> tuple[list[OutColumn], list[str]]:
    headers = [c.header for c in src.columns]
    cleaned, warnings = field_names(headers)
    given = [clean_field_name(c.field_name) if c.field_name else None for c in src.columns]
    if any(given):
        taken: set[str] = set()
        names = []
        for g, c in zip(given, cleaned, strict=True):
            n = g or c
            while n in taken:
                n = n + "_2"
            taken.add(n)
            names.append(n)
        cleaned = names
        warnings = [w for w in warnings if "repeats" in w]
    cols = [
        OutColumn(
            field_name=fname,
            name=(c.header.strip() or fname),
            src=c,
            description=c.description,
            fixed=c.declared,
        )
        for fname, c in zip(cleaned, src.columns, strict=True)
    ]
    if opts.drop:
        unknown = set(opts.drop) - {c.field_name for c in cols}
        if unknown:
            raise IngestError("bad-option", f"cannot drop {', '.join(sorted(unknown))}: there is no such column")
        cols = [c for c in cols if c.field_name not in set(opts.drop)]
        if not cols:
            raise IngestError("bad-option", "every column would be dropped")
    original = {i: c.field_name for i, c in enumerate(cols)}
    for old, new in (opts.renames or {}).items():
        c = _lookup(cols, old, original)
        if c is None:
            raise IngestError("bad-option", f"cannot rename {old!r}: there is no such column")
        if not FIELD_NAME_RE.match(new or ""):
            raise IngestError(
                "bad-option", f"{new!r} is not a field name: use lower-case letters, digits and underscores"
            )
        c.field_name = new
    seen: set[str] = set()
    for c in cols:
        if c.field_name in seen:
            raise IngestError("bad-option", f"two columns would be called {c.field_name!r}")
        seen.add(c.field_name)
    for key, ty in (opts.types or {}).items():
        c = _lookup(cols, key, original)
        if c is None:
            warnings.append(f"type given for {key!r}, which is not a column of this file; ignored")
            continue
        if c.src is not None and c.src.physical and ty != c.fixed:
            raise IngestError(
                "bad-option", f"column {c.field_name} holds {c.fixed.value} geometry; it cannot be {ty.value}"
            )
        if ty.is_geometry and ty is not SoQLType.POINT and not (c.src and c.src.physical):
            raise IngestError(
                "bad-option",
                f"column {c.field_name}: {ty.value} columns come from GeoJSON or Socrata rows.json files, not text cells",
            )
        c.fixed = ty
        c.by_publisher = True
    for key, text in (opts.names or {}).items():
        c = _lookup(cols, key, original)
        if c is None:
            raise IngestError("bad-option", f"display name given for {key!r}, which is not a column")
        c.name = str(text)
    for key, text in (opts.descriptions or {}).items():
        c = _lookup(cols, key, original)
        if c is None:
            raise IngestError("bad-option", f"description given for {key!r}, which is not a column")
        c.description = str(text)
    if opts.point_from:
        lat_key, lon_key = opts.point_from
        lat, lon = _lookup(cols, lat_key, original), _lookup(cols, lon_key, original)
        for key, c in ((lat_key, lat), (lon_key, lon)):
            if c is None or c.src is None:
                raise IngestError("bad-option", f"point_from: there is no column {key!r}")
        name = next(n for n in ("location", "point", *(f"point_{i}" for i in range(2, 99))) if n not in seen)
        cols.append(
            OutColumn(
                field_name=name,
                name=name.replace("_", " ").title(),
                fixed=SoQLType.POINT,
                type=SoQLType.POINT,
                kind="latlon",
                latlon=(lat.src, lon.src),
                description=f"Point made from {lat.field_name} (latitude) and {lon.field_name} (longitude)",
            )
        )
        warnings.append(f"added point column {name} from {lat.field_name} and {lon.field_name}")
    return cols, warnings
