"""Publishing a register kept in the application database as an open dataset.

Each register (the request register, the FOI figures, the Transparency Code
compliance table) is one catalogue dataset with a fixed id; every refresh
replaces its rows with a new version through the publishing service, so the
usual version history, audit log, SODA API and exports apply.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..catalog.models import Dataset
from ..catalog.publishing import PublishError, create_dataset, write_rows
from ..soql.types import Schema, SoQLType, arrow_type

log = logging.getLogger(__name__)

#: a text value starting with one of these is read as a formula by spreadsheets
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Text safe to open in a spreadsheet: a leading formula character is
    prefixed with an apostrophe (the OWASP CSV-injection advice)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


@dataclass(frozen=True)
class Register:
    dataset_id: str
    meta: Mapping[str, Any]
    schema: Schema


def _arrow_value(t: SoQLType, value: Any) -> Any:
    if value is None or value == "":
        return None
    if t in (SoQLType.TEXT, SoQLType.BLOB):
        return neutralise(str(value))
    if t.is_numeric:
        return float(value)
    if t is SoQLType.CHECKBOX:
        return bool(value)
    if t is SoQLType.FLOATING_TIMESTAMP:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day)
        raise TypeError(f"not a date: {value!r}")
    if t is SoQLType.FIXED_TIMESTAMP:
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC)
        raise TypeError(f"not a timestamp: {value!r}")
    raise TypeError(f"registers do not hold {t.value} columns")


def to_table(schema: Schema, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    rows = list(rows)
    arrays = {}
    for col in schema.columns:
        values = [_arrow_value(col.type, r.get(col.field_name)) for r in rows]
        arrays[col.field_name] = pa.array(values, type=arrow_type(col.type))
    return pa.table(arrays, schema=pa.schema([pa.field(c.field_name, arrow_type(c.type)) for c in schema.columns]))


def ensure(register: Register) -> Dataset:
    ds = Dataset.objects.filter(pk=register.dataset_id).first()
    if ds is None:
        ds = create_dataset(dict(register.meta), register.schema, dataset_id=register.dataset_id, actor="system")
    return ds


def publish(register: Register, rows: Iterable[Mapping[str, Any]], *, actor: str = "system") -> Dataset:
    """Replace the register's rows; raises PublishError."""
    table = to_table(register.schema, rows)
    ds = ensure(register)
    write_rows(ds, table, register.schema, mode="replace", actor=actor)
    ds.refresh_from_db()
    return ds


def refresh_quietly(register: Register, rows_fn, *, actor: str = "system") -> Dataset | None:
    """``publish`` for refreshes triggered by another change: a failure is
    logged and the change stands (the next refresh rebuilds every row)."""
    try:
        return publish(register, rows_fn(), actor=actor)
    except (PublishError, OSError, TypeError, ValueError, pa.ArrowException):
        log.exception("could not refresh the open dataset %s", register.dataset_id)
        return None
