"""Open by default: toolkit records republished as portal datasets when they change.

Each published table is an ``OpenTable``: a fixed dataset id, its catalogue
metadata, its columns and a function returning its rows (confidential
fields already left out). ``schedule(id)`` asks for a refresh after the
current database transaction commits; several changes in one transaction
make one new version. A failed refresh is logged and written to the audit
log, and never undoes the officer's change.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.db import transaction

from ..catalog import audit
from ..catalog.models import Dataset
from ..catalog.publishing import create_dataset, write_rows
from ..soql.types import Column, Schema, SoQLType, arrow_type

log = logging.getLogger(__name__)
ACTOR = "strategy toolkit"


@dataclass(frozen=True)
class OpenTable:
    dataset_id: str
    meta: dict[str, Any]
    columns: tuple[Column, ...]
    rows: Callable[[], list[dict[str, Any]]]

    @property
    def schema(self) -> Schema:
        return Schema(self.columns)


REGISTRY: dict[str, OpenTable] = {}


def register(table: OpenTable) -> OpenTable:
    REGISTRY[table.dataset_id] = table
    return table


def _cell(value, t: SoQLType):
    if value is None:
        return None
    if t.is_numeric:
        return float(value)
    if t is SoQLType.FLOATING_TIMESTAMP:
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        return dt.datetime(value.year, value.month, value.day)
    if t is SoQLType.FIXED_TIMESTAMP:
        return value
    if t is SoQLType.CHECKBOX:
        return bool(value)
    return str(value)


def to_arrow(rows: list[dict[str, Any]], schema: Schema) -> pa.Table:
    """Rows as an Arrow table in the physical types of ``schema`` (see soql.types)."""
    arrays = {
        c.field_name: pa.array([_cell(r.get(c.field_name), c.type) for r in rows], type=arrow_type(c.type))
        for c in schema.columns
    }
    return pa.table(arrays)


def refresh(dataset_id: str) -> Dataset:
    """Write the table's current rows as a new version (creating the dataset the first time)."""
    table = REGISTRY[dataset_id]
    schema = table.schema
    arrow = to_arrow(table.rows(), schema)
    ds = Dataset.objects.filter(pk=dataset_id).first()
    if ds is None:
        ds = create_dataset(dict(table.meta), schema, dataset_id=dataset_id, actor=ACTOR)
    write_rows(ds, arrow, schema, mode="replace", actor=ACTOR)
    ds.refresh_from_db()
    return ds


def refresh_all() -> None:
    for dataset_id in REGISTRY:
        _safe_refresh(dataset_id)


def _safe_refresh(dataset_id: str) -> None:
    try:
        refresh(dataset_id)
    except Exception as e:  # the record change stands; say loudly that publishing failed
        log.exception("republishing %s failed", dataset_id)
        try:
            audit.record(
                "publish-failed",
                f"{dataset_id}: toolkit records changed but republishing failed: {e}"[:500],
                actor=ACTOR,
                dataset_id=dataset_id,
            )
        except Exception:  # pragma: no cover - the database itself is failing
            log.exception("could not record the failure either")


_local = threading.local()
_tickets = itertools.count(1)


def _state():
    if not hasattr(_local, "latest"):
        _local.latest = {}
        _local.deferred = None
    return _local


def schedule(*dataset_ids: str) -> None:
    """Refresh these datasets once the current transaction commits (at once outside one)."""
    st = _state()
    for dataset_id in dataset_ids:
        if st.deferred is not None:
            st.deferred.add(dataset_id)
            continue
        ticket = next(_tickets)
        st.latest[dataset_id] = ticket
        transaction.on_commit(lambda d=dataset_id, t=ticket: _run(d, t))


def _run(dataset_id: str, ticket: int) -> None:
    # only the last change of a transaction refreshes; a rolled-back one never runs
    if _state().latest.get(dataset_id) == ticket:
        _safe_refresh(dataset_id)


@contextlib.contextmanager
def deferred():
    """Collect refreshes during a bulk load and run each once at the end."""
    st = _state()
    if st.deferred is not None:
        yield
        return
    st.deferred = set()
    try:
        yield
    finally:
        ids, st.deferred = st.deferred, None
    schedule(*sorted(ids))
