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
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ..catalog import audit
from ..catalog.models import Dataset
from ..catalog.publishing import replace_register
from ..soql.types import Column, Schema

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


def refresh(dataset_id: str) -> Dataset:
    """Write the table's current rows as a new version (creating the dataset the first time)."""
    table = REGISTRY[dataset_id]
    return replace_register(dataset_id, dict(table.meta), table.schema, table.rows(), actor=ACTOR)


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
