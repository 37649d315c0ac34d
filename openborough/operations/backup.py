"""``openborough backup FILE`` and ``openborough restore FILE``: the whole portal
in one archive, restorable on either backend.

The archive is a tar file:

* ``app.json`` — every application record (catalogue, users, API keys, requests,
  FOI log, toolkit, audit log) as a Django fixture, dumped inside one transaction
  so it is a consistent snapshot;
* ``datasets/<id>/v<N>.parquet`` — every stored version of every dataset with its
  system columns (``:id``, ``:created_at``, ``:updated_at``), in the physical form
  of ``soql.types``, so it loads into DuckDB or PostgreSQL unchanged;
* ``manifest.json`` (written last) — what the archive holds, with row counts and
  SHA-256 checksums that a restore verifies before touching anything.

A restore needs an empty portal (a new data directory or database). It loads the
dataset versions first — each atomically, skipping any that an interrupted run
already loaded with the right row count — then the application records in one
transaction, so re-running after a crash (even ``kill -9``) completes it, with
nothing duplicated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

FORMAT = "openborough-backup/1"
#: rebuilt by migrations or on restore, never copied
EXCLUDED_MODELS = ("contenttypes", "auth.permission", "sessions", "admin.logentry", "portal.searchentry")


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class Summary:
    datasets: int = 0
    versions: int = 0
    rows: int = 0
    records: int = 0
    skipped: list[str] = field(default_factory=list)

    def text(self, verb: str) -> str:
        out = f"{verb} {self.records} application records, {self.datasets} datasets, {self.versions} versions, " \
              f"{self.rows} rows"  # fmt: skip
        if self.skipped:
            out += f" ({len(self.skipped)} already restored: {', '.join(self.skipped[:5])}…)"
        return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def _snapshot():
    """One transaction that sees one state of the application database."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        # SQLite: the IMMEDIATE transaction holds off writers while the snapshot is read
        yield


def _dump_app(out: io.StringIO) -> int:
    from django.apps import apps

    excluded_apps = {e for e in EXCLUDED_MODELS if "." not in e}
    excluded = {e for e in EXCLUDED_MODELS if "." in e}
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label not in excluded_apps and m._meta.label_lower not in excluded and m._meta.managed
    ]
    # dependencies first, so loaddata can check foreign keys as it goes
    models = serializers.sort_dependencies([(None, models)], allow_cycles=True)
    count = 0

    def objects():
        nonlocal count
        for m in models:
            for obj in m._base_manager.using(connection.alias).order_by(m._meta.pk.name).iterator(chunk_size=2000):
                count += 1
                yield obj

    serializers.serialize("json", objects(), stream=out, use_natural_foreign_keys=True)
    return count


def backup(target: str | os.PathLike, progress: Callable[[str], None] = lambda _: None) -> Summary:
    from ..catalog.locks import dataset_lock
    from ..catalog.models import Dataset, Version
    from ..catalog.storage import get_store
    from ..soql.types import Schema

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    app = io.StringIO()
    with _snapshot():
        summary.records = _dump_app(app)
        versions = list(
            Version.objects.filter(stored=True).order_by("dataset_id", "number").values(
                "dataset_id", "number", "schema", "row_count"
            )
        )
        current = dict(Dataset.objects.values_list("id", "current_version"))
        row_ids = dict(Dataset.objects.values_list("id", "row_identifier"))
    store = get_store()
    manifest = {
        "format": FORMAT,
        "openborough": __import__("openborough").__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "source": {"database": connection.vendor, "store": type(store).__name__},
        "app": {"records": summary.records},
        "versions": [],
    }
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with tarfile.open(tmp, "w") as tar, tempfile.TemporaryDirectory() as work:
            data = app.getvalue().encode()
            info = tarfile.TarInfo("app.json")
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            manifest["app"]["sha256"] = hashlib.sha256(data).hexdigest()
            for v in versions:
                ds_id, number = v["dataset_id"], v["number"]
                schema = Schema.from_list(v["schema"])
                part = Path(work) / f"{ds_id}-v{number}.parquet"
                with dataset_lock(ds_id):  # old versions are only dropped under this lock
                    if not store.has_version(ds_id, number):
                        if current.get(ds_id) == number:
                            raise BackupError(
                                f"dataset {ds_id} version {number} was replaced and removed while the backup ran; "
                                "run the backup again"
                            )
                        continue  # an old version dropped since the snapshot: the restore marks it not stored
                    reader = store.export_version(ds_id, number, schema)
                    rows = 0
                    with pq.ParquetWriter(part, reader.schema, compression="zstd") as w:
                        for batch in reader:
                            w.write_batch(batch)
                            rows += batch.num_rows
                name = f"datasets/{ds_id}/v{number}.parquet"
                tar.add(part, arcname=name)
                manifest["versions"].append(
                    {"dataset": ds_id, "version": number, "rows": rows, "file": name, "sha256": _sha256(part),
                     "row_identifier": row_ids.get(ds_id) or None}
                )  # fmt: skip
                part.unlink()
                summary.versions += 1
                summary.rows += rows
                progress(f"{ds_id} v{number}: {rows} rows")
            summary.datasets = len({v["dataset"] for v in manifest["versions"]})
            data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember("manifest.json")
    except KeyError:
        raise BackupError("not an openborough backup (no manifest.json): was it cut short?") from None
    manifest = orjson.loads(tar.extractfile(member).read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (this version reads {FORMAT})")
    return manifest


def _verify(tar: tarfile.TarFile, manifest: dict) -> None:
    wanted = [("app.json", manifest["app"]["sha256"])] + [(v["file"], v["sha256"]) for v in manifest["versions"]]
    for name, digest in wanted:
        try:
            f = tar.extractfile(name)
        except KeyError:
            f = None
        if f is None:
            raise BackupError(f"the backup is missing {name}")
        h = hashlib.sha256()
        while chunk := f.read(1 << 20):
            h.update(chunk)
        if h.hexdigest() != digest:
            raise BackupError(f"{name} does not match its checksum: the backup file is damaged")


def _portal_is_empty() -> bool:
    from django.contrib.auth import get_user_model

    from ..catalog.models import AuditEntry, Dataset

    return not (Dataset.objects.exists() or get_user_model().objects.exists() or AuditEntry.objects.exists())


def restore(source: str | os.PathLike, progress: Callable[[str], None] = lambda _: None) -> Summary:
    from ..catalog.search import reindex_all
    from ..catalog.storage import get_store
    from ..soql.types import Schema

    source = Path(source)
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    try:
        tar = tarfile.open(source, "r")
    except tarfile.TarError as e:
        raise BackupError(f"{source} is not a backup archive: {e}") from None
    with tar:
        try:
            manifest = _read_manifest(tar)
            _verify(tar, manifest)
        except (tarfile.TarError, EOFError, OSError) as e:
            raise BackupError(f"{source} is damaged or was cut short ({e}); use another copy of the backup") from None
        call_command("migrate", interactive=False, verbosity=0)
        if not _portal_is_empty():
            raise BackupError(
                "this portal already holds datasets, users or audit entries; restore into an empty one "
                "(a new --data-dir, or a new DATABASE_URL and OPENBOROUGH_STORE)"
            )
        app = orjson.loads(tar.extractfile("app.json").read())
        schemas = {
            (o["fields"]["dataset"], o["fields"]["number"]): Schema.from_list(o["fields"]["schema"])
            for o in app
            if o["model"] == "catalog.version"
        }
        store = get_store()
        summary = Summary(records=len(app))
        with tempfile.TemporaryDirectory() as work:
            for v in manifest["versions"]:
                ds_id, number = v["dataset"], v["version"]
                schema = schemas[(ds_id, number)]
                if store.has_version(ds_id, number):
                    if store.row_count(ds_id, number) != v["rows"]:
                        raise BackupError(
                            f"the store already has {ds_id} version {number} with other rows; restore into an "
                            "empty store"
                        )
                    summary.skipped.append(f"{ds_id} v{number}")
                else:
                    path = Path(work) / "part.parquet"
                    with tar.extractfile(v["file"]) as src, open(path, "wb") as dst:
                        while chunk := src.read(1 << 20):
                            dst.write(chunk)
                    f = pq.ParquetFile(path)
                    reader = pa.RecordBatchReader.from_batches(f.schema_arrow, f.iter_batches(batch_size=65_536))
                    store.import_version(ds_id, number, schema, reader, row_id=v.get("row_identifier"))
                    path.unlink()
                if store.row_count(ds_id, number) != v["rows"]:
                    raise BackupError(f"{ds_id} version {number}: {store.row_count(ds_id, number)} rows restored, "
                                      f"{v['rows']} in the backup")  # fmt: skip
                summary.versions += 1
                summary.rows += v["rows"]
                progress(f"{ds_id} v{number}: {v['rows']} rows")
        in_archive = {(v["dataset"], v["version"]) for v in manifest["versions"]}
        for o in app:  # versions dropped while the backup ran are not stored here either
            if o["model"] == "catalog.version" and (o["fields"]["dataset"], o["fields"]["number"]) not in in_archive:
                o["fields"]["stored"] = False
        with transaction.atomic():
            objects = list(serializers.deserialize("json", orjson.dumps(app).decode(), handle_forward_references=True))
            for obj in objects:
                obj.save()
            for obj in objects:
                if obj.deferred_fields:
                    obj.save_deferred_fields()
            _reset_sequences({type(obj.object) for obj in objects})
        summary.datasets = len({v["dataset"] for v in manifest["versions"]})
        reindex_all()
    return summary


def _reset_sequences(models) -> None:
    """PostgreSQL's id sequences must continue after the restored ids."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cur:
            for s in statements:
                cur.execute(s)


def archive_path_default() -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"openborough-{stamp}.tar"
