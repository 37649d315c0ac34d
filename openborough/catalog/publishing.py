"""Publishing: the one path by which rows reach the store.

The CLI, the staff publish wizard and the SODA write API all call these
functions. Each write makes a new immutable version under the dataset's lock;
the catalogue points at it only after the version is complete on disk, so
readers switch atomically and a crash mid-write leaves the previous version
served (the half-written file is never referenced and is removed by the next
publish).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from ..soql.types import Schema, SoQLType
from ..store import MergeResult, VersionInfo
from . import audit
from .ids import is_dataset_id, new_dataset_id
from .locks import dataset_lock
from .models import Dataset, DatasetColumn, Exemption, Organisation, Version, Visibility
from .storage import get_store

METADATA_FIELDS = (
    "name",
    "description",
    "category",
    "tags",
    "contact_name",
    "contact_email",
    "licence",
    "attribution",
    "update_frequency",
    "temporal_coverage",
    "spatial_coverage",
)


class PublishError(Exception):
    """A publish that cannot go ahead; ``code`` is stable, the message is for people."""

    def __init__(self, code: str, message: str, report: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.report = report


@dataclass
class PublishOutcome:
    dataset: Dataset
    version: Version
    created: int = 0
    updated: int = 0
    deleted: int = 0
    report: dict = field(default_factory=dict)
    new_dataset: bool = False


# --- metadata ---------------------------------------------------------------


def _apply_metadata(ds: Dataset, meta: dict[str, Any]) -> list[str]:
    changed = []
    for key in METADATA_FIELDS:
        if key in meta and meta[key] is not None:
            value = meta[key]
            if key == "tags":
                if isinstance(value, str):
                    value = [t.strip() for t in value.split(",")]
                value = sorted({str(t).strip().lower() for t in value if str(t).strip()})
            if getattr(ds, key) != value:
                setattr(ds, key, value)
                changed.append(key)
    # a dataset that names no publisher is the council's own (OPENBOROUGH_ORGANISATION): registers, CLI files …
    name = str(meta.get("organisation") or "").strip()
    if not name and ds.organisation_id is None:
        name = str(settings.OPENBOROUGH_DEFAULT_ORGANISATION or "").strip()
    if name:
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"slug": slugify(name)[:200] or "organisation"})
        if ds.organisation_id != org.id:
            ds.organisation = org
            changed.append("organisation")
    return changed


def set_visibility(
    ds: Dataset,
    visibility: str,
    *,
    exemption: str = "",
    reason: str = "",
    review_date: dt.date | None = None,
    user=None,
    actor: str = "",
) -> None:
    """Make a dataset public, or private with a recorded FOI exemption."""
    if visibility not in Visibility.values:
        raise PublishError("bad-visibility", f"visibility must be one of {', '.join(Visibility.values)}")
    if visibility == Visibility.PRIVATE:
        if exemption not in Exemption.values:
            raise PublishError(
                "exemption-required",
                "Open by default: a private dataset needs the FOI Act exemption it relies on "
                f"(one of {', '.join(Exemption.values)}), an explanation and a review date.",
            )
        if not reason.strip():
            raise PublishError("exemption-required", "Open by default: explain why the dataset is exempt.")
        if review_date is None:
            review_date = timezone.localdate() + dt.timedelta(days=365)
        ds.exemption, ds.exemption_reason, ds.exemption_review_date = exemption, reason.strip(), review_date
    else:
        ds.exemption, ds.exemption_reason, ds.exemption_review_date = "", "", None
    before = ds.visibility
    ds.visibility = visibility
    ds.updated_at = timezone.now()
    if ds.pk and Dataset.objects.filter(pk=ds.pk).exists():
        ds.save()
    if before != visibility or visibility == Visibility.PRIVATE:
        audit.record(
            "visibility",
            f"{ds.id} made {visibility}" + (f" ({exemption}: {reason.strip()[:200]})" if exemption else ""),
            user=user,
            actor=actor,
            dataset_id=ds.id,
            before=before,
            after=visibility,
            exemption=exemption,
            reason=reason,
            review_date=str(review_date or ""),
        )


def update_metadata(ds: Dataset, meta: dict[str, Any], *, user=None, actor: str = "") -> list[str]:
    if "row_identifier" in meta and meta["row_identifier"] != ds.row_identifier:
        raise PublishError("row-identifier-change", "Change the row identifier by replacing the data with --row-id.")
    changed = _apply_metadata(ds, meta)
    if changed:
        ds.updated_at = timezone.now()
        ds.save()
        audit.record(
            "metadata",
            f"{ds.id} metadata: {', '.join(changed)}",
            user=user,
            actor=actor,
            dataset_id=ds.id,
            fields=changed,
        )
    return changed


# --- versions ---------------------------------------------------------------


def _next_version(ds_id: str) -> int:
    store = get_store()
    last = Version.objects.filter(dataset_id=ds_id).order_by("-number").values_list("number", flat=True).first() or 0
    n = last + 1
    store.discard_partial(ds_id)
    # a file with no catalogue row is what a crash mid-publish leaves: remove it
    while store.has_version(ds_id, n):
        store.drop_version(ds_id, n)
    return n


def _save_columns(ds: Dataset, schema: Schema) -> None:
    existing = {c.field_name: c for c in ds.columns.all()}
    keep = set()
    for pos, col in enumerate(schema.columns):
        keep.add(col.field_name)
        obj = existing.get(col.field_name) or DatasetColumn(dataset=ds, field_name=col.field_name)
        obj.name = col.name or col.field_name
        if col.description or not obj.description:
            obj.description = col.description
        obj.type = col.type.value
        obj.position = pos
        obj.save()
    ds.columns.exclude(field_name__in=keep).delete()


def _retain(ds: Dataset) -> None:
    keep = max(1, settings.OPENBOROUGH_KEEP_VERSIONS)
    old = list(ds.versions.filter(stored=True).order_by("-number")[keep:])
    store = get_store()
    for v in old:
        if v.number == ds.current_version:
            continue
        store.drop_version(ds.id, v.number)
        Version.objects.filter(pk=v.pk).update(stored=False)


def _commit(
    ds: Dataset,
    is_new: bool,
    number: int,
    kind: str,
    schema: Schema,
    result: VersionInfo | MergeResult,
    *,
    user,
    actor: str,
    source: str,
    report: dict,
    meta: dict,
) -> PublishOutcome:
    info = result.info if isinstance(result, MergeResult) else result
    created = result.created if isinstance(result, MergeResult) else info.row_count
    updated = result.updated if isinstance(result, MergeResult) else 0
    deleted = result.deleted if isinstance(result, MergeResult) else 0
    try:
        with transaction.atomic():
            now = timezone.now()
            _apply_metadata(ds, meta)
            ds.current_version = number
            ds.row_count = info.row_count
            ds.updated_at = now
            ds.data_updated_at = now
            if is_new:
                ds.created_at = now
                ds.created_by = user if getattr(user, "is_authenticated", False) else None
            ds.full_clean(exclude=["created_by", "organisation"])
            ds.save()
            _save_columns(ds, schema)
            version = Version.objects.create(
                dataset=ds,
                number=number,
                created_by=user if getattr(user, "is_authenticated", False) else None,
                kind=kind,
                source=source[:500],
                row_count=info.row_count,
                schema=schema.to_list(),
                report=report,
                rows_created=created,
                rows_updated=updated,
                rows_deleted=deleted,
            )
            # a dataset's first version is its publication, whatever mode wrote it (it replaced nothing)
            said = "created with no rows" if kind == "create" else ("first published" if is_new else kind)
            audit.record(
                "publish" if is_new else kind,
                f"{ds.id} v{number} {said}: {info.row_count} rows"
                + (f" (+{created} ~{updated} -{deleted})" if kind not in ("replace", "create") and not is_new else ""),
                user=user,
                actor=actor,
                dataset_id=ds.id,
                version=number,
                source=source,
                created=created,
                updated=updated,
                deleted=deleted,
            )
    except BaseException:
        # the catalogue never pointed at the new version: remove its rows
        get_store().drop_version(ds.id, number)
        raise
    _retain(ds)
    return PublishOutcome(ds, version, created, updated, deleted, report, is_new)


def _merge_schema(ds: Dataset, incoming: Schema) -> Schema:
    """The dataset's schema extended with columns new in ``incoming``; types must agree."""
    current = ds.schema()
    cols = list(current.columns)
    for col in incoming.columns:
        have = current.get(col.field_name)
        if have is None:
            cols.append(col)
        elif have.type != col.type:
            raise PublishError(
                "type-mismatch",
                f"column {col.field_name!r} is {have.type.value} in the dataset but {col.type.value} in the new rows",
            )
    return Schema(tuple(cols))


def _dataset_for_write(dataset_id: str | None, mode: str, meta: dict) -> tuple[Dataset, bool]:
    if dataset_id is not None and not is_dataset_id(dataset_id):
        raise PublishError(
            "bad-id", f"{dataset_id!r} is not a dataset id: use four letters or digits, a hyphen, four more (abcd-1234)"
        )
    if dataset_id:
        ds = Dataset.objects.filter(pk=dataset_id).first()
        if ds is not None:
            return ds, False
        if mode != "replace":
            raise PublishError("not-found", f"there is no dataset {dataset_id} to {mode} rows to")
    else:
        if mode != "replace":
            raise PublishError("not-found", f"--{mode} needs the id of an existing dataset")
        dataset_id = new_dataset_id()
        while Dataset.objects.filter(pk=dataset_id).exists():
            dataset_id = new_dataset_id()
    if not (meta.get("name") or "").strip():
        raise PublishError("title-required", "a new dataset needs a title")
    return Dataset(id=dataset_id, name=meta["name"].strip()), True


def publish_file(
    path: str | os.PathLike,
    *,
    meta: dict[str, Any] | None = None,
    dataset_id: str | None = None,
    mode: str = "replace",
    row_id: str | None = None,
    options=None,
    visibility: dict[str, Any] | None = None,
    user=None,
    actor: str = "",
    progress: Callable[[int], None] | None = None,
    on_prepared: Callable[[Any], None] | None = None,
    source: str | None = None,
) -> PublishOutcome:
    """Create or replace a dataset from a file, or append/upsert its rows.

    ``source`` names the new version's origin (default: the file's name).

    ``meta`` holds catalogue fields (name, description, category, tags,
    organisation, contact_*, licence, update_frequency, *_coverage).
    ``visibility`` is ``{"visibility": "private", "exemption": "s40", "reason": …, "review_date": …}``.
    Raises ``PublishError`` (and lets ``ingest.IngestError`` through) with nothing changed.
    """
    from ..ingest import IngestOptions, prepare

    meta = dict(meta or {})
    if mode not in ("replace", "append", "upsert"):
        raise PublishError("bad-mode", f"unknown mode {mode!r}")
    ds, is_new = _dataset_for_write(dataset_id, mode, meta)
    options = options or IngestOptions()
    if not is_new:
        # new rows take the dataset's column types unless the publisher overrides them
        known = {c.field_name: SoQLType(c.type) for c in ds.columns.all()}
        options.types = {**(known if mode != "replace" else {}), **(options.types or {})}
    if mode == "upsert":
        row_id = row_id or ds.row_identifier
        if not row_id:
            raise PublishError(
                "no-row-identifier", f"dataset {ds.id} has no row identifier to upsert by; replace it with --row-id"
            )
    elif mode == "replace" and row_id is None and not is_new:
        row_id = ds.row_identifier or None
    if mode == "replace" and row_id is not None:
        options.row_id = row_id
    prepared = prepare(str(path), options)
    try:
        if on_prepared is not None:
            on_prepared(prepared)
        schema = prepared.schema
        report = prepared.report.to_dict()
        if row_id and schema.get(row_id) is None:
            raise PublishError(
                "no-such-column",
                f"row identifier {row_id!r} is not a column of the file; columns: "
                + ", ".join(c.field_name for c in schema.columns),
            )
        if mode == "replace":
            meta["row_identifier"] = row_id or ""
        store = get_store()
        with dataset_lock(ds.id):
            if not is_new:
                ds.refresh_from_db()
            elif Dataset.objects.filter(pk=ds.id).exists():
                raise PublishError("exists", f"dataset {ds.id} was created by another publish meanwhile; try again")
            number = _next_version(ds.id)
            if mode == "replace":
                result = store.write_version(ds.id, number, schema, prepared.reader(progress=progress))
                final_schema = schema
            else:
                final_schema = _merge_schema(ds, schema)
                result = store.merge_version(
                    ds.id,
                    ds.current_version,
                    number,
                    final_schema,
                    prepared.reader(progress=progress),
                    row_id if mode == "upsert" else None,
                )
            if visibility:
                set_visibility(ds, user=user, actor=actor, **visibility)
            if mode == "replace":
                ds.row_identifier = row_id or ""
            return _commit(
                ds,
                is_new,
                number,
                mode,
                final_schema,
                result,
                user=user,
                actor=actor,
                source=source or os.path.basename(str(path)),
                report=report,
                meta=meta,
            )
    finally:
        prepared.close()


def write_rows(
    ds: Dataset,
    table: pa.Table,
    schema: Schema,
    *,
    mode: str,
    deleted_ids: Sequence[Any] = (),
    user=None,
    actor: str = "api",
) -> PublishOutcome:
    """Rows from the SODA API (already converted to ``schema``'s physical types):
    ``replace`` makes a version of just these rows; ``upsert`` merges by the row
    identifier (or appends when the dataset has none) and deletes ``deleted_ids``."""
    store = get_store()
    with dataset_lock(ds.id):
        ds.refresh_from_db()
        number = _next_version(ds.id)
        if mode == "replace" or ds.current_version is None:
            result = store.write_version(ds.id, number, schema, table.to_reader())
            final_schema = schema
            kind = "replace"
        else:
            final_schema = _merge_schema(ds, schema)
            result = store.merge_version(
                ds.id,
                ds.current_version,
                number,
                final_schema,
                table.to_reader(),
                ds.row_identifier or None,
                deleted_ids,
            )
            kind = "upsert"
        return _commit(
            ds, False, number, kind, final_schema, result, user=user, actor=actor, source="api", report={}, meta={}
        )


def create_dataset(
    meta: dict[str, Any],
    schema: Schema,
    *,
    row_identifier: str = "",
    published: bool = True,
    dataset_id: str | None = None,
    user=None,
    actor: str = "",
) -> Dataset:
    """A dataset with columns and no rows yet (SODA ``POST /api/views.json``)."""
    ds, is_new = _dataset_for_write(dataset_id, "replace", meta)
    if not is_new:
        raise PublishError("exists", f"dataset {ds.id} already exists")
    if row_identifier and schema.get(row_identifier) is None:
        raise PublishError("no-such-column", f"row identifier {row_identifier!r} is not one of the columns")
    ds.published = published
    ds.row_identifier = row_identifier
    empty = pa.Table.from_batches(
        [], schema=pa.schema([f for f in schema.arrow_schema() if not f.name.startswith(":")])
    )
    store = get_store()
    with dataset_lock(ds.id):
        number = _next_version(ds.id)
        result = store.write_version(ds.id, number, schema, empty.to_reader())
        return _commit(
            ds, True, number, "create", schema, result, user=user, actor=actor, source="api", report={}, meta=meta
        ).dataset


def delete_dataset(ds: Dataset, *, user=None, actor: str = "") -> None:
    with dataset_lock(ds.id):
        ds_id, name = ds.id, ds.name
        with transaction.atomic():
            ds.delete()
            audit.record("delete", f"{ds_id} deleted ({name})", user=user, actor=actor, dataset_id=ds_id)
        get_store().drop_dataset(ds_id)


def replace_register(
    dataset_id: str,
    meta: dict[str, Any],
    schema: Schema,
    rows: Iterable[Mapping[str, Any]],
    *,
    actor: str = "system",
) -> Dataset:
    """Publish records the application keeps (requests, FOI figures, strategy
    registers …) as a fixed-id open dataset: the rows (Python values, converted
    by ``soql.values.build_table``) replace the current version, and the
    dataset is created with ``meta`` the first time. Raises ``PublishError``,
    or ``ValueError`` for a value that does not fit its column."""
    from ..soql.values import build_table

    table = build_table(schema, rows, strict=False)
    ds = Dataset.objects.filter(pk=dataset_id).first()
    if ds is None:
        ds = create_dataset(dict(meta), schema, dataset_id=dataset_id, actor=actor)
    write_rows(ds, table, schema, mode="replace", actor=actor)
    ds.refresh_from_db()
    return ds
