"""Background publishing: the file is published by a worker process while the
publisher watches a progress page (docs/operations.md#background-work).

A job is enqueued on Django's tasks framework (database backend). While it runs
it beats a heartbeat; ``recover_stale`` — run by every worker every few seconds
— puts a job whose heartbeat stopped (its worker was killed) back on the queue.
Running a job again never doubles its effect: the version it wrote is named
after the job, and a retry that finds it just reports it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import shutil
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from .models import Job

try:  # Django 6's tasks framework; its backport for Django 5.2
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 2.0


def stale_after() -> dt.timedelta:
    """A running job whose heartbeat is older than this has lost its worker."""
    return dt.timedelta(seconds=settings.OPENBOROUGH_JOB_STALE_SECONDS)


def jobs_root() -> Path:
    return Path(settings.DATA_DIR) / "jobs"


def _source_name(job: Job) -> str:
    return f"{job.arguments['filename']} (background job {job.id.hex[:8]})"


def create_publish_job(path: Path, *, title: str, user=None, meta=None, dataset_id=None, mode="replace",
                       row_id=None, options=None, visibility=None) -> Job:  # fmt: skip
    """Take ``path`` (moved under the data directory) and queue its publication."""
    job = Job(kind="publish", title=title, created_by=user if getattr(user, "pk", None) else None)
    folder = jobs_root() / str(job.id)
    folder.mkdir(parents=True)
    target = folder / Path(path).name
    shutil.move(str(path), target)
    vis = dict(visibility or {})
    if isinstance(vis.get("review_date"), dt.date):
        vis["review_date"] = vis["review_date"].isoformat()
    opts = dataclasses.asdict(options) if options is not None else None
    if opts is not None:
        opts["types"] = {k: getattr(v, "value", v) for k, v in opts["types"].items()}
    job.arguments = {
        "path": str(target),
        "filename": target.name,
        "meta": meta or {},
        "dataset_id": dataset_id,
        "mode": mode,
        "row_id": row_id,
        "options": opts,
        "visibility": vis or None,
        "size": target.stat().st_size,
    }
    with transaction.atomic():
        job.save()
        transaction.on_commit(lambda: run_job.enqueue(str(job.id)))
    return job


@task()
def run_job(job_id: str) -> None:
    run(job_id)


class _Beat(threading.Thread):
    """Writes the job's heartbeat and progress while the publish runs."""

    def __init__(self, job_id):
        super().__init__(daemon=True, name=f"job-{job_id}")
        self.job_id = job_id
        self.rows = 0
        self.total = None
        self.stop = threading.Event()

    def run(self):
        try:
            while not self.stop.wait(HEARTBEAT_SECONDS):
                fields = {"heartbeat_at": timezone.now(), "rows_done": self.rows}
                if self.total is not None:
                    fields["rows_total"] = self.total
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields)
        finally:
            connection.close()


def _claim(job_id) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return None
        fresh = job.heartbeat_at and timezone.now() - job.heartbeat_at < stale_after()
        if job.status == Job.Status.RUNNING and fresh:
            return None  # another worker has it
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save()
        return job


def run(job_id) -> Job | None:
    from ..catalog.models import Version
    from ..catalog.publishing import PublishError, publish_file
    from ..ingest import IngestError, IngestOptions

    job = _claim(job_id)
    if job is None:
        return None
    a = job.arguments
    source = _source_name(job)
    done = Version.objects.filter(source=source).select_related("dataset").first()
    if done is not None:  # an earlier attempt published it, then lost its worker before saying so
        _finish(job, Job.Status.DONE, result=_result(done.dataset, done))
        return job
    beat = _Beat(job.id)

    def on_prepared(prepared):
        beat.total = prepared.row_count

    def progress(rows):
        beat.rows = rows

    options = IngestOptions(**{**a["options"], "point_from": tuple(a["options"]["point_from"])
                               if a["options"].get("point_from") else None}) if a.get("options") else None  # fmt: skip
    visibility = dict(a["visibility"]) if a.get("visibility") else None
    if visibility and visibility.get("review_date"):
        visibility["review_date"] = dt.date.fromisoformat(visibility["review_date"])
    beat.start()
    try:
        outcome = publish_file(
            a["path"],
            meta=a["meta"],
            dataset_id=a["dataset_id"],
            mode=a["mode"],
            row_id=a["row_id"],
            options=options,
            visibility=visibility,
            user=job.created_by,
            source=source,
            progress=progress,
            on_prepared=on_prepared,
        )
    except (PublishError, IngestError) as e:
        beat.stop.set()
        beat.join()
        report = getattr(e, "report", None)
        detail = e.message + (("\n" + report.summary_text()) if report is not None else "")
        _finish(job, Job.Status.FAILED, error=detail)
    except Exception as e:
        beat.stop.set()
        beat.join()
        log.exception("background job %s failed", job.id)
        _finish(job, Job.Status.FAILED, error=f"the publish failed unexpectedly ({type(e).__name__}); nothing "
                "was changed. The error is in the worker's log.")  # fmt: skip
    else:
        beat.stop.set()
        beat.join()
        _finish(job, Job.Status.DONE, result=_result(outcome.dataset, outcome.version, outcome=outcome),
                rows=outcome.version.row_count)  # fmt: skip
    return job


def _result(ds, version, outcome=None) -> dict:
    out = {"dataset_id": ds.id, "dataset_name": ds.name, "version": version.number, "row_count": version.row_count}
    if outcome is not None:
        out.update(new_dataset=outcome.new_dataset, created=outcome.created, updated=outcome.updated,
                   deleted=outcome.deleted)  # fmt: skip
    return out


def _finish(job: Job, status, *, result=None, error="", rows=None) -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.heartbeat_at = None
    job.result = result or {}
    job.error = error
    if rows is not None:
        job.rows_done = job.rows_total = rows
    job.save()
    shutil.rmtree(jobs_root() / str(job.id), ignore_errors=True)


def recover_stale() -> list[str]:
    """Queue again every running job whose worker died; the ids it requeued."""
    cutoff = timezone.now() - stale_after()
    ids = []
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff):
        n = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at=job.heartbeat_at).update(
            status=Job.Status.QUEUED
        )
        if n:
            log.warning("job %s lost its worker; running it again (attempt %d)", job.id, job.attempts + 1)
            run_job.enqueue(str(job.id))
            ids.append(str(job.id))
    return ids


def recovery_loop(stop: threading.Event, every: float = 5.0) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            recover_stale()
        except Exception:  # the worker keeps working; the next round tries again
            log.exception("could not check for stale jobs")
        stop.wait(every)
    connection.close()
