"""A file made queryable: the SQL to read it as text columns, and what is known
about each column before inference."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..soql.types import SoQLType


def q(name: str) -> str:
    """A quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class SourceColumn:
    header: str  # as written in the file
    col: str  # column name in the source relation
    field_name: str | None = None  # when the file says it (rows.json)
    declared: SoQLType | None = None  # when the file says it (rows.json, GeoJSON geometry)
    physical: bool = False  # already in the physical type (geometry WKB): no conversion
    description: str = ""


@dataclass
class RowIssue:
    """Rows a reader found wrong before SQL saw them (XLSX/JSON cells beyond the header)."""

    kind: str
    rows: list[int] = field(default_factory=list)
    count: int = 0
    cells: int = 0


@dataclass
class Source:
    sql: str  # a FROM-clause item: read_csv(…) or read_parquet(…)
    columns: list[SourceColumn]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    #: ragged mode: '' is an empty cell and NULL a missing one; extra_cols catch long rows
    ragged: bool = False
    extra_cols: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    long_rows: RowIssue | None = None  # found by a Python reader
    path: str = ""  # the file DuckDB reads
    skip: int = 0  # lines before the header

    def text(self, c: SourceColumn) -> str:
        """SQL for a column's text with empty cells as NULL (DuckDB's CSV reader already
        makes them NULL, except in ragged mode, where NULL means a missing cell)."""
        if self.format in ("csv", "tsv") and not self.ragged:
            return q(c.col)
        return f"NULLIF({q(c.col)}, '')"
