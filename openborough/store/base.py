"""The storage interface every backend implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlglot import exp

from ..soql.types import Schema


class StoreError(Exception):
    """A storage operation failed; the message is fit for a publisher to read."""


class StoreUnavailable(StoreError):
    """The store's server cannot be reached right now; trying again later may work."""


@dataclass(frozen=True)
class VersionInfo:
    dataset_id: str
    version: int
    row_count: int


@dataclass(frozen=True)
class MergeResult:
    """Socrata's upsert counters, plus the version that now holds the rows."""

    info: VersionInfo
    created: int = 0
    updated: int = 0
    deleted: int = 0
    errors: int = 0


class Store(ABC):
    #: sqlglot dialect name the SoQL compiler must target for this store
    dialect: str

    @abstractmethod
    def write_version(
        self, dataset_id: str, version: int, schema: Schema, rows: pa.RecordBatchReader
    ) -> VersionInfo:
        """Write a whole new version from user-column batches (physical types of
        ``schema``, without system columns). ``:id`` is numbered 1..n and the
        timestamps set to now. Atomic: either the version exists complete
        afterwards, or it does not exist at all."""

    @abstractmethod
    def merge_version(
        self,
        dataset_id: str,
        base_version: int,
        version: int,
        schema: Schema,
        rows: pa.RecordBatchReader,
        row_id: str | None,
        deleted_ids: Sequence[Any] = (),
    ) -> MergeResult:
        """Write ``version`` as ``base_version`` plus ``rows``.

        Without ``row_id`` every incoming row is appended. With it, a row whose
        ``row_id`` value matches an existing row replaces it (keeping ``:id`` and
        ``:created_at``) and the others are appended; ``deleted_ids`` are row-id
        values (or, without ``row_id``, ``:id`` numbers) to remove. ``schema``
        may add columns to the base version's (they are null in old rows)."""

    @abstractmethod
    def export_version(self, dataset_id: str, version: int, schema: Schema) -> pa.RecordBatchReader:
        """Every row of a version with its system columns (``schema.arrow_schema()``),
        in ``:id`` order: what a backup keeps."""

    @abstractmethod
    def import_version(
        self, dataset_id: str, version: int, schema: Schema, rows: pa.RecordBatchReader, row_id: str | None = None
    ) -> VersionInfo:
        """Write a version exactly as exported (system columns kept, not renumbered):
        what a restore or a move between stores does. Atomic like ``write_version``."""

    @abstractmethod
    def table(self, dataset_id: str, version: int) -> exp.Expression:
        """The FROM-clause expression for a version, for the SoQL compiler."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run compiled SQL; returns a cursor to iterate rows from."""

    @abstractmethod
    def has_version(self, dataset_id: str, version: int) -> bool: ...

    @abstractmethod
    def drop_version(self, dataset_id: str, version: int) -> None: ...

    @abstractmethod
    def drop_dataset(self, dataset_id: str) -> None: ...

    def discard_partial(self, dataset_id: str) -> None:  # noqa: B027 - most stores leave nothing behind
        """Remove what a writer killed mid-version left behind. Called under the
        dataset's lock, so no live writer can own it."""

    def close(self) -> None:  # pragma: no cover - default no-op
        pass


class Cursor(ABC):
    """Rows of a query, fetched in batches so large results stream."""

    columns: list[str]

    @abstractmethod
    def fetchmany(self, size: int = 1000) -> list[tuple]: ...

    def __iter__(self) -> Iterator[tuple]:
        while True:
            batch = self.fetchmany(2000)
            if not batch:
                return
            yield from batch

    @abstractmethod
    def close(self) -> None: ...
