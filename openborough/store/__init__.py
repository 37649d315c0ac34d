"""Dataset row storage behind one small interface.

``Store`` is what the rest of openborough sees: write a version of a dataset
from Arrow record batches, run compiled SoQL against a version, drop old
versions. Two implementations: ``DuckDBStore`` (embedded default, one
immutable Parquet file per version) and ``PostgresStore`` (one table per
version). See ``docs/operations.md`` for the on-disk layout.
"""

from .base import MergeResult, Store, StoreError, StoreUnavailable, VersionInfo

__all__ = ["MergeResult", "Store", "StoreError", "StoreUnavailable", "VersionInfo", "open_store"]


def open_store(url_or_path: str, read_replicas: list[str] | tuple[str, ...] = ()) -> Store:
    """``postgresql://…`` gives a PostgresStore (reading from ``read_replicas`` when
    given); anything else is a directory for DuckDBStore."""
    if url_or_path.startswith(("postgres://", "postgresql://")):
        from .postgres import PostgresStore

        return PostgresStore(url_or_path, read_dsns=tuple(read_replicas))
    from .duckdb import DuckDBStore

    return DuckDBStore(url_or_path)
