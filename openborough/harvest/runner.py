"""The harvest run: list, decide, publish, report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from ..catalog.ids import _ALPHABET as ID_ALPHABET
from ..catalog.ids import is_dataset_id
from ..catalog.models import EXEMPTION_REVIEW, Dataset, Visibility
from ..catalog.publishing import PublishError, publish_file, set_visibility, update_metadata
from ..ingest import IngestError
from .http import Client, SourceError
from .models import HarvestRecord, HarvestRun
from .report import HarvestReport, Line
from .sources.base import Entry, Source

log = logging.getLogger("openborough.harvest")

REVIEW_REASON = "Harvested from {source}, where it was not public. Review it, then publish it or record the exemption."


def derived_id(source_key: str, source_id: str, attempt: int = 0) -> str:
    """A stable 4x4 id for a source dataset that has none of its own."""
    digest = hashlib.sha256(f"{source_key}\0{source_id}\0{attempt}".encode()).digest()
    chars = [ID_ALPHABET[b % len(ID_ALPHABET)] for b in digest[:8]]
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def meta_key(meta: dict) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True, default=str).encode()).hexdigest()


def detect(url: str, client: Client, kind: str | None = None) -> Source:
    """The source for ``url``: the kind named, or the one the URL answers as."""
    from .sources.ckan import CkanSource
    from .sources.dcat import DcatSource
    from .sources.socrata import SocrataSource

    kinds = {"socrata": SocrataSource, "ckan": CkanSource, "dcat": DcatSource}
    if kind:
        if kind not in kinds:
            raise SourceError(f"unknown source kind {kind!r}; use one of {', '.join(kinds)}")
        return kinds[kind](url, client)
    lowered = url.lower().split("?")[0]
    if lowered.endswith((".json", ".jsonld", ".ttl", ".rdf", ".xml", ".n3", ".nt")) or lowered.rsplit("/", 1)[
        -1
    ].startswith("catalog."):
        return DcatSource(url, client)
    base = url.rstrip("/")
    # Socrata first: an openborough answers both, and its SODA API keeps ids and column types exactly
    if client.status(base + "/api/views.json", {"limit": 1}) == 200:
        return SocrataSource(url, client)
    if client.status(base + "/api/3/action/status_show") == 200:
        return CkanSource(url, client)
    return DcatSource(url, client)


class Harvester:
    def __init__(
        self,
        source: Source,
        *,
        dry_run: bool = False,
        actor: str = "harvest",
        on_total: Callable[[int], None] | None = None,
        on_step: Callable[[Line], None] | None = None,
        run: HarvestRun | None = None,
    ):
        self.source = source
        self.dry_run = dry_run
        self.actor = actor
        self.on_step = on_step
        self.on_total = on_total
        self.run = run
        self.report = HarvestReport(source=source.url, kind=source.kind, dry_run=dry_run)

    def harvest(
        self, *, ids: list[str] | None = None, query: str | None = None, limit: int | None = None
    ) -> HarvestReport:
        try:
            for n, entry in enumerate(self.source.entries(ids=ids, query=query)):
                if limit is not None and n >= limit:
                    break
                line = self._one(entry)
                self.report.add(line)
                total = max(self.source.total or 0, len(self.report.lines))
                if limit is not None:
                    total = min(total, limit)
                if self.on_total is not None:
                    self.on_total(total)
                if self.run is not None:
                    HarvestRun.objects.filter(pk=self.run.pk).update(
                        done=len(self.report.lines), total=total, report=self.report.to_dict()
                    )
                if self.on_step is not None:
                    self.on_step(line)
        except SourceError as e:
            self.report.errors.append(str(e))
        self.report.kind = self.source.kind  # a DCAT feed says which kind once read
        if not (ids or query or limit or self.report.errors):
            self._gone()
        return self.report

    def _gone(self) -> None:
        """Datasets an earlier run brought from this source that its whole listing no longer has: kept, and said."""
        seen = {line.source_id for line in self.report.lines}
        for rec in HarvestRecord.objects.filter(source=self.source.key).exclude(source_id__in=seen).order_by("title"):
            if not Dataset.objects.filter(pk=rec.dataset_id).exists():
                continue
            self.report.add(
                Line(
                    source_id=rec.source_id,
                    title=rec.title,
                    action="gone",
                    dataset_id=rec.dataset_id,
                    reason="the source no longer lists it (removed there, or not visible without credentials); "
                    "kept here: delete it from its staff page if it should go",
                )
            )

    # --- one dataset -----------------------------------------------------------

    def _target(self, entry: Entry, record: HarvestRecord | None) -> tuple[str, bool]:
        """The local id, and whether a dataset of ours that this source did not make holds it."""
        if record is not None:
            return record.dataset_id, False
        if entry.local_id and is_dataset_id(entry.local_id):
            return entry.local_id, Dataset.objects.filter(pk=entry.local_id).exists()
        for attempt in range(20):
            candidate = derived_id(self.source.key, entry.source_id, attempt)
            if not Dataset.objects.filter(pk=candidate).exists():
                return candidate, False
        raise SourceError("could not find a free dataset id")  # pragma: no cover - 28^8 ids

    def _one(self, entry: Entry) -> Line:
        line = Line(source_id=entry.source_id, title=entry.title, action="failed", private=entry.private)
        try:
            return self._decide(entry, line)
        except SourceError as e:
            line.reason = str(e)
        except IngestError as e:
            line.reason = f"the rows could not be published: {e.message}"
        except PublishError as e:
            line.reason = f"could not publish: {e.message}"
        except Exception as e:  # noqa: BLE001 - one dataset's surprise must not end the run
            log.exception("harvest of %s failed", entry.source_id)
            line.reason = f"unexpected error: {type(e).__name__}: {e}"
        line.action = "failed"
        return line

    def _decide(self, entry: Entry, line: Line) -> Line:
        if entry.error:
            raise SourceError(entry.error)
        record = HarvestRecord.objects.filter(source=self.source.key, source_id=entry.source_id).first()
        dataset_id, taken = self._target(entry, record)
        line.dataset_id = dataset_id
        if taken:
            raise SourceError(
                f"dataset {dataset_id} already exists here and was not harvested from this source; left alone"
            )
        if entry.skip:
            line.action, line.reason = "skipped", entry.skip
            return line
        ds = Dataset.objects.filter(pk=dataset_id).first()
        # a dataset made private at the source changes the key too, so the copy follows it
        mkey = meta_key({**entry.meta, "private at source": entry.private})
        if record is None or ds is None:
            line.action = "created"
        elif record.data_key != entry.data_key:
            line.action = "updated"
        elif record.meta_key != mkey:
            line.action = "metadata"
        else:
            line.action = "unchanged"
            line.private = not ds.is_public
            return line
        if self.dry_run:
            line.rows = entry.expected_rows
            return line
        if line.action == "metadata":
            meta = dict(entry.meta)
            update_metadata(ds, meta, actor=self.actor)
            self._keep_private(ds, entry)
            self._remember(record, entry, dataset_id, mkey, ds.row_count)
            line.private = not ds.is_public
            return line
        if record is None:
            # remembered before publishing, so a run killed mid-publish resumes with this id
            record = HarvestRecord.objects.create(
                source=self.source.key, source_id=entry.source_id, kind=self.source.kind, dataset_id=dataset_id,
                title=entry.title[:300],
            )  # fmt: skip
        self._publish(entry, dataset_id, ds, line)
        self._remember(record, entry, dataset_id, mkey, line.rows or 0)
        return line

    def _review(self) -> dict:
        return {
            "visibility": Visibility.PRIVATE,
            "exemption": EXEMPTION_REVIEW,
            "reason": REVIEW_REASON.format(source=self.source.url),
            "review_date": timezone.localdate() + dt.timedelta(days=30),
        }

    def _keep_private(self, ds: Dataset, entry: Entry) -> None:
        """Never more public here than at the source."""
        if entry.private and ds.visibility == Visibility.PUBLIC:
            set_visibility(ds, actor=self.actor, **self._review())

    def _publish(self, entry: Entry, dataset_id: str, ds: Dataset | None, line: Line) -> None:
        tmpdir = tempfile.mkdtemp(prefix="ob-harvest-")
        try:
            payload = entry.fetch(tmpdir)
            visibility = None
            if entry.private and (ds is None or ds.visibility == Visibility.PUBLIC):
                visibility = self._review()
            out = publish_file(
                payload.path,
                meta=dict(entry.meta),
                dataset_id=dataset_id,
                mode="replace",
                row_id=payload.row_id or "",
                options=payload.options,
                visibility=visibility,
                actor=self.actor,
                stamps=payload.stamps,
            )
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        line.rows = out.version.row_count
        line.private = not out.dataset.is_public
        notes = []
        if payload.expected_rows is not None and payload.expected_rows != line.rows:
            notes.append(f"the source sent {payload.expected_rows:,} rows but {line.rows:,} were published")
        if entry.expected_rows is not None and entry.expected_rows != line.rows:
            notes.append(f"the source states {entry.expected_rows:,} rows; {line.rows:,} arrived")
        if payload.note:
            notes.append(payload.note)
        line.reason = "; ".join(notes)

    def _remember(self, record, entry: Entry, dataset_id: str, mkey: str, rows: int) -> None:
        with transaction.atomic():
            rec = record or HarvestRecord(source=self.source.key, source_id=entry.source_id, kind=self.source.kind)
            rec.dataset_id = dataset_id
            rec.title = entry.title[:300]
            rec.data_key = entry.data_key[:500]
            rec.meta_key = mkey
            rec.rows = rows
            rec.harvested_at = timezone.now()
            rec.save()


def run_harvest(
    url: str,
    *,
    kind: str | None = None,
    ids: list[str] | None = None,
    query: str | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    client: Client | None = None,
    actor: str = "harvest",
    on_step: Callable[[Line], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    page_size: int | None = None,
    run: HarvestRun | None = None,
) -> HarvestReport:
    """Harvest ``url``; progress and the report are kept in ``run`` (a new HarvestRun unless given)."""
    client = client or Client()
    if run is None:
        run = HarvestRun.objects.create(source=url, dry_run=dry_run, actor=actor)
    try:
        source = detect(url, client, kind)
        if page_size:
            source.page_size = page_size
    except SourceError as e:
        report = HarvestReport(source=url, dry_run=dry_run)
        report.errors.append(str(e))
        HarvestRun.objects.filter(pk=run.pk).update(
            status="finished", finished_at=timezone.now(), report=report.to_dict()
        )
        return report
    HarvestRun.objects.filter(pk=run.pk).update(kind=source.kind)
    harvester = Harvester(source, dry_run=dry_run, actor=actor, on_step=on_step, on_total=on_total, run=run)
    try:
        report = harvester.harvest(ids=ids, query=query, limit=limit)
    except BaseException:
        if run is not None:
            HarvestRun.objects.filter(pk=run.pk).update(
                status="failed", finished_at=timezone.now(), report=harvester.report.to_dict()
            )
        raise
    if run is not None:
        HarvestRun.objects.filter(pk=run.pk).update(
            status="finished",
            finished_at=timezone.now(),
            report=report.to_dict(),
            kind=report.kind,
            total=len(report.lines),
            done=len(report.lines),
        )
    return report
