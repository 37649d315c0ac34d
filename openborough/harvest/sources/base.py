"""What every source tells the runner about a dataset, and how it fetches the rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ...ingest import IngestOptions
from ..http import Client, SourceError

#: a listing that goes past this many pages is taken to loop
MAX_PAGES = 10_000


@dataclass
class Payload:
    """A file of rows ready for the ingest pipeline."""

    path: str
    options: IngestOptions
    row_id: str | None = None
    #: rows the source says the dataset has (checked after publishing)
    expected_rows: int | None = None
    note: str = ""
    #: columns of the file holding each row's :created_at / :updated_at (file column → system column)
    stamps: dict | None = None


@dataclass
class Entry:
    source_id: str
    title: str
    #: catalogue fields for ``catalog.publishing`` (name, description, tags, licence …)
    meta: dict
    #: what changes when the rows change (modified time, row count)
    data_key: str
    #: the 4x4 id to keep, when the source has one
    local_id: str | None = None
    private: bool = False
    expected_rows: int | None = None
    #: why this dataset cannot be harvested (no distribution we can read …); None when it can
    skip: str | None = None
    #: why reading this dataset from the source failed; None when it did not
    error: str | None = None
    fetch: Callable[[str], Payload] | None = field(default=None, repr=False)


class Source:
    kind = ""
    #: how many datasets the listing holds, once the source has said (for progress)
    total: int | None = None

    def __init__(self, url: str, client: Client):
        self.url = url.rstrip("/")
        self.client = client

    @property
    def key(self) -> str:
        return self.url

    def entries(self, *, ids: list[str] | None = None, query: str | None = None) -> Iterator[Entry]:
        raise NotImplementedError


class Pages:
    """Guards a paged listing: a cap on pages, and a stop when a page repeats an earlier one."""

    def __init__(self, what: str, max_pages: int = MAX_PAGES):
        self.what = what
        self.max_pages = max_pages
        self.count = 0
        self.seen: set = set()

    def check(self, keys) -> None:
        self.count += 1
        if self.count > self.max_pages:
            raise SourceError(
                f"{self.what} went past {self.max_pages:,} pages; stopped (the source seems to page forever)"
            )
        keys = tuple(keys)
        if keys and keys in self.seen:
            raise SourceError(f"{self.what} sent the same page twice; stopped (the source's paging loops)")
        self.seen.add(keys)

    def fresh(self, ids) -> list:
        """The ids not seen on an earlier page; a page of only repeats means the paging loops."""
        ids = list(ids)
        new = [i for i in ids if i not in self.seen]
        if ids and not new:
            raise SourceError(f"{self.what} repeats items it already sent; stopped (the source's paging loops)")
        self.count += 1
        if self.count > self.max_pages:
            raise SourceError(
                f"{self.what} went past {self.max_pages:,} pages; stopped (the source seems to page forever)"
            )
        self.seen.update(new)
        return new
