"""What a publisher can tell the pipeline about a file."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..soql.types import SoQLType, parse_type
from .errors import IngestError

FORMATS = ("csv", "tsv", "xlsx", "json", "geojson", "socrata-rows-json")
FORMAT_ALIASES = {"rows.json": "socrata-rows-json", "rows-json": "socrata-rows-json", "xls": "xlsx", "txt": "csv"}


@dataclass
class IngestOptions:
    format: str | None = None  # None: detect from the name and the bytes
    max_bytes: int | None = None
    types: dict = field(default_factory=dict)  # field name -> SoQLType or type name
    renames: dict = field(default_factory=dict)  # field name -> new field name
    names: dict = field(default_factory=dict)  # field name -> display name
    descriptions: dict = field(default_factory=dict)
    point_from: tuple[str, str] | None = None  # (lat field, lon field)
    on_bad: str = "reject"  # or "null"
    date_order: str = "dmy"  # or "mdy", for nn/nn/yyyy dates that fit both
    sample_rows: int | None = None  # None: infer over the whole file
    row_id: str | None = None
    drop: tuple = ()  # field names of the file's columns to leave out

    def checked(self) -> IngestOptions:
        """A copy with names normalised; IngestError("bad-option") when one is wrong."""
        fmt = self.format.strip().lower() if self.format else None
        fmt = FORMAT_ALIASES.get(fmt, fmt)
        if fmt is not None and fmt not in FORMATS:
            raise IngestError("bad-option", f"unknown format {self.format!r}; use one of {', '.join(FORMATS)}")
        if self.on_bad not in ("reject", "null"):
            raise IngestError("bad-option", f"on_bad must be 'reject' or 'null', not {self.on_bad!r}")
        if self.date_order not in ("dmy", "mdy"):
            raise IngestError("bad-option", f"date_order must be 'dmy' or 'mdy', not {self.date_order!r}")
        if self.max_bytes is not None and self.max_bytes <= 0:
            raise IngestError("bad-option", "max_bytes must be positive")
        if self.sample_rows is not None and self.sample_rows <= 0:
            raise IngestError("bad-option", "sample_rows must be positive")
        types = {}
        for name, ty in (self.types or {}).items():
            if isinstance(ty, SoQLType):
                types[name] = ty
                continue
            try:
                types[name] = parse_type(str(ty))
            except ValueError as e:
                raise IngestError("bad-option", f"column {name!r}: {e}") from None
        point = None
        if self.point_from:
            if len(self.point_from) != 2:
                raise IngestError("bad-option", "point_from takes (latitude field, longitude field)")
            point = (str(self.point_from[0]), str(self.point_from[1]))
        return IngestOptions(
            format=fmt,
            max_bytes=self.max_bytes,
            types=types,
            renames=dict(self.renames or {}),
            names=dict(self.names or {}),
            descriptions=dict(self.descriptions or {}),
            point_from=point,
            on_bad=self.on_bad,
            date_order=self.date_order,
            sample_rows=self.sample_rows,
            row_id=self.row_id,
            drop=tuple(self.drop or ()),
        )
