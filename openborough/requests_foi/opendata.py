"""Publishing a register kept in the application database as an open dataset.

Each register (the request register, the FOI figures, the Transparency Code
compliance table) is one catalogue dataset with a fixed id; every refresh
replaces its rows with a new version through the publishing service, so the
usual version history, audit log, SODA API and exports apply.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import DatabaseError

from ..catalog.models import Dataset
from ..catalog.publishing import PublishError, create_dataset, replace_register
from ..soql.types import Schema, SoQLType
from ..soql.values import build_table

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


def _register_row(schema: Schema, row: Mapping[str, Any]) -> dict[str, Any]:
    """Blank strings become nulls and text is made safe to open in a spreadsheet."""
    out = {}
    for col in schema.columns:
        value = row.get(col.field_name)
        if value == "":
            value = None
        elif isinstance(value, str) and col.type in (SoQLType.TEXT, SoQLType.BLOB):
            value = neutralise(value)
        out[col.field_name] = value
    return out


def to_table(schema: Schema, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Register rows as an Arrow table in the physical types of ``schema``."""
    return build_table(schema, (_register_row(schema, r) for r in rows), strict=False)


def ensure(register: Register) -> Dataset:
    ds = Dataset.objects.filter(pk=register.dataset_id).first()
    if ds is None:
        ds = create_dataset(dict(register.meta), register.schema, dataset_id=register.dataset_id, actor="system")
    return ds


def ensure_quietly(register: Register) -> Dataset | None:
    """``ensure`` for a page that links to the register: a failure (or another process creating it at
    the same moment) is logged, and the page still renders."""
    try:
        return ensure(register)
    except (PublishError, OSError, DatabaseError, pa.ArrowException):
        log.exception("could not create the open dataset %s", register.dataset_id)
        return Dataset.objects.filter(pk=register.dataset_id).first()


def publish(register: Register, rows: Iterable[Mapping[str, Any]], *, actor: str = "system") -> Dataset:
    """Replace the register's rows; raises PublishError."""
    return replace_register(
        register.dataset_id,
        dict(register.meta),
        register.schema,
        (_register_row(register.schema, r) for r in rows),
        actor=actor,
    )


def refresh_quietly(register: Register, rows_fn, *, actor: str = "system") -> Dataset | None:
    """``publish`` for refreshes triggered by another change: a failure is
    logged and the change stands (the next refresh rebuilds every row)."""
    try:
        return publish(register, rows_fn(), actor=actor)
    except (PublishError, OSError, TypeError, ValueError, pa.ArrowException):
        log.exception("could not refresh the open dataset %s", register.dataset_id)
        return None
