"""Catalogue search: full text over names, tags, column names and
descriptions, with relevance ranking, spelling correction, synonyms and facets.

Text matching runs in the database (SQLite FTS5 with BM25, or PostgreSQL
full-text search over a GIN index; both built by portal migration 0002 over
``portal.SearchEntry``, one row per dataset). Filtering, facet counts and
ordering run over an in-process snapshot of the catalogue's facet fields,
rebuilt whenever the index changes, so a search costs one text query and one
page fetch whatever the catalogue's size.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from rapidfuzz import fuzz, process

from ..soql.types import SoQLType
from .models import Dataset, DatasetColumn, Frequency, Licence, Visibility

FACETS = ("category", "tag", "organisation", "licence", "update_frequency", "format")
#: the "format" facet: what a dataset offers
FORMAT_LABELS = {
    "table": "Table (CSV, Excel, JSON, Parquet)",
    "map": "Map (GeoJSON)",
    "none": "Description only (no data held here)",
}
ORDERS = ("relevance", "updated", "name", "views")

#: PostgreSQL: the weighted document the GIN index covers (must match the index expression exactly)
PG_VECTOR_SQL = (
    "setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(tags, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(colnames, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(organisation, '') || ' ' || coalesce(category, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(description, '')), 'D')"
)
#: SQLite FTS5 BM25 column weights: name, tags, colnames, description, organisation, category
_BM25 = "bm25(portal_search_fts, 10.0, 6.0, 2.0, 1.0, 1.5, 3.0)"

_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORDS = frozenset(
    "a an and are as at be by data dataset datasets for from in into is it of on or the to with".split()
)

#: words people search with → words publishers use (both directions are added)
_SYNONYM_GROUPS = [
    {"ticket", "tickets", "citation", "citations", "violation", "violations", "pcn", "pcns", "penalty"},
    {"rubbish", "garbage", "trash", "refuse", "waste", "litter"},
    {"bike", "bikes", "bicycle", "bicycles", "cycle", "cycling"},
    {"car", "cars", "vehicle", "vehicles"},
    {"crime", "crimes", "offence", "offences", "offense", "offenses", "incident", "incidents"},
    {"spending", "expenditure", "payments", "spend"},
    {"salary", "salaries", "pay", "wages", "payroll"},
    {"restaurant", "restaurants", "food", "eateries"},
    {"school", "schools", "education"},
    {"311", "complaints", "complaint"},
    {"colour", "color"},
    {"centre", "center", "centres", "centers"},
    {"licence", "license", "licences", "licenses", "licensing"},
    {"programme", "program", "programmes", "programs"},
    {"neighbourhood", "neighborhood", "neighbourhoods", "neighborhoods"},
    {"tree", "trees", "forestry"},
    {"pothole", "potholes"},
    {"budget", "budgets"},
]
SYNONYMS: dict[str, set[str]] = {}
for _group in _SYNONYM_GROUPS:
    for _w in _group:
        SYNONYMS.setdefault(_w, set()).update(_group - {_w})


@dataclass
class SearchResult:
    total: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, int]]]
    #: the query actually run when words were corrected for spelling ("" when not)
    corrected: str = ""
    offset: int = 0
    limit: int = 20
    labels: dict[str, dict[str, str]] = field(default_factory=dict)


# --- what is indexed --------------------------------------------------------


def entry_fields(ds, columns: Iterable) -> dict[str, str]:
    """The indexed text of a dataset (works on historical models in migrations too)."""
    cols = list(columns)
    org = getattr(ds, "organisation", None)
    return {
        "name": ds.name or "",
        "tags": " ".join(str(t) for t in (ds.tags or [])),
        "colnames": " ".join(
            " ".join(filter(None, (c.name, c.field_name.replace("_", " "), c.description))) for c in cols
        ),
        "description": ds.description or "",
        "organisation": org.name if org is not None else "",
        "category": ds.category or "",
    }


def index_dataset(ds: Dataset) -> None:
    """Write (or rewrite) the dataset's search entry. A rewrite is a new row, so
    entry ids grow with every change: the snapshot refreshes just what changed."""
    from ..portal.models import SearchEntry

    fields = entry_fields(ds, ds.columns.all())
    SearchEntry.objects.filter(dataset_id=ds.pk).delete()
    SearchEntry.objects.create(dataset_id=ds.pk, indexed_at=timezone.now(), **fields)


def index_datasets(ids: Iterable[str]) -> None:
    for ds in Dataset.objects.filter(pk__in=list(ids)).select_related("organisation"):
        index_dataset(ds)


def reindex_all(batch: int = 1000) -> int:
    """Rebuild every entry (after bulk loads, which skip the save signals)."""
    from ..portal.models import SearchEntry

    n = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        rows = []
        now = timezone.now()
        for ds in Dataset.objects.select_related("organisation").prefetch_related("columns").iterator(chunk_size=batch):
            rows.append(SearchEntry(dataset_id=ds.pk, indexed_at=now, **entry_fields(ds, ds.columns.all())))
            if len(rows) >= batch:
                SearchEntry.objects.bulk_create(rows)
                n += len(rows)
                rows = []
        SearchEntry.objects.bulk_create(rows)
        n += len(rows)
    return n


def schedule_reindex(dataset_id: str) -> None:
    """Reindex a dataset now, inside the caller's transaction (so a rollback
    also rolls back the index)."""
    index_datasets([dataset_id])


# --- the snapshot used for filters, facets and ordering ----------------------


@dataclass
class _Item:
    id: str
    name: str
    category: str
    tags: tuple[str, ...]
    organisation: str
    licence: str
    update_frequency: str
    public: bool
    updated: Any
    formats: tuple[str, ...] = ()


class _Snapshot:
    def __init__(self, key, items: dict[str, _Item], vocab: Counter):
        self.key = key
        self.items = items
        self.vocab_words = list(vocab)
        self.vocab_freq = vocab
        self.built = time.monotonic()
        #: recent searches: (q, filters, include_private, order) → (items in order, facets, corrected)
        self.results: dict[tuple, tuple[list[_Item], dict, str]] = {}


_snap: _Snapshot | None = None
_snap_lock = threading.Lock()
#: rebuild from scratch at least this often (bounds staleness from concurrent writers on PostgreSQL)
SNAPSHOT_MAX_AGE = 300.0


def _generation() -> tuple:
    """(database, entry count, largest entry id, last write): changes with every index
    write or delete (index look-ups, no table scan)."""
    from ..portal.models import SearchEntry

    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT (SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table})")
        count, top = cur.fetchone()
    # the time as well (an aware datetime through the ORM): ids can be reused after a rollback
    last = SearchEntry.objects.aggregate(last=Max("indexed_at"))["last"]
    return (connection.settings_dict.get("NAME"), count or 0, top or 0, last)


def _load(dataset_ids=None, entry_ids_above: int | None = None) -> tuple[dict[str, _Item], Counter]:
    """Snapshot items and vocabulary for all datasets, or for those given."""
    from ..portal.models import SearchEntry

    datasets = Dataset.objects.all()
    entries = SearchEntry.objects.all()
    columns = DatasetColumn.objects.all()
    if dataset_ids is not None:
        datasets = datasets.filter(pk__in=dataset_ids)
        entries = entries.filter(dataset_id__in=dataset_ids)
        columns = columns.filter(dataset_id__in=dataset_ids)
    rows = datasets.values_list(
        "id",
        "name",
        "category",
        "tags",
        "organisation__name",
        "licence",
        "update_frequency",
        "visibility",
        "published",
        "updated_at",
        "data_updated_at",
        "current_version",
    )
    geo_types = [t.value for t in SoQLType if t.is_geometry or t == SoQLType.LOCATION]
    with_geo = set(columns.filter(type__in=geo_types).values_list("dataset_id", flat=True))
    items: dict[str, _Item] = {}
    vocab: Counter = Counter()
    for i, name, cat, tags, org, lic, freq, vis, pub, upd, dupd, ver in rows.iterator(chunk_size=2000):
        tags = tuple(sorted({str(t) for t in (tags or [])}))
        items[i] = _Item(
            i,
            name,
            cat or "",
            tags,
            org or "",
            lic or "",
            freq or "",
            vis == Visibility.PUBLIC and pub,
            dupd or upd,
            ("none",) if ver is None else (("table", "map") if i in with_geo else ("table",)),
        )
        vocab.update({w for w in _WORD.findall(f"{name} {' '.join(tags)} {cat}".lower()) if len(w) > 2})
    for text in entries.values_list("colnames", flat=True).iterator(chunk_size=2000):
        vocab.update({w for w in _WORD.findall(text.lower()) if len(w) > 2})
    return items, vocab


def _snapshot() -> _Snapshot:
    global _snap
    key = _generation()
    snap = _snap
    if snap is not None and snap.key == key and time.monotonic() - snap.built < SNAPSHOT_MAX_AGE:
        return snap
    with _snap_lock:
        old = _snap
        if old is not None and old.key == key and time.monotonic() - old.built < SNAPSHOT_MAX_AGE:
            return old
        if (
            old is not None
            and old.key[0] == key[0]
            and key[2] >= old.key[2]
            and time.monotonic() - old.built < SNAPSHOT_MAX_AGE
        ):
            # entries written since: their ids are above the old largest id
            from ..portal.models import SearchEntry

            changed = list(SearchEntry.objects.filter(id__gt=old.key[2]).values_list("dataset_id", flat=True)[:1001])
            # entries are never updated in place: an old id written after the old snapshot means
            # ids were reused (a rolled-back transaction), so the old items cannot be trusted
            reused = (
                old.key[3] is not None
                and SearchEntry.objects.filter(id__lte=old.key[2], indexed_at__gt=old.key[3]).exists()
            )
            fresh, vocab = _load(changed) if len(changed) <= 1000 and not reused else ({}, Counter())
            items = {**old.items, **fresh}
            if len(changed) <= 1000 and not reused and len(items) == key[1]:  # nothing deleted meanwhile
                merged = Counter(old.vocab_freq)
                merged.update(vocab)
                new = _Snapshot(key, items, merged)
                new.built = old.built
                _snap = new
                return new
        items, vocab = _load()
        _snap = _Snapshot(key, items, vocab)
        return _snap


# --- text matching -------------------------------------------------------------


def _terms(q: str) -> list[str]:
    words = [w for w in _WORD.findall(q.lower()) if w]
    content = [w for w in words if w not in _STOPWORDS]
    return content or words


def _fts_group(words: Iterable[str]) -> str:
    return "(" + " OR ".join(f'"{w}"' for w in sorted(set(words))) + ")"


def _pg_group(words: Iterable[str]) -> str:
    return "(" + " | ".join(f"'{w}'" for w in sorted(set(words))) + ")"


def _match(groups: list[set[str]], any_group: bool, first_only: bool = False) -> list[str]:
    """Dataset ids matching the term groups, best first (just one when ``first_only``)."""
    vendor = connection.vendor
    limit = " LIMIT 1" if first_only else ""
    with connection.cursor() as cur:
        if vendor == "sqlite":
            expr = (" OR " if any_group else " AND ").join(_fts_group(g) for g in groups)
            cur.execute(
                "SELECT e.dataset_id FROM portal_search_fts f JOIN portal_searchentry e ON e.id = f.rowid "
                "WHERE portal_search_fts MATCH %s" + (limit or f" ORDER BY {_BM25}"),
                [expr],
            )
        elif vendor == "postgresql":
            expr = (" | " if any_group else " & ").join(_pg_group(g) for g in groups)
            cur.execute(
                f"SELECT dataset_id FROM portal_searchentry, to_tsquery('english', %s) q "
                f"WHERE ({PG_VECTOR_SQL}) @@ q"
                + (limit or f" ORDER BY ts_rank_cd({PG_VECTOR_SQL}, q, 1) DESC, dataset_id"),
                [expr],
            )
        else:  # any other database: substring matching, name matches first
            from django.db.models import Q

            from ..portal.models import SearchEntry

            cond = Q()
            for g in groups:
                gq = Q()
                for w in g:
                    gq |= Q(name__icontains=w) | Q(tags__icontains=w) | Q(description__icontains=w)
                cond = (cond | gq) if any_group else (cond & gq)
            found = SearchEntry.objects.filter(cond).values_list("dataset_id", flat=True)
            return list(found[:1] if first_only else found)
        return [r[0] for r in cur.fetchall()]


def _term_matches(word: str) -> bool:
    return bool(_match([{word}], any_group=False, first_only=True))


def _correct(word: str, snap: _Snapshot) -> str | None:
    """The catalogue word nearest to a misspelt one (None when nothing is close)."""
    if len(word) < 4 or word.isdigit():
        return None
    found = process.extract(word, snap.vocab_words, scorer=fuzz.ratio, score_cutoff=75, limit=5)
    if not found:
        return None
    best = max(found, key=lambda f: (f[1], snap.vocab_freq[f[0]]))
    return best[0]


def _text_search(q: str, snap: _Snapshot) -> tuple[list[str], str]:
    terms = _terms(q)
    if not terms:
        return [], ""
    corrected = ""
    fixed = []
    for t in terms:
        if not _term_matches(t) and not any(_term_matches(s) for s in SYNONYMS.get(t, ())):
            better = _correct(t, snap)
            if better:
                fixed.append(better)
                corrected = "yes"
                continue
        fixed.append(t)
    groups = [{t} | SYNONYMS.get(t, set()) for t in fixed]
    ids = _match(groups, any_group=False)
    if not ids and len(groups) > 1:
        ids = _match(groups, any_group=True)
    return ids, (" ".join(fixed) if corrected else "")


# --- the search ------------------------------------------------------------------


def _facet_values(item: _Item, facet: str) -> tuple[str, ...]:
    if facet == "tag":
        return item.tags
    if facet == "format":
        return item.formats
    value = getattr(item, facet)
    return (value,) if value else ()


def _facet_counts(items: list[_Item]) -> dict[str, list[tuple[str, int]]]:
    counters = {
        "category": Counter(it.category for it in items if it.category),
        "tag": Counter(chain.from_iterable(it.tags for it in items)),
        "organisation": Counter(it.organisation for it in items if it.organisation),
        "licence": Counter(it.licence for it in items if it.licence),
        "update_frequency": Counter(it.update_frequency for it in items if it.update_frequency),
        "format": Counter(chain.from_iterable(it.formats for it in items)),
    }
    return {f: c.most_common(50) for f, c in counters.items()}


def facet_labels() -> dict[str, dict[str, str]]:
    return {"licence": dict(Licence.choices), "update_frequency": dict(Frequency.choices), "format": FORMAT_LABELS}


def _run(snap: _Snapshot, q: str, filters: dict[str, list[str]], order: str, include_private: bool):
    corrected = ""
    if q:
        ids, corrected = _text_search(q, snap)
    else:
        ids = list(snap.items)
    items = [snap.items[i] for i in ids if i in snap.items]
    if not include_private:
        items = [it for it in items if it.public]
    wanted = {k: set(v) for k, v in filters.items()}
    if wanted:
        items = [it for it in items if all(set(_facet_values(it, f)) & vals for f, vals in wanted.items())]
    facets = _facet_counts(items)
    if order == "updated" or (order == "relevance" and not q):
        items.sort(key=lambda it: (it.updated is not None, it.updated), reverse=True)
    elif order == "name":
        items.sort(key=lambda it: it.name.lower())
    elif order == "views":
        from ..portal.analytics import view_counts

        views = view_counts()
        items.sort(key=lambda it: -views.get(it.id, 0))  # stable: ties keep relevance order
    return items, facets, corrected


def search_datasets(
    q: str = "",
    *,
    filters: dict[str, list[str]] | None = None,
    order: str = "relevance",
    offset: int = 0,
    limit: int = 20,
    include_private: bool = False,
) -> SearchResult:
    """Search the catalogue.

    ``filters`` maps a facet (category, tag, organisation, licence,
    update_frequency, format: table/map/none) to accepted values: any value of a facet matches, every
    facet given must match. ``order`` is relevance, updated, name or views.
    Private and unpublished datasets are left out unless ``include_private``.
    Raises ValueError for an unknown facet or order.
    """
    filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if vs}
    unknown = set(filters) - set(FACETS)
    if unknown:
        raise ValueError(f"unknown filter {', '.join(sorted(unknown))}: use {', '.join(FACETS)}")
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}: use {', '.join(ORDERS)}")
    offset, limit = max(0, int(offset)), max(0, min(int(limit), 1000))
    snap = _snapshot()
    q = (q or "").strip()
    key = (q.lower(), tuple(sorted((k, tuple(sorted(v))) for k, v in filters.items())), include_private, order)
    cached = snap.results.get(key)
    if cached is None:
        cached = _run(snap, q, filters, order, include_private)
        if order != "views":  # view counts change without the catalogue changing
            if len(snap.results) > 500:
                snap.results.clear()
            snap.results[key] = cached
    items, facets, corrected = cached
    page_ids = [it.id for it in items[offset : offset + limit]]
    found = Dataset.objects.select_related("organisation").in_bulk(page_ids)
    return SearchResult(
        total=len(items),
        datasets=[found[i] for i in page_ids if i in found],
        facets=facets,
        corrected=corrected,
        offset=offset,
        limit=limit,
        labels=facet_labels(),
    )
